"""The digest parser as it was before the import speed-up (commit 78aa121), kept verbatim as the
reference that tests/core/test_parser_equivalence.py compares the fast parser with. Do not edit."""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}

# Boilerplate lines of a copied listing page, compared after folding case and spaces.
HEADER_LINES = frozenset(
    {
        "new",
        "get trending papers in your email inbox!",
        "get trending papers in your email inbox once a day!",
        "subscribe",
        "daily papers",
        "byak and the research community",
    }
)
# Lines after which a bare date is the digest's date rather than a paper's.
DIGEST_DATE_TRIGGERS = frozenset({"daily papers", "byak and the research community"})
_LONGEST_HEADER = max(len(line) for line in HEADER_LINES)

_MONTH_RE = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
DATE_RE = re.compile(rf"^{_MONTH_RE}\s+(\d{{1,2}})(?:,\s*(\d{{4}}))?(?:\s+(\d+))?$", re.IGNORECASE)
AUTHORS_RE = re.compile(r"^[•·*\-]?\s*(\d+)\s+authors?$", re.IGNORECASE)
DOT_LINE = "·"
SUBSCRIBE_GLUE = "Subscribe"
# A title longer than this is not believable; such text is reported, not guessed at.
MAX_TITLE_CHARS = 400


@dataclass(frozen=True)
class Entry:
    """One paper as read from a digest."""

    title: str
    abstract: str
    line: int
    position: int
    authors_count: int | None = None
    submitter: str | None = None
    published: str | None = None
    published_raw: str | None = None
    published_year_inferred: bool = False
    upvotes: int | None = None
    digest_date: str | None = None


@dataclass(frozen=True)
class SkippedBlock:
    """Text the parser could not use, with why and where (1-based line)."""

    line: int
    reason: str
    text: str


@dataclass
class ParseResult:
    """Entries found in a text, blocks skipped, and the layout recognised."""

    entries: list[Entry] = field(default_factory=list)
    skipped: list[SkippedBlock] = field(default_factory=list)
    layout: str = "empty"
    digest_dates: list[str] = field(default_factory=list)


@dataclass
class _Line:
    number: int
    text: str
    blank_before: bool


@dataclass
class _Pending:
    title: _Line
    abstract: list[_Line] = field(default_factory=list)
    authors_count: int | None = None
    submitter: str | None = None
    date: tuple[str, str, bool, int | None] | None = None
    saw_dot: bool = False


def normalise_text(text: str) -> str:
    """Drop a BOM, unify line endings and strip trailing whitespace on every line."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n"))


def fold_space(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    # Fast path: a printable string has no whitespace but the ASCII space (every other
    # whitespace character is a control or separator), so with no doubled or end spaces it is
    # already folded. Most lines of a digest are, and this runs on every line.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


# \W is exactly "not str.isalnum()" plus the underscore (checked over every code point).
_NOT_ALNUM = re.compile(r"[\W_]+")


def title_key(title: str) -> str:
    """The dedupe key of a title: case, whitespace and punctuation folded."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(_NOT_ALNUM.sub(" ", text).split())


def parse_date(raw: str, today: dt.date | None = None) -> tuple[str, bool, int | None] | None:
    """Parse ``Jan 29, 2024 1`` into (ISO date, year_inferred, upvotes), or None.

    A date with no year takes the latest year that does not put it after ``today`` (pass the
    digest's date: a listing cannot show a paper from its future).
    """
    match = DATE_RE.match(raw.strip())
    if not match:
        return None
    month = MONTHS[match.group(1)[:3].lower()]
    day = int(match.group(2))
    upvotes = int(match.group(4)) if match.group(4) else None
    today = today or dt.date.today()
    inferred = match.group(3) is None
    year = today.year if inferred else int(match.group(3))
    for attempt in range(8):  # Feb 29 may need a few years back
        try:
            value = dt.date(year - attempt if inferred else year, month, day)
        except ValueError:
            if not inferred:
                return None
            continue
        if inferred and value > today:
            continue
        return value.isoformat(), inferred, upvotes
    return None


def _classify(text: str) -> str:
    # ``text`` is already space-folded by _lines; only short lines can be header lines, so
    # long abstracts skip the casefold (this runs on every line of a file).
    if len(text) <= _LONGEST_HEADER and text.casefold() in HEADER_LINES:
        return "header"
    if text.strip() == DOT_LINE:
        return "dot"
    if AUTHORS_RE.match(text.strip()):
        return "authors"
    if DATE_RE.match(text.strip()):
        return "date"
    return "text"


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    blank = True
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped:
            blank = True
            continue
        if (
            stripped.startswith(SUBSCRIBE_GLUE)
            and len(stripped) > len(SUBSCRIBE_GLUE)
            and (stripped[len(SUBSCRIBE_GLUE)].isupper() or stripped[len(SUBSCRIBE_GLUE)].isdigit())
        ):
            # "SubscribeIn vivo 3D …": the first title glued to the header word.
            out.append(_Line(number, SUBSCRIBE_GLUE, blank))
            stripped = stripped[len(SUBSCRIBE_GLUE) :].strip()
            blank = False
        out.append(_Line(number, fold_space(stripped), blank))
        blank = False
    return out


def parse_digest(text: str, today: dt.date | None = None) -> ParseResult:
    """Parse digest text into entries; never raises on any string."""
    result = ParseResult()
    lines = _lines(normalise_text(text))
    if not lines:
        return result
    has_blank_sep = any(ln.blank_before for ln in lines[1:])
    has_meta = False
    digest_date: str | None = None
    after_trigger = False
    pending: _Pending | None = None
    kinds = [_classify(ln.text) for ln in lines]
    position = 0

    def flush() -> None:
        nonlocal pending, position
        if pending is None:
            return
        block, pending = pending, None
        title = block.title.text
        if not block.abstract:
            result.skipped.append(
                SkippedBlock(block.title.number, "a title with no abstract", title[:200])
            )
            return
        if len(title) > MAX_TITLE_CHARS:
            result.skipped.append(
                SkippedBlock(block.title.number, "a paragraph with no title", title[:200])
            )
            return
        abstract = " ".join(ln.text for ln in block.abstract)  # each line is already folded
        published = raw = None
        inferred = False
        upvotes = None
        if block.date is not None:
            published, raw, inferred, upvotes = block.date
        position += 1
        result.entries.append(
            Entry(
                title=title,
                abstract=abstract,
                line=block.title.number,
                position=position,
                authors_count=block.authors_count,
                submitter=block.submitter,
                published=published,
                published_raw=raw,
                published_year_inferred=inferred,
                upvotes=upvotes,
                digest_date=digest_date,
            )
        )

    for index, (ln, kind) in enumerate(zip(lines, kinds, strict=True)):
        next_kind = kinds[index + 1] if index + 1 < len(kinds) else None
        if kind == "header":
            flush()
            after_trigger = fold_space(ln.text).casefold() in DIGEST_DATE_TRIGGERS
            continue
        if kind == "date" and after_trigger:
            parsed = parse_date(ln.text, today)
            digest_date = parsed[0] if parsed else None
            if digest_date:
                result.digest_dates.append(digest_date)
            after_trigger = False
            continue
        after_trigger = False
        if kind in ("authors", "dot", "date") or (kind == "text" and next_kind == "dot"):
            has_meta = True
            if pending is None or not pending.abstract:
                result.skipped.append(
                    SkippedBlock(ln.number, "metadata with no paper before it", ln.text[:200])
                )
                continue
            if kind == "authors":
                match = AUTHORS_RE.match(ln.text)
                pending.authors_count = int(match.group(1)) if match else None
            elif kind == "dot":
                pending.saw_dot = True
            elif kind == "text":
                pending.submitter = ln.text
            else:
                reference = dt.date.fromisoformat(digest_date) if digest_date else today
                parsed = parse_date(ln.text, reference)
                if parsed is None:
                    result.skipped.append(
                        SkippedBlock(ln.number, "a date that does not exist", ln.text)
                    )
                else:
                    iso, inferred, upvotes = parsed
                    pending.date = (iso, ln.text, inferred, upvotes)
                flush()
            continue
        # Plain text: a title, or an abstract for the pending title.
        if pending is not None and not pending.abstract:
            if len(ln.text) <= MAX_TITLE_CHARS < len(pending.title.text):
                # The pending "title" was really an orphan paragraph; this line is a title.
                result.skipped.append(
                    SkippedBlock(
                        pending.title.number, "a paragraph with no title", pending.title.text[:200]
                    )
                )
                pending = _Pending(ln)
                continue
            pending.abstract.append(ln)
            continue
        if (
            pending is not None
            and pending.abstract
            and not ln.blank_before
            and has_blank_sep
            and len(ln.text) > MAX_TITLE_CHARS
        ):
            # A wrapped abstract continues on the next line of the same paragraph.
            pending.abstract.append(ln)
            continue
        flush()
        pending = _Pending(ln)
    flush()
    if result.entries:
        if has_meta:
            result.layout = "page"
        elif has_blank_sep:
            result.layout = "paragraphs"
        else:
            result.layout = "compact"
    return result

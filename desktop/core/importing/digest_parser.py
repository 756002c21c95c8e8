"""Parse digest text (copied paper listings) into entries.

Three layouts are understood, and may be mixed in one file:

* page copies with blank lines between fields, a ``Daily Papers`` header, a digest date, and
  per-entry metadata (``• N authors`` or a submitter line, a ``·`` line, a date line with an
  optional upvote count);
* compact copies with one line per field and no blank lines, where the first title may be glued
  to the ``Subscribe`` header word;
* blank-line separated title/abstract pairs with no metadata.

The parser never raises on any ``str`` input: whatever it cannot use is reported as a
:class:`SkippedBlock` with a reason and a line number.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress, count, repeat

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
    arxiv_id: str | None = None
    arxiv_version: int | None = None
    authors: tuple[str, ...] = ()
    comments: int | None = None
    arxiv_comments: str | None = None
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    journal_ref: str | None = None


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
    format: str = "empty"


@dataclass(slots=True)
class _Pending:
    number: int  # the title's line
    title: str
    abstract: list[str] = field(default_factory=list)
    authors_count: int | None = None
    submitter: str | None = None
    date: tuple[str, str, bool, int | None] | None = None


def normalise_text(text: str) -> str:
    """Drop a BOM, unify line endings and strip trailing whitespace on every line."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n"))


def fold_space(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    # Fast path: a printable string has no whitespace but the ASCII space (every other
    # whitespace character is a control or separator), so with no doubled or end spaces it is
    # already folded.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


# Every whitespace character (str.isspace, which str.split() and str.strip() use) but the space
# and the newline; tests/core/test_parser_equivalence.py checks the lists over every code point.
OTHER_SPACE = (
    "\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
ASCII_OTHER_SPACE = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f"


def only_plain_spaces(text: str) -> bool:
    """True when the only whitespace in ``text`` is the space and the newline.

    Then a stripped line is folded as soon as it has no doubled space. One substring search per
    character costs far less than folding every line (``c in text`` runs in C at memory speed).
    """
    others = ASCII_OTHER_SPACE if text.isascii() else OTHER_SPACE
    return not any(c in text for c in others)


# \W is exactly "not str.isalnum()" plus the underscore (checked over every code point).
_NOT_ALNUM = re.compile(r"[\W_]+")
# For ASCII titles: each character that is not a letter or a digit becomes a space.
_ASCII_NOT_ALNUM = str.maketrans({c: " " for c in range(128) if not chr(c).isalnum()})


def title_key(title: str) -> str:
    """The dedupe key of a title: case, whitespace and punctuation folded."""
    if title.isascii():
        # ASCII text is its own NFKC form, its casefold() is its lower(), and [\W_] over it is
        # exactly what the table maps: the same key as below without the Unicode passes.
        return " ".join(title.lower().translate(_ASCII_NOT_ALNUM).split())
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(_NOT_ALNUM.sub(" ", text).split())


# The same table keeping the newline, which title_keys() puts between titles.
_ASCII_NOT_ALNUM_KEEP_NEWLINE = str.maketrans(
    {c: " " for c in range(128) if not chr(c).isalnum() and c != 10}
)


def title_keys(titles: Sequence[str]) -> list[str]:
    """``[title_key(t) for t in titles]``, faster: ASCII titles are folded all in one pass."""
    joined = "\n".join(titles)
    if joined.isascii() and joined.count("\n") == len(titles) - 1:
        # No title holds a newline, so each line of the folded text is one title's.
        folded = joined.lower().translate(_ASCII_NOT_ALNUM_KEEP_NEWLINE).split("\n")
        return [" ".join(line.split()) for line in folded]
    return [title_key(t) for t in titles]


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


# What the last character of a line must be for AUTHORS_RE ("author"/"authors", any case) or
# DATE_RE (a digit) to match it: a cheap test that spares most lines both regular expressions.
# tests/core/test_parser_equivalence.py checks these over every code point.
AUTHORS_LAST = "RSrs\u017f"


def _classify(text: str) -> str:
    # ``text`` is a folded line (not empty, no end spaces); only short lines can be header
    # lines, so long abstracts skip the casefold (this runs on every line of a file).
    if len(text) <= _LONGEST_HEADER:
        if text.casefold() in HEADER_LINES:
            return "header"
        if text == DOT_LINE:
            return "dot"
    last = text[-1]
    if last in AUTHORS_LAST and AUTHORS_RE.match(text):
        return "authors"
    if last.isdigit() and DATE_RE.match(text):
        return "date"
    return "text"


def _lines(text: str) -> tuple[list[int], list[str], list[bool]]:
    """The non-blank lines of ``text``, folded: their numbers, texts and blank-before flags.

    ``text`` has ``\\n`` line breaks only (and nothing else is a line break here). The work is
    done a list at a time (map, compress) rather than a line at a time.
    """
    raw = text.split("\n")
    stripped = list(map(str.strip, raw))
    plain = only_plain_spaces(text)
    at = text.find("  ") if plain else -1
    if at != -1:
        # Only spaces separate words, so only a line with a doubled space inside it (not just
        # around it, like an indented "  • 3 authors") needs folding: find those lines from
        # the doubled spaces of the whole text (one scan) rather than searching every line.
        ends = list(accumulate(map((1).__add__, map(len, raw))))  # past each line's "\n"
        while at != -1:
            index = bisect_right(ends, at)
            line = stripped[index]
            if "  " in line:
                stripped[index] = " ".join(line.split())
            at = text.find("  ", ends[index])
    numbers = list(compress(range(1, len(stripped) + 1), stripped))
    texts = list(compress(stripped, stripped))
    # A line follows a blank one exactly when the line just before it is blank (or it is the
    # first): True, then "is empty" for every line, shifted by one.
    empty_before = [True]
    empty_before += map(operator.not_, stripped)
    blanks = list(compress(empty_before, stripped))
    if SUBSCRIBE_GLUE in text:
        glue = len(SUBSCRIBE_GLUE)
        starts = compress(count(), map(str.startswith, texts, repeat(SUBSCRIBE_GLUE)))
        glued = [
            k
            for k in starts
            if len(texts[k]) > glue and (texts[k][glue].isupper() or texts[k][glue].isdigit())
        ]
        for k in reversed(glued):
            # "SubscribeIn vivo 3D …": the first title glued to the header word.
            texts[k : k + 1] = [SUBSCRIBE_GLUE, texts[k][glue:].strip()]
            numbers.insert(k, numbers[k])
            blanks.insert(k + 1, False)
    if not plain:
        texts = list(map(fold_space, texts))
    return numbers, texts, blanks


def parse_digest(text: str, today: dt.date | None = None) -> ParseResult:
    """Parse digest text into entries; never raises on any string."""
    result = ParseResult()
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # (Trailing whitespace needs no pass of its own: every line is stripped below.)
    numbers, texts, blanks = _lines(text)
    if not texts:
        return result
    has_blank_sep = True in blanks[1:]
    has_meta = False
    digest_date: str | None = None
    after_trigger = False
    pending: _Pending | None = None
    # Most lines are titles and abstracts too long for a header that end in neither a digit
    # nor "author(s)": those are "text" without a call.
    kinds = [
        "text"
        if len(t) > _LONGEST_HEADER and t[-1] not in AUTHORS_LAST and not t[-1].isdigit()
        else _classify(t)
        for t in texts
    ]
    next_kinds = kinds[1:]
    next_kinds.append("")
    entries = result.entries
    skipped = result.skipped
    # Many papers of a digest share a date line: each (line, reference day) is parsed once.
    dates: dict[tuple[str, dt.date | None], tuple[str, bool, int | None] | None] = {}
    position = 0

    def flush() -> None:
        nonlocal pending, position
        if pending is None:
            return
        block, pending = pending, None
        title = block.title
        if not block.abstract:
            skipped.append(SkippedBlock(block.number, "a title with no abstract", title[:200]))
            return
        if len(title) > MAX_TITLE_CHARS:
            skipped.append(SkippedBlock(block.number, "a paragraph with no title", title[:200]))
            return
        abstract = " ".join(block.abstract)  # each line is already folded
        published = raw = None
        inferred = False
        upvotes = None
        if block.date is not None:
            published, raw, inferred, upvotes = block.date
        position += 1
        entries.append(
            Entry(
                title,
                abstract,
                block.number,
                position,
                block.authors_count,
                block.submitter,
                published,
                raw,
                inferred,
                upvotes,
                digest_date,
            )
        )

    for number, line, blank_before, kind, next_kind in zip(
        numbers, texts, blanks, kinds, next_kinds, strict=True
    ):
        if kind == "text" and next_kind != "dot":
            # Plain text: a title, or an abstract for the pending title.
            after_trigger = False
            if pending is not None:
                if not pending.abstract:
                    if len(line) <= MAX_TITLE_CHARS < len(pending.title):
                        # The pending "title" was really an orphan paragraph; this is a title.
                        skipped.append(
                            SkippedBlock(
                                pending.number, "a paragraph with no title", pending.title[:200]
                            )
                        )
                        pending = _Pending(number, line)
                        continue
                    pending.abstract.append(line)
                    continue
                if not blank_before and has_blank_sep and len(line) > MAX_TITLE_CHARS:
                    # A wrapped abstract continues on the next line of the same paragraph.
                    pending.abstract.append(line)
                    continue
                flush()
            pending = _Pending(number, line)
            continue
        if kind == "header":
            flush()
            after_trigger = line.casefold() in DIGEST_DATE_TRIGGERS
            continue
        if kind == "date" and after_trigger:
            parsed = parse_date(line, today)
            digest_date = parsed[0] if parsed else None
            if digest_date:
                result.digest_dates.append(digest_date)
            after_trigger = False
            continue
        after_trigger = False
        # Metadata: an authors line, the dot line, a date line, or the submitter before a dot.
        has_meta = True
        if pending is None or not pending.abstract:
            skipped.append(SkippedBlock(number, "metadata with no paper before it", line[:200]))
            continue
        if kind == "authors":
            match = AUTHORS_RE.match(line)
            pending.authors_count = int(match.group(1)) if match else None
        elif kind == "dot":
            pass
        elif kind == "text":
            pending.submitter = line
        else:
            reference = dt.date.fromisoformat(digest_date) if digest_date else today
            memo = (line, reference)
            parsed = dates[memo] if memo in dates else dates.setdefault(memo, parse_date(*memo))
            if parsed is None:
                skipped.append(SkippedBlock(number, "a date that does not exist", line))
            else:
                iso, inferred, upvotes = parsed
                pending.date = (iso, line, inferred, upvotes)
            flush()
    flush()
    if entries:
        if has_meta:
            result.layout = "page"
        elif has_blank_sep:
            result.layout = "paragraphs"
        else:
            result.layout = "compact"
    return result

"""Read Hugging Face paper listings copied as text, and plain title/abstract text.

Four layouts are understood, and may be mixed in one file:

* page copies with blank lines between fields, a ``Daily Papers`` header, a digest date, and
  per-entry metadata (``• N authors`` or a submitter line, a ``·`` line, a date line with an
  optional upvote count) -- ``hf-page``;
* the current page, where each paper's upvote count (a number, or ``-`` for none) stands on its
  own line before its title, ``Daily``/``Weekly``/``Monthly`` tabs sit in the header, and the
  number after the date is the comment count -- ``hf-page-upvotes-first``;
* compact copies with one line per field and no blank lines, where the first title may be glued
  to the ``Subscribe`` header word -- ``hf-compact``;
* blank-line separated title/abstract pairs with no metadata -- ``title-abstract``, or
  ``text-with-ids`` when titles name arXiv ids (``arXiv:2401.01234``, an arXiv or Hugging Face
  link), which the entries then carry (the id is cut out of the title).

Pairs with no metadata must look like papers (see :mod:`plausibility`): prose of short
paragraphs gives no entries. The parser never raises on any ``str`` input: whatever it cannot
use is reported as a :class:`SkippedBlock` with a reason and a line number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate, compress, count, repeat

from desktop.core.importing.arxiv_ids import cut_ids, is_only_id
from desktop.core.importing.plausibility import (
    HEADER_WORDS,
    MAX_TITLE_CHARS,
    MIN_ABSTRACT_CHARS,
    is_count,
    title_problem,
    unvouched_problem,
)
from desktop.core.importing.result import (
    HF_COMPACT,
    HF_PAGE,
    HF_PAGE_UPVOTES_FIRST,
    TEXT_WITH_IDS,
    TITLE_ABSTRACT,
    ParseResult,
    SkippedBlock,
    entry_from_values,
)
from desktop.core.importing.textnorm import fold_space, only_plain_spaces

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}

# Boilerplate lines of a copied listing page, compared after folding case and spaces.
HEADER_LINES = HEADER_WORDS
# Lines after which a bare date is the digest's date rather than a paper's.
DIGEST_DATE_TRIGGERS = frozenset(
    {
        "daily papers",
        "byak and the research community",
        "by ak and the research community",
        "daily",
        "weekly",
        "monthly",
    }
)
_LONGEST_HEADER = max(len(line) for line in HEADER_LINES)

_MONTH_RE = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
DATE_RE = re.compile(rf"^{_MONTH_RE}\s+(\d{{1,2}})(?:,\s*(\d{{4}}))?(?:\s+(\d+))?$", re.IGNORECASE)
AUTHORS_RE = re.compile(r"^[•·*\-]?\s*(\d+)\s+authors?$", re.IGNORECASE)
# Card lines that are metadata, never titles: who submitted it, the code repository's stars.
META_RE = re.compile(
    r"^(?:submitted\s+by\b.*|github\s*[\d.,]+\s*[km]?|\d+\s+comments?|view\s+(?:pdf|arxiv\s+page))$",
    re.IGNORECASE,
)
DOT_LINE = "·"
SUBSCRIBE_GLUE = "Subscribe"


@dataclass(slots=True)
class _Pending:
    number: int  # the title's line
    title: str
    abstract: list[str] = field(default_factory=list)
    authors_count: int | None = None
    submitter: str | None = None
    date: tuple[str, str, bool, int | None] | None = None
    upvotes: int | None = None
    arxiv_id: tuple[str, int | None] | None = None


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
    # ``text`` is a folded line (not empty, no end spaces); only short lines can be header,
    # count or card metadata lines, so long abstracts skip those tests (this runs on every line
    # of a file that is short or ends in a digit or "authors").
    if len(text) <= _LONGEST_HEADER:
        if text.casefold() in HEADER_LINES:
            return "header"
        if text == DOT_LINE:
            return "dot"
        if is_count(text):
            return "count"
        if META_RE.match(text):
            return "meta"
        if ("rXiv" in text or "rxiv" in text or "/papers/" in text or "RXIV" in text) and (
            is_only_id(text)
        ):
            return "id"
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


def count_value(line: str) -> int:
    """The number a count line shows: ``65`` → 65, ``1,204`` → 1204, ``3.2k`` → 3200, ``-`` → 0."""
    body = line.replace(",", "")
    scale = 1
    if body[-1:] in ("k", "K"):
        body, scale = body[:-1], 1000
    elif body[-1:] in ("m", "M"):
        body, scale = body[:-1], 1_000_000
    try:
        return int(float(body) * scale)
    except ValueError:  # "-": no upvotes yet
        return 0


def parse_hf_text(text: str, today: dt.date | None = None) -> ParseResult:
    """Parse Hugging Face page copies and plain title/abstract text; never raises."""
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
    # The current page: counts on their own lines. The last before a title is its upvotes; one
    # right after a paper's date line (before the next paper's upvotes) is that paper's comments.
    upvotes_first = False
    held: list[int] = []
    comment_target: int | None = None
    held_id: tuple[str, int | None] | None = None
    any_id = False
    name_follows = False

    def new_pending(number: int, line: str) -> _Pending:
        nonlocal held, comment_target, held_id, upvotes_first, any_id
        found = None
        if "rXiv" in line or "rxiv" in line or "RXIV" in line or "/papers/" in line:
            line, found = cut_ids(line)
        block = _Pending(number, line)
        if found is None:
            found, held_id = held_id, None
        block.arxiv_id = found
        if held:
            upvotes_first = True
            block.upvotes = held[-1]
            if len(held) > 1 and comment_target is not None:
                entries[comment_target] = dataclasses.replace(
                    entries[comment_target], comments=held[-2]
                )
        held = []
        comment_target = None
        return block

    def flush() -> None:
        nonlocal pending, position, any_id
        if pending is None:
            return
        block, pending = pending, None
        title = block.title
        if not block.abstract:
            skipped.append(SkippedBlock(block.number, "a title with no abstract", title[:200]))
            return
        # A line longer than any header word that starts with a letter passes title_problem().
        if not (_LONGEST_HEADER < len(title) <= MAX_TITLE_CHARS and title[0].isalpha()):
            problem = title_problem(title)
            if problem is not None:
                skipped.append(SkippedBlock(block.number, problem, title[:200]))
                return
        abstract = " ".join(block.abstract)  # each line is already folded
        published = raw = None
        inferred = False
        upvotes = block.upvotes
        comments = None
        if block.date is not None:
            published, raw, inferred, number_after_date = block.date
            if upvotes_first:
                comments = number_after_date
            else:
                upvotes = number_after_date
        elif block.authors_count is None and block.submitter is None and upvotes is None:
            problem = unvouched_problem(title, abstract)
            if problem is not None:
                skipped.append(SkippedBlock(block.number, problem, title[:200]))
                return
        arxiv_id = version = None
        if block.arxiv_id is not None:
            arxiv_id, version = block.arxiv_id
            any_id = True
        position += 1
        entries.append(
            entry_from_values(
                (
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
                    arxiv_id,
                    version,
                    (),
                    comments,
                )
            )
        )

    def _heading_before(
        heading: str, line: str, k: int, texts: list[str], blanks: list[bool]
    ) -> bool:
        """Whether ``line`` is a title under a heading line rather than the heading's abstract.

        It is when it names an arXiv id (ids stand next to titles), or when it is short and the
        next paragraph is a long one (its abstract).
        """
        if len(line) > MAX_TITLE_CHARS or len(heading) >= MIN_ABSTRACT_CHARS:
            return False
        if cut_ids(line)[1] is not None and len(line) < MIN_ABSTRACT_CHARS:
            return True  # (a long line that cites an id is an abstract all the same)
        return (
            len(line) < MIN_ABSTRACT_CHARS
            and k + 1 < len(texts)
            and blanks[k + 1]
            and len(texts[k + 1]) >= MIN_ABSTRACT_CHARS
            and kinds[k + 1] == "text"
        )

    for k, (number, line, blank_before, kind, next_kind) in enumerate(
        zip(numbers, texts, blanks, kinds, next_kinds, strict=True)
    ):
        if kind == "text" and next_kind != "dot":
            # Plain text: a title, or an abstract for the pending title.
            after_trigger = False
            if name_follows:
                # The name under a "Submitted by" line of its own.
                name_follows = False
                if len(line) <= _LONGEST_HEADER:
                    continue
            if pending is not None:
                if not pending.abstract:
                    if len(line) <= MAX_TITLE_CHARS < len(pending.title):
                        # The pending "title" was really an orphan paragraph; this is a title.
                        skipped.append(
                            SkippedBlock(
                                pending.number,
                                f"a paragraph with no title ({len(pending.title)} characters,"
                                " too long for a title)",
                                pending.title[:200],
                            )
                        )
                        pending = new_pending(number, line)
                        continue
                    if (
                        blank_before
                        and len(line) <= MAX_TITLE_CHARS
                        and _heading_before(pending.title, line, k, texts, blanks)
                    ):
                        # The pending line was a heading over the papers: this is a title.
                        skipped.append(
                            SkippedBlock(pending.number, "a heading with no paper", pending.title)
                        )
                        pending = new_pending(number, line)
                        continue
                    pending.abstract.append(line)
                    continue
                if not blank_before and has_blank_sep and len(line) > MAX_TITLE_CHARS:
                    # A wrapped abstract continues on the next line of the same paragraph.
                    pending.abstract.append(line)
                    continue
                flush()
            pending = new_pending(number, line)
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
        if kind == "count":
            # A count closes the paper before it and belongs to the paper after it.
            has_meta = True
            flush()
            held.append(count_value(line))
            continue
        if kind == "meta":
            # Who submitted it, the repository's stars: metadata with nothing to store.
            has_meta = True
            name_follows = line.casefold() == "submitted by"
            continue
        if kind == "id":
            found = cut_ids(line)[1]
            if pending is not None and pending.arxiv_id is None and not pending.abstract:
                pending.arxiv_id = found
            else:
                held_id = found
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
                iso, inferred, number_after = parsed
                pending.date = (iso, line, inferred, number_after)
            flush()
            if entries and parsed is not None and parsed[2] is None:
                comment_target = len(entries) - 1
    flush()
    if held and comment_target is not None and upvotes_first:
        entries[comment_target] = dataclasses.replace(entries[comment_target], comments=held[0])
    if entries:
        if has_meta:
            result.layout = "page"
            result.format = HF_PAGE_UPVOTES_FIRST if upvotes_first else HF_PAGE
        elif has_blank_sep:
            result.layout = "paragraphs"
            result.format = TEXT_WITH_IDS if any_id else TITLE_ABSTRACT
        else:
            result.layout = "compact"
            result.format = TEXT_WITH_IDS if any_id else HF_COMPACT
    return result

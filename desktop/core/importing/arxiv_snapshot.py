"""Read the arXiv metadata snapshot: JSON lines, one paper per line, streamed.

A line holds ``id``, ``title``, ``abstract``, ``authors`` (one string), ``categories`` (space
separated), ``update_date``, ``versions`` and sometimes ``authors_parsed``, ``comments``,
``journal-ref``, ``doi``, ``submitter``. :func:`iter_snapshot_entries` reads a file a line at a
time, so memory does not grow with the file (the snapshot is several GiB: it has no size limit);
a line that is not a paper is counted in ``SnapshotStats`` and skipped, never fatal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import orjson

from desktop.core.importing.arxiv_fields import (
    category_codes,
    clean_title,
    day_month_year,
    split_authors,
)
from desktop.core.importing.arxiv_ids import split_id
from desktop.core.importing.plausibility import title_problem
from desktop.core.importing.result import (
    ARXIV_SNAPSHOT,
    EMPTY,
    ENTRY_FIELDS,
    Entry,
    ParseResult,
    SkippedBlock,
    entry_from_values,
)
from desktop.core.importing.tex import tex_to_unicode
from desktop.core.importing.textnorm import fold_space

# A line longer than this is not a paper's record (the longest real ones are ~100 KB): it is
# skipped without being parsed, so one corrupt line cannot take the memory of a whole file.
MAX_LINE_BYTES = 4 * 1024 * 1024
Progress = Callable[[int, int | None], None]

NOT_JSON = "a line that is not JSON"  # the reason given for a line that does not decode


@dataclass
class SnapshotStats:
    """What a streamed read skipped: (line number, reason) pairs, capped, and their count."""

    skipped: int = 0
    reasons: list[tuple[int, str]] = field(default_factory=list)

    def skip(self, line: int, reason: str) -> None:
        """Count a skipped line, keeping the first thousand reasons."""
        self.skipped += 1
        if len(self.reasons) < 1000:
            self.reasons.append((line, reason))


def _part_name(part: Any) -> str:
    """One ``authors_parsed`` item (``[last, first, suffix]``) as a display name, or ""."""
    if isinstance(part, list) and part and all(isinstance(p, str) for p in part):
        last, first, suffix = (part + ["", ""])[:3]
        return " ".join(p for p in (first, last, suffix) if p)
    return ""


def _parsed_names(parsed: list[Any]) -> list[str]:
    """The names of ``authors_parsed``, accents as Unicode and spaces folded, empty ones out.

    The common item, ``[last, first, ""]`` with both names given, is ``first last`` at once; a
    ``" ".join`` of anything but two strings raises TypeError, which takes the general path.
    """
    try:
        names = [
            " ".join((part[1], part[0]))
            if len(part) == 3 and part[2] == "" and part[0] and part[1]
            else _part_name(part)
            for part in parsed
        ]
    except (TypeError, KeyError, IndexError):
        names = [_part_name(part) for part in parsed]
    # When the names joined have no backslash (no TeX), print (no other whitespace) and no
    # space doubled or at a name's edge, each name is as fold_space(tex_to_unicode()) leaves it.
    joined = "|".join(names)
    if (
        "\\" not in joined
        and joined.isprintable()
        and "  " not in joined
        and " |" not in joined
        and "| " not in joined
        and joined[:1] != " "
        and joined[-1:] != " "
    ):
        return [name for name in names if name]
    folded = (fold_space(tex_to_unicode(name)) for name in names)
    return [name for name in folded if name]


def _authors(record: dict[str, Any]) -> tuple[str, ...]:
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = _parsed_names(parsed)
        if names:
            return tuple(names)
    raw = record.get("authors")
    return split_authors(raw) if isinstance(raw, str) else ()


def _text(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    return fold_space(value) or None if isinstance(value, str) else None


@lru_cache(maxsize=4096)
def _categories(text: str) -> tuple[str, ...]:
    """category_codes(), remembered: a snapshot repeats a few thousand category lists."""
    return category_codes(text)


@lru_cache(maxsize=16384)
def _iso_day(day: str, month: str, year: str) -> str | None:
    return day_month_year(f"{day} {month} {year}")


def created_date(text: str) -> str | None:
    """day_month_year() of a version's ``created`` stamp, remembered by its day.

    A stamp reads ``Mon, 2 Apr 2007 19:18:42 GMT``: when its first word is letters and a comma
    (no digit) and the next three words are one or two digits, three ASCII letters and four
    digits, the first date the pattern finds in it is those three words.
    """
    parts = text.split(" ", 4)
    if (
        len(parts) == 5
        and parts[0][-1:] == ","
        and parts[0][:-1].isalpha()
        and len(parts[1]) <= 2
        and parts[1].isascii()
        and parts[1].isdigit()
        and len(parts[2]) == 3
        and parts[2].isascii()
        and parts[2].isalpha()
        and len(parts[3]) == 4
        and parts[3].isascii()
        and parts[3].isdigit()
    ):
        return _iso_day(parts[1], parts[2], parts[3])
    return day_month_year(text)


def record_values(record: Any, line: int, position: int) -> tuple[Any, ...] | str:
    """The fields of one snapshot record's Entry, in the order of Entry's fields (see
    :func:`record_entry`), or why the record is not a paper. Plain values: cheap to send from
    a worker process."""
    if not isinstance(record, dict):
        return "a JSON line that is not an object"
    get = record.get
    raw_id = get("id")
    found = split_id(raw_id) if isinstance(raw_id, str) else None
    if found is None:
        return "a record with no arXiv id"
    raw_title = get("title")
    title = clean_title(raw_title) if isinstance(raw_title, str) and raw_title else ""
    if not title:
        return "a record with no title"
    problem = title_problem(title)
    if problem is not None:
        return problem
    abstract = get("abstract")
    abstract = fold_space(tex_to_unicode(abstract)) if isinstance(abstract, str) else ""
    versions = get("versions")
    version = found[1]
    published = published_raw = None
    if isinstance(versions, list) and versions:
        numbers = [
            int(v["version"][1:])
            for v in versions
            if isinstance(v, dict)
            and isinstance(v.get("version"), str)
            and v["version"][1:].isdigit()
        ]
        version = max(numbers) if numbers else version
        first = versions[0]
        if isinstance(first, dict) and isinstance(first.get("created"), str):
            published_raw = first["created"]
            published = created_date(published_raw)
    if published is None and isinstance(get("update_date"), str):
        published_raw = record["update_date"]
        published = published_raw if len(published_raw) == 10 else None
    categories_raw = get("categories")
    categories = _categories(categories_raw) if isinstance(categories_raw, str) else ()
    authors = _authors(record)
    return (
        title,
        abstract,
        line,
        position,
        len(authors) if authors else None,  # authors_count
        _text(record, "submitter"),
        published,
        published_raw,
        False,  # published_year_inferred
        None,  # upvotes
        None,  # digest_date
        found[0],  # arxiv_id
        version,  # arxiv_version
        authors,
        None,  # comments (Hugging Face's count)
        _text(record, "comments"),  # arxiv_comments
        categories,
        categories[0] if categories else None,  # primary_category
        _text(record, "journal-ref"),
    )


def record_entry(record: Any, line: int, position: int) -> Entry | str:
    """The entry of one snapshot record, or why the record is not a paper."""
    values = record_values(record, line, position)
    return values if isinstance(values, str) else entry_from_values(values)


def placed_entry(values: tuple[Any, ...], line: int, position: int) -> Entry:
    """The Entry of :func:`record_values`' fields with its line and position replaced."""
    entry = object.__new__(Entry)
    attributes = entry.__dict__
    attributes.update(zip(ENTRY_FIELDS, values, strict=True))
    attributes["line"] = line
    attributes["position"] = position
    return entry


def iter_snapshot_entries(
    source: str | Path | IO[bytes],
    progress: Progress | None = None,
    stats: SnapshotStats | None = None,
    progress_every: int = 1 << 20,
) -> Generator[Entry, None, None]:
    """Stream the entries of a snapshot file (a path or a binary file object).

    ``progress(bytes_read, total_bytes)`` is called every ``progress_every`` bytes and at the
    end (``total_bytes`` is None when the size is unknown). Lines that are not papers are
    counted in ``stats``. Memory stays bounded by the longest line (at most MAX_LINE_BYTES).
    """
    stats = stats if stats is not None else SnapshotStats()
    if isinstance(source, (str, Path)):
        with open(source, "rb") as handle:
            yield from iter_snapshot_entries(handle, progress, stats, progress_every)
        return
    total: int | None = None
    try:
        total = os.fstat(source.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        total = None
    done = 0
    next_report = progress_every
    position = 0
    number = 0
    while True:
        raw = source.readline(MAX_LINE_BYTES + 1)
        if not raw:
            break
        number += 1
        done += len(raw)
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            done += skip_line(source)
            stats.skip(number, f"a line over {MAX_LINE_BYTES // 2**20} MiB")
        else:
            entry = _line_entry(raw, number, position + 1, stats)
            if entry is not None:
                position += 1
                yield entry
        if progress is not None and done >= next_report:
            progress(done, total)
            next_report = done + progress_every
    if progress is not None:
        progress(done, total)


def skip_line(source: IO[bytes]) -> int:
    """Read on to the end of the current line (a MiB at most at a time, never holding the
    line); return how many bytes were read."""
    done = 0
    while True:
        raw = source.readline(MAX_LINE_BYTES)
        done += len(raw)
        if not raw or raw.endswith(b"\n"):
            return done


def line_values(raw: bytes, number: int, position: int) -> tuple[Any, ...] | str | None:
    """The Entry fields of one line (see record_values), why it is not a paper, or None for
    a blank line.

    orjson reads the line's bytes as they are when they are one JSON object in valid UTF-8
    (every line of a real snapshot), at twice the json module's speed with no decoding
    first. What it refuses (a blank line, a BOM, bytes that are not UTF-8, NaN, a lone
    surrogate, deep nesting) is read as before: decoded with replacement, stripped, json.
    The one value the two read apart, an integer over 64 bits (orjson gives a float), is
    never a field a paper takes: record_values reads strings, lists and objects only. The
    equivalence tests compare every kind of line with the json module's reading.
    """
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    else:
        if isinstance(record, dict):
            return record_values(record, number, position)
    text = raw.decode("utf-8", errors="replace").strip().lstrip("\ufeff")
    if not text:
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return NOT_JSON
    except RecursionError:
        return "a line nested too deeply"
    return record_values(record, number, position)


def _line_entry(raw: bytes, number: int, position: int, stats: SnapshotStats) -> Entry | None:
    found = line_values(raw, number, position)
    if isinstance(found, str):
        stats.skip(number, found)
        return None
    return None if found is None else entry_from_values(found)


def parse_snapshot_text(text: str) -> ParseResult:
    """Parse snapshot lines held in memory (a small extract imported as a digest); never raises."""
    result = ParseResult(layout=ARXIV_SNAPSHOT, format=ARXIV_SNAPSHOT)
    stats = SnapshotStats()
    for number, line in enumerate(text.lstrip("\ufeff").split("\n"), 1):
        entry = _line_entry(
            line.encode("utf-8", "surrogatepass"), number, len(result.entries) + 1, stats
        )
        if entry is not None:
            result.entries.append(entry)
    result.skipped = [SkippedBlock(line, reason, "") for line, reason in stats.reasons]
    if not result.entries:
        result.layout = result.format = EMPTY
    return result

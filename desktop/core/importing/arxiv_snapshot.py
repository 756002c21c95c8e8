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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from desktop.core.importing.arxiv_fields import (
    category_codes,
    clean_title,
    day_month_year,
    split_authors,
)
from desktop.core.importing.arxiv_ids import split_id
from desktop.core.importing.plausibility import title_problem
from desktop.core.importing.result import ARXIV_SNAPSHOT, EMPTY, Entry, ParseResult, SkippedBlock
from desktop.core.importing.tex import tex_to_unicode
from desktop.core.importing.textnorm import fold_space

# A line longer than this is not a paper's record (the longest real ones are ~100 KB): it is
# skipped without being parsed, so one corrupt line cannot take the memory of a whole file.
MAX_LINE_BYTES = 4 * 1024 * 1024
Progress = Callable[[int, int | None], None]


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


def _authors(record: dict[str, Any]) -> tuple[str, ...]:
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for part in parsed:
            if isinstance(part, list) and part and all(isinstance(p, str) for p in part):
                last, first, suffix = (part + ["", ""])[:3]
                name = fold_space(tex_to_unicode(" ".join(p for p in (first, last, suffix) if p)))
                if name:
                    names.append(name)
        if names:
            return tuple(names)
    raw = record.get("authors")
    return split_authors(raw) if isinstance(raw, str) else ()


def _text(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    return fold_space(value) or None if isinstance(value, str) else None


def record_entry(record: Any, line: int, position: int) -> Entry | str:
    """The entry of one snapshot record, or why the record is not a paper."""
    if not isinstance(record, dict):
        return "a JSON line that is not an object"
    raw_id = record.get("id")
    found = split_id(raw_id) if isinstance(raw_id, str) else None
    if found is None:
        return "a record with no arXiv id"
    title = clean_title(record.get("title") or "") if isinstance(record.get("title"), str) else ""
    if not title:
        return "a record with no title"
    problem = title_problem(title)
    if problem is not None:
        return problem
    abstract = record.get("abstract")
    abstract = fold_space(tex_to_unicode(abstract)) if isinstance(abstract, str) else ""
    versions = record.get("versions")
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
            published = day_month_year(published_raw)
    if published is None and isinstance(record.get("update_date"), str):
        published_raw = record["update_date"]
        published = published_raw if len(published_raw) == 10 else None
    categories_raw = record.get("categories")
    categories = category_codes(categories_raw) if isinstance(categories_raw, str) else ()
    authors = _authors(record)
    return Entry(
        title,
        abstract,
        line,
        position,
        authors_count=len(authors) if authors else None,
        submitter=_text(record, "submitter"),
        published=published,
        published_raw=published_raw,
        arxiv_id=found[0],
        arxiv_version=version,
        authors=authors,
        arxiv_comments=_text(record, "comments"),
        categories=categories,
        primary_category=categories[0] if categories else None,
        journal_ref=_text(record, "journal-ref"),
    )


def iter_snapshot_entries(
    source: str | Path | IO[bytes],
    progress: Progress | None = None,
    stats: SnapshotStats | None = None,
    progress_every: int = 1 << 20,
) -> Iterator[Entry]:
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
            # Skip the rest of an over-long line without holding it.
            while raw and not raw.endswith(b"\n"):
                raw = source.readline(MAX_LINE_BYTES)
                done += len(raw)
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


def _line_entry(raw: bytes, number: int, position: int, stats: SnapshotStats) -> Entry | None:
    text = raw.decode("utf-8", errors="replace").strip().lstrip("\ufeff")
    if not text:
        return None
    try:
        record = json.loads(text)
    except ValueError:
        stats.skip(number, "a line that is not JSON")
        return None
    except RecursionError:
        stats.skip(number, "a line nested too deeply")
        return None
    entry = record_entry(record, number, position)
    if isinstance(entry, str):
        stats.skip(number, entry)
        return None
    return entry


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

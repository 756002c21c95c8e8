"""Reading an arXiv snapshot in worker processes: byte ranges parsed in parallel, in order.

JSON decoding and the fields' clean-up are Python code, so threads would share one core: the
file is read by worker *processes*, started with multiprocessing's ``spawn`` context (fresh
interpreters; a fork of the Qt process would copy its threads' locks half-held). The file is
cut into ranges of ``RANGE_BYTES``; a worker reads the lines that *start* in its range (the
line a range's first byte falls in belongs to the range before) and returns their entries'
fields and its skipped lines, numbered from the range's start. The caller takes the ranges
back in file order, numbers their lines and entries on from the ranges before, and so gets
exactly the entries, lines, positions and skip reasons that
:func:`~desktop.core.importing.arxiv_snapshot.iter_snapshot_entries` gives reading alone.

Memory stays flat in the file's size: at most ``IN_FLIGHT_RANGES`` ranges (or two per worker,
if more) are being read or waiting to be taken. A worker that dies makes the read raise
:class:`SnapshotWorkerError` (an OSError: the import fails and keeps nothing); closing the
iterator early (a cancel) stops the workers.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections import deque
from collections.abc import Generator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from pathlib import Path

from desktop.core.importing.arxiv_snapshot import (
    MAX_LINE_BYTES,
    Progress,
    SnapshotStats,
    line_values,
    skip_line,
)
from desktop.core.importing.result import Entry
from desktop.core.importing.snapshot_rows import Chunk, Row, prepared, row_entry

RANGE_BYTES = 1 << 20
# Enough ranges ahead (16 MiB, some 7,000 papers) that the readers go on while the writer stores
# a batch (import_writer.SNAPSHOT_BATCH, 5,000 papers, about 11 ranges): with 4, they stopped
# after 1,800 and the writer then waited for the rest of its next batch, about a quarter of
# the import's time at 200,000 papers. Counted over all the workers, so that the writer's
# memory does not grow with their number.
IN_FLIGHT_RANGES = 16
READER_NICENESS = 10
# A reader's garbage collector runs its youngest generation every this many container
# allocations, not every 700: a range's rows stay alive until it is sent, so each early pass
# walked them again (42.4 against 45-50 us a paper, one reader over 150 MB). A reader builds
# no reference cycles (orjson's values, tuples of strings), and each ends with its import.
READER_GC_THRESHOLD = 50_000
# A file smaller than this is read in the calling process: starting the workers (a fresh
# interpreter each, about a fifth of a second) would cost more than they save.
PARALLEL_MIN_BYTES = 32 << 20

# What a worker returns for a range: its entries' rows (snapshot_rows.py; line and position
# counted from 1 in the range), its skipped lines (line in the range, reason) and how many
# lines it read.
RangeResult = tuple[list[Row], list[tuple[int, str]], int]


class SnapshotWorkerError(OSError):
    """A worker process reading the snapshot died or failed; nothing read was kept."""


def default_readers() -> int:
    """How many worker processes read a snapshot: one per CPU (at most 4), the writer's too.

    Since the readers make each paper's stored values (snapshot_rows.py), a reader costs
    about as much per paper as the writer: on 2 cores, two readers and the writer took a
    200,000-paper import from 18.3 s to 15.1 s (one reader could not keep the writer busy).
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


def _start_reader() -> None:
    """A reader process's set-up: Ctrl-C is the parent's to handle, the garbage collector
    runs less often (READER_GC_THRESHOLD), and the reader ends as soon as its parent does
    (killed, crashed), never left waiting for work."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.set_threshold(READER_GC_THRESHOLD, *gc.get_threshold()[1:])
    if hasattr(os, "nice"):
        os.nice(READER_NICENESS)
    parent = multiprocessing.parent_process()
    if parent is not None:

        def watch(sentinel: int) -> None:
            multiprocessing.connection.wait([sentinel])
            os._exit(1)

        threading.Thread(target=watch, args=(parent.sentinel,), daemon=True).start()


def read_range(path: str, start: int, end: int) -> RangeResult:
    """The entries' rows (fields and stored values, see snapshot_rows.py) and skipped lines
    of the lines of ``path`` that start in [``start``, ``end``), numbered from 1 within the
    range (run in a worker process)."""
    values: list[Row] = []
    skipped: list[tuple[int, str]] = []
    number = 0
    with open(path, "rb") as source:
        at = start
        if start > 0:
            # The line holding byte start - 1 is the range before's (to its end, so a line
            # starting exactly at ``start`` is this range's).
            source.seek(start - 1)
            at = start - 1 + skip_line(source)
        while at < end:
            raw = source.readline(MAX_LINE_BYTES + 1)
            if not raw:
                break
            number += 1
            at += len(raw)
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                at += skip_line(source)
                skipped.append((number, f"a line over {MAX_LINE_BYTES // 2**20} MiB"))
                continue
            found = line_values(raw, number, len(values) + 1)
            if isinstance(found, tuple):
                values.append(prepared(found))
            elif found is not None:
                skipped.append((number, found))
    return values, skipped, number


def iter_snapshot_entries_parallel(
    path: Path,
    progress: Progress | None = None,
    stats: SnapshotStats | None = None,
    *,
    workers: int,
    range_bytes: int | None = None,
) -> Generator[Entry, None, None]:
    """The entries of a snapshot file read by ``workers`` processes, in file order: the same
    entries as ``iter_snapshot_entries(path, progress, stats)``.

    ``progress(bytes_read, total_bytes)`` is called as each range is taken and at the end.
    Close the iterator to stop early: the workers are stopped and the ranges not yet taken
    dropped. Raises SnapshotWorkerError when a worker process dies.
    """
    chunks = iter_snapshot_chunks_parallel(
        path, progress, stats, workers=workers, range_bytes=range_bytes
    )
    with closing(chunks):
        for rows, lines, entries in chunks:
            for row in rows:
                yield row_entry(row, lines, entries)


def iter_snapshot_chunks_parallel(
    path: Path,
    progress: Progress | None = None,
    stats: SnapshotStats | None = None,
    *,
    workers: int,
    range_bytes: int | None = None,
) -> Generator[Chunk, None, None]:
    """:func:`iter_snapshot_entries_parallel`'s entries as the rows the workers made, a range
    at a time: ``(rows, lines before, entries before)`` (see snapshot_rows.py), so that the
    writer builds no Entry for a paper it only inserts."""
    stats = stats if stats is not None else SnapshotStats()
    range_bytes = range_bytes or RANGE_BYTES
    total = os.path.getsize(path)
    ranges = deque((at, min(at + range_bytes, total)) for at in range(0, total, range_bytes))
    pool = ProcessPoolExecutor(
        max_workers=max(1, workers),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_reader,
    )
    pending: deque[tuple[Future[RangeResult], int]] = deque()
    lines = entries = 0

    def submit() -> None:
        start, end = ranges.popleft()
        pending.append((pool.submit(read_range, str(path), start, end), end))

    try:
        while ranges and len(pending) < max(IN_FLIGHT_RANGES, 2 * workers):
            submit()
        while pending:
            future, end = pending.popleft()
            if ranges:
                submit()
            try:
                values, skipped, count = future.result()
            except BrokenProcessPool as exc:
                raise SnapshotWorkerError(f"a snapshot reader process ended early ({exc})") from exc
            for line, reason in skipped:
                stats.skip(lines + line, reason)
            if values:
                yield values, lines, entries
            lines += count
            entries += len(values)
            if progress is not None:
                progress(end, total)
        if progress is not None and total == 0:
            progress(0, total)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

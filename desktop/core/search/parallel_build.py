"""Building the search index in worker processes: a segment per slice of papers, one commit.

Analysing text and encoding postings is Python code, so threads would share one core; the
build runs in worker *processes* instead. They are started with multiprocessing's ``spawn``
context: fresh interpreters that import this module, never a fork of the calling process
(a fork of the Qt process would copy its threads' locks half-held).

The papers, in id order, are cut into slices of ``segment_docs`` (the slices the one-process
:meth:`SearchIndex.rebuild <desktop.core.search.index.SearchIndex.rebuild>` writes a segment
for). Each worker opens the database read-only, builds the documents of its slices
(documents.py) and writes each slice as one segment into the index folder
(whoosh_segments.write_segment), uncommitted: no table of contents names it yet. The caller
then commits one table of contents listing every segment in slice order
(whoosh_segments.commit_segments): the same segments, term by term, as one process writes.

Progress: each slice's count of documents written is kept in a shared array of integers,
one slot per slice and no lock, so a worker killed at any moment leaves no lock held. Cancel:
``cancel()`` is polled every ``POLL_SECONDS`` and the workers are killed. A worker that dies
(killed, out of memory) or fails makes the build raise :class:`IndexBuildError`, after the
other workers are stopped; the segments written so far are in no table of contents, so the
index stays as it was (the caller's empty one, which the next start builds again), and the
next build removes their files with the folder.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from desktop.core.search.documents import INDEX_NAME, TEXT_FIELDS, build_documents, index_fields
from desktop.core.search.whoosh_segments import PrivateFileStorage, write_segment

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]

# Documents are read from SQLite this many at a time (as SearchIndex.rebuild reads them).
READ_BATCH = 1000
POLL_SECONDS = 0.05
# How long stopping a worker may take before it is killed.
STOP_SECONDS = 5.0

Slice = tuple[int, int, int]  # (slot, first paper id, last paper id), ids inclusive


class IndexBuildError(RuntimeError):
    """A worker process of the parallel build died or failed; nothing was committed."""


class BuildCancelledError(Exception):
    """The caller's ``cancel()`` turned true; the workers were stopped, nothing committed."""


def default_workers() -> int:
    """How many worker processes a build uses: one per CPU this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def slices_of(ids: Sequence[int], segment_docs: int) -> list[Slice]:
    """Cut ascending paper ids into slices of ``segment_docs``: (slot, first id, last id)."""
    return [
        (slot, ids[start], ids[min(start + segment_docs, len(ids)) - 1])
        for slot, start in enumerate(range(0, len(ids), segment_docs))
    ]


def _slice_documents(db: Any, first: int, last: int) -> Any:
    """The index documents of the papers with ids ``first``..``last``, in id order."""
    ids = [
        r[0]
        for r in db.execute(
            "SELECT id FROM papers WHERE id BETWEEN ? AND ? ORDER BY id", [first, last]
        )
    ]
    for start in range(0, len(ids), READ_BATCH):
        for doc in build_documents(db, ids[start : start + READ_BATCH]).values():
            yield index_fields(doc)


def _worker(db_path: str, index_path: str, tasks: list[Slice], counts: Any, results: Any) -> None:
    """A worker process: write one segment per slice in ``tasks``; put each on ``results``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    from desktop.core import store

    slot = -1
    try:
        db = store.connect(Path(db_path), read_only=True, check=False)
        try:
            ix = PrivateFileStorage(index_path).open_index(INDEX_NAME)
            for slot, first, last in tasks:

                def added(count: int, slot: int = slot) -> None:
                    counts[slot] = count  # after each batch of documents written

                segment = write_segment(ix, _slice_documents(db, first, last), TEXT_FIELDS, added)
                counts[slot] = segment.doc_count_all()
                results.put(("segment", slot, segment))
        finally:
            db.close()
    except BaseException:  # noqa: BLE001 - every failure goes to the parent, which raises it
        results.put(("error", slot, traceback.format_exc(limit=8)))


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"ended with exit code {code}"


def write_segments(
    db_path: Path,
    index_path: Path,
    slices: Sequence[Slice],
    *,
    workers: int,
    total: int,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> list[Any]:
    """Write a segment per slice in ``workers`` spawned processes; return them in slice order.

    The index at ``index_path`` must exist (the workers open it) and the caller must hold its
    write lock. ``progress(done, total, "Indexing")`` is called as documents are written.
    Raises BuildCancelledError when ``cancel()`` turns true and IndexBuildError when a worker
    dies or fails; the workers are stopped either way.
    """
    if not slices:
        return []
    context = multiprocessing.get_context("spawn")
    counts = context.Array("q", len(slices), lock=False)
    results = context.Queue()
    workers = max(1, min(workers, len(slices)))
    processes = [
        context.Process(
            target=_worker,
            args=(str(db_path), str(index_path), list(slices[w::workers]), counts, results),
            name=f"digest-desk-index-{w}",
            daemon=True,
        )
        for w in range(workers)
    ]
    got: dict[int, Any] = {}
    try:
        for process in processes:
            process.start()
        reported = -1
        while len(got) < len(slices):
            if cancel is not None and cancel():
                raise BuildCancelledError
            try:
                kind, slot, payload = results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                _check_alive(processes, results, got, len(slices))
            else:
                if kind == "error":
                    raise IndexBuildError(f"an index worker process failed:\n{payload}")
                got[slot] = payload
            done = sum(counts)
            if progress is not None and done != reported:
                progress(done, total, "Indexing")
                reported = done
    finally:
        _stop(processes)
        results.close()
        results.cancel_join_thread()
    return [got[slot] for slot, _first, _last in slices]


def _check_alive(processes: list[Any], results: Any, got: dict[int, Any], wanted: int) -> None:
    """Raise IndexBuildError when a worker died, or every worker ended short of the slices."""
    for process in processes:
        code = process.exitcode
        if code is not None and code != 0:
            raise IndexBuildError(f"an index worker process {_describe_exit(code)}")
    if all(p.exitcode == 0 for p in processes):
        # The last results may still be in the pipe: one more look before giving up.
        try:
            while len(got) < wanted:
                kind, slot, payload = results.get(timeout=1.0)
                if kind == "error":
                    raise IndexBuildError(f"an index worker process failed:\n{payload}")
                got[slot] = payload
        except queue.Empty:
            raise IndexBuildError(
                "the index worker processes ended without every segment"
            ) from None


def _stop(processes: list[Any]) -> None:
    """End every worker still running (killed: its uncommitted files are never read)."""
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        if process.pid is not None:
            process.join(STOP_SECONDS)

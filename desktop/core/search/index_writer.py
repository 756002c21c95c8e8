"""Index updates of annotation edits, written on a thread of their own.

Saving a 1 MB note takes SQLite a few milliseconds, but Whoosh a quarter of a second or more
to analyse it and write (and now and then merge) a segment. An app that has to answer at once
hands the papers whose notes, highlights or tags changed to a :class:`BackgroundIndexWriter`
(``Library.write_index_in_background``): the save returns, and this thread brings the index in
line with SQLite for those papers, reading them on its own connection (a connection belongs
to the thread that opened it) and writing under the same locks as every other write.

SQLite stays the only truth. A paper handed here is written from what SQLite holds when the
thread gets to it, so saves that overtake each other end as the last one. Nothing pending is
lost when the process dies first: the index keeps each paper's annotation key (a checksum of
what it indexed), and every open compares those keys with SQLite's (SearchIndex.open), so the
next start writes what this thread did not. A write this thread cannot make (the disk is full,
the index is damaged) is handed back to the library's index (``on_failure``), which then stops
answering searches from the index and catches up on its own thread, as after any failed write.

Each update commits its own small segment without merging (merging is what made one save cost
seconds now and then); the small segments are merged here once the edits pause.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlite_utils import Database

from desktop.core.search.errors import (
    DAMAGE_ERRORS,
    internal_error,
    raised_reading_whoosh_files,
    strict,
)
from desktop.core.search.index import SearchIndex, is_small

log = logging.getLogger(__name__)

# Merge the small segments the updates wrote once there are more than this many segments...
MAX_SEGMENTS = 6
# ...and no edit came for this many seconds (or at once above this many segments).
MERGE_IDLE_SECONDS = 2.0
MAX_SEGMENTS_BUSY = 3 * MAX_SEGMENTS
# A write that could not take the index lock (another process writes) is tried again after.
RETRY_SECONDS = 1.0


class BackgroundIndexWriter:
    """One thread that writes the index copies of the papers given to :meth:`submit`."""

    def __init__(
        self,
        db_path: Path,
        index_path: Path,
        *,
        on_failure: Callable[[str], None],
        on_written: Callable[[frozenset[int]], None] | None = None,
    ) -> None:
        self.db_path = Path(db_path)
        self.index_path = Path(index_path)
        self.on_failure = on_failure  # a write failed: the library's index catches up itself
        self.on_written = on_written  # called on this thread after each commit
        self.error: BaseException | None = None  # a bug met here (raised by wait_idle, strict)
        self.commits = 0  # update commits made (tests count them)
        self.merges = 0  # merges of small segments made
        self._queued: set[int] = set()
        self._writing: frozenset[int] = frozenset()
        self._unwritten: set[int] = set()  # dropped by stop() while the lock was held elsewhere
        self._stopping = False
        self._merge_due = False
        self._last_submit = 0.0
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="index-writer", daemon=True)
        self._thread.start()

    @property
    def thread(self) -> threading.Thread:
        """The thread the updates are written on."""
        return self._thread

    @property
    def pending(self) -> frozenset[int]:
        """Papers handed over whose index copy is not written yet."""
        with self._cond:
            return frozenset(self._queued | self._writing)

    def submit(self, ids: Iterable[int]) -> bool:
        """Bring the index copies of ``ids`` in line with SQLite, on the writer's thread;
        False when the writer is stopped (the caller then writes them itself)."""
        with self._cond:
            if self._stopping or not self._thread.is_alive():
                return False
            self._queued.update(int(i) for i in ids)
            self._last_submit = time.monotonic()
            self._cond.notify_all()
            return True

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until everything handed over is written (or failed); False on a timeout.

        Under strict mode (the tests), a bug met on the writer's thread is raised here.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._queued or self._writing:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left)
        if self.error is not None and strict():
            error, self.error = self.error, None
            raise error
        return True

    def stop(self, timeout: float) -> frozenset[int]:
        """Write what is pending (waiting at most ``timeout`` seconds), then end the thread;
        returns the papers left unwritten (the next open of the library writes them)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._thread.join(timeout)
        with self._cond:
            left = frozenset(self._queued | self._writing | self._unwritten)
            if self._thread.is_alive():
                self._queued.clear()  # the thread writes what it holds, then ends
            return left

    # -- the thread ------------------------------------------------------------------------
    def _run(self) -> None:
        index: _WriterIndex | None = None
        try:
            while (ids := self._next()) is not None:
                try:
                    if index is None:
                        index = _WriterIndex.open_on(self.db_path, self.index_path)
                    if ids:
                        self._write(index, ids)
                    else:
                        self._merge(index)
                except Exception as exc:  # noqa: BLE001 - reported; the library's index catches up
                    self._failed(exc)
                    if index is not None:  # opened again for the next write
                        index.close_all()
                        index = None
        finally:
            with self._cond:
                self._stopping = True
                self._queued.clear()
                self._writing = frozenset()
                self._cond.notify_all()
            if index is not None:
                index.close_all()

    def _next(self) -> frozenset[int] | None:
        """The papers to write next; empty for a merge; None to end the thread."""
        with self._cond:
            self._writing = frozenset()
            self._cond.notify_all()
            while not self._queued:
                if self._stopping:
                    return None
                if self._merge_due:
                    idle = time.monotonic() - self._last_submit
                    if idle >= MERGE_IDLE_SECONDS:
                        self._merge_due = False
                        return frozenset()
                    self._cond.wait(MERGE_IDLE_SECONDS - idle)
                else:
                    self._cond.wait()
            self._writing = frozenset(self._queued)
            self._queued.clear()
            return self._writing

    def _write(self, index: _WriterIndex, ids: frozenset[int]) -> None:
        index.sync(ids, merge=False)
        if index.behind:  # the index lock was held elsewhere (another process writes)
            index.clear_behind()
            with self._cond:
                if self._stopping:
                    self._unwritten |= ids
                else:
                    self._queued |= ids
                    self._cond.wait(RETRY_SECONDS)
            return
        self.commits += 1
        segments = index.segment_count()
        with self._cond:
            self._merge_due = segments > MAX_SEGMENTS
        if self.on_written is not None:
            self.on_written(ids)
        if segments > MAX_SEGMENTS_BUSY:  # edits never pause long enough: merge now
            self._merge(index)

    def _merge(self, index: _WriterIndex) -> None:
        try:
            if index.segment_count() > MAX_SEGMENTS and index.merge_small_segments():
                self.merges += 1
        except Exception as exc:  # noqa: BLE001 - a merge that failed loses nothing
            if not _is_damage(exc):
                raise
            log.warning("search index segments not merged (%s)", exc)

    def _failed(self, exc: Exception) -> None:
        if _is_damage(exc):
            reason = f"the search index could not be updated ({exc})"
            log.warning("search index: %s", reason)
        else:
            log.error("search index update failed (a bug, not damage)", exc_info=exc)
            reason = internal_error(exc)
            self.error = exc
        self.on_failure(reason)


def _is_damage(exc: BaseException) -> bool:
    """Whether a failed write met a damaged index or disk (errors.py), not a bug."""
    return isinstance(exc, DAMAGE_ERRORS) or raised_reading_whoosh_files(exc)


class _WriterIndex(SearchIndex):
    """The library's index as the writer's thread sees it: its own read-only connection to
    SQLite (it only writes the index) and its own handle on the index files."""

    @classmethod
    def open_on(cls, db_path: Path, index_path: Path) -> _WriterIndex:
        """Open the index files of ``index_path`` for the database at ``db_path``."""
        uri = Path(db_path).resolve().as_uri()
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30)
        index = cls(Database(conn, execute_plugins=False), Path(index_path))
        try:
            index._open_existing()
        except BaseException:
            conn.close()
            raise
        return index

    @property
    def behind(self) -> bool:
        """True when the last write could not take the index lock (nothing was written)."""
        return self._needs_reconcile

    def clear_behind(self) -> None:
        """Forget a write that could not take the lock (it is tried again by ids, not by a
        full comparison with SQLite)."""
        self._needs_reconcile = False

    def segment_count(self) -> int:
        """How many small segments (index.is_small) the index has now: the ones a merge
        folds together; the large segments of a build stay as they are."""
        leaves = self._get_searcher().reader().leaf_readers()
        return sum(1 for segment, _offset in leaves if is_small(segment))

    def merge_small_segments(self) -> bool:
        """Merge the small segments (index.merge_small); True when it did."""
        before = self.segment_count()
        self._close_searcher()  # no reader holds the merged-away segments open
        self._write(lambda _writer, _searcher: 0, merge=True)
        return self.segment_count() < before

    def close_all(self) -> None:
        """Close the index handle and the connection (never a clean-close stamp: that is the
        library's index's to write)."""
        self.close(stamp=False)
        self.db.conn.close()

"""The sidebar's first count, made on a connection and index reader of its own.

After the window opens, every count is made once from scratch: the built-in views (each
paper's state byte, for the per-key updates that follow), every digest, and each saved view
(its text through the index, its filters in SQLite). At a million papers that is seconds of
SQL, index and numpy work, so :func:`count_elsewhere` runs it on a worker thread, over the
library's files through a read-only connection in one read transaction, and returns a
:class:`FirstCount`. Back on the window's thread, :meth:`Library.adopt_first_count` hands
it to the count keepers (view_counts.py, saved_views.py, the query cache) when the library
is still as it was when the count was asked (:meth:`Library.count_stamp`: no write heard,
no other connection's commit); the counts after that are the usual per-write updates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.context import LibraryContext
from desktop.core.history import History
from desktop.core.id_set import IdSet
from desktop.core.search.query import Node
from desktop.core.view_counts import CountedViews, ViewCounts

# (writes heard by the library, its connection's PRAGMA data_version) when a count was asked.
CountStamp = tuple[int, int]
# progress(done, total): steps of a count (the views and digests, then each saved view).
StepFn = Callable[[int, int], None]


class CountCancelledError(Exception):
    """The first count was cancelled (the window closed)."""


@dataclass(frozen=True)
class FirstCount:
    """Every count from scratch, made over the library as it was at ``stamp``."""

    stamp: CountStamp
    views: CountedViews
    saved: dict[int, Any]  # saved view id -> its members (saved_views._Members)
    matches: list[tuple[Node, int, IdSet]]  # the index's answers: text, generation, papers


def count_elsewhere(
    db_path: Path,
    index_path: Path,
    stamp: CountStamp,
    *,
    progress: StepFn | None = None,
    cancel: Callable[[], bool] | None = None,
) -> FirstCount:
    """Count everything the sidebar shows from scratch, on this thread's own read-only
    connection and index reader (any thread may call it; it writes nothing). Raises
    CountCancelledError once ``cancel()`` turns true (checked between steps)."""
    from desktop.core.saved_views import SavedViews
    from desktop.core.search.reader import IndexReader
    from desktop.core.search.selection import QuerySelection

    def step(done: int, total: int) -> None:
        if cancel is not None and cancel():
            raise CountCancelledError
        if progress is not None:
            progress(done, total)

    reader = IndexReader(db_path, index_path)
    try:
        db = reader.db
        db.conn.execute("BEGIN")  # one snapshot for every count below
        try:
            (saved_total,) = db.execute("SELECT COUNT(*) FROM saved_views").fetchone()
            total = int(saved_total) + 1
            step(0, total)
            views = ViewCounts(db).count_all()
            step(1, total)
            selection = QuerySelection(db, lambda: reader.index)
            ctx = LibraryContext(db, History(db), lambda changes: changes)
            saved = SavedViews(ctx, selection)
            saved.counts(step=lambda n, _of: step(1 + n, total))
            return FirstCount(stamp, views, saved.counted(), selection.cached())
        finally:
            db.conn.rollback()
    finally:
        reader.close()

"""A read-only second view of a library's search index, for a thread of its own.

The GUI searches while the user types; a slow query must not freeze typing, so searches run on
a worker thread. SQLite connections and Whoosh searchers belong to the thread that made them,
so that thread gets an :class:`IndexReader`: its own connection (WAL lets it read while the
window writes) and its own searcher over the same index files, which it reopens when a commit
made a newer generation. It never writes: damage it finds is reported (``damage_seen``) for
the library's own index to repair, and meanwhile it answers from SQLite like the index does.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from desktop.core.id_set import IdSet
from desktop.core.search.errors import is_index_damage
from desktop.core.search.index import DEFAULT_LIMIT, CancelFn, SearchIndex
from desktop.core.search.query import Node
from desktop.core.search.results import SearchResults

log = logging.getLogger(__name__)


class _ReadingIndex(SearchIndex):
    """A SearchIndex that only reads: found damage is recorded instead of repaired."""

    damage_seen = False

    def _rebuild_after_damage(self, reason: str) -> None:
        self.mark_broken(reason)
        self.damage_seen = True

    def reopen(self) -> None:
        """Open the index files as they are now; an index that cannot be read stays broken
        (searches then answer from SQLite)."""
        self.broken_reason = None
        try:
            self._open_existing()
        except FileNotFoundError:
            self.mark_broken("no search index yet")
        except Exception as exc:
            if not is_index_damage(exc):
                raise
            self.mark_broken(f"the search index could not be read ({exc})")
            self.damage_seen = True


class IndexReader:
    """Searches one library's index from the thread that created it, never writing."""

    def __init__(self, db_path: Path, index_path: Path) -> None:
        uri = Path(db_path).resolve().as_uri()
        self._conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30)
        self._db = Database(self._conn, execute_plugins=False)
        self._index = _ReadingIndex(self._db, Path(index_path))
        self._index.reopen()

    @property
    def damage_seen(self) -> bool:
        """True once a search found the index files damaged (the library's index repairs)."""
        return self._index.damage_seen

    def search(
        self, text: str, *, limit: int | None = DEFAULT_LIMIT, cancel: CancelFn | None = None
    ) -> SearchResults:
        """Like :meth:`SearchIndex.search` (never raises outside strict mode, except
        SearchCancelledError once ``cancel()`` turns true)."""
        if self._index.broken_reason is not None:
            self._index.reopen()  # rebuilt meanwhile?
        return self._index.search(text, limit=limit, cancel=cancel)

    @property
    def index(self) -> SearchIndex:
        """The reading index itself (for a selection made on this thread)."""
        if self._index.broken_reason is not None:
            self._index.reopen()
        return self._index

    @property
    def db(self) -> Database:
        """This reader's own connection (read-only), for the same thread."""
        return self._db

    def related(self, paper_id: int, *, limit: int = 10) -> SearchResults:
        """Like :meth:`SearchIndex.related`, read on this thread."""
        if self._index.broken_reason is not None:
            self._index.reopen()
        return self._index.related(paper_id, limit=limit)

    def matching(self, text: Node) -> tuple[int, IdSet] | None:
        """Every paper whose indexed text matches ``text``, with the index generation they
        were read at (for :meth:`QuerySelection.prime`); None when the index cannot answer,
        or a commit came in between."""
        if self._index.broken_reason is not None:
            self._index.reopen()
        before = self._index.generation
        found = self._index.matching_array(text)
        if found is None or self._index.generation != before:
            return None
        return before, IdSet(found)

    def close(self) -> None:
        """Close the searcher and the connection."""
        self._index.close(stamp=False)
        self._conn.close()

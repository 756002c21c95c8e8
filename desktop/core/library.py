"""The Library: one facade over the SQLite store (the only truth) for every front end.

It owns the connection and composes one small manager per concern, each reached as an
attribute (``library.triage.set_read(ids)``, ``library.notes.set(paper_id, text)``):

- ``papers``: papers by id; ``views``: which papers a view holds, in order, and its counts;
- ``digests``: the imported digests; ``importer``: importing digest files and text;
- ``removal``: deleting papers, removing and renaming digests;
- ``triage``: read, star, queue, archive; ``notes``, ``highlights``, ``tags``: annotations;
- ``index``: the full-text index (derived from SQLite); ``history``: undo and redo;
- ``saved_views``: named searches shown as views (``saved:ID``); ``rules``: queries with
  actions, run on the papers each import adds.

Every write returns a :class:`~desktop.core.models.Changes` and is heard by the listeners
given to :meth:`Library.subscribe` (the search index first, then the views).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop.core import backup, store
from desktop.core.annotations.highlights import Highlights
from desktop.core.annotations.notes import Notes
from desktop.core.annotations.tags import Tags
from desktop.core.context import LibraryContext
from desktop.core.digests import Digests
from desktop.core.history import History
from desktop.core.importing.import_writer import CancelFn, ImportWriter, ProgressFn
from desktop.core.models import Annotations, Changes, PaperId
from desktop.core.papers import Papers
from desktop.core.removal import Removal
from desktop.core.rules import Rules
from desktop.core.saved_views import PREFIX as SAVED_VIEW_PREFIX
from desktop.core.saved_views import SavedViews
from desktop.core.search.index import INDEX_DIR, SearchIndex, build_index
from desktop.core.search.selection import QuerySelection
from desktop.core.triage import Triage
from desktop.core.views import Views

DB_FILE = "library.sqlite3"


class Library:
    """Owns the database; every read and write of library data goes through its managers."""

    def __init__(self, db: Database, data_dir: Path | None = None) -> None:
        self.db = db
        self.data_dir = data_dir
        self.history = History()
        self._listeners: list[Callable[[Changes], None]] = []
        self._ctx = LibraryContext(db, self.history, self._emit)
        # Things the user should be told after opening (such as a backup that failed).
        self.notices: list[str] = []
        self.papers = Papers(db)
        self.views = Views(db)
        self.digests = Digests(db)
        self.triage = Triage(self._ctx, self.papers, self.views)
        self.notes = Notes(self._ctx)
        self.highlights = Highlights(self._ctx)
        self.tags = Tags(self._ctx)
        self.importer = ImportWriter(self._ctx, self.highlights)
        self.removal = Removal(self._ctx)
        # The full-text index, derived from SQLite; it listens first so views see it current.
        self.index = SearchIndex(db, data_dir / INDEX_DIR if data_dir else None)
        self.subscribe(self.index.on_changes)
        # Saved views and rules select papers by query: the index's answers are cached per
        # query, forgotten (after the index caught up) when text or annotations change.
        self.selection = QuerySelection(db, self.index)
        self.subscribe(self.selection.on_changes)
        self.saved_views = SavedViews(self._ctx, self.selection)
        self.subscribe(self.saved_views.on_changes)
        self.views.add_kind(SAVED_VIEW_PREFIX, self.saved_views.where)
        self.rules = Rules(self._ctx, self.selection)
        self.importer.on_new_papers = self.rules.run_on_import

    @property
    def today(self) -> Callable[[], dt.date]:
        """The clock year-less digest dates are inferred from (tests replace it)."""
        return self._ctx.today

    @today.setter
    def today(self, clock: Callable[[], dt.date]) -> None:
        self._ctx.today = clock

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        backups: bool = True,
        defer_daily_backup: bool = False,
        defer_index_rebuild: bool = False,
    ) -> Library:
        """Open the library in ``data_dir``, creating and migrating it as needed.

        With ``backups``, a verified backup is taken before migrating an existing library and
        once a day (backup.py). ``defer_daily_backup`` leaves the daily one to the caller, who
        runs :meth:`take_daily_backup` off the GUI thread so a large library starts at once.
        ``defer_index_rebuild`` likewise leaves a search index that must be built from scratch
        to :meth:`build_search_index` (``index.needs_rebuild`` tells); searches answer
        from SQLite until ``index.open()`` picks the built index up.
        A damaged database raises CorruptDatabaseError offering the latest backup, and is never
        written to.
        """
        data_dir = Path(data_dir)
        db, notices = backup.open_database(data_dir, backups=backups, daily=not defer_daily_backup)
        library = cls(db, data_dir)
        library.notices.extend(notices)
        library.index.open(defer_rebuild=defer_index_rebuild)
        return library

    @staticmethod
    def build_search_index(
        data_dir: Path, progress: ProgressFn | None = None, cancel: CancelFn | None = None
    ) -> int:
        """Build the search index of the library in ``data_dir`` from scratch, on a
        connection of its own (so any thread may call it); returns the papers indexed."""
        return build_index(Path(data_dir) / DB_FILE, Path(data_dir) / INDEX_DIR, progress, cancel)

    @staticmethod
    def take_daily_backup(data_dir: Path) -> Path | None:
        """Take the daily backup of the library in ``data_dir`` if one is due, on a connection
        of its own (so any thread may call it); returns the backup's path or None."""
        if not backup.daily_backup_due(Path(data_dir)):
            return None  # not even the connection's integrity check is needed
        db = store.connect(Path(data_dir) / DB_FILE)
        try:
            return backup.daily_backup(db, Path(data_dir))
        finally:
            db.close()

    @classmethod
    def in_memory(cls) -> Library:
        """A fresh private library in memory, for tests and previews."""
        db = store.connect(None)
        store.migrate(db)
        library = cls(db, None)
        library.index.open()
        return library

    def close(self) -> None:
        """Close the search index and the database connection."""
        self.index.close()
        self.db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def subscribe(self, listener: Callable[[Changes], None]) -> None:
        """Call ``listener`` with the Changes of every write made through this library."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[Changes], None]) -> None:
        """Stop calling a listener given to subscribe() (unknown listeners are ignored)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def notify(self, changes: Changes) -> Changes:
        """Tell listeners about writes made through another connection (a background import)."""
        return self._emit(changes)

    def _emit(self, changes: Changes) -> Changes:
        if not changes.empty:
            for listener in self._listeners:
                listener(changes)
        return changes

    # -- reads that span managers ----------------------------------------------------------
    def annotations(self, paper_id: int) -> Annotations:
        """The note, highlights (title first, then by position) and tags of one paper."""
        note = self.notes.row(paper_id)
        return Annotations(
            paper_id=PaperId(int(paper_id)),
            note=note[0] if note else "",
            note_updated_at=note[1] if note else None,
            highlights=tuple(self.highlights.of_paper(paper_id)),
            tags=tuple(self.tags.of_paper(paper_id)),
        )

    def annotated_paper_ids(self) -> list[PaperId]:
        """Papers with a note, a highlight or a tag, in inbox (import) order."""
        return [
            PaperId(r[0])
            for r in self.db.execute(
                "SELECT p.id FROM papers p WHERE "
                "EXISTS (SELECT 1 FROM notes n WHERE n.paper_id = p.id) "
                "OR EXISTS (SELECT 1 FROM highlights h WHERE h.paper_id = p.id) "
                "OR EXISTS (SELECT 1 FROM paper_tags pt WHERE pt.paper_id = p.id) "
                "ORDER BY p.id"
            )
        ]

    def stats(self) -> dict[str, Any]:
        """Library totals, for `digest-desk stats`."""
        counts = self.views.counts()
        return {
            "papers": self.papers.count(),
            "digests": self.digests.count(),
            "sightings": int(self.db.execute("SELECT COUNT(*) FROM sightings").fetchone()[0]),
            "unread": counts["all"].unread,
            "read": counts["all"].total - counts["all"].unread,
            "views": {v: {"total": c.total, "unread": c.unread} for v, c in counts.items()},
        }

"""The Library: one facade over the SQLite store (the only truth) for every front end.

It owns the connection and composes one small manager per concern, each reached as an
attribute (``library.triage.set_read(ids)``, ``library.notes.set(paper_id, text)``):

- ``papers``: papers by id; ``views``: which papers a view holds, in order, and its counts;
- ``digests``: the imported digests; ``importer``: importing digest files and text;
- ``removal``: deleting papers, removing and renaming digests;
- ``triage``: read, star, queue, archive; ``notes``, ``highlights``, ``tags``: annotations;
- ``snoozes``: papers out of the Inbox until a time or the next digest;
- ``index``: the full-text index (derived from SQLite); ``history``: undo and redo, stored
  in SQLite so it outlasts a restart;
- ``saved_views``: named searches shown as views (``saved:ID``); ``rules``: queries with
  actions, run on the papers each import adds.

Every write returns a :class:`~desktop.core.models.Changes` and is heard by the listeners
given to :meth:`Library.subscribe` (the search index first, then the views).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from desktop.core import backup, integrity, store
from desktop.core.annotations.highlights import Highlights
from desktop.core.annotations.notes import Notes
from desktop.core.annotations.tags import Tags
from desktop.core.clock import Clock
from desktop.core.context import LibraryContext
from desktop.core.digests import Digests
from desktop.core.history import History
from desktop.core.models import Annotations, Changes, PaperId
from desktop.core.papers import Papers
from desktop.core.removal import Removal
from desktop.core.snooze import Snoozes
from desktop.core.triage import Triage
from desktop.core.view_counts import ViewCounts
from desktop.core.views import SAVED_PREFIX, Views

if TYPE_CHECKING:  # imported when first used: a CLI command that neither imports nor
    # searches (stats, mark) then starts without Whoosh and the parsers
    from desktop.core.first_count import CountStamp, FirstCount
    from desktop.core.importing.import_writer import CancelFn, ImportWriter, ProgressFn
    from desktop.core.rules import Rules
    from desktop.core.saved_views import SavedViews
    from desktop.core.search.index import SearchIndex
    from desktop.core.search.selection import QuerySelection

DB_FILE = "library.sqlite3"


class Library:
    """Owns the database; every read and write of library data goes through its managers."""

    def __init__(self, db: Database, data_dir: Path | None = None) -> None:
        self.db = db
        self.data_dir = data_dir
        self.history = History(db, now=lambda: self._ctx.now())
        self._listeners: list[Callable[[Changes], None]] = []
        self._writes = 0  # writes heard (count_stamp)
        self._ctx = LibraryContext(db, self.history, self._emit)
        # Things the user should be told after opening (such as a backup that failed).
        self.notices: list[str] = []
        # This open's session marker (integrity.py): its clean close removes it.
        self._session: integrity.Session | None = None
        self._closed = False
        self.papers = Papers(db)
        # The built-in views' and digests' counts, kept current per write (view_counts.py).
        self.view_counts = ViewCounts(db)
        self.views = Views(db, self.view_counts.views)
        self.digests = Digests(db, self.view_counts.digests)
        self.triage = Triage(self._ctx, self.papers, self.views)
        self.notes = Notes(self._ctx)
        self.highlights = Highlights(self._ctx)
        self.tags = Tags(self._ctx)
        self._importer: ImportWriter | None = None
        self.removal = Removal(self._ctx)
        self.snoozes = Snoozes(self._ctx)
        # The full-text index, derived from SQLite; it listens first so views see it current.
        # It is made when first used, or when a write changes text it holds.
        self._index: SearchIndex | None = None
        self.subscribe(self.tell_index)
        # Saved views and rules select papers by query: the index's answers are cached per
        # query, forgotten (after the index caught up) when text or annotations change.
        self._selection: QuerySelection | None = None  # made when first used
        self.subscribe(self._tell_selection)
        self._saved_views: SavedViews | None = None  # made when first used (numpy)
        self.subscribe(self._tell_saved_views)
        self.views.add_kind(SAVED_PREFIX, lambda view: self.saved_views.where(view))
        self._rules: Rules | None = None
        self.subscribe(self.view_counts.on_changes)
        # The kinds of the lazily made managers, registered now: their stored actions are
        # undoable from the first undo after a restart (see rules.KIND, saved_views.KIND).
        self.history.register("rules", lambda payload, undo: self.rules.apply_stored(payload, undo))
        self.history.register(
            "saved-view", lambda payload, undo: self.saved_views.apply_stored(payload, undo)
        )
        self.subscribe(self._wake_after_import)

    @property
    def importer(self) -> ImportWriter:
        """Importing digest files, pasted text and snapshots (made when first used)."""
        if self._importer is None:
            from desktop.core.importing.import_writer import ImportWriter

            self._importer = ImportWriter(self._ctx, self.highlights)
            self._importer.on_new_papers = self.rules.run_on_import
        return self._importer

    @property
    def selection(self) -> QuerySelection:
        """Papers chosen by a query, as SQL over the index's answers (made when first used)."""
        if self._selection is None:
            from desktop.core.search.selection import QuerySelection

            self._selection = QuerySelection(self.db, lambda: self.index)
        return self._selection

    def _tell_selection(self, changes: Changes) -> None:
        if self._selection is not None:  # nothing cached before it was made
            self._selection.on_changes(changes)

    @property
    def saved_views(self) -> SavedViews:
        """Named searches shown as views (made when first used)."""
        if self._saved_views is None:
            from desktop.core.saved_views import SavedViews

            self._saved_views = SavedViews(self._ctx, self.selection)
        return self._saved_views

    def _tell_saved_views(self, changes: Changes) -> None:
        if self._saved_views is not None:
            self._saved_views.on_changes(changes)

    @property
    def rules(self) -> Rules:
        """Queries with actions, run on the papers each import adds (made when first used)."""
        if self._rules is None:
            from desktop.core.rules import Rules

            self._rules = Rules(self._ctx, self.selection)
        return self._rules

    @property
    def index(self) -> SearchIndex:
        """The full-text index (made, not opened, when first used: see SearchIndex.open)."""
        if self._index is None:
            from desktop.core.search.index import INDEX_DIR, SearchIndex

            self._index = SearchIndex(self.db, self.data_dir / INDEX_DIR if self.data_dir else None)
        return self._index

    def write_index_in_background(
        self, on_written: Callable[[frozenset[int]], None] | None = None
    ) -> bool:
        """Write the index updates of note, highlight and tag edits on a thread of their own
        (search/index_writer.py), so that an edit returns before Whoosh writes it; an app
        calls this, a command-line run does not. ``index.wait_idle()`` waits for them, and
        ``on_written(paper_ids)`` is called on that thread after each commit (an app recounts
        its saved views then). False (nothing changes) for a library in memory or one that
        can only be read."""
        index = self.index
        if self.data_dir is None or self.read_only or index.path is None:
            return False
        from desktop.core.search.index_writer import BackgroundIndexWriter

        writer = BackgroundIndexWriter(
            self.data_dir / DB_FILE,
            index.path,
            on_failure=index.background_failed,
            on_written=on_written,
        )
        index.write_in_background(writer)
        return True

    def tell_index(self, changes: Changes) -> None:
        """The listener that keeps the search index current (unsubscribe it to import without
        indexing, as the benchmark does, then rebuild)."""
        if changes.indexed_text or self._index is not None:
            self.index.on_changes(changes)

    @property
    def today(self) -> Callable[[], dt.date]:
        """The clock year-less digest dates are inferred from (tests replace it)."""
        return self._ctx.today

    @today.setter
    def today(self, clock: Callable[[], dt.date]) -> None:
        self._ctx.today = clock

    @property
    def clock(self) -> Clock:
        """The clock of snoozes and of the history's times (tests replace it)."""
        return self._ctx.now

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._ctx.now = clock

    @property
    def read_only(self) -> bool:
        """True when this library can only be read (a folder this process cannot write)."""
        return bool(self.db.execute("PRAGMA query_only").fetchone()[0])

    def wake_snoozed(self) -> Changes:
        """Bring back snoozed papers whose time has come (the app also calls it on a timer)."""
        return Changes() if self.read_only else self.snoozes.wake()

    def _wake_after_import(self, changes: Changes) -> None:
        if changes.digests and changes.library:
            self.wake_snoozed()

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        backups: bool = True,
        defer_daily_backup: bool = False,
        defer_index_rebuild: bool = False,
        defer_integrity_check: bool | None = None,
        open_index: bool = True,
        clock: Clock | None = None,
        defer_index_reconcile: bool = False,
    ) -> Library:
        """Open the library in ``data_dir``, creating and migrating it as needed.

        With ``backups``, a verified backup is taken before migrating an existing library and
        once a day (backup.py). ``defer_daily_backup`` leaves the daily one to the caller, who
        runs :meth:`take_daily_backup` off the GUI thread so a large library starts at once.
        ``defer_index_rebuild`` likewise leaves a search index that must be built from scratch
        to :meth:`build_search_index` (``index.needs_rebuild`` tells); searches answer
        from SQLite until ``index.open()`` picks the built index up.
        ``defer_index_reconcile`` leaves the check of the index against SQLite (the
        clean-close check, and after a crash the full comparison) to
        :meth:`reconcile_search_index` (``index.reconcile_due`` tells).
        A damaged database raises CorruptDatabaseError offering the latest backup, and is never
        written to. ``defer_integrity_check`` (by default, as ``defer_daily_backup``) leaves
        the page-by-page check out of the open: :meth:`take_daily_backup`, run by the caller
        off the GUI thread, runs it when due (integrity.py says when, and why that still
        catches a damaged file). Without ``open_index`` the search index is neither opened
        nor loaded (a command that does not search); a write that changes indexed text still
        tells it, so its next open catches up.
        Snoozed papers whose time came meanwhile (by ``clock``, the system's when
        None) are back in the Inbox when it returns.
        """
        data_dir = Path(data_dir)
        deferred = defer_daily_backup if defer_integrity_check is None else defer_integrity_check
        state_before = integrity.file_state(data_dir / DB_FILE)
        db, notices = backup.open_database(
            data_dir, backups=backups, daily=not defer_daily_backup, check=not deferred
        )
        library = cls(db, data_dir)
        library.notices.extend(notices)
        if clock is not None:
            library.clock = clock
        try:
            if not db.execute("PRAGMA query_only").fetchone()[0]:
                library._session = integrity.begin_session(
                    data_dir, data_dir / DB_FILE, state_before
                )
            if open_index:
                library.index.open(
                    defer_rebuild=defer_index_rebuild, defer_reconcile=defer_index_reconcile
                )
        except BaseException as exc:
            if library._index is not None:
                library._index.close(stamp=False)
            db.close()
            integrity.abandon_session(library._session)
            # Without the check at open, damage may first show to a read here.
            if isinstance(exc, sqlite3.DatabaseError) and store.is_corruption(exc):
                raise store.CorruptDatabaseError(
                    data_dir / DB_FILE, str(exc), backup.latest_backup(data_dir)
                ) from exc
            raise
        library.wake_snoozed()  # papers whose time came while the library was closed
        return library

    @classmethod
    def open_for_job(cls, data_dir: Path, *, defer_index_rebuild: bool = True) -> Library:
        """Open the library for a background job (an import, an export) on a connection of
        its own: the page-by-page integrity check runs only when it is due
        (integrity.check_if_due, as for the command line and the daily backup), never on
        every open; no backup is taken. A damaged database raises CorruptDatabaseError."""
        data_dir = Path(data_dir)
        if (data_dir / DB_FILE).is_file():
            integrity.check_if_due(data_dir)
        return cls.open(
            data_dir,
            backups=False,
            defer_index_rebuild=defer_index_rebuild,
            defer_integrity_check=True,
        )

    @staticmethod
    def build_search_index(
        data_dir: Path,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
        *,
        workers: int | None = None,
        segment_docs: int | None = None,
    ) -> int:
        """Build the search index of the library in ``data_dir`` from scratch, on a
        connection of its own (so any thread may call it); returns the papers indexed.

        A large library's segments are written by ``workers`` worker processes (default:
        one per CPU above PARALLEL_MIN_PAPERS papers; see search/parallel_build.py)."""
        from desktop.core.search.index import INDEX_DIR, SEGMENT_DOCS, build_index

        return build_index(
            Path(data_dir) / DB_FILE,
            Path(data_dir) / INDEX_DIR,
            progress,
            cancel,
            workers=workers,
            segment_docs=segment_docs or SEGMENT_DOCS,
        )

    @staticmethod
    def reconcile_search_index(data_dir: Path, stamp: dict[str, Any] | None) -> int | None:
        """Check the search index of the library in ``data_dir`` against SQLite, as an open
        does (``stamp``: what the library's ``index.taken_stamp`` holds), on a connection of
        its own (so any thread may call it); returns the documents written, or None when the
        index must be built again. The library's ``index.checked_elsewhere()`` then takes
        the result up."""
        from desktop.core.search.index import INDEX_DIR, reconcile_index

        return reconcile_index(Path(data_dir) / DB_FILE, Path(data_dir) / INDEX_DIR, stamp)

    @staticmethod
    def take_daily_backup(data_dir: Path) -> Path | None:
        """Take the daily backup of the library in ``data_dir`` if one is due, on a connection
        of its own (so any thread may call it); returns the backup's path or None.

        First the integrity check runs when due (integrity.check_if_due): a damaged database
        raises CorruptDatabaseError offering the latest backup, and no backup is taken.
        """
        integrity.check_if_due(Path(data_dir))
        if not backup.daily_backup_due(Path(data_dir)):
            return None
        db = store.connect(Path(data_dir) / DB_FILE, check=False)  # the copy is checked
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
        """Close the search index (if it was made) and the database connection (a clean
        close: the session marker goes, see integrity.py)."""
        self._closed = True
        if self._index is not None:
            self._index.close()
        self.db.close()
        integrity.end_session(self._session)
        self._session = None

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called (a worker's late answer is then dropped)."""
        return self._closed

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
            self._writes += 1
            for listener in self._listeners:
                listener(changes)
        return changes

    # -- counting on another thread --------------------------------------------------------
    def count_stamp(self) -> CountStamp:
        """What the library is now, for a count made elsewhere (first_count.py): the writes
        heard through it and its connection's ``data_version`` (moved by another
        connection's commit)."""
        (version,) = self.db.execute("PRAGMA data_version").fetchone()
        return (self._writes, int(version))

    def adopt_first_count(self, counted: FirstCount) -> bool:
        """Keep counts a worker made from scratch (first_count.count_elsewhere) when the
        library is still as it was when they were asked; False (nothing kept) otherwise."""
        if counted.stamp != self.count_stamp():
            return False
        self.view_counts.adopt(counted.views)
        for text, generation, ids in counted.matches:
            self.selection.prime(text, generation, ids)
        self.saved_views.adopt(counted.saved)
        return True

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

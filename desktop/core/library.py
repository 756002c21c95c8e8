"""The Library: one facade over the SQLite store (the only truth) for every front end."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop.core import backup, store
from desktop.core.annotations.manager import AnnotationsMixin, tag_view_where
from desktop.core.history import Action, History
from desktop.core.importing.digest_file import (
    DigestSource,
    ImportRefusedError,
    expand_paths,
    read_digest_file,
    text_source,
)
from desktop.core.importing.digest_parser import Entry, parse_digest, title_key, title_keys
from desktop.core.models import (
    VIEWS,
    Changes,
    Digest,
    DigestId,
    ImportResult,
    Paper,
    PaperId,
    Sighting,
)
from desktop.core.search.index import INDEX_DIR, SearchIndex, SearchResults, build_index

DB_FILE = "library.sqlite3"
_CHUNK = 500

# A multi-file import commits its files in batches (group commit, see Library.import_paths):
# one commit (and one fsync) at most every IMPORT_BATCH_SECONDS or IMPORT_BATCH_FILES files.
# Short enough that another writer (the window triaging while a background import runs) waits
# at most about this long for the write lock; long enough that the fsyncs cost next to nothing.
IMPORT_BATCH_SECONDS = 0.25
IMPORT_BATCH_FILES = 200
# The page cache of the importing connection while import_paths runs, in KiB.
IMPORT_CACHE_KIB = 64 * 1024

# Triage state columns, snapshotted for undo.
STATE_COLUMNS = ("is_read", "read_at", "starred", "archived", "archived_at", "queue_pos")

# Sort keys a view can be ordered by, as SQL over the papers table aliased `p`.
SORT_SQL = {
    "default": None,
    "title": "p.title COLLATE NOCASE",
    "published": "p.published",
    "authors": "p.authors_count",
    "digests": "(SELECT COUNT(*) FROM sightings s2 WHERE s2.paper_id = p.id)",
    "added": "p.id",
}

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ViewCount:
    """How many papers a view holds, and how many of them are unread."""

    total: int
    unread: int


@dataclass(frozen=True)
class ImportPreview:
    """What importing a text would do, computed without writing."""

    entries: int
    new_papers: int
    known_papers: int
    skipped: list[tuple[int, str]]
    layout: str
    titles: list[str]


class _ImportedMeanwhileError(Exception):
    """The digest was stored by another connection between the first check and the write."""


@dataclass
class _Batch:
    """The files stored in the open transaction of an import, not committed yet."""

    items: list[tuple[int, DigestSource, Changes]] = field(default_factory=list)
    digests: set[str] = field(default_factory=set)  # their sha256
    started: float = 0.0

    def clear(self) -> None:
        self.items = []
        self.digests = set()

    def due(self, files: int, seconds: float) -> bool:
        """Whether the batch has enough files or has run long enough to commit now."""
        return len(self.items) >= files or (
            self.items != [] and time.perf_counter() - self.started >= seconds
        )


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_READ_COLUMNS = frozenset({"is_read", "read_at"})


def _state_changes(
    before: dict[int, tuple[Any, ...]], after: dict[int, tuple[Any, ...]]
) -> Changes:
    """The Changes of a triage write from the state snapshots around it."""
    read = membership = False
    for paper_id, old in before.items():
        new = after.get(paper_id, old)
        for column, a, b in zip(STATE_COLUMNS, old, new, strict=True):
            if a != b:
                if column in _READ_COLUMNS:
                    read = True
                else:
                    membership = True
    return Changes(frozenset(PaperId(i) for i in before), read=read, membership=membership)


class Library(AnnotationsMixin):
    """Owns the database; every read and write of library data goes through here."""

    # Group commit of import_paths (tests and the crash tests set smaller batches).
    import_batch_files: int = IMPORT_BATCH_FILES
    import_batch_seconds: float = IMPORT_BATCH_SECONDS

    def __init__(self, db: Database, data_dir: Path | None = None) -> None:
        self.db = db
        self.data_dir = data_dir
        self.history = History()
        self.today: Callable[[], dt.date] = dt.date.today
        self._listeners: list[Callable[[Changes], None]] = []
        # While import_paths runs, Changes are held here and heard once at the end (one index
        # commit for a whole folder instead of one per file; see tests/perf).
        self._held: list[Changes] | None = None
        # Things the user should be told after opening (such as a backup that failed).
        self.notices: list[str] = []
        # The full-text index, derived from SQLite; it listens first so views see it current.
        self.search_index = SearchIndex(db, data_dir / INDEX_DIR if data_dir else None)
        self.subscribe(self.search_index.on_changes)

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
        to :meth:`build_search_index` (``search_index.needs_rebuild`` tells); searches answer
        from SQLite until ``search_index.open()`` picks the built index up.
        A damaged database raises CorruptDatabaseError offering the latest backup, and is never
        written to.
        """
        data_dir = Path(data_dir)
        db, notices = backup.open_database(
            data_dir, backups=backups, daily=not defer_daily_backup
        )
        library = cls(db, data_dir)
        library.notices.extend(notices)
        library.search_index.open(defer_rebuild=defer_index_rebuild)
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
        library.search_index.open()
        return library

    def close(self) -> None:
        """Close the search index and the database connection."""
        self.search_index.close()
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
        if self._held is not None and not changes.empty:
            self._held.append(changes)
            return changes
        if not changes.empty:
            for listener in self._listeners:
                listener(changes)
        return changes

    # -- reading -------------------------------------------------------------------------
    def paper_count(self) -> int:
        """How many papers the library holds."""
        return int(self.db.execute("SELECT COUNT(*) FROM papers").fetchone()[0])

    def paper(self, paper_id: int) -> Paper | None:
        """One paper with its sightings, or None."""
        found = self.papers([paper_id])
        return found[0] if found else None

    def papers(self, ids: Sequence[int], *, with_sightings: bool = True) -> list[Paper]:
        """Papers for ``ids`` in the order given (missing ids are left out)."""
        rows: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            cursor = self.db.execute(f"SELECT * FROM papers WHERE id IN ({marks})", list(chunk))
            names = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                rows[row[0]] = dict(zip(names, row, strict=True))
        sightings: dict[int, list[Sighting]] = {}
        if with_sightings and rows:
            sightings = self._sightings(list(rows))
        return [self._paper_from_row(rows[i], sightings.get(i, [])) for i in ids if i in rows]

    def _sightings(self, ids: list[int]) -> dict[int, list[Sighting]]:
        out: dict[int, list[Sighting]] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for paper_id, digest_id, name, position, date in self.db.execute(
                "SELECT s.paper_id, d.id, d.name, s.position, d.digest_date "
                "FROM sightings s JOIN digests d ON d.id = s.digest_id "
                f"WHERE s.paper_id IN ({marks}) ORDER BY d.id",
                list(chunk),
            ):
                out.setdefault(paper_id, []).append(
                    Sighting(DigestId(digest_id), name, position, date)
                )
        return out

    @staticmethod
    def _paper_from_row(row: dict[str, Any], sightings: list[Sighting]) -> Paper:
        return Paper(
            id=PaperId(row["id"]),
            title=row["title"],
            abstract=row["abstract"],
            authors_count=row["authors_count"],
            submitter=row["submitter"],
            published=row["published"],
            published_raw=row["published_raw"],
            published_year_inferred=bool(row["published_year_inferred"]),
            upvotes=row["upvotes"],
            version=row["version"],
            added_at=row["added_at"],
            updated_at=row["updated_at"],
            is_read=bool(row["is_read"]),
            read_at=row["read_at"],
            starred=bool(row["starred"]),
            archived=bool(row["archived"]),
            queue_pos=row["queue_pos"],
            sightings=tuple(sightings),
        )

    @staticmethod
    def view_where(view: str) -> tuple[str, list[Any]]:
        """The SQL condition (over papers aliased ``p``) that selects a view's papers.

        Views: ``inbox`` (not archived, not queued), ``queue``, ``starred``, ``archive``,
        ``all``, ``digest:ID`` and ``tag:NAME``.
        """
        if view == "inbox":
            return "p.archived = 0 AND p.queue_pos IS NULL", []
        if view == "queue":
            return "p.archived = 0 AND p.queue_pos IS NOT NULL", []
        if view == "starred":
            return "p.starred = 1", []
        if view == "archive":
            return "p.archived = 1", []
        if view == "all":
            return "1", []
        if view.startswith("digest:"):
            digest_id = view.split(":", 1)[1]
            if digest_id.isdigit():
                return (
                    "p.id IN (SELECT paper_id FROM sightings WHERE digest_id = ?)",
                    [int(digest_id)],
                )
        if view.startswith("tag:"):
            return tag_view_where(view.split(":", 1)[1])
        raise ValueError(
            f"unknown view {view!r}; use one of {', '.join(VIEWS)}, digest:ID or tag:NAME"
        )

    def in_view(self, view: str, ids: Sequence[int]) -> set[PaperId]:
        """Which of ``ids`` belong to a view (cheap: only those papers are looked at)."""
        where, params = self.view_where(view)
        found: set[PaperId] = set()
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            found.update(
                PaperId(r[0])
                for r in self.db.execute(
                    f"SELECT p.id FROM papers p WHERE p.id IN ({marks}) AND ({where})",
                    [*chunk, *params],
                )
            )
        return found

    def view_ids(
        self, view: str = "inbox", *, sort: str = "default", descending: bool = False
    ) -> list[PaperId]:
        """Ids of a view's papers in order.

        The default order is import order then position in the digest, except the queue
        (queue order) and a digest view (position in that digest).
        """
        where, params = self.view_where(view)
        key = SORT_SQL.get(sort)
        if sort not in SORT_SQL:
            raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORT_SQL)}")
        if key is None:
            if view == "queue":
                key = "p.queue_pos"
            elif view.startswith("digest:"):
                key = (
                    "(SELECT position FROM sightings s3"
                    " WHERE s3.paper_id = p.id AND s3.digest_id = ?)"
                )
                params = params + params  # the ORDER BY takes the digest id too
            elif view == "archive":
                key = "p.archived_at"
            else:
                key = "p.id"
        direction = "DESC" if descending else "ASC"
        order = f"p.id {direction}" if key == "p.id" else f"{key} {direction}, p.id {direction}"
        sql = f"SELECT p.id FROM papers p WHERE {where} ORDER BY {order}"
        return [PaperId(r[0]) for r in self.db.execute(sql, params)]

    def counts(self) -> dict[str, ViewCount]:
        """Total and unread counts for every built-in view."""
        out: dict[str, ViewCount] = {}
        for view in VIEWS:
            where, params = self.view_where(view)
            total, unread = self.db.execute(
                f"SELECT COUNT(*), COALESCE(SUM(p.is_read = 0), 0) FROM papers p WHERE {where}",
                params,
            ).fetchone()
            out[view] = ViewCount(int(total), int(unread))
        return out

    def digest_counts(self) -> dict[DigestId, ViewCount]:
        """Total and unread counts for each digest."""
        return {
            DigestId(r[0]): ViewCount(int(r[1]), int(r[2]))
            for r in self.db.execute(
                "SELECT s.digest_id, COUNT(*), COALESCE(SUM(p.is_read = 0), 0) "
                "FROM sightings s JOIN papers p INDEXED BY papers_read ON p.id = s.paper_id "
                "GROUP BY s.digest_id"
            )
        }

    def digests(self) -> list[Digest]:
        """Every imported digest, oldest import first."""
        cursor = self.db.execute("SELECT * FROM digests ORDER BY id")
        names = [d[0] for d in cursor.description]
        out = []
        for row in cursor.fetchall():
            data = dict(zip(names, row, strict=True))
            data["id"] = DigestId(data["id"])
            out.append(Digest(**data))
        return out

    def stats(self) -> dict[str, Any]:
        """Library totals, for `digest-desk stats`."""
        counts = self.counts()
        return {
            "papers": self.paper_count(),
            "digests": int(self.db.execute("SELECT COUNT(*) FROM digests").fetchone()[0]),
            "sightings": int(self.db.execute("SELECT COUNT(*) FROM sightings").fetchone()[0]),
            "unread": counts["all"].unread,
            "read": counts["all"].total - counts["all"].unread,
            "views": {v: {"total": c.total, "unread": c.unread} for v, c in counts.items()},
        }

    # -- searching -----------------------------------------------------------------------
    def search(self, query: str, *, limit: int | None = 100) -> SearchResults:
        """Ranked papers for a query in the search language (see README); never raises."""
        return self.search_index.search(query, limit=limit)

    def related(self, paper_id: int, limit: int = 10) -> SearchResults:
        """The papers most similar to ``paper_id`` by title and abstract, without itself."""
        return self.search_index.related(paper_id, limit=limit)

    def reindex(self) -> int:
        """Rebuild the search index from SQLite; returns how many papers were indexed."""
        return self.search_index.rebuild()

    # -- importing -----------------------------------------------------------------------
    def import_paths(
        self,
        paths: Sequence[Path | str],
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
    ) -> list[ImportResult]:
        """Import files and folders: each file all or nothing, several files per commit.

        Each file is stored under a savepoint of its own, so a file that fails is rolled back
        alone and reported failed with nothing from it kept. The files are committed together
        (group commit) once a batch has taken ``import_batch_seconds`` or holds
        ``import_batch_files`` files, when the import is cancelled, and before returning: a
        crash loses at most the files of the batch not yet committed, and since their digests
        are not committed either, they import again cleanly next time.

        ``progress(done, total, name)`` is called before each file and once at the end;
        when ``cancel()`` turns true, the files done so far are committed and the remaining ones
        are reported as cancelled. Listeners hear the Changes of the whole import once, at the
        end and only of what was committed, so the search index writes one commit for a folder
        rather than one per file.
        """
        files = expand_paths([Path(p) for p in paths])
        results: list[ImportResult] = []
        held: list[Changes] = []
        outer = self._held is None
        if outer:
            self._held = held
        conn = self.db.conn
        # Inside a caller's transaction the files are savepoints in it, and the caller commits.
        batch = None if conn.in_transaction else _Batch()
        try:
            with self._bulk_import_settings():
                for done, path in enumerate(files):
                    if progress:
                        progress(done, len(files), path.name)
                    if cancel and cancel():
                        if batch is not None:
                            self._commit_batch(batch, results)
                        results.append(ImportResult(path.name, str(path), status="cancelled"))
                        continue
                    try:
                        source = read_digest_file(path)
                    except ImportRefusedError as exc:
                        results.append(
                            ImportResult(path.name, str(path), status="failed", error=str(exc))
                        )
                        continue
                    results.append(ImportResult(source.name, source.path))
                    if batch is None:
                        result, changes = self._store_source(source)
                        results[-1] = result
                        self._emit(changes)
                        continue
                    self._store_in_batch(batch, results, len(results) - 1, source)
                    if batch.due(self.import_batch_files, self.import_batch_seconds):
                        self._commit_batch(batch, results)
                if batch is not None:
                    self._commit_batch(batch, results)
        finally:
            if batch is not None and conn.in_transaction:
                # Something raised out of the loop (a progress callback, an interrupt): the
                # files done so far are kept, as they would have been one commit per file.
                try:
                    self._commit_batch(batch, results)
                except Exception:  # the original error is the one to report
                    conn.rollback()
            if outer:
                self._held = None
                if held:
                    self._emit(
                        Changes.union(held)
                    )
        if progress:
            progress(len(files), len(files), "")
        return results

    def _store_in_batch(
        self, batch: _Batch, results: list[ImportResult], index: int, source: DigestSource
    ) -> None:
        """Store one file in the open batch (opening it first), under a savepoint."""
        conn = self.db.conn
        pending = [(index, source)]

        def begin() -> None:
            if not conn.in_transaction:
                # IMMEDIATE: take the write lock now, so a read snapshot never has to be
                # upgraded (which another writer could make fail without waiting).
                conn.execute("BEGIN IMMEDIATE")
                batch.started = time.perf_counter()

        while pending:
            at, src = pending.pop(0)
            result, changes = self._store_source(src, begin)
            results[at] = result
            if not conn.in_transaction and batch.items:
                # SQLite gave up the whole transaction (it may, on some full-disk and I/O
                # errors), taking the batch's earlier files with it: store those again, in
                # order, in a new transaction. The file that failed stays failed, so this ends.
                pending[:0] = [(i, s) for i, s, _ in batch.items]
                batch.clear()
                continue
            if result.status == "imported" or (
                result.status == "unchanged" and src.sha256 in batch.digests
            ):
                # Kept only once the batch commits: reported failed if the commit fails.
                batch.items.append((at, src, changes))
                batch.digests.add(src.sha256)

    def _commit_batch(self, batch: _Batch, results: list[ImportResult]) -> None:
        """Commit the open batch; its files' Changes are heard only once it is committed."""
        conn = self.db.conn
        items = batch.items
        batch.clear()
        if not conn.in_transaction:
            return
        try:
            conn.execute("COMMIT")
        except Exception as exc:
            if conn.in_transaction:
                conn.rollback()
            for at, src, _ in items:
                results[at] = ImportResult(
                    src.name,
                    src.path,
                    status="failed",
                    error=f"could not be stored ({exc}); nothing from it was kept",
                )
            return
        for _, _, changes in items:
            self._emit(changes)

    @contextmanager
    def _bulk_import_settings(self) -> Iterator[None]:
        """A larger page cache while a multi-file import runs (restored afterwards).

        Inserting 100,000 papers touches the title-key index all over; with SQLite's default
        2 MB cache most of those pages are read back again and again.
        """
        conn = self.db.conn
        (before,) = conn.execute("PRAGMA cache_size").fetchone()
        conn.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA cache_size = {int(before)}")

    def import_text(self, text: str, name: str) -> ImportResult:
        """Import digest text held in memory (a paste) as a digest called ``name``."""
        return self.import_source(text_source(text, name))

    def preview_text(self, text: str) -> ImportPreview:
        """What importing ``text`` would do, without writing anything."""
        parsed = parse_digest(text, self.today())
        keys = list(dict.fromkeys(title_key(e.title) for e in parsed.entries))
        existing = self._existing_by_key(keys)
        known = sum(1 for k in keys if k in existing)
        return ImportPreview(
            entries=len(parsed.entries),
            new_papers=len(keys) - known,
            known_papers=len(parsed.entries) - (len(keys) - known),
            skipped=[(s.line, s.reason) for s in parsed.skipped],
            layout=parsed.layout,
            titles=[e.title for e in parsed.entries],
        )

    def _existing_by_key(self, keys: Sequence[str]) -> dict[str, tuple[int, str]]:
        found: dict[str, tuple[int, str]] = {}
        for chunk in _chunks(list(keys)):
            marks = ",".join("?" * len(chunk))
            for paper_id, key, abstract in self.db.execute(
                f"SELECT id, title_key, abstract FROM papers WHERE title_key IN ({marks})",
                list(chunk),
            ):
                found[key] = (paper_id, abstract)
        return found

    def import_source(self, source: DigestSource) -> ImportResult:
        """Import one decoded digest in one transaction: all of it or none."""
        result, changes = self._store_source(source)
        self._emit(changes)
        return result

    @contextmanager
    def _file_scope(self) -> Iterator[None]:
        """One file's writes: its own transaction, or a savepoint in the open batch."""
        conn = self.db.conn
        if not conn.in_transaction:
            # IMMEDIATE: the write lock is taken (waiting for another writer) before the
            # file's first read, so the read snapshot never has to be upgraded, which fails
            # at once with "database is locked" when another connection wrote meanwhile.
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                conn.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (a full disk) leaves the transaction open: end it here.
                if conn.in_transaction:
                    conn.rollback()
                raise
            return
        conn.execute("SAVEPOINT digest_desk_file")
        try:
            yield
            conn.execute("RELEASE SAVEPOINT digest_desk_file")
        except BaseException:
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK TO SAVEPOINT digest_desk_file")
                    conn.execute("RELEASE SAVEPOINT digest_desk_file")
            except BaseException:
                # This file cannot be undone alone: undo the batch (import_paths stores its
                # other files again) rather than ever commit part of a file.
                conn.rollback()
            raise

    def _store_source(
        self, source: DigestSource, begin: Callable[[], None] | None = None
    ) -> tuple[ImportResult, Changes]:
        """Store one decoded digest all or nothing; return what it did and what changed.

        Runs in a transaction of its own, or under a savepoint when one is open (the batch of
        import_paths; ``begin`` is called just before the first write, to open it). Nothing is
        heard by listeners here.
        """
        result = ImportResult(source.name, source.path, warnings=list(source.warnings))
        if self.db.execute("SELECT 1 FROM digests WHERE sha256 = ?", [source.sha256]).fetchone():
            result.status = "unchanged"
            return result, Changes()
        parsed = parse_digest(source.text, self.today())
        result.skipped = [(s.line, s.reason) for s in parsed.skipped]
        result.skipped_blocks = len(parsed.skipped)
        if not parsed.entries:
            result.status = "failed"
            result.error = "no papers found in it"
            return result, Changes()
        stamp = now_iso()
        conn = self.db.conn
        entries = parsed.entries
        # The parser folds every line, so entry.abstract is already what is stored.
        keys = title_keys([e.title for e in entries])
        try:
            if begin is not None:
                begin()
            with self._file_scope():
                # Again, now that this connection holds the write lock: another one (a second
                # import of the same folder) may have stored the file since the check above.
                if conn.execute(
                    "SELECT 1 FROM digests WHERE sha256 = ?", [source.sha256]
                ).fetchone():
                    raise _ImportedMeanwhileError
                existing = self._existing_by_key(list(dict.fromkeys(keys)))
                (top,) = conn.execute("SELECT COALESCE(MAX(id), 0) FROM papers").fetchone()
                # New papers get the ids SQLite would give them one INSERT at a time (one more
                # than the largest), so that they can be inserted with one executemany.
                next_id = int(top) + 1
                new_rows: list[tuple[Any, ...]] = []
                revised: list[tuple[Any, ...]] = []
                filled: list[tuple[Any, ...]] = []
                sighted: list[tuple[int, Entry]] = []
                ids_here: dict[str, int] = {}
                for entry, key in zip(entries, keys, strict=True):
                    if key in ids_here:  # twice in this file: counted, stored once
                        result.known_papers += 1
                        continue
                    known = existing.get(key)
                    if known is None:
                        paper_id = next_id
                        next_id += 1
                        new_rows.append(
                            (
                                paper_id,
                                entry.title,
                                key,
                                entry.abstract,
                                entry.authors_count,
                                entry.submitter,
                                entry.published,
                                entry.published_raw,
                                int(entry.published_year_inferred),
                                entry.upvotes,
                                stamp,
                                stamp,
                            )
                        )
                        result.new_ids.append(PaperId(paper_id))
                    else:
                        paper_id, old_abstract = known
                        result.known_papers += 1
                        if old_abstract != entry.abstract:
                            revised.append((entry.abstract, stamp, paper_id))
                            result.updated_ids.append(PaperId(paper_id))
                        filled.append(
                            (
                                entry.authors_count,
                                entry.submitter,
                                int(entry.published_year_inferred),
                                entry.published_raw,
                                entry.published,
                                entry.upvotes,
                                paper_id,
                            )
                        )
                    ids_here[key] = paper_id
                    sighted.append((paper_id, entry))
                result.new_papers = len(new_rows)
                result.updated_papers = len(revised)
                result.entries = len(entries)
                digest_id = conn.execute(
                    "INSERT INTO digests (name, source_path, sha256, imported_at, digest_date, "
                    "layout, encoding, entries, new_papers, known_papers, updated_papers, "
                    "skipped_blocks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        source.name,
                        source.path,
                        source.sha256,
                        stamp,
                        parsed.digest_dates[0] if parsed.digest_dates else None,
                        parsed.layout,
                        source.encoding,
                        result.entries,
                        result.new_papers,
                        result.known_papers,
                        result.updated_papers,
                        result.skipped_blocks,
                    ],
                ).lastrowid
                conn.executemany(
                    "INSERT INTO papers (id, title, title_key, abstract, authors_count, "
                    "submitter, published, published_raw, published_year_inferred, "
                    "upvotes, added_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    new_rows,
                )
                if revised:
                    conn.executemany(
                        "UPDATE papers SET abstract = ?, version = version + 1, "
                        "updated_at = ? WHERE id = ?",
                        revised,
                    )
                if filled:
                    conn.executemany(
                        "UPDATE papers SET "
                        "authors_count = COALESCE(authors_count, ?), "
                        "submitter = COALESCE(submitter, ?), "
                        "published_year_inferred = CASE WHEN published IS NULL "
                        "  THEN ? ELSE published_year_inferred END, "
                        "published_raw = COALESCE(published_raw, ?), "
                        "published = COALESCE(published, ?), "
                        "upvotes = MAX(COALESCE(upvotes, 0), COALESCE(?, 0)) "
                        "WHERE id = ?",
                        filled,
                    )
                conn.executemany(
                    "INSERT OR IGNORE INTO sightings (paper_id, digest_id, position, line, "
                    "upvotes) VALUES (?, ?, ?, ?, ?)",
                    [(pid, digest_id, e.position, e.line, e.upvotes) for pid, e in sighted],
                )
                # Highlights follow their quote into the new text, in this same transaction.
                reanchored = self.reanchor_papers(result.updated_ids)
        except _ImportedMeanwhileError:
            unchanged = ImportResult(source.name, source.path, warnings=list(source.warnings))
            unchanged.status = "unchanged"
            return unchanged, Changes()
        except Exception as exc:
            failed = ImportResult(
                source.name,
                source.path,
                status="failed",
                error=f"could not be stored ({exc}); nothing from it was kept",
            )
            return failed, Changes()
        result.digest_id = DigestId(digest_id) if digest_id is not None else None
        changes = Changes(
            frozenset(result.new_ids) | frozenset(result.updated_ids),
            library=True,
            digests=True,
            annotations=bool(reanchored),
        )
        return result, changes

    # -- triage --------------------------------------------------------------------------
    def _state_snapshot(self, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        snap: dict[int, tuple[Any, ...]] = {}
        cols = ", ".join(STATE_COLUMNS)
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                f"SELECT id, {cols} FROM papers WHERE id IN ({marks})", list(chunk)
            ):
                snap[row[0]] = tuple(row[1:])
        return snap

    def _restore_state(self, snap: dict[int, tuple[Any, ...]]) -> Changes:
        current = self._state_snapshot(list(snap))
        sets = ", ".join(f"{c} = ?" for c in STATE_COLUMNS)
        with self.db.atomic():
            self.db.conn.executemany(
                f"UPDATE papers SET {sets} WHERE id = ?",
                [(*values, paper_id) for paper_id, values in snap.items()],
            )
        return self._emit(_state_changes(current, snap))

    def _triage(self, label: str, ids: Sequence[int], sql: str, params: list[Any]) -> Changes:
        """Run one state UPDATE over ``ids`` as a single undoable transaction."""
        ids = list(dict.fromkeys(int(i) for i in ids))
        if not ids:
            return Changes()
        before = self._state_snapshot(ids)
        with self.db.atomic():
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
                self.db.conn.execute(f"{sql} WHERE id IN ({marks})", [*params, *chunk])
        after = self._state_snapshot(ids)
        if after == before:
            return Changes()
        self.history.record(
            Action(
                label,
                undo=lambda: self._restore_state(before),
                redo=lambda: self._restore_state(after),
            )
        )
        return self._emit(_state_changes(before, after))

    def set_read(self, ids: Sequence[int], read: bool = True) -> Changes:
        """Mark papers read (stamping read_at the first time) or unread."""
        if read:
            return self._triage(
                "mark read",
                ids,
                "UPDATE papers SET is_read = 1, read_at = COALESCE(read_at, ?)",
                [now_iso()],
            )
        return self._triage("mark unread", ids, "UPDATE papers SET is_read = 0, read_at = NULL", [])

    def set_starred(self, ids: Sequence[int], starred: bool = True) -> Changes:
        """Star or unstar papers."""
        return self._triage(
            "star" if starred else "unstar",
            ids,
            "UPDATE papers SET starred = ?",
            [int(starred)],
        )

    def set_archived(self, ids: Sequence[int], archived: bool = True) -> Changes:
        """Archive papers (which also takes them out of the queue) or bring them back."""
        if archived:
            return self._triage(
                "archive",
                ids,
                "UPDATE papers SET archived = 1, archived_at = ?, queue_pos = NULL",
                [now_iso()],
            )
        return self._triage(
            "unarchive", ids, "UPDATE papers SET archived = 0, archived_at = NULL", []
        )

    def set_queued(self, ids: Sequence[int], queued: bool = True) -> Changes:
        """Add papers to the end of the reading queue (in the order given), or remove them."""
        if not queued:
            return self._triage("remove from queue", ids, "UPDATE papers SET queue_pos = NULL", [])
        wanted = list(dict.fromkeys(int(i) for i in ids))
        snap = self._state_snapshot(wanted)
        queue_col = STATE_COLUMNS.index("queue_pos")
        ids = [i for i in wanted if i in snap and snap[i][queue_col] is None]
        if not ids:
            return Changes()
        top = self.db.execute("SELECT COALESCE(MAX(queue_pos), 0) FROM papers").fetchone()[0]
        # One CASE keeps this a single UPDATE, so undo sees one action.
        cases = " ".join(f"WHEN {int(i)} THEN {top + n + 1}" for n, i in enumerate(ids))
        return self._triage(
            "add to queue",
            ids,
            f"UPDATE papers SET archived = 0, archived_at = NULL, queue_pos = CASE id {cases} END",
            [],
        )

    def toggle(self, what: str, ids: Sequence[int]) -> Changes:
        """Toggle ``read``, ``starred``, ``queued`` or ``archived`` on papers.

        With several papers, the first one decides: if it is off, all are turned on.
        """
        papers = self.papers(list(ids), with_sightings=False)
        if not papers:
            return Changes()
        first = papers[0]
        target_ids = [p.id for p in papers]
        if what == "read":
            return self.set_read(target_ids, not first.is_read)
        if what == "starred":
            return self.set_starred(target_ids, not first.starred)
        if what == "queued":
            return self.set_queued(target_ids, not first.queued)
        if what == "archived":
            return self.set_archived(target_ids, not first.archived)
        raise ValueError(f"cannot toggle {what!r}")

    def move_in_queue(self, paper_id: int, delta: int) -> Changes:
        """Move a queued paper ``delta`` places (negative is up), clamped to the queue."""
        order = self.view_ids("queue")
        if paper_id not in order or delta == 0:
            return Changes()
        index = order.index(PaperId(paper_id))
        target = max(0, min(len(order) - 1, index + delta))
        if target == index:
            return Changes()
        order.insert(target, order.pop(index))
        span = order[min(index, target) : max(index, target) + 1]
        snap = self._state_snapshot(span)
        positions = sorted(int(snap[i][STATE_COLUMNS.index("queue_pos")]) for i in span)
        cases = " ".join(
            f"WHEN {int(i)} THEN {pos}" for i, pos in zip(span, positions, strict=True)
        )
        return self._triage(
            "move in queue", span, f"UPDATE papers SET queue_pos = CASE id {cases} END", []
        )

    def undo(self) -> tuple[str, Changes] | None:
        """Undo the last action; returns its label and what changed."""
        return self.history.undo()

    def redo(self) -> tuple[str, Changes] | None:
        """Redo the last undone action."""
        return self.history.redo()

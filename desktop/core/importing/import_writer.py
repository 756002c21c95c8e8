"""Storing digests: each file all or nothing, several files per commit (group commit)."""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from itertools import repeat
from operator import add, itemgetter
from pathlib import Path
from typing import Any

from desktop.core import store
from desktop.core.annotations.highlights import Highlights
from desktop.core.clock import now_iso
from desktop.core.context import LibraryContext
from desktop.core.importing import snapshot_workers
from desktop.core.importing.arxiv_snapshot import SnapshotStats, iter_snapshot_entries
from desktop.core.importing.digest_file import (
    DigestSource,
    ImportRefusedError,
    expand_paths,
    read_digest_file,
    text_source,
)
from desktop.core.importing.digest_parser import Entry, parse_digest, title_keys
from desktop.core.importing.identity import Match, match_entries, match_keys, stored_key_sql
from desktop.core.importing.result import ARXIV_SNAPSHOT
from desktop.core.importing.snapshot_rows import (
    ARXIV_ID,
    LINE,
    NEW_PAPER_COLUMNS,
    POSITION,
    TITLE_KEY,
    Chunk,
    Row,
    batches,
    entry_rows,
    new_paper_values,
    row_entry,
)
from desktop.core.importing.sql_values import json_categories, json_names, sql_int
from desktop.core.models import Changes, DigestId, ImportResult, PaperId
from desktop.core.plain_text import clean_name
from desktop.core.sql import marks, write_transaction

# A multi-file import commits its files in batches (group commit, see ImportWriter.import_paths):
# one commit (and one fsync) at most every IMPORT_BATCH_SECONDS or IMPORT_BATCH_FILES files.
# Short enough that another writer (the window triaging while a background import runs) waits
# at most about this long for the write lock; long enough that the fsyncs cost next to nothing.
IMPORT_BATCH_SECONDS = 0.25
IMPORT_BATCH_FILES = 200
# The page cache of the importing connection while import_paths runs, in KiB.
IMPORT_CACHE_KIB = 64 * 1024

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]
# A file's new papers -> (report lines, id of the stored run for undo); see rules.py.
NewPapersHook = Callable[[Sequence[PaperId]], tuple[list[str], int | None]]


@dataclass(frozen=True)
class ImportPreview:
    """What importing a text would do, computed without writing."""

    entries: int
    new_papers: int
    known_papers: int
    skipped: list[tuple[int, str]]
    layout: str
    titles: list[str]
    format: str = "empty"
    already_imported: bool = False  # the same digest (after normalising) is in the library
    with_ids: int = 0  # papers whose arXiv id the text gives


class ImportCancelledError(Exception):
    """The user cancelled a snapshot import; nothing from it was kept."""


class _NoPapersError(Exception):
    """A snapshot file held no papers."""


# A snapshot import stores this many entries at a time (memory stays flat in the file size).
SNAPSHOT_BATCH = 5_000
# The page cache while a snapshot's sort indexes are built again, in KiB (see _rebuild_cache).
REBUILD_CACHE_KIB = 16 * 1024
# A snapshot file at least this large is stored in rollback-journal mode when the importing
# connection is the only one open on the library (store.rollback_journal_if_alone): its new
# pages are written once, not to the WAL and then again by the checkpoint. None: always WAL.
ROLLBACK_JOURNAL_MIN_BYTES: int | None = 64 << 20
# A snapshot read in this process (a small one) is stored in chunks of this many entries.
SERIAL_CHUNK_ROWS = 500
# A snapshot that will add at least this many papers, and more than the library holds, is
# stored with the sort indexes of papers (store.SCATTERED_INDEXES) dropped and built again at
# the end, in the same transaction: sorting a million keys once costs less than inserting
# each into an index too large for the page cache.
DEFER_INDEXES_MIN_PAPERS = 50_000
# A snapshot's sightings are inserted with the digest-count trigger (store.m012) dropped, in the
# import's transaction, and the counts of the papers it saw again are set by one statement at
# the end (see ImportWriter._suspend_recount): the trigger's work, once per paper, cost more
# than the insert itself. False: the trigger counts each sighting as it goes (the plain way,
# which the equivalence tests compare with).
RECOUNT_AFTER_SNAPSHOT = True
# The trigger that keeps papers.digest_count as sightings are inserted (store.m012).
_COUNT_TRIGGER = "sightings_count_insert"
_INSERT_PAPER = (
    "INSERT INTO papers (id, title, title_key, abstract, authors_count, "
    "submitter, published, published_raw, published_year_inferred, "
    "upvotes, added_at, updated_at, arxiv_id, arxiv_version, authors, "
    "comments, arxiv_comments, categories, primary_category, journal_ref) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_SIGHTING = (
    "INSERT OR IGNORE INTO sightings (paper_id, digest_id, position, line, upvotes) "
    "VALUES (?, ?, ?, ?, ?)"
)
# A snapshot's new paper's sighting: the upvotes are Hugging Face's (snapshot_rows' constants).
_INSERT_NEW_SIGHTING = (
    "INSERT INTO sightings (paper_id, digest_id, position, line) VALUES (?, ?, ?, ?)"
)
_SNAPSHOT_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.txt")


def is_snapshot_file(path: Path) -> bool:
    """Whether ``path`` is an arXiv metadata snapshot (JSON lines), by name or first byte."""
    name = path.name.lower()
    if name.endswith(_SNAPSHOT_SUFFIXES):
        return True
    if not name.endswith(".json"):
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).lstrip()
    except OSError:
        return False
    return head.startswith(b"{") and b"\n{" in head  # one object per line, not one document


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read a MiB at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def identity_values(entry: Entry) -> tuple[Any, ...]:
    """The identity columns of a paper from an entry, in INSERT order (m005)."""
    return (
        entry.arxiv_id,
        sql_int(entry.arxiv_version),
        json_names(entry.authors),
        sql_int(entry.comments),
        entry.arxiv_comments,
        json_categories(entry.categories),
        entry.primary_category,
        entry.journal_ref,
    )


def _fill_params(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The UPDATE parameters of a known paper: the JSON lists are each used twice."""
    (*head, aid, version, authors, comments, acomments, categories, primary, jref, pid) = row
    return (
        *head,
        aid,
        version,
        authors,
        authors,
        comments,
        acomments,
        categories,
        categories,
        primary,
        jref,
        pid,
    )


def merge_duplicates(
    entries: Sequence[Entry], matches: Sequence[Match]
) -> list[tuple[Entry, Match]]:
    """One (entry, match) per paper of the file: repeats of a paper folded into its first
    entry, which takes any field the first lacks (an id, the names, an abstract)."""
    if all(match.same_as is None for match in matches):  # no repeats: each entry its own
        return list(zip(entries, matches, strict=True))
    first: dict[int, int] = {}
    merged: list[list[Any]] = []
    for index, (entry, match) in enumerate(zip(entries, matches, strict=True)):
        if match.same_as is None:
            first[index] = len(merged)
            merged.append([entry, match])
            continue
        slot = merged[first[match.same_as]]
        base: Entry = slot[0]
        updates = {
            name: getattr(entry, name)
            for name in (
                "abstract",
                "arxiv_id",
                "arxiv_version",
                "authors",
                "authors_count",
                "categories",
                "primary_category",
                "arxiv_comments",
                "journal_ref",
                "comments",
                "published",
                "published_raw",
                "submitter",
            )
            if not getattr(base, name) and getattr(entry, name)
        }
        if updates:
            slot[0] = dataclasses.replace(base, **updates)
        first[index] = first[match.same_as]
    return [(e, m) for e, m in merged]


def new_paper_insert(stamp: str) -> str:
    """The INSERT of a snapshot's new paper, its values bound in NEW_PAPER_COLUMNS' order
    (snapshot_rows.new_paper_values), stamped ``stamp``; its ``title_key`` is the one
    identity.stored_key_sql gives (a row that is no new paper fails a constraint)."""
    quoted = "'" + stamp.replace("'", "''") + "'"
    values = [f"?{n}" for n in range(1, len(NEW_PAPER_COLUMNS) + 1)]
    at = NEW_PAPER_COLUMNS.index
    values[at("title_key")] = stored_key_sql(values[at("title_key")], values[at("arxiv_id")])
    return (
        f"INSERT INTO papers ({', '.join(NEW_PAPER_COLUMNS)}, added_at, updated_at) "
        f"VALUES ({', '.join(values)}, {quoted}, {quoted})"
    )


class ImportWriter:
    """Imports digests into a library (``library.importer``).

    Listeners hear a multi-file import once, when it ends (one index commit for a folder
    rather than one per file): while ``import_paths`` runs, Changes are held here.
    """

    def __init__(self, ctx: LibraryContext, highlights: Highlights) -> None:
        self.ctx = ctx
        self.highlights = highlights
        # Group commit of import_paths (tests and the crash tests set smaller batches).
        self.batch_files = IMPORT_BATCH_FILES
        self.batch_seconds = IMPORT_BATCH_SECONDS
        self._held: list[Changes] | None = None
        # Called with a file's new papers inside its transaction (the library's rules); returns
        # report lines and the id of what it stored for undo (see rules.py).
        self.on_new_papers: NewPapersHook | None = None
        # Imports are undoable actions; the sample digests of the first start are not.
        self.record_history = True
        # Worker processes that read a large snapshot (0: read it in this process).
        self.snapshot_readers = snapshot_workers.default_readers()

    def _emit(self, changes: Changes) -> Changes:
        if self._held is not None and not changes.empty:
            self._held.append(changes)
            return changes
        return self.ctx.emit(changes)

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
        conn = self.ctx.db.conn
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
                    if is_snapshot_file(path):
                        if batch is not None:
                            self._commit_batch(batch, results)
                        result, changes = self.import_snapshot(path, progress, cancel)
                        results.append(result)
                        self._emit(changes)
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
                    if batch.due(self.batch_files, self.batch_seconds):
                        self._commit_batch(batch, results)
                if batch is not None:
                    self._commit_batch(batch, results)
        finally:
            if batch is not None and conn.in_transaction:
                # Something raised out of the loop (a progress callback, an interrupt): the
                # files done so far are kept, as they would have been one commit per file.
                try:
                    self._commit_batch(batch, results)
                except sqlite3.Error:  # the original error is the one to report
                    conn.rollback()
            if outer:
                self._held = None
                if held:
                    self._emit(Changes.union(held))
        if progress:
            progress(len(files), len(files), "")
        return results

    def _store_in_batch(
        self, batch: _Batch, results: list[ImportResult], index: int, source: DigestSource
    ) -> None:
        """Store one file in the open batch (opening it first), under a savepoint."""
        conn = self.ctx.db.conn
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
        conn = self.ctx.db.conn
        items = batch.items
        batch.clear()
        if not conn.in_transaction:
            return
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
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

    def _bulk_import_settings(self) -> AbstractContextManager[None]:
        """A larger page cache while a multi-file import runs (restored afterwards).

        Inserting 100,000 papers touches the title-key index all over; with SQLite's default
        2 MB cache most of those pages are read back again and again.
        """
        return self._cache_size(IMPORT_CACHE_KIB)

    @contextmanager
    def _rebuild_settings(self) -> Iterator[None]:
        """A smaller page cache and the sorter's helper threads while the sort indexes are
        built again after a snapshot's inserts (both as they were afterwards).

        SQLite's sorter keeps up to the connection's cache size of index keys in memory
        before it spills sorted runs to temporary files, on top of the page cache itself:
        with the import's 64 MB, the import's peak grew with the file until the keys of a
        million papers spilled; so REBUILD_CACHE_KIB. The readers are done by then, so
        their cores sort the runs (PRAGMA threads, one a reader): the three indexes of
        400,000 papers in 2.1 s against 2.7 s (two pairs; the title's 1.05 against 1.5 s).
        """
        conn = self.ctx.db.conn
        (before,) = conn.execute("PRAGMA threads").fetchone()
        conn.execute(f"PRAGMA threads = {max(0, self.snapshot_readers)}")
        try:
            with self._cache_size(REBUILD_CACHE_KIB):
                yield
        finally:
            conn.execute(f"PRAGMA threads = {int(before)}")

    @contextmanager
    def _cache_size(self, kib: int) -> Iterator[None]:
        """The connection's page cache at ``kib`` KiB while the block runs, then as it was."""
        conn = self.ctx.db.conn
        (before,) = conn.execute("PRAGMA cache_size").fetchone()
        conn.execute(f"PRAGMA cache_size = {-kib}")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA cache_size = {int(before)}")

    def _journal_for(self, path: Path) -> AbstractContextManager[bool]:
        """Rollback-journal mode for a large snapshot's transaction when the library is this
        connection's alone (see ROLLBACK_JOURNAL_MIN_BYTES); otherwise nothing changes.

        Measured on 600,000 papers: 45.1 s against 51.9 s in WAL mode (the checkpoint of a
        1.4 GB WAL after the commit took 10-12 s of it)."""
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        if ROLLBACK_JOURNAL_MIN_BYTES is None or size < ROLLBACK_JOURNAL_MIN_BYTES:
            return nullcontext(False)
        return store.rollback_journal_if_alone(self.ctx.db.conn)

    @contextmanager
    def _checkpoint_after(self) -> Iterator[None]:
        """The WAL checkpoint that the commit of a snapshot would run (the automatic one,
        PASSIVE, by the committing connection) run by it just after the commit instead.

        Measured at 400,000 papers (1 GB of WAL): with the automatic checkpoint the COMMIT
        cost 5.5 s of CPU; without it 0.4 s, and the same checkpoint run afterwards 0.9 s (at
        a million papers the COMMIT took 19 s). An import that fails or is cancelled rolls
        back and writes nothing to the WAL: no checkpoint follows it, as none would have.
        """
        conn = self.ctx.db.conn
        (before,) = conn.execute("PRAGMA wal_autocheckpoint").fetchone()
        if before <= 0 or conn.in_transaction:  # none to defer, or the caller commits
            yield
            return
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")
        if not conn.in_transaction:
            # As with the automatic one, a checkpoint that fails leaves the import committed.
            with suppress(sqlite3.Error):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _known(self, source: DigestSource, *, heal: bool = False) -> bool:
        """True when the library holds this digest (not removed): by its normalised text, or
        by the identity an older version gave it (``legacy_sha256``). With ``heal``, a digest
        found by its old identity gets the normalised one, so that the same text with other
        line ends or trailing spaces is known too from now on."""
        hashes = [source.sha256, *([source.legacy_sha256] if source.legacy_sha256 else [])]
        row = self.ctx.db.execute(
            f"SELECT id, sha256 FROM digests WHERE sha256 IN ({marks(len(hashes))}) "
            "AND removed_at IS NULL",
            hashes,
        ).fetchone()
        if row is None:
            return False
        if heal and row[1] != source.sha256:
            # Inside a batch of import_paths, a savepoint committed with the batch.
            with write_transaction(self.ctx.db):
                self.ctx.db.conn.execute(
                    "UPDATE digests SET sha256 = ? WHERE id = ?", [source.sha256, row[0]]
                )
        return True

    def import_text(self, text: str, name: str) -> ImportResult:
        """Import digest text held in memory (a paste) as a digest called ``name``."""
        return self.import_source(text_source(text, name))

    def preview_text(self, text: str) -> ImportPreview:
        """What importing ``text`` would do, without writing anything."""
        source = text_source(text, "preview")
        already = self._known(source)
        parsed = parse_digest(source.text, self.ctx.today(), source_name=source.name)
        entries = parsed.entries
        matches = match_entries(self.ctx.db, entries, title_keys([e.title for e in entries]))
        groups = merge_duplicates(entries, matches)
        new = sum(1 for _, m in groups if m.paper is None)
        return ImportPreview(
            entries=len(entries),
            new_papers=new,
            known_papers=len(entries) - new,
            skipped=[(s.line, s.reason) for s in parsed.skipped],
            layout=parsed.layout,
            titles=[e.title for e in entries],
            format=parsed.format,
            already_imported=already,
            with_ids=sum(1 for e, _ in groups if e.arxiv_id),
        )

    def import_source(self, source: DigestSource) -> ImportResult:
        """Import one decoded digest in one transaction: all of it or none."""
        result, changes = self._store_source(source)
        self._emit(changes)
        return result

    @contextmanager
    def _file_scope(self) -> Iterator[None]:
        """One file's writes: its own transaction, or a savepoint in the open batch."""
        conn = self.ctx.db.conn
        if not conn.in_transaction:
            # The write lock first (see write_transaction), and a failed COMMIT (a full
            # disk) rolled back there.
            with write_transaction(self.ctx.db):
                yield
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
            except sqlite3.Error:
                # This file cannot be undone alone: undo the batch (import_paths stores its
                # other files again) rather than ever commit part of a file.
                conn.rollback()
            raise

    def _write_entries(
        self,
        digest_id: int,
        entries: Sequence[Entry],
        stamp: str,
        result: ImportResult,
        matches: Sequence[Match] | None = None,
    ) -> None:
        """Store the papers of ``entries`` and their sightings in digest ``digest_id``, inside
        the caller's transaction; counts go into ``result`` (new, known, updated ids).
        ``matches`` are the entries' identities when the caller has them already."""
        conn = self.ctx.db.conn
        if matches is None:
            keys = title_keys([e.title for e in entries])
            matches = match_entries(self.ctx.db, entries, keys)
        groups = merge_duplicates(entries, matches)
        (top,) = conn.execute("SELECT COALESCE(MAX(id), 0) FROM papers").fetchone()
        # New papers get the ids SQLite would give them one INSERT at a time (one more
        # than the largest), so that they can be inserted with one executemany.
        next_id = int(top) + 1
        new_rows: list[tuple[Any, ...]] = []
        revised: list[tuple[Any, ...]] = []
        filled: list[tuple[Any, ...]] = []
        sighted: list[tuple[int, Entry]] = []
        result.known_papers += len(entries) - len(groups)  # repeats within the file
        for entry, match in groups:
            known = match.paper
            if known is None:
                paper_id = next_id
                next_id += 1
                new_rows.append(
                    (
                        paper_id,
                        entry.title,
                        match.title_key,
                        entry.abstract,
                        sql_int(entry.authors_count),
                        entry.submitter,
                        entry.published,
                        entry.published_raw,
                        int(entry.published_year_inferred),
                        sql_int(entry.upvotes),
                        stamp,
                        stamp,
                        *identity_values(entry),
                    )
                )
                result.new_ids.append(PaperId(paper_id))
            else:
                paper_id = known.id
                result.known_papers += 1
                # A listing without abstracts (arXiv /recent) never empties one.
                if entry.abstract and known.abstract != entry.abstract:
                    revised.append((entry.abstract, stamp, paper_id))
                    result.updated_ids.append(PaperId(paper_id))
                filled.append(
                    (
                        sql_int(entry.authors_count),
                        entry.submitter,
                        int(entry.published_year_inferred),
                        entry.published_raw,
                        entry.published,
                        sql_int(entry.upvotes),
                        *identity_values(entry),
                        paper_id,
                    )
                )
            sighted.append((paper_id, entry))
        result.new_papers += len(new_rows)
        result.updated_papers += len(revised)
        result.entries += len(entries)
        conn.executemany(_INSERT_PAPER, new_rows)
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
                "upvotes = MAX(COALESCE(upvotes, 0), COALESCE(?, 0)), "
                # The id is set once (matching guarantees no other paper has it);
                # the version and arXiv's metadata are the ones seen last.
                "arxiv_id = COALESCE(arxiv_id, ?), "
                "arxiv_version = COALESCE(?, arxiv_version), "
                "authors = CASE WHEN ? = '[]' THEN authors ELSE ? END, "
                "comments = COALESCE(?, comments), "
                "arxiv_comments = COALESCE(?, arxiv_comments), "
                "categories = CASE WHEN ? = '[]' THEN categories ELSE ? END, "
                "primary_category = COALESCE(?, primary_category), "
                "journal_ref = COALESCE(?, journal_ref) "
                "WHERE id = ?",
                [_fill_params(row) for row in filled],
            )
        conn.executemany(
            _INSERT_SIGHTING,
            [(pid, digest_id, e.position, e.line, sql_int(e.upvotes)) for pid, e in sighted],
        )

    def _write_rows(
        self, digest_id: int, chunks: Sequence[Chunk], stamp: str, result: ImportResult
    ) -> None:
        """Store a snapshot's rows (snapshot_rows.py) as :meth:`_write_entries` stores
        entries. Rows that all have an id go to SQLite as they stand, their keys and JSON
        made by the readers, when each is a paper new to the library and to the batch (a
        first import: see identity.stored_key_sql); otherwise, and for rows without an id,
        the rows become entries and take the general path (match_keys)."""
        rows = [row for part, _lines, _entries in chunks for row in part]
        if all(map(itemgetter(ARXIV_ID), rows)) and self._insert_new_rows(
            digest_id, chunks, rows, stamp, result
        ):
            return
        ids = list(map(itemgetter(ARXIV_ID), rows))
        keys = list(map(itemgetter(TITLE_KEY), rows))
        entries = [row_entry(r, lines, at) for part, lines, at in chunks for r in part]
        self._write_entries(digest_id, entries, stamp, result, match_keys(self.ctx.db, ids, keys))

    def _insert_new_rows(
        self,
        digest_id: int,
        chunks: Sequence[Chunk],
        rows: Sequence[Row],
        stamp: str,
        result: ImportResult,
    ) -> bool:
        """Insert ``rows`` (the rows of ``chunks``, in order, each with an id) as new papers,
        with their sightings, as :meth:`_write_entries` would: ids one above the largest in
        order, the import's time stamp, each under the key identity.stored_key_sql gives.
        No Python runs per paper: the rows are bound as they stand
        (snapshot_rows.new_paper_values), and each sighting is zipped from them.

        Returns False, having stored nothing, when some row is not a new paper: an id held
        or repeated, a title held by a paper without an id, a unique key held. The INSERT
        fails on that row's constraint; the rows before it are deleted again (they are this
        batch's, the only papers above the largest id before it, with nothing pointing at
        them yet), which leaves the library as it was, so that the general path can match
        the batch."""
        conn = self.ctx.db.conn
        (top,) = conn.execute("SELECT COALESCE(MAX(id), 0) FROM papers").fetchone()
        first = int(top) + 1
        # SQLite gives a row with no id one above the largest: the ids one INSERT at a time
        # would give, as _write_entries. The stamp (now_iso(), ours) is the same for every
        # row, so it is part of the statement rather than bound once a paper; the fields a
        # snapshot never has are left to the columns' defaults (SNAPSHOT_CONSTANTS).
        try:
            conn.executemany(new_paper_insert(stamp), map(new_paper_values, rows))
        except sqlite3.IntegrityError:
            conn.execute("DELETE FROM papers WHERE id >= ?", [first])
            return False
        last = first + len(rows)
        (top,) = conn.execute("SELECT MAX(id) FROM papers").fetchone()
        if top != last - 1:
            raise sqlite3.IntegrityError(f"new papers got ids up to {top}, not {last - 1}")
        paper_id = first
        for part, lines, at_entry in chunks:
            conn.executemany(
                _INSERT_NEW_SIGHTING,
                zip(
                    range(paper_id, paper_id + len(part)),
                    repeat(digest_id),
                    map(add, map(itemgetter(POSITION), part), repeat(at_entry)),
                    map(add, map(itemgetter(LINE), part), repeat(lines)),
                    strict=False,  # the ones that end with the part
                ),
            )
            paper_id += len(part)
        result.new_ids.add_run(first, last)  # one run, not an int per paper
        result.new_papers += len(rows)
        result.entries += len(rows)
        return True

    def import_snapshot(
        self,
        path: Path,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
    ) -> tuple[ImportResult, Changes]:
        """Import an arXiv metadata snapshot (JSON lines) streamed, in one transaction.

        Memory stays flat in the file's size: entries are read and stored
        ``SNAPSHOT_BATCH`` at a time. The file is one digest, all or nothing: a cancel or an
        error rolls it back. Its identity is the SHA-256 of its bytes. The rules run on its
        new papers inside the same transaction, as on a digest's.
        """
        result = ImportResult(path.name, str(path), format=ARXIV_SNAPSHOT)
        try:
            digest = file_sha256(path)
        except OSError as exc:
            result.status, result.error = "failed", f"it cannot be read ({exc.strerror or exc})"
            return result, Changes()
        db = self.ctx.db
        conn = db.conn
        if db.execute(
            "SELECT 1 FROM digests WHERE sha256 = ? AND removed_at IS NULL", [digest]
        ).fetchone():
            result.status = "unchanged"
            return result, Changes()
        stats = SnapshotStats()
        stamp = now_iso()
        read = [0, 0]  # bytes read so far, of the file's size

        def report(done: int, total: int | None) -> None:
            read[:] = [done, total or 0]
            if progress and total:
                progress(done, total, f"{path.name}: {result.entries:,} papers")

        try:
            with (
                self._journal_for(path),
                self._checkpoint_after(),
                self._bulk_import_settings(),
                self._file_scope(),
            ):
                conn.execute(
                    "DELETE FROM digests WHERE sha256 = ? AND removed_at IS NOT NULL", [digest]
                )
                digest_id = int(
                    conn.execute(
                        "INSERT INTO digests (name, source_path, sha256, imported_at, layout, "
                        "encoding, format) VALUES (?, ?, ?, ?, ?, 'utf-8', ?)",
                        [
                            clean_name(path.name) or "snapshot",
                            str(path),
                            digest,
                            stamp,
                            ARXIV_SNAPSHOT,
                            ARXIV_SNAPSHOT,
                        ],
                    ).lastrowid
                    or 0
                )
                (held,) = conn.execute("SELECT COALESCE(MAX(id), 0) FROM papers").fetchone()
                trigger = self._suspend_recount()
                deferred: list[str] | None = None
                with (
                    closing(self._snapshot_chunks(path, report, stats)) as chunks,
                    store.untraced(db),
                ):
                    for batch in batches(chunks, SNAPSHOT_BATCH):
                        self._write_rows(digest_id, batch, stamp, result)
                        if deferred is None and read[0]:
                            # Decided once, at the first batch with bytes read known.
                            deferred = self._maybe_drop_indexes(result, int(held), read)
                        if cancel and cancel():
                            raise ImportCancelledError
                if deferred:
                    if progress:
                        progress(read[0], read[1], f"{path.name}: building indexes")
                    with self._rebuild_settings():
                        for statement in deferred:
                            if cancel and cancel():
                                raise ImportCancelledError
                            conn.execute(statement)
                if trigger is not None:
                    self._recount(digest_id, int(held), trigger)
                result.skipped_blocks = stats.skipped
                result.skipped = list(stats.reasons)
                if not result.entries:
                    raise _NoPapersError
                conn.execute(
                    "UPDATE digests SET skipped_blocks = ? WHERE id = ?",
                    [result.skipped_blocks, digest_id],
                )
                self._record_counts(digest_id, result)
                self._record_history(digest_id, result)
                reanchored = self.highlights.reanchor_papers(result.updated_ids)
                # The rules, as on a digest's new papers: in this transaction, with the report
                # lines and one undo step (rules.py matches a snapshot's papers in batches).
                if self.on_new_papers is not None and result.new_ids:
                    result.rules, result.rule_run = self.on_new_papers(result.new_ids)
        except ImportCancelledError:
            return ImportResult(path.name, str(path), status="cancelled"), Changes()
        except _NoPapersError:
            failed = ImportResult(path.name, str(path), status="failed", format=ARXIV_SNAPSHOT)
            failed.error = "no papers found in it"
            return failed, Changes()
        except (sqlite3.Error, OSError) as exc:
            failed = ImportResult(path.name, str(path), status="failed", format=ARXIV_SNAPSHOT)
            failed.error = f"could not be stored ({exc}); nothing from it was kept"
            return failed, Changes()
        result.digest_id = DigestId(digest_id)
        return result, Changes(
            result.changed_ids(),
            library=True,
            digests=True,
            annotations=bool(reanchored),
        )

    def _snapshot_chunks(
        self, path: Path, report: Callable[[int, int | None], None], stats: SnapshotStats
    ) -> Generator[Chunk, None, None]:
        """The rows of a snapshot (snapshot_rows.py): read by worker processes when it is
        large, else here, in chunks of about a worker's range."""
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        if self.snapshot_readers > 0 and size >= snapshot_workers.PARALLEL_MIN_BYTES:
            return snapshot_workers.iter_snapshot_chunks_parallel(
                path, report, stats, workers=self.snapshot_readers
            )
        return entry_rows(iter_snapshot_entries(path, report, stats), SERIAL_CHUNK_ROWS)

    def _suspend_recount(self) -> str | None:
        """Drop the trigger that recounts a paper's digests at each sighting inserted (in
        the import's transaction: a crash, a failure or a cancel brings it back) and return
        the statement that makes it again; None when it stays (RECOUNT_AFTER_SNAPSHOT off)."""
        if not RECOUNT_AFTER_SNAPSHOT:
            return None
        conn = self.ctx.db.conn
        row = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [_COUNT_TRIGGER]
        ).fetchone()
        if row is None or not row[0]:
            return None
        conn.execute(f'DROP TRIGGER "{_COUNT_TRIGGER}"')
        return str(row[0])

    def _recount(self, digest_id: int, held: int, trigger: str) -> None:
        """Set the digest counts the dropped trigger would have set, then make it again.

        The trigger recounts the paper of each sighting inserted. A paper this import added
        (an id above ``held``, the largest before it) has one sighting, this digest's, and
        arrives counted 1 (the column's default): the trigger leaves it as it is. So only
        the papers known before that this digest sighted can change, and each gets the count
        the trigger would have left last, its number of sightings now.
        """
        conn = self.ctx.db.conn
        # A correlated subquery, not UPDATE ... FROM: that needs SQLite 3.33, newer than
        # some Linux distributions' Python links against.
        count = "(SELECT COUNT(*) FROM sightings AS t WHERE t.paper_id = papers.id)"
        conn.execute(
            f"UPDATE papers SET digest_count = {count}"
            " WHERE id IN (SELECT paper_id FROM sightings WHERE digest_id = ? AND paper_id <= ?)"
            f" AND digest_count != {count}",
            [digest_id, held],
        )
        conn.execute(trigger)

    def _maybe_drop_indexes(self, result: ImportResult, held: int, read: list[int]) -> list[str]:
        """After a snapshot's first batch: when the rest of the file will add more papers than
        the library holds (and at least DEFER_INDEXES_MIN_PAPERS), drop the sort indexes of
        papers, in the import's transaction, and return the statements that build them again
        (else none). A crash, a failure or a cancel rolls the drop back with the rest."""
        done, total = read
        if done <= 0 or total <= done:
            return []
        coming = (total - done) * result.entries // done
        if coming < DEFER_INDEXES_MIN_PAPERS or coming < held + result.new_papers:
            return []
        conn = self.ctx.db.conn
        indexes = store.rebuildable_indexes(conn)
        for name, _statement in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        return [statement for _name, statement in indexes]

    def _record_history(self, digest_id: int, result: ImportResult) -> None:
        """Put the import on the undo history, in its transaction (undo: removal.py)."""
        if not self.record_history:
            return
        self.ctx.history.record(
            f"import {result.name}",
            kind="import",
            payload={"digest": digest_id},
            show=result.new_ids[0] if result.new_ids else None,
            count=result.new_papers,
        )

    def _record_counts(self, digest_id: int, result: ImportResult) -> None:
        """Write an import's counts into its digest row."""
        self.ctx.db.conn.execute(
            "UPDATE digests SET entries = ?, new_papers = ?, known_papers = ?, "
            "updated_papers = ? WHERE id = ?",
            [
                result.entries,
                result.new_papers,
                result.known_papers,
                result.updated_papers,
                digest_id,
            ],
        )

    def _store_source(
        self, source: DigestSource, begin: Callable[[], None] | None = None
    ) -> tuple[ImportResult, Changes]:
        """Store one decoded digest all or nothing; return what it did and what changed.

        Runs in a transaction of its own, or under a savepoint when one is open (the batch of
        import_paths; ``begin`` is called just before the first write, to open it). Nothing is
        heard by listeners here.
        """
        result = ImportResult(source.name, source.path, warnings=list(source.warnings))
        if self._known(source, heal=True):
            result.status = "unchanged"
            return result, Changes()
        parsed = parse_digest(source.text, self.ctx.today(), source_name=source.name)
        result.skipped = [(s.line, s.reason) for s in parsed.skipped]
        result.skipped_blocks = len(parsed.skipped)
        result.format = parsed.format
        if not parsed.entries:
            result.status = "failed"
            result.error = "no papers found in it"
            return result, Changes()
        stamp = now_iso()
        conn = self.ctx.db.conn
        entries = parsed.entries  # the parser folds every line: abstracts are as stored
        try:
            if begin is not None:
                begin()
            with self._file_scope():
                # Again, now that this connection holds the write lock: another one (a second
                # import of the same folder) may have stored the file since the check above.
                if self._known(source):
                    raise _ImportedMeanwhileError
                # A digest removed earlier is imported again as new: its old row goes.
                conn.execute(
                    "DELETE FROM digests WHERE sha256 = ? AND removed_at IS NOT NULL",
                    [source.sha256],
                )
                digest_id = int(
                    conn.execute(
                        "INSERT INTO digests (name, source_path, sha256, imported_at, "
                        "digest_date, layout, encoding, skipped_blocks, format) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            clean_name(source.name) or "digest",
                            source.path,
                            source.sha256,
                            stamp,
                            parsed.digest_dates[0] if parsed.digest_dates else None,
                            parsed.layout,
                            source.encoding,
                            result.skipped_blocks,
                            parsed.format,
                        ],
                    ).lastrowid
                    or 0
                )
                self._write_entries(digest_id, entries, stamp, result)
                self._record_counts(digest_id, result)
                self._record_history(digest_id, result)
                # Highlights follow their quote into the new text, in this same transaction.
                reanchored = self.highlights.reanchor_papers(result.updated_ids)
                if self.on_new_papers is not None and result.new_ids:
                    result.rules, result.rule_run = self.on_new_papers(result.new_ids)
        except _ImportedMeanwhileError:
            unchanged = ImportResult(source.name, source.path, warnings=list(source.warnings))
            unchanged.status = "unchanged"
            return unchanged, Changes()
        except (sqlite3.Error, OSError) as exc:  # a full disk, an I/O error; bugs surface
            failed = ImportResult(
                source.name,
                source.path,
                status="failed",
                error=f"could not be stored ({exc}); nothing from it was kept",
            )
            return failed, Changes()
        result.digest_id = DigestId(digest_id) if digest_id is not None else None
        changes = Changes(
            result.changed_ids(),
            library=True,
            digests=True,
            annotations=bool(reanchored),
        )
        return result, changes

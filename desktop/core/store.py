"""The SQLite store: connection settings and the schema as named migrations."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "digest-desk"
# The page size of a new library, in bytes (see connect()).
PAGE_SIZE = 16384
migrations = Migrations(MIGRATION_SET)


class StoreError(Exception):
    """The database cannot be used; the message says why in plain words."""


class NewerDatabaseError(StoreError):
    """The database was written by a newer version of Digest Desk."""


class CorruptDatabaseError(StoreError):
    """The database file is damaged; it is left untouched and the latest backup is offered."""

    def __init__(self, path: Path | str | None, detail: str, backup: Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.detail = detail
        self.backup = backup
        where = str(self.path) if self.path is not None else "The database"
        message = f"{where} is damaged or is not a Digest Desk database ({detail}). "
        message += "It was left exactly as it is. "
        if backup is not None:
            message += (
                f"The latest backup is {backup}; restore it with: digest-desk restore {backup}"
            )
        else:
            message += "No backup was found; move the file away to start a new library."
        super().__init__(message)


# How long a connection waits for another's lock before it gives up (SQLite's busy timeout).
BUSY_TIMEOUT_SECONDS = 30.0


class LibraryBusyError(StoreError):
    """Another process kept the database locked longer than the busy timeout (a large
    snapshot import written in a rollback journal holds it for its whole transaction)."""

    def __init__(self, path: Path | str | None) -> None:
        where = str(path) if path is not None else "The database"
        super().__init__(
            f"{where} is busy: another process has been writing it in one long transaction "
            f"(a large import, say) for more than {BUSY_TIMEOUT_SECONDS:.0f} s. Nothing was "
            "changed; try again when that process is done."
        )


def is_busy(exc: BaseException) -> bool:
    """True when an sqlite3 error says another connection holds the lock (busy, locked)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "database is locked" in str(exc).lower()


def is_corruption(exc: BaseException) -> bool:
    """True when an sqlite3 error says the file is damaged or not a database at all."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


@migrations()
def m001_papers_digests_sightings(db: Database) -> None:
    """Papers with their triage state, digests imported, and where each paper was seen."""
    db.execute(
        """
        CREATE TABLE papers (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            title_key TEXT NOT NULL UNIQUE,
            abstract TEXT NOT NULL,
            authors_count INTEGER,
            submitter TEXT,
            published TEXT,
            published_raw TEXT,
            published_year_inferred INTEGER NOT NULL DEFAULT 0,
            upvotes INTEGER,
            version INTEGER NOT NULL DEFAULT 1,
            added_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            is_read INTEGER NOT NULL DEFAULT 0,
            read_at TEXT,
            starred INTEGER NOT NULL DEFAULT 0,
            archived INTEGER NOT NULL DEFAULT 0,
            archived_at TEXT,
            queue_pos INTEGER
        )
        """
    )
    db.execute("CREATE INDEX papers_view ON papers (archived, queue_pos)")
    db.execute("CREATE INDEX papers_queue ON papers (queue_pos) WHERE queue_pos IS NOT NULL")
    db.execute("CREATE INDEX papers_starred ON papers (starred) WHERE starred = 1")
    db.execute(
        """
        CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            source_path TEXT,
            sha256 TEXT NOT NULL UNIQUE,
            imported_at TEXT NOT NULL,
            digest_date TEXT,
            layout TEXT,
            encoding TEXT,
            entries INTEGER NOT NULL DEFAULT 0,
            new_papers INTEGER NOT NULL DEFAULT 0,
            known_papers INTEGER NOT NULL DEFAULT 0,
            updated_papers INTEGER NOT NULL DEFAULT 0,
            skipped_blocks INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute(
        """
        CREATE TABLE sightings (
            paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            digest_id INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            line INTEGER NOT NULL,
            upvotes INTEGER,
            PRIMARY KEY (paper_id, digest_id)
        )
        """
    )
    db.execute("CREATE INDEX sightings_digest ON sightings (digest_id, position)")


@migrations()
def m002_notes_highlights_tags(db: Database) -> None:
    """Paper notes, highlights (text-quote selectors) and tags."""
    db.execute(
        """
        CREATE TABLE notes (
            paper_id INTEGER PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE highlights (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            field TEXT NOT NULL CHECK (field IN ('title', 'abstract')),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            quote TEXT NOT NULL,
            prefix TEXT NOT NULL DEFAULT '',
            suffix TEXT NOT NULL DEFAULT '',
            color TEXT NOT NULL DEFAULT 'yellow',
            note TEXT NOT NULL DEFAULT '',
            orphaned INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX highlights_paper ON highlights (paper_id, field, start)")
    db.execute("CREATE INDEX highlights_color ON highlights (color)")
    db.execute(
        "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE)"
    )
    db.execute(
        """
        CREATE TABLE paper_tags (
            paper_id INTEGER NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
            PRIMARY KEY (paper_id, tag_id)
        )
        """
    )
    db.execute("CREATE INDEX paper_tags_tag ON paper_tags (tag_id)")


@migrations()
def m003_count_indexes(db: Database) -> None:
    """Covering indexes, so view counts and per-digest unread counts never read whole rows."""
    db.execute("CREATE INDEX papers_triage ON papers (archived, queue_pos, is_read, starred)")
    db.execute("CREATE INDEX papers_read ON papers (id, is_read)")
    db.execute("CREATE INDEX sightings_digest_paper ON sightings (digest_id, paper_id)")


@migrations()
def m004_library_identity(db: Database) -> None:
    """A random id for the library, made once: export files say which library wrote them."""
    db.execute("CREATE TABLE library_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO library_meta (key, value) VALUES ('id', ?)", [uuid.uuid4().hex])


# Migrations that only add tables: a read-only library without them still reads correctly.
READABLE_WITHOUT = frozenset({"m004_library_identity"})


def library_id(db: Database) -> str | None:
    """The library's stable random id (None before migration m004 ran)."""
    try:
        row = db.execute("SELECT value FROM library_meta WHERE key = 'id'").fetchone()
    except sqlite3.OperationalError:
        return None
    return str(row[0]) if row else None


@migrations()
def m005_paper_identity(db: Database) -> None:
    """What a paper is: its arXiv id (bare, unique when known), version, authors and arXiv
    metadata, and the Hugging Face comment count.

    ``title_key`` stays unique: it is the key under which an entry *without* an id finds the
    paper. A second paper whose title folds like an existing one but has another arXiv id is
    stored with ``title_key`` = folded title + ``"#"`` + its id.
    """
    for column, kind in (
        ("arxiv_id", "TEXT"),
        ("arxiv_version", "INTEGER"),
        ("authors", "TEXT NOT NULL DEFAULT '[]'"),  # JSON list of names, [] when unknown
        ("comments", "INTEGER"),
        ("arxiv_comments", "TEXT"),
        ("categories", "TEXT NOT NULL DEFAULT '[]'"),  # JSON list
        ("primary_category", "TEXT"),
        ("journal_ref", "TEXT"),
    ):
        db.execute(f"ALTER TABLE papers ADD COLUMN {column} {kind}")
    db.execute(
        "CREATE UNIQUE INDEX papers_arxiv_id ON papers (arxiv_id) WHERE arxiv_id IS NOT NULL"
    )
    db.execute("ALTER TABLE digests ADD COLUMN format TEXT")


@migrations()
def m006_removed_and_sample_digests(db: Database) -> None:
    """Digests can be removed (the row stays as the log of what was imported, so a library
    whose samples were removed is not seeded again) and know whether they are the samples."""
    db.execute("ALTER TABLE digests ADD COLUMN removed_at TEXT")
    db.execute("ALTER TABLE digests ADD COLUMN sample INTEGER NOT NULL DEFAULT 0")


@migrations()
def m007_saved_views_and_rules(db: Database) -> None:
    """Saved searches shown as views, rules run on import, and why a rule muted a paper.

    A view or rule keeps its query text as typed (a query that no longer parses is shown
    with the reason, never dropped). ``rules.actions`` is a JSON list of action names.
    ``rule_mutes`` keeps the visible reason of a paper a rule muted (archived);
    ``rule_runs`` what the rules did to one import's papers (JSON), for its undo.
    """
    db.execute(
        """
        CREATE TABLE saved_views (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            query TEXT NOT NULL,
            position INTEGER NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE rules (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            query TEXT NOT NULL,
            actions TEXT NOT NULL,
            tag TEXT,
            position INTEGER NOT NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        )
        """
    )
    # What the rules did to the papers of one import, so that it is undone as one step
    # (by the window's history, which did not run the import: a worker did).
    db.execute(
        """
        CREATE TABLE rule_runs (
            id INTEGER PRIMARY KEY,
            label TEXT NOT NULL,
            effects TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE rule_mutes (
            paper_id INTEGER PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
            rule_name TEXT NOT NULL,
            muted_at TEXT NOT NULL
        )
        """
    )


@migrations()
def m008_snooze_and_history(db: Database) -> None:
    """Snoozed papers (when each returns, or with the next digest) and the undo history,
    stored so that it outlasts a restart (see history.py)."""
    db.execute(
        """
        CREATE TABLE snoozes (
            paper_id INTEGER PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
            until TEXT,
            after_digest INTEGER,
            snoozed_at TEXT NOT NULL,
            returned_at TEXT,
            CHECK (until IS NOT NULL OR after_digest IS NOT NULL)
        )
        """
    )
    db.execute("CREATE INDEX snoozes_waiting ON snoozes (until) WHERE returned_at IS NULL")
    db.execute(
        """
        CREATE TABLE history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            label TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            done_at TEXT NOT NULL,
            paper_id INTEGER,
            subject TEXT NOT NULL DEFAULT '',
            paper_count INTEGER NOT NULL DEFAULT 0,
            undone_seq INTEGER,
            refused TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE history_papers (
            paper_id INTEGER NOT NULL,
            action_id INTEGER NOT NULL REFERENCES history(id) ON DELETE CASCADE,
            PRIMARY KEY (paper_id, action_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX history_papers_action ON history_papers (action_id)")


@migrations()
def m009_queued_at(db: Database) -> None:
    """When each paper last entered the reading queue (the Progress view's queue age).

    Set when a paper is added to the queue (by a key or a rule), kept when it leaves (only
    read while it is queued), so an undo that puts it back restores its time as well. A
    paper queued before this migration gets the time of the history's "add to queue" action
    that queued it, while the history (m008) still holds one; else none, and the Progress
    view counts its age from its arrival (all that was known before) and says how many do.
    """
    db.execute("ALTER TABLE papers ADD COLUMN queued_at TEXT")
    db.execute(
        """
        UPDATE papers SET queued_at =
            (SELECT MAX(h.done_at) FROM history_papers hp JOIN history h ON h.id = hp.action_id
             WHERE hp.paper_id = papers.id AND h.kind = 'triage' AND h.label = 'add to queue'
             AND h.undone_seq IS NULL)
        WHERE queue_pos IS NOT NULL
        """
    )


@migrations()
def m010_sort_indexes(db: Database) -> None:
    """The paper list's sort orders as indexes: by title, date and authors, each followed by
    the id (the tie-break) and the columns the Inbox, All papers and unread-only lists filter
    on, so that a sorted list of a million papers is read in order from one index, never
    sorted whole; and the Archive's own order (when each paper was archived)."""
    for name, key in (
        ("papers_sort_title", "title COLLATE NOCASE"),
        ("papers_sort_published", "published"),
        ("papers_sort_authors", "authors_count"),
    ):
        db.execute(f"CREATE INDEX {name} ON papers ({key}, id, archived, queue_pos, is_read)")
    # The Inbox's unread papers in id order (the unread-only list's default order).
    db.execute("CREATE INDEX papers_inbox_unread ON papers (archived, queue_pos, is_read, id)")
    db.execute(
        "CREATE INDEX papers_archived_at ON papers (archived_at, id, is_read, archived)"
        " WHERE archived = 1"
    )


@migrations()
def m011_starred_count_index(db: Database) -> None:
    """Starred papers' read state in their partial index, so counting the Starred view (every
    ``stats`` and sidebar recount) reads the index alone, never a paper's row."""
    db.execute("CREATE INDEX papers_starred_read ON papers (starred, is_read) WHERE starred = 1")
    db.execute("DROP INDEX IF EXISTS papers_starred")


# The indexes a bulk insert scatters its rows over: their keys (a title, a date, an author
# count) come in no order, so each new row lands anywhere in them, and once they outgrow the
# page cache nearly every insert reads a page back. The other secondary indexes of papers
# and sightings lead with the id or with columns every new row shares, so new rows go at
# their end; building those again would cost a scan of the whole table each, for little.
SCATTERED_INDEXES = ("papers_sort_authors", "papers_sort_published", "papers_sort_title")


def rebuildable_indexes(
    conn: sqlite3.Connection, names: tuple[str, ...] = SCATTERED_INDEXES
) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of each index in ``names`` that a bulk insert may drop
    and build again when it is done: one that exists and was made by CREATE INDEX, not
    UNIQUE (a unique index keeps its constraint checked row by row).

    The statements are the ones SQLite stored, so running them again makes the same index.
    """
    found: list[tuple[str, str]] = []
    for name in names:
        row = conn.execute(
            'SELECT m.sql, l."unique", l.origin FROM sqlite_master AS m '
            "JOIN pragma_index_list(m.tbl_name) AS l ON l.name = m.name "
            "WHERE m.type = 'index' AND m.name = ?",
            [name],
        ).fetchone()
        if row is not None and row[0] and not row[1] and row[2] == "c":
            found.append((name, str(row[0])))
    return found


@migrations()
def m012_digest_count(db: Database) -> None:
    """How many digests hold each paper, as a column kept by triggers on ``sightings``, and
    the sort index the list's "number of digests" order reads (as m010's, for a million).

    The triggers recount the paper's sightings (an index range of the sightings' key), never
    add or subtract, so the count stays right however a sighting comes and goes: an import's
    ``INSERT OR IGNORE``, a digest's removal, a cascade from a deleted paper, an undo that
    puts back a paper row (its old count included) and then its sightings with ``INSERT OR
    REPLACE``. They run inside the statement that changes the sighting, so in its
    transaction, and write the paper only when its count changed.

    A paper arrives with its first sighting, so the column defaults to 1: an existing
    library's rows then need no rewrite (SQLite reads a column added with a default from
    the schema), and one UPDATE from a GROUP BY sets the few papers seen in other than one
    digest; a new paper's first sighting leaves its row as it is.
    """
    db.execute("ALTER TABLE papers ADD COLUMN digest_count INTEGER NOT NULL DEFAULT 1")
    db.execute(
        """
        UPDATE papers SET digest_count = c.n
        FROM (
            SELECT p.id AS paper_id, COUNT(s.paper_id) AS n
            FROM papers p LEFT JOIN sightings s ON s.paper_id = p.id
            GROUP BY p.id HAVING n != 1
        ) AS c
        WHERE papers.id = c.paper_id
        """
    )
    count = "(SELECT COUNT(*) FROM sightings WHERE paper_id = {row}.paper_id)"
    recount = (
        "UPDATE papers SET digest_count = {count}"
        " WHERE id = {row}.paper_id AND digest_count != {count};"
    )

    def recount_of(row: str) -> str:
        return recount.format(count=count.format(row=row), row=row)

    db.execute(
        "CREATE TRIGGER sightings_count_insert AFTER INSERT ON sightings BEGIN "
        f"{recount_of('NEW')} END"
    )
    db.execute(
        "CREATE TRIGGER sightings_count_delete AFTER DELETE ON sightings BEGIN "
        f"{recount_of('OLD')} END"
    )
    db.execute(
        "CREATE TRIGGER sightings_count_update AFTER UPDATE OF paper_id ON sightings BEGIN "
        f"{recount_of('OLD')} {recount_of('NEW')} END"
    )
    db.execute(
        "CREATE INDEX papers_sort_digests ON papers"
        " (digest_count, id, archived, queue_pos, is_read)"
    )


def known_migration_names() -> list[str]:
    """Names of every migration this version of the app knows, in order."""
    return [m.name for m in migrations._migrations]  # noqa: SLF001 - sqlite-utils has no public list


class ReadOnlyLibraryError(StoreError):
    """A write was asked of a library this process can only read."""


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that only reads ``path``, also in a folder this process cannot write
    (see _connect_read_only); raises ReadOnlyLibraryError when that cannot be done safely."""
    return _connect_read_only(path)


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Open an existing database without writing anything next to it.

    ``mode=ro`` still needs the WAL index (``-shm``) file, which a read-only folder may not
    have; then, if no WAL holds changes not yet in the database, ``immutable=1`` reads the
    file as it is. A WAL with content in a folder we cannot write cannot be read safely.
    """
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        conn.execute("PRAGMA schema_version").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
    # A WAL with frames, or a rollback journal left by a large import cut short (see
    # rollback_journal_if_alone): ``immutable=1`` would read the file without them, half
    # written. Only a connection that may write can roll the journal back.
    for unfinished in (Path(f"{path}-wal"), Path(f"{path}-journal")):
        if unfinished.exists() and unfinished.stat().st_size > 0:
            raise ReadOnlyLibraryError(
                f"{path.parent} is read-only and its last session did not finish writing "
                f"({unfinished.name} holds changes); open it once where it can be written"
            )
    return sqlite3.connect(f"{uri}?immutable=1", uri=True)


def connect(path: Path | str | None, *, read_only: bool = False, check: bool = True) -> Database:
    """Open (or create) the database with WAL, synchronous=FULL and foreign keys on.

    ``None`` opens a private in-memory database. Refuses a file that is damaged or not a
    database (CorruptDatabaseError, after ``PRAGMA quick_check``), and one written by a newer
    version of the app, without writing to it. ``read_only`` opens an existing database for
    reading only (a library in a folder this process cannot write). Without ``check``, the
    ``quick_check`` (which reads every page: seconds at a million papers) is left to the
    caller, who runs it elsewhere (integrity.py); a file that is not a database at all is
    still refused.
    """
    # No sqlite-utils plugins: none may change the library's connection, and finding them
    # scans every installed package's metadata at each start.
    if path is None:
        db = Database(memory=True, execute_plugins=False)
    else:
        conn = (
            _connect_read_only(Path(path))
            if read_only
            else sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
        )
        db = Database(conn, execute_plugins=False)
        try:
            db.execute("PRAGMA schema_version").fetchone()
            if check:
                problems = quick_check_problems(db.conn)
                if problems:
                    raise CorruptDatabaseError(path, "; ".join(problems[:3]))
            check_not_newer(db)
            check_is_ours(db, path)
        except StoreError:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            if is_busy(exc):
                raise LibraryBusyError(path) from exc
            if not is_corruption(exc):
                raise
            raise CorruptDatabaseError(path, str(exc)) from exc
    if read_only:
        db.execute("PRAGMA query_only=ON")
    else:
        # Only a database not written yet takes a page size (an existing library keeps its
        # own): 16 KiB pages hold a paper's 1-2 KB row with less waste than 4 KiB ones, and a
        # folder import writes a quarter as many pages (WAL frames, checkpoint copies).
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        if path is not None:
            try:
                _use_wal(db.conn)
            except sqlite3.OperationalError as exc:
                db.conn.close()
                if is_busy(exc):
                    raise LibraryBusyError(path) from exc
                raise
        db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    if path is not None and not read_only:
        db.conn.set_trace_callback(_turn_hook(Path(path).parent))
    return db


# How long a new library's switch to WAL waits for other processes creating it at once.
WAL_SWITCH_SECONDS = 30.0


def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the database in WAL mode (once: the mode stays with the file).

    Changing the journal mode needs the database to itself, and SQLite answers "database is
    locked" at once instead of waiting (its busy handler is not asked): several processes
    opening a new library together retry here until one of them switched it.
    """
    deadline = time.monotonic() + WAL_SWITCH_SECONDS
    delay = 0.01
    while True:
        try:
            (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
            if str(mode).lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


@contextmanager
def rollback_journal_if_alone(conn: sqlite3.Connection) -> Iterator[bool]:
    """While the block runs, the database in rollback-journal mode when this connection is
    the only one open on it (yields True), else left in WAL mode (yields False).

    For one large transaction that mostly adds pages, such as a first snapshot import: in
    WAL mode every page is written twice, to the WAL and then by the checkpoint into the
    database (at a million papers, 2.6 GB more and a 19 s checkpoint after the commit).
    A rollback journal keeps only the pages that existed before, and the new pages are
    written once. A crash leaves a hot journal that the next open rolls back, as it would
    the WAL. WAL mode comes back when the block ends, committed or not.

    SQLite leaves WAL mode only when no other connection has the database open; when one
    does (the window of the app, a command in another process), it answers "locked" at once
    and nothing changes. While the block runs, other processes wait to read (busy timeout).
    """
    if conn.in_transaction:
        yield False
        return
    try:
        (mode,) = conn.execute("PRAGMA journal_mode=DELETE").fetchone()
    except sqlite3.OperationalError:  # another connection has the database open
        yield False
        return
    if str(mode).lower() != "delete":
        yield False
        return
    try:
        yield True
    finally:
        if conn.in_transaction:  # the caller's error left it open: its rollback first
            conn.rollback()
        with suppress(sqlite3.OperationalError):
            # Another process may have opened the database meanwhile; the next open
            # (connect) puts it back in WAL mode if this could not.
            _use_wal(conn)


def quick_check_problems(conn: sqlite3.Connection) -> list[str]:
    """What ``PRAGMA quick_check`` reports; an empty list means no damage was found.

    Raises sqlite3.DatabaseError when the file cannot even be read that far.
    """
    problems = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
    return [] if problems == ["ok"] else problems


def _turn_hook(data_dir: Path) -> Callable[[str], None]:
    """A trace callback: before each ``BEGIN IMMEDIATE``, let a waiting short writer go first
    (see instance_lock.WriteTurn); every other statement passes at the cost of one compare."""
    from desktop.core.instance_lock import pass_turn

    def hook(statement: str) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            pass_turn(data_dir)

    return hook


@contextmanager
def untraced(db: Database) -> Iterator[None]:
    """The connection's statements run without the trace callback a while (a bulk insert's).

    Python hands a trace callback each statement with its parameters written in, so every row
    of an ``executemany`` is expanded to text (an abstract and all). Only ``BEGIN IMMEDIATE``
    needs the hook (see _turn_hook): use this inside a transaction. The hook that connect()
    sets is set again afterwards.
    """
    path = next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), "")
    (query_only,) = db.execute("PRAGMA query_only").fetchone()
    db.conn.set_trace_callback(None)
    try:
        yield
    finally:
        if path and not query_only:
            db.conn.set_trace_callback(_turn_hook(Path(path).parent))


def check_not_newer(db: Database) -> None:
    """Raise NewerDatabaseError when the database has migrations this app does not know."""
    applied = {m.name for m in migrations.applied(db)}
    unknown = sorted(applied - set(known_migration_names()))
    if unknown:
        raise NewerDatabaseError(
            "This library was written by a newer version of Digest Desk "
            f"(unknown migrations: {', '.join(unknown)}). Upgrade the app to open it."
        )


def check_is_ours(db: Database, path: Path | str) -> None:
    """Raise StoreError when the file holds tables but no Digest Desk migrations.

    This keeps the app from adding its tables to some other program's database.
    """
    if migrations.applied(db):
        return
    tables = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    if [t for t in tables if t != Migrations.migrations_table]:
        raise StoreError(
            f"{path} is an SQLite database of some other program, not a Digest Desk library; "
            "it was left as it is."
        )


def applied_migrations(db: Database) -> list[str]:
    """Names of this app's migrations already applied to the database."""
    return [m.name for m in migrations.applied(db)]


def pending_migrations(db: Database) -> list[str]:
    """Names of migrations not yet applied."""
    return [m.name for m in migrations.pending(db)]


def migrate(db: Database) -> list[str]:
    """Apply pending migrations, each in its own transaction; return their names.

    Each step takes the write lock first (``BEGIN IMMEDIATE``) and only then reads what is
    pending, so two processes opening a new library at once never run the same migration:
    the second waits for the first's transaction and then finds that migration applied.
    """
    conn = db.conn
    applied: list[str] = []
    if not pending_migrations(db):
        return applied  # the common case: a read, no write lock (an import may hold it)
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            migrations.ensure_migrations_table(db)
            pending = migrations.pending(db)
            if pending:
                step = pending[0]
                step.fn(db)
                migrations._record_applied(db, step.name)  # noqa: SLF001 - sqlite-utils has no public one
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise
        if not pending:
            return applied
        applied.append(step.name)


def prepare_data_dir(data_dir: Path, database: Path) -> bool:
    """Create the library folder if needed; return True when it can only be read.

    Raises StoreError (one line) when the folder, or one above it, is a file, or when it
    cannot be created.
    """
    from desktop.core.data_dir import DataDirError, check_data_dir, is_read_only

    try:
        check_data_dir(data_dir)
    except DataDirError as exc:
        raise StoreError(str(exc)) from exc
    if is_read_only(data_dir, database):
        return True
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the library folder {data_dir}: {exc.strerror or exc}"
        ) from exc
    return False


def check_readable_as_is(db: Database, data_dir: Path) -> None:
    """Raise ReadOnlyLibraryError when a read-only library would need migrating first."""
    if set(pending_migrations(db)) - READABLE_WITHOUT:
        raise ReadOnlyLibraryError(
            f"the library in {data_dir} needs an upgrade, but this folder is read-only; "
            "open it once where it can be written"
        )

"""The SQLite store: connection settings and the schema as named migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "digest-desk"
migrations = Migrations(MIGRATION_SET)


class StoreError(Exception):
    """The database cannot be used; the message says why in plain words."""


class NewerDatabaseError(StoreError):
    """The database was written by a newer version of Digest Desk."""


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


def known_migration_names() -> list[str]:
    """Names of every migration this version of the app knows, in order."""
    return [m.name for m in migrations._migrations]


def connect(path: Path | str | None) -> Database:
    """Open (or create) the database with WAL, synchronous=FULL and foreign keys on.

    ``None`` opens a private in-memory database. Refuses a file that is not a database, and one
    written by a newer version of the app, without writing to it.
    """
    if path is None:
        db = Database(memory=True)
    else:
        try:
            conn = sqlite3.connect(str(path), timeout=30)
            db = Database(conn)
            db.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path} is not a Digest Desk database ({exc}).") from exc
    check_not_newer(db)
    if path is not None:
        db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=30000")
    return db


def check_not_newer(db: Database) -> None:
    """Raise NewerDatabaseError when the database has migrations this app does not know."""
    applied = {m.name for m in migrations.applied(db)}
    unknown = sorted(applied - set(known_migration_names()))
    if unknown:
        raise NewerDatabaseError(
            "This library was written by a newer version of Digest Desk "
            f"(unknown migrations: {', '.join(unknown)}). Upgrade the app to open it."
        )


def pending_migrations(db: Database) -> list[str]:
    """Names of migrations not yet applied."""
    return [m.name for m in migrations.pending(db)]


def migrate(db: Database) -> list[str]:
    """Apply pending migrations, each in its own transaction; return their names."""
    names = pending_migrations(db)
    if names:
        migrations.apply(db)
    return names

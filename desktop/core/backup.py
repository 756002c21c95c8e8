"""Rotating, verified backups of the library database, and restoring one of them.

Backups are full copies made with SQLite's online backup API into ``<data dir>/backups/``.
Each copy is written to a temporary file, checked with ``PRAGMA integrity_check``, and only
then renamed into place; the oldest backups of the same kind are removed after that, so a bad
copy never replaces a good one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from desktop.core import store
from desktop.core.search.index import INDEX_DIR

BACKUP_DIR = "backups"
DB_FILE = "library.sqlite3"
# How many backups of each kind are kept; the newest ones win.
KEEP = {"daily": 7, "pre-migration": 3, "manual": 5}
_NAME = re.compile(r"^library-(\d{8}T\d{6}\.\d{6}Z)-([a-z-]+)\.sqlite3$")
_STAMP = "%Y%m%dT%H%M%S.%fZ"
# Temporary copies older than this were left by a killed backup or restore.
STALE_SECONDS = 3600.0

Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class BackupError(store.StoreError):
    """A backup could not be made or a file cannot be restored; the message says why."""


@dataclass(frozen=True)
class BackupInfo:
    """One backup file: where it is, when it was taken (UTC) and why."""

    path: Path
    taken_at: dt.datetime
    reason: str


def backup_dir(data_dir: Path) -> Path:
    """The folder holding the backups of the library in ``data_dir``."""
    return Path(data_dir) / BACKUP_DIR


def list_backups(data_dir: Path) -> list[BackupInfo]:
    """Every backup of the library in ``data_dir``, newest first."""
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match and path.is_file():
            taken = dt.datetime.strptime(match.group(1), _STAMP).replace(tzinfo=dt.UTC)
            found.append(BackupInfo(path, taken, match.group(2)))
    found.sort(key=lambda b: b.taken_at, reverse=True)
    return found


def latest_backup(data_dir: Path) -> Path | None:
    """The newest backup of the library in ``data_dir``, or None when there is none."""
    backups = list_backups(data_dir)
    return backups[0].path if backups else None


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """What ``PRAGMA integrity_check`` reports; an empty list means the database is sound."""
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def _remove_with_sidecars(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _remove_stale(folder: Path, prefix: str, *, age: float = STALE_SECONDS) -> None:
    """Remove temporary copies left by a backup or restore that was killed (old ones only,
    so that one running in another process right now is left alone)."""
    now = dt.datetime.now().timestamp()
    for path in folder.glob(f"{prefix}*"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > age:
                path.unlink()


def _copy_verified(source: sqlite3.Connection, target: Path) -> None:
    """Copy ``source`` into the new file ``target`` with the backup API and verify the copy.

    The copy is left in rollback-journal mode, so it is one self-contained file. On any
    failure the partial file is removed and BackupError is raised.
    """
    try:
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")
            problems = integrity_problems(dest)
        finally:
            dest.close()
    except sqlite3.Error as exc:
        _remove_with_sidecars(target)
        raise BackupError(f"could not write a backup to {target} ({exc})") from exc
    except OSError as exc:
        _remove_with_sidecars(target)
        raise BackupError(f"could not write a backup to {target} ({exc})") from exc
    if problems:
        _remove_with_sidecars(target)
        raise store.CorruptDatabaseError(
            None, "the integrity check of its backup copy failed: " + "; ".join(problems[:3])
        )


def take_backup(
    db: Database, data_dir: Path, reason: str = "manual", *, clock: Clock = _utc_now
) -> Path:
    """Back up the open database into ``data_dir``/backups and rotate old backups of that kind.

    The copy is verified with ``integrity_check`` before it is renamed into place and before
    any older backup is removed. Raises CorruptDatabaseError when the copy is damaged (so the
    live database is), and BackupError when it cannot be written.
    """
    if reason not in KEEP:
        raise ValueError(f"unknown backup reason {reason!r}")
    folder = backup_dir(data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"could not create the backup folder {folder} ({exc})") from exc
    when = clock()
    final = folder / f"library-{when.strftime(_STAMP)}-{reason}.sqlite3"
    while final.exists():  # two backups in the same microsecond: move one on
        when += dt.timedelta(microseconds=1)
        final = folder / f"library-{when.strftime(_STAMP)}-{reason}.sqlite3"
    _remove_stale(folder, ".partial-")
    partial = folder / f".partial-{os.getpid()}-{final.name}"
    _remove_with_sidecars(partial)
    _copy_verified(db.conn, partial)
    try:
        os.replace(partial, final)
    except OSError as exc:
        _remove_with_sidecars(partial)
        raise BackupError(f"could not write a backup to {final} ({exc})") from exc
    _rotate(data_dir, reason)
    return final


def _rotate(data_dir: Path, reason: str) -> None:
    same_kind = [b for b in list_backups(data_dir) if b.reason == reason]
    for old in same_kind[KEEP[reason] :]:
        old.path.unlink(missing_ok=True)


def daily_backup_due(data_dir: Path, *, clock: Clock = _utc_now) -> bool:
    """True when no backup of any kind was taken in the last 24 hours."""
    backups = list_backups(data_dir)
    return not backups or clock() - backups[0].taken_at >= dt.timedelta(hours=24)


def daily_backup(db: Database, data_dir: Path, *, clock: Clock = _utc_now) -> Path | None:
    """Take the daily backup if one is due; return its path, or None if none was due."""
    if not daily_backup_due(data_dir, clock=clock):
        return None
    return take_backup(db, data_dir, "daily", clock=clock)


def check_restorable(path: Path) -> None:
    """Raise BackupError unless ``path`` is a sound Digest Desk database this app can open.

    The file is opened read-only and never written.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened ({exc})") from exc
    try:
        _check_library(conn, path)
    finally:
        conn.close()


def _check_library(conn: sqlite3.Connection, path: Path) -> None:
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a Digest Desk database ({exc})") from exc
    problems = integrity_problems(conn)
    if problems:
        raise BackupError(f"{path} is damaged: {'; '.join(problems[:3])}")
    if "_sqlite_migrations" not in tables or "papers" not in tables:
        raise BackupError(f"{path} is not a Digest Desk database (it has no papers table)")
    applied = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [store.MIGRATION_SET]
        )
    }
    if not applied:
        raise BackupError(f"{path} is not a Digest Desk database (no Digest Desk migrations)")
    unknown = sorted(applied - set(store.known_migration_names()))
    if unknown:
        raise BackupError(
            f"{path} was written by a newer version of Digest Desk (unknown migrations: "
            f"{', '.join(unknown)}); upgrade the app to restore it"
        )


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the file now in use, and where the previous database was moved."""

    restored_from: Path
    database: Path
    previous: Path | None


def restore_backup(data_dir: Path, source: Path, *, clock: Clock = _utc_now) -> RestoreResult:
    """Make ``source`` the library database of ``data_dir``.

    The caller must hold the instance lock and have closed the library. ``source`` is checked
    (sound, a Digest Desk database, not from a newer version) and copied, never moved or
    written; the current database and its WAL are moved aside, never deleted. The search
    index, derived from the old database, is removed for the next start to rebuild.
    """
    data_dir = Path(data_dir)
    source = Path(source)
    check_restorable(source)
    data_dir.mkdir(parents=True, exist_ok=True)
    database = data_dir / DB_FILE
    stamp = clock().strftime(_STAMP)
    _remove_stale(data_dir, ".restore-")
    staged = data_dir / f".restore-{os.getpid()}-{stamp}.sqlite3"
    _remove_with_sidecars(staged)
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _copy_verified(src, staged)
        finally:
            src.close()
    except store.CorruptDatabaseError as exc:
        raise BackupError(f"{source} is damaged ({exc.detail})") from exc
    except sqlite3.Error as exc:
        _remove_with_sidecars(staged)
        raise BackupError(f"could not copy {source} ({exc})") from exc
    previous: Path | None = None
    moved: list[str] = []
    try:
        if database.exists():
            previous = data_dir / f"{DB_FILE}.before-restore-{stamp}"
            # Keep the old file under its new name first (a hard link, else a copy), so that
            # a crash at any moment leaves a library.sqlite3 in place: the old or the new one.
            try:
                os.link(database, previous)
            except OSError:
                shutil.copy2(database, previous)
            # A WAL left by a crash belongs to the old database (never written to here): it
            # moves with it, keeping SQLite's "<name>-wal" pairing so the old file stays whole.
            for suffix in ("-wal", "-shm"):
                side = Path(f"{database}{suffix}")
                if side.exists():
                    os.replace(side, Path(f"{previous}{suffix}"))
                    moved.append(suffix)
        os.replace(staged, database)  # atomic: the new database replaces the old in one step
    except OSError as exc:
        for suffix in moved:  # the old database stays in use: give it its WAL back
            with contextlib.suppress(OSError):
                os.replace(Path(f"{previous}{suffix}"), Path(f"{database}{suffix}"))
        if previous is not None and database.exists():
            previous.unlink(missing_ok=True)
        _remove_with_sidecars(staged)
        raise BackupError(f"could not put {source} in place ({exc})") from exc
    # The search index describes the old database (ids may now mean other papers): it is
    # derived data, so it goes, and the next start rebuilds it from the restored database.
    shutil.rmtree(data_dir / INDEX_DIR, ignore_errors=True)
    return RestoreResult(source, database, previous)

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
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from desktop.core import store, temp_files

# The search index folder (desktop.core.search.index.INDEX_DIR; a test keeps the two equal):
# named here so that backups and restores need not import the search engine.
INDEX_DIR = "index"

BACKUP_DIR = "backups"
# Where rotation puts a backup it would otherwise delete while it holds more papers than any
# backup that stays (the library shrank: a mistake, or an empty database opened by accident).
KEPT_DIR = "kept"
DB_FILE = "library.sqlite3"
# How many backups of each kind are kept; the newest ones win.
KEEP = {"daily": 7, "pre-migration": 3, "manual": 5}
_NAME = re.compile(r"^library-(\d{8}T\d{6}\.\d{6}Z)-([a-z-]+)\.sqlite3$")
_STAMP = "%Y%m%dT%H%M%S.%fZ"
# Temporary copies older than this were left by a killed backup or restore.
STALE_SECONDS = temp_files.STALE_SECONDS
PARTIAL_PREFIX = ".partial-"
RESTORE_PREFIX = ".restore-"

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
            taken = _stamp_time(match.group(1))
            found.append(BackupInfo(path, taken, match.group(2)))
    found.sort(key=lambda b: b.taken_at, reverse=True)
    return found


def _stamp_time(stamp: str) -> dt.datetime:
    """The time of a backup's name stamp (``_STAMP``, as ``_NAME`` matched it), read without
    ``strptime``, whose first call costs 4 ms of a command's start."""
    year, month, day = int(stamp[0:4]), int(stamp[4:6]), int(stamp[6:8])
    hour, minute, second = int(stamp[9:11]), int(stamp[11:13]), int(stamp[13:15])
    return dt.datetime(year, month, day, hour, minute, second, int(stamp[16:22]), tzinfo=dt.UTC)


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
    """Remove temporary copies left by a backup or restore that was killed (those of a
    process that is gone, or old ones, so one running in another process is left alone)."""
    temp_files.remove_stale(folder, prefix, age=age)


def remove_stale_copies(data_dir: Path) -> None:
    """Clean the temporary copies killed backups and restores left in ``data_dir``."""
    _remove_stale(Path(data_dir), RESTORE_PREFIX)
    _remove_stale(backup_dir(data_dir), PARTIAL_PREFIX)


class MissingDatabaseError(store.StoreError):
    """The database is missing or empty where a library was (its backups or index remain)."""


def newest_good_backup(data_dir: Path) -> Path | None:
    """The newest backup that passes the restore checks, or None."""
    for info in list_backups(data_dir):
        try:
            check_restorable(info.path)
        except BackupError:
            continue
        return info.path
    return None


def check_database_present(data_dir: Path, database: Path) -> None:
    """Raise MissingDatabaseError when ``database`` is missing or empty (0 bytes, no WAL)
    while ``data_dir`` holds backups or a search index: a lost library, never a new one."""
    if database.is_file() and database.stat().st_size > 0:
        return
    wal = Path(f"{database}-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        return  # SQLite reads the database from its WAL
    index = Path(data_dir) / INDEX_DIR
    has_index = index.is_dir() and any(index.iterdir())
    backups = list_backups(data_dir)
    if not backups and not has_index:
        return
    state = "is empty (0 bytes)" if database.exists() else "is missing"
    message = (
        f"the library database {database} {state}, but this folder held a library "
        f"({'its backups' if backups else 'its search index'} are still there); "
        "nothing was changed. "
    )
    good = newest_good_backup(data_dir) if backups else None
    if good is not None:
        message += (
            f"The newest good backup is {good}; restore it with: "
            f'digest-desk --data-dir "{data_dir}" restore "{good}"'
        )
    elif backups:
        message += f"None of the backups in {backup_dir(data_dir)} passes its checks."
    else:
        message += (
            f"No backup was found. If the library moved, point --data-dir at it; to start a "
            f"new, empty library here, remove the folder {index}."
        )
    raise MissingDatabaseError(message)


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
    db: Database,
    data_dir: Path,
    reason: str = "manual",
    *,
    clock: Clock | None = None,
    notices: list[str] | None = None,
) -> Path:
    """Back up the open database into ``data_dir``/backups and rotate old backups of that kind.

    The copy is verified with ``integrity_check`` before it is renamed into place and before
    any older backup is removed. Raises CorruptDatabaseError when the copy is damaged (so the
    live database is), and BackupError when it cannot be written. A backup that rotation
    keeps aside (see :func:`_rotate`) is reported in ``notices``.
    """
    if reason not in KEEP:
        raise ValueError(f"unknown backup reason {reason!r}")
    folder = backup_dir(data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"could not create the backup folder {folder} ({exc})") from exc
    when = (clock or _utc_now)()
    final = folder / f"library-{when.strftime(_STAMP)}-{reason}.sqlite3"
    while final.exists():  # two backups in the same microsecond: move one on
        when += dt.timedelta(microseconds=1)
        final = folder / f"library-{when.strftime(_STAMP)}-{reason}.sqlite3"
    _remove_stale(folder, PARTIAL_PREFIX)
    partial = folder / f"{temp_files.temp_prefix(PARTIAL_PREFIX)}{final.name}"
    _remove_with_sidecars(partial)
    _copy_verified(db.conn, partial)
    try:
        os.replace(partial, final)
    except OSError as exc:
        _remove_with_sidecars(partial)
        raise BackupError(f"could not write a backup to {final} ({exc})") from exc
    said = _rotate(data_dir, reason, final)
    if notices is not None:
        notices.extend(said)
    return final


def paper_count(path: Path) -> int | None:
    """How many papers the database file at ``path`` holds (None when it cannot be read)."""
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return int(conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _rotate(data_dir: Path, reason: str, newest: Path) -> list[str]:
    """Remove the oldest backups of ``reason`` beyond KEEP; return notices.

    A backup holding more papers than ``newest`` and than every backup that stays is moved
    to ``backups/kept/`` instead of being removed: the library shrank, and this may be the
    only copy of what it lost.
    """
    notices: list[str] = []
    backups = list_backups(data_dir)
    same_kind = [b for b in backups if b.reason == reason]
    going = same_kind[KEEP[reason] :]
    if not going:
        return notices
    staying = [b for b in backups if b not in going]
    new_count = paper_count(newest) or 0
    best_staying: int | None = None
    for old in going:
        old_count = paper_count(old.path)
        if old_count is not None and old_count > new_count:
            if best_staying is None:
                best_staying = max((paper_count(b.path) or 0 for b in staying), default=0)
            if old_count > best_staying:
                kept = backup_dir(data_dir) / KEPT_DIR
                try:
                    kept.mkdir(exist_ok=True)
                    os.replace(old.path, kept / old.path.name)
                except OSError as exc:
                    notices.append(
                        f"The backup {old.path} holds {old_count} papers, more than the "
                        f"library now ({new_count}); it was kept, not rotated out ({exc})."
                    )
                    continue
                best_staying = old_count
                notices.append(
                    f"The backup {old.path.name} holds {old_count} papers, more than the "
                    f"library now ({new_count}); it was kept aside in {kept} instead of being "
                    "deleted by the rotation."
                )
                continue
        old.path.unlink(missing_ok=True)
    return notices


def daily_backup_due(data_dir: Path, *, clock: Clock | None = None) -> bool:
    """True when no backup of any kind was taken in the last 24 hours."""
    backups = list_backups(data_dir)
    return not backups or (clock or _utc_now)() - backups[0].taken_at >= dt.timedelta(hours=24)


def daily_backup(
    db: Database, data_dir: Path, *, clock: Clock | None = None, notices: list[str] | None = None
) -> Path | None:
    """Take the daily backup if one is due; return its path, or None if none was due."""
    if not daily_backup_due(data_dir, clock=clock):
        return None
    return take_backup(db, data_dir, "daily", clock=clock, notices=notices)


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


def restore_backup(data_dir: Path, source: Path, *, clock: Clock | None = None) -> RestoreResult:
    """Make ``source`` the library database of ``data_dir``.

    The caller must hold the instance lock and have closed the library. ``source`` is checked
    (sound, a Digest Desk database, not from a newer version) and copied, never moved or
    written; the current database and its WAL are moved aside, never deleted. The search
    index, derived from the old database, is removed for the next start to rebuild.
    """
    import shutil  # only here: with the compression modules it loads, 3 ms of each start

    data_dir = Path(data_dir)
    source = Path(source)
    check_restorable(source)
    data_dir.mkdir(parents=True, exist_ok=True)
    database = data_dir / DB_FILE
    stamp = (clock or _utc_now)().strftime(_STAMP)
    _remove_stale(data_dir, RESTORE_PREFIX)
    staged = data_dir / f"{temp_files.temp_prefix(RESTORE_PREFIX)}{stamp}.sqlite3"
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
            # So does a hot rollback journal (a large import cut short, see
            # store.rollback_journal_if_alone), which would otherwise be played back into the
            # restored database at its next open.
            for suffix in ("-wal", "-shm", "-journal"):
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


def open_database(
    data_dir: Path, *, backups: bool = True, daily: bool = True, check: bool = True
) -> tuple[Database, list[str]]:
    """Open the library database in ``data_dir`` as Library.open does; (db, notices).

    Creates the folder and a new library when there is none; refuses a lost one (see
    :func:`check_database_present`); opens a folder this process cannot write read-only;
    cleans temporary copies of killed backups and restores; takes the pre-migration backup,
    migrates, and (``daily``) takes the daily backup. A damaged database raises
    CorruptDatabaseError offering the latest backup, and is never written to. Without
    ``check``, the page-by-page ``quick_check`` is left to the caller (integrity.py).
    """
    data_dir = Path(data_dir)
    path = data_dir / DB_FILE
    read_only = store.prepare_data_dir(data_dir, path)
    check_database_present(data_dir, path)
    notices: list[str] = []
    try:
        db = store.connect(path, read_only=read_only, check=check)
        try:
            existed = bool(store.applied_migrations(db))
            if read_only:
                store.check_readable_as_is(db, data_dir)
            else:
                remove_stale_copies(data_dir)
                if backups and existed and store.pending_migrations(db):
                    take_backup(db, data_dir, "pre-migration", notices=notices)
                store.migrate(db)
            # A library created just now has nothing to keep.
            if backups and existed and daily and not read_only:
                try:
                    daily_backup(db, data_dir, notices=notices)
                except BackupError as exc:
                    notices.append(f"The daily backup was not taken: {exc}")
        except BaseException:
            db.close()
            raise
    except store.CorruptDatabaseError as exc:
        raise store.CorruptDatabaseError(path, exc.detail, latest_backup(data_dir)) from exc
    return db, notices

"""The integrity check of the library database, off the start-up's critical path.

``PRAGMA quick_check`` reads every page of the database: about 1.2 s with a cold page cache at
100,000 papers, ten times that at a million. Opening a library ran it every time, before the
window could show. Now a caller that runs start-up work in the background (the GUI: it opens
with ``defer_daily_backup``) opens without it, and the check runs in that background job
(:meth:`Library.take_daily_backup <desktop.core.library.Library.take_daily_backup>`), on a
connection of its own, whenever it is *due*:

- the last session did not end cleanly: each open leaves a session marker
  ``.session-<pid>-<random>`` in the library folder and a clean close removes it, so a marker
  of a process that is gone means a crash, a kill or a power cut;
- the database file changed outside our sessions: a clean close records the file's size and
  modification time, and another size or time found by the next open, before it writes
  anything (a restore, a copy, another program), makes the check due;
- the last check found damage, there is no record of one, or it is older than
  ``CHECK_INTERVAL`` (a day): damage that comes without any write (a failing disk) is caught
  within a day. The daily backup's ``integrity_check`` of its copy (backup.py) reads the
  whole file once a day too.

What is still checked at open, at once: that the file is an SQLite database of this app and
not of a newer version (store.connect), which refuses a file whose header is damaged. A damaged
file found by the background check raises CorruptDatabaseError offering the latest backup;
the check writes nothing to the database. Callers that do not defer (the command line, tests)
still run ``quick_check`` at open, as before.

The record is ``integrity.json`` in the library folder (replaced whole, by a rename).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core import store, temp_files
from desktop.core.backup import DB_FILE, latest_backup

RECORD_FILE = "integrity.json"
RECORD_TEMP_PREFIX = ".integrity-"
SESSION_PREFIX = ".session-"
CHECK_INTERVAL = dt.timedelta(days=1)

Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Session:
    """One open library's session marker (removed by :func:`end_session`)."""

    marker: Path
    database: Path


def _record_path(data_dir: Path) -> Path:
    return Path(data_dir) / RECORD_FILE


def read_record(data_dir: Path) -> dict[str, Any]:
    """The integrity record of the library in ``data_dir`` ({} when none or unreadable)."""
    try:
        value = json.loads(_record_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _update_record(data_dir: Path, **changes: Any) -> None:
    record = read_record(data_dir)
    record.update(changes)
    # Written through a temporary file and a rename, but not synced: a record lost in a crash
    # only means the next start checks again (an unreadable record makes the check due).
    target = _record_path(data_dir)
    temp = target.with_name(f"{temp_files.temp_prefix(RECORD_TEMP_PREFIX)}{target.name}")
    try:
        temp.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        os.replace(temp, target)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()


def file_state(database: Path) -> list[int] | None:
    """The database file's size and modification time (None when it cannot be read)."""
    return _file_state(database)


def _file_state(database: Path) -> list[int] | None:
    try:
        info = database.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def _pid_of(name: str) -> int | None:
    head = name[len(SESSION_PREFIX) :].split("-", 1)[0]
    return int(head) if head.isdigit() else None


def begin_session(data_dir: Path, database: Path, state_before: list[int] | None) -> Session | None:
    """Leave this open's session marker; note a check as due when a marker of a process that
    is gone says the last session did not end cleanly, or when the file as found before the
    open (``state_before``, from :func:`file_state`) is not as the last clean close left it.
    None when the folder cannot be written.
    """
    data_dir = Path(data_dir)
    record = read_record(data_dir)
    if record.get("closed_state") != state_before and not record.get("changed_outside"):
        _update_record(data_dir, changed_outside=True)
    try:
        names = os.listdir(data_dir)
    except OSError:
        return None
    crashed = [
        n
        for n in names
        if n.startswith(SESSION_PREFIX)
        and (pid := _pid_of(n)) is not None
        and pid != os.getpid()
        and not temp_files.pid_alive(pid)
    ]
    if crashed:
        _update_record(data_dir, unclean_shutdown=True)
        for name in crashed:
            with contextlib.suppress(OSError):
                (data_dir / name).unlink()
    marker = data_dir / f"{SESSION_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
    try:
        marker.touch(exist_ok=False)
    except OSError:
        return None
    return Session(marker, Path(database))


def abandon_session(session: Session | None) -> None:
    """An open that failed: remove its marker without recording a clean close."""
    if session is not None:
        with contextlib.suppress(OSError):
            session.marker.unlink()


def end_session(session: Session | None) -> None:
    """A clean close (after the database connection is closed): remove the marker and record
    the database file's size and time, which the next start compares."""
    if session is None:
        return
    try:
        session.marker.unlink()
    except OSError:
        return
    state = _file_state(session.database)
    if read_record(session.marker.parent).get("closed_state") != state:  # a read left it as is
        _update_record(session.marker.parent, closed_state=state)


def _live_sessions(data_dir: Path) -> bool:
    """True when another running process has the library open (its writes explain a change)."""
    try:
        names = os.listdir(data_dir)
    except OSError:
        return False
    return any(
        n.startswith(SESSION_PREFIX)
        and (pid := _pid_of(n)) is not None
        and pid != os.getpid()
        and temp_files.pid_alive(pid)
        for n in names
    )


def _changed_since_clean_close(data_dir: Path, record: dict[str, Any]) -> bool:
    """The file is not as the last clean close left it, and no open session explains it
    (what begin_session records as ``changed_outside``, seen before any open)."""
    closed = record.get("closed_state")
    if closed is None or closed == _file_state(data_dir / DB_FILE):
        return False
    return not _live_sessions(data_dir)


def check_due(data_dir: Path, *, clock: Clock | None = None) -> bool:
    """Whether the background integrity check should run now (see the module docstring)."""
    data_dir = Path(data_dir)
    record = read_record(data_dir)
    if record.get("unclean_shutdown") or record.get("changed_outside") or record.get("problems"):
        return True
    if _changed_since_clean_close(data_dir, record):
        return True
    try:
        checked = dt.datetime.fromisoformat(str(record["checked_at"]))
    except (KeyError, ValueError):
        return True
    return (clock or _utc_now)() - checked >= CHECK_INTERVAL


def _reading_connection(database: Path) -> sqlite3.Connection:
    """A connection for the check that writes nothing to the database. A plain connection
    where the folder can be written (being the last to close, it removes the -wal and -shm
    files it made, as a read-only one cannot); else a read-only one (store.open_read_only)."""
    if os.access(database.parent, os.W_OK):
        conn = sqlite3.connect(str(database), timeout=store.BUSY_TIMEOUT_SECONDS)
        conn.execute("PRAGMA query_only=ON")
        return conn
    return store.open_read_only(database)


def run_check(data_dir: Path, *, clock: Clock | None = None) -> list[str]:
    """Run ``PRAGMA quick_check`` on a read-only connection of its own and record the outcome;
    returns the problems ([] when sound). Never writes to the database."""
    data_dir = Path(data_dir)
    database = data_dir / DB_FILE
    started = (clock or _utc_now)()
    try:
        conn = _reading_connection(database)
    except store.ReadOnlyLibraryError:
        return []  # cannot be read safely now; opening the library refuses it the same way
    except sqlite3.Error as exc:
        if store.is_busy(exc):
            return []  # another process is writing: not checked, so still due
        problems = [str(exc)]
    else:
        try:
            problems = store.quick_check_problems(conn)
        except sqlite3.DatabaseError as exc:
            if store.is_busy(exc):
                # A writer in a rollback journal (a large import) held the lock past the
                # timeout: nothing was learnt about the file, nothing is recorded.
                return []
            problems = [str(exc)]
        finally:
            conn.close()
    changes: dict[str, Any] = {"checked_at": started.isoformat(), "problems": problems[:10]}
    if not problems:
        changes["unclean_shutdown"] = False
        changes["changed_outside"] = False
    _update_record(data_dir, **changes)
    return problems


def check_if_due(data_dir: Path, *, clock: Clock | None = None) -> bool:
    """Run the check when due; raise CorruptDatabaseError (offering the latest backup) when it
    finds damage. Returns whether it ran."""
    if not check_due(data_dir, clock=clock):
        return False
    problems = run_check(data_dir, clock=clock)
    if problems:
        database = Path(data_dir) / DB_FILE
        raise store.CorruptDatabaseError(
            database, "; ".join(problems[:3]), latest_backup(Path(data_dir))
        )
    return True

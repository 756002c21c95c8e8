"""The integrity check left out of a deferred open still catches a damaged database: after an
unclean shutdown, after the file changed outside our sessions, and at least once a day."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core import integrity, store
from desktop.core.library import DB_FILE, Library

PAGE = 16384


def damage_pages(path: Path) -> None:
    """Overwrite a run of pages in the middle of the file, keeping its size and time."""
    before = path.stat()
    data = bytearray(path.read_bytes())
    middle = len(data) // PAGE // 2
    data[middle * PAGE : (middle + 3) * PAGE] = b"\xa5" * (3 * PAGE)
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def quick_check(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return store.quick_check_problems(conn)
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()


def close_cleanly(data_dir: Path) -> None:
    """Open, check and close the library the way the app does, leaving nothing due."""
    Library.open(data_dir, backups=False, defer_daily_backup=True).close()
    integrity.check_if_due(data_dir)
    Library.open(data_dir, backups=False, defer_daily_backup=True).close()
    assert not integrity.check_due(data_dir)


def count_quick_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on, each page-by-page check appends to the list returned."""
    ran: list[int] = []
    real = store.quick_check_problems

    def counting(conn: sqlite3.Connection) -> list[str]:
        ran.append(1)
        return real(conn)

    monkeypatch.setattr(store, "quick_check_problems", counting)
    return ran


def test_a_deferred_open_skips_the_check_and_the_background_job_runs_it(
    seeded_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    close_cleanly(seeded_dir)
    ran = count_quick_checks(monkeypatch)
    Library.open(seeded_dir, backups=False, defer_daily_backup=True).close()
    assert ran == []  # not on the start's critical path, and nothing was due
    Library.open(seeded_dir, backups=False).close()
    assert ran == [1]  # an open that does not defer still checks
    assert [p.name for p in seeded_dir.iterdir() if p.name.startswith(".session-")] == []


def test_a_file_damaged_outside_our_sessions_is_caught_by_the_background_check(
    seeded_dir: Path,
) -> None:
    Library.open(seeded_dir).close()  # a daily backup to offer
    close_cleanly(seeded_dir)
    db_path = seeded_dir / DB_FILE
    data = bytearray(db_path.read_bytes())
    middle = len(data) // PAGE // 2
    data[middle * PAGE : (middle + 3) * PAGE] = b"\xa5" * (3 * PAGE)
    db_path.write_bytes(bytes(data))  # another program wrote it: size or time differ
    assert quick_check(db_path) != []
    damaged = db_path.read_bytes()

    lib = Library.open(seeded_dir, backups=False, defer_daily_backup=True)  # the window shows
    lib.close()
    with pytest.raises(store.CorruptDatabaseError) as info:
        Library.take_daily_backup(seeded_dir)  # the background job after the first paint
    assert info.value.path == db_path and info.value.backup is not None
    assert "digest-desk restore" in str(info.value)
    assert db_path.read_bytes() == damaged  # the check wrote nothing
    # Until it is repaired, every start's background check reports it again.
    assert integrity.check_due(seeded_dir)
    with pytest.raises(store.CorruptDatabaseError):
        integrity.check_if_due(seeded_dir)


def crash_with_the_library_open(data_dir: Path) -> None:
    """A process that opens the library and dies without closing it."""
    script = (
        "import os, sys; from pathlib import Path; from desktop.core.library import Library; "
        "Library.open(Path(sys.argv[1]), backups=False, defer_daily_backup=True); os._exit(0)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    subprocess.run([sys.executable, "-c", script, str(data_dir)], check=True, env=env)
    assert [p for p in data_dir.iterdir() if p.name.startswith(".session-")]


def test_an_unclean_shutdown_makes_the_check_due(seeded_dir: Path) -> None:
    close_cleanly(seeded_dir)
    crash_with_the_library_open(seeded_dir)
    with Library.open(seeded_dir, backups=False, defer_daily_backup=True):
        assert integrity.check_due(seeded_dir)
        assert integrity.check_if_due(seeded_dir) is True  # sound: it passes
    assert not integrity.check_due(seeded_dir)
    assert [p for p in seeded_dir.iterdir() if p.name.startswith(".session-")] == []


def test_damage_after_an_unclean_shutdown_is_refused_at_open_or_by_the_check(
    seeded_dir: Path,
) -> None:
    close_cleanly(seeded_dir)
    crash_with_the_library_open(seeded_dir)
    damage_pages(seeded_dir / DB_FILE)  # the crash tore pages; size and time look unchanged
    # After a crash the index compares every paper with SQLite: when that reads the damaged
    # pages the open refuses the file; when they hold other tables, the open succeeds and the
    # background check (due after the crash) refuses it.
    with contextlib.suppress(store.CorruptDatabaseError):
        Library.open(seeded_dir, backups=False, defer_daily_backup=True).close()
    assert integrity.check_due(seeded_dir)
    with pytest.raises(store.CorruptDatabaseError):
        integrity.check_if_due(seeded_dir)
    assert [p for p in seeded_dir.iterdir() if p.name.startswith(".session-")] == []


def test_damage_without_any_write_is_caught_within_a_day(seeded_dir: Path) -> None:
    close_cleanly(seeded_dir)
    damage_pages(seeded_dir / DB_FILE)  # a failing disk: no write of ours, same size and time
    assert quick_check(seeded_dir / DB_FILE) != []
    Library.open(seeded_dir, backups=False, defer_daily_backup=True).close()
    assert not integrity.check_due(seeded_dir)
    later = dt.datetime.now(dt.UTC) + integrity.CHECK_INTERVAL + dt.timedelta(minutes=1)
    assert integrity.check_due(seeded_dir, clock=lambda: later)
    with pytest.raises(store.CorruptDatabaseError):
        integrity.check_if_due(seeded_dir, clock=lambda: later)


def test_a_sound_library_passes_and_records_it(seeded_dir: Path) -> None:
    Library.open(seeded_dir, backups=False, defer_daily_backup=True).close()
    assert integrity.check_if_due(seeded_dir) is True
    record = integrity.read_record(seeded_dir)
    assert record["problems"] == [] and record["unclean_shutdown"] is False
    assert integrity.check_if_due(seeded_dir) is False  # nothing due until something happens


def test_cli_commands_check_only_when_due_and_refuse_a_file_damaged_outside(
    seeded_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.cli import main

    ran = count_quick_checks(monkeypatch)
    args = ["--data-dir", str(seeded_dir)]
    assert main([*args, "stats"]) == 0  # no record yet: checked once
    assert main([*args, "mark", "1", "--star"]) == 0
    assert main([*args, "stats"]) == 0
    assert len(ran) == 1, "a command runs the page-by-page check only when it is due"
    db_path = seeded_dir / DB_FILE
    data = bytearray(db_path.read_bytes())
    middle = len(data) // PAGE // 2
    data[middle * PAGE : (middle + 3) * PAGE] = b"\xa5" * (3 * PAGE)
    db_path.write_bytes(bytes(data))  # another program wrote it
    damaged = db_path.read_bytes()
    capsys.readouterr()
    assert main([*args, "stats"]) != 0
    assert "damaged" in capsys.readouterr().err
    assert db_path.read_bytes() == damaged


def test_a_background_job_checks_only_when_due(
    seeded_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    close_cleanly(seeded_dir)
    ran = count_quick_checks(monkeypatch)
    Library.open_for_job(seeded_dir).close()
    assert ran == [], "an import job opening the library runs no quick_check when none is due"
    damage_pages(seeded_dir / DB_FILE)
    os.utime(seeded_dir / DB_FILE)  # changed outside our sessions: the check is due
    with pytest.raises(store.CorruptDatabaseError):
        Library.open_for_job(seeded_dir)
    assert ran == [1]


def test_a_close_that_left_the_file_as_recorded_writes_no_record(
    seeded_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reading command's close finds the file as the record has it: nothing to rewrite
    (a rename per command); a close after a write records the new state."""
    with Library.open(seeded_dir, defer_integrity_check=True):
        pass
    state = integrity.file_state(seeded_dir / DB_FILE)
    assert integrity.read_record(seeded_dir)["closed_state"] == state
    writes: list[dict[str, object]] = []
    update = integrity._update_record  # noqa: SLF001 - counting the record's writes
    monkeypatch.setattr(
        integrity, "_update_record", lambda d, **c: (writes.append(c), update(d, **c))
    )
    with Library.open(seeded_dir, defer_integrity_check=True) as lib:
        assert lib.views.counts()["all"].total == 286
    assert writes == [] and integrity.read_record(seeded_dir)["closed_state"] == state
    with Library.open(seeded_dir, defer_integrity_check=True) as lib:
        lib.triage.set_starred([1])
    after = integrity.file_state(seeded_dir / DB_FILE)
    assert writes == [{"closed_state": after}]
    assert integrity.read_record(seeded_dir)["closed_state"] == after

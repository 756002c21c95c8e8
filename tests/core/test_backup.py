"""Backups: verified copies with the backup API, rotation, daily and pre-migration, restore."""

from __future__ import annotations

import datetime as dt
import io
import os
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from desktop.cli import main
from desktop.core import backup, store
from desktop.core.instance_lock import InstanceLock
from desktop.core.library import DB_FILE, Library


def _papers(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0])
    finally:
        conn.close()


def _clock(start: dt.datetime):  # type: ignore[no-untyped-def]
    """A clock that moves one hour on at every call."""
    state = {"now": start}

    def now() -> dt.datetime:
        state["now"] += dt.timedelta(hours=1)
        return state["now"]

    return now


def _cli(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(args, out=out), out.getvalue()


def _add_future_migration(monkeypatch: pytest.MonkeyPatch, name: str, fn) -> None:  # type: ignore[no-untyped-def]
    """Register one more migration for this test only."""
    extra = store.Migrations._Migration(name, fn)  # noqa: SLF001 - sqlite-utils' registry
    registered = store.migrations._migrations  # noqa: SLF001
    monkeypatch.setattr(store.migrations, "_migrations", [*registered, extra])


def test_backup_is_a_verified_self_contained_copy(seeded: Library) -> None:
    assert seeded.data_dir is not None
    path = backup.take_backup(seeded.db, seeded.data_dir, "manual")
    assert path.parent == seeded.data_dir / "backups"
    assert _papers(path) == 286
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert not list(path.parent.glob(".partial-*"))
    assert backup.latest_backup(seeded.data_dir) == path


def test_rotation_keeps_the_newest_of_each_kind(seeded: Library) -> None:
    assert seeded.data_dir is not None
    for old in backup.list_backups(seeded.data_dir):
        old.path.unlink()
    clock = _clock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    daily = [backup.take_backup(seeded.db, seeded.data_dir, "daily", clock=clock) for _ in range(9)]
    manual = backup.take_backup(seeded.db, seeded.data_dir, "manual", clock=clock)
    kept = backup.list_backups(seeded.data_dir)
    assert [b.path for b in kept] == [manual, *reversed(daily[2:])]
    assert backup.KEEP["daily"] == 7
    assert backup.latest_backup(seeded.data_dir) == manual


def test_a_copy_failing_its_integrity_check_never_replaces_an_older_backup(
    seeded: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert seeded.data_dir is not None
    clock = _clock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    good = [backup.take_backup(seeded.db, seeded.data_dir, "manual", clock=clock) for _ in range(5)]
    before = {p: p.read_bytes() for p in good}
    monkeypatch.setattr(backup, "integrity_problems", lambda conn: ["page 7: btree is damaged"])
    with pytest.raises(store.CorruptDatabaseError, match="btree is damaged"):
        backup.take_backup(seeded.db, seeded.data_dir, "manual", clock=clock)
    manual = [b.path for b in backup.list_backups(seeded.data_dir) if b.reason == "manual"]
    assert manual == list(reversed(good))
    assert {p: p.read_bytes() for p in manual} == before
    assert not [p for p in (seeded.data_dir / "backups").iterdir() if p.name.startswith(".")]


def test_an_unwritable_backup_folder_is_a_clear_error(seeded: Library) -> None:
    assert seeded.data_dir is not None
    for old in backup.list_backups(seeded.data_dir):
        old.path.unlink()
    (seeded.data_dir / "backups").rmdir()
    (seeded.data_dir / "backups").write_text("a file where the folder should be")
    with pytest.raises(backup.BackupError, match="backup folder"):
        backup.take_backup(seeded.db, seeded.data_dir, "manual")


def test_daily_backup_is_taken_on_open_once_a_day(seeded_dir: Path) -> None:
    assert backup.list_backups(seeded_dir) == []  # the library was created just now
    Library.open(seeded_dir).close()
    (first,) = backup.list_backups(seeded_dir)
    assert first.reason == "daily" and _papers(first.path) == 286
    Library.open(seeded_dir).close()
    assert backup.list_backups(seeded_dir) == [first]
    yesterday = first.taken_at - dt.timedelta(hours=25)
    older = first.path.with_name(f"library-{yesterday.strftime('%Y%m%dT%H%M%S.%fZ')}-daily.sqlite3")
    first.path.rename(older)
    Library.open(seeded_dir).close()
    assert [b.reason for b in backup.list_backups(seeded_dir)] == ["daily", "daily"]
    assert backup.list_backups(seeded_dir)[1].path == older


def test_open_without_backups_writes_none(seeded_dir: Path) -> None:
    Library.open(seeded_dir, backups=False).close()
    assert backup.list_backups(seeded_dir) == []


def test_a_failed_daily_backup_is_a_notice_not_a_refusal(seeded_dir: Path) -> None:
    (seeded_dir / "backups").write_text("not a folder")
    with Library.open(seeded_dir) as lib:
        assert lib.papers.count() == 286
        assert len(lib.notices) == 1 and "daily backup was not taken" in lib.notices[0]


def test_backup_before_every_migration(seeded_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def m900_add_column(db: Database) -> None:
        db.execute("ALTER TABLE papers ADD COLUMN m900 TEXT")

    _add_future_migration(monkeypatch, "m900_add_column", m900_add_column)
    with Library.open(seeded_dir) as lib:
        assert store.pending_migrations(lib.db) == []
    (pre,) = [b for b in backup.list_backups(seeded_dir) if b.reason == "pre-migration"]
    conn = sqlite3.connect(pre.path)
    columns = {r[1] for r in conn.execute("PRAGMA table_info(papers)")}
    applied = {r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")}
    conn.close()
    assert "m900" not in columns and "m900_add_column" not in applied
    assert _papers(pre.path) == 286


def test_a_failing_migration_leaves_the_database_and_its_backup(
    seeded_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = seeded_dir / DB_FILE

    def m901_breaks(db: Database) -> None:
        db.execute("DELETE FROM papers")
        raise RuntimeError("migration bug")

    _add_future_migration(monkeypatch, "m901_breaks", m901_breaks)
    with pytest.raises(RuntimeError, match="migration bug"):
        Library.open(seeded_dir)
    assert _papers(db_path) == 286
    (pre,) = [b for b in backup.list_backups(seeded_dir) if b.reason == "pre-migration"]
    assert _papers(pre.path) == 286


def test_newer_database_is_not_backed_up_or_written(seeded_dir: Path) -> None:
    db_path = seeded_dir / DB_FILE
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
        [store.MIGRATION_SET, "m999_from_the_future", "2030"],
    )
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(store.NewerDatabaseError):
        Library.open(seeded_dir)
    assert db_path.read_bytes() == before
    assert backup.list_backups(seeded_dir) == []
    with pytest.raises(backup.BackupError, match="newer version"):
        backup.check_restorable(db_path)


def test_someone_elses_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    conn = sqlite3.connect(data / DB_FILE)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    before = (data / DB_FILE).read_bytes()
    with pytest.raises(store.StoreError, match="some other program"):
        Library.open(data)
    assert (data / DB_FILE).read_bytes() == before
    with pytest.raises(backup.BackupError, match="not a Digest Desk database"):
        backup.check_restorable(data / DB_FILE)


# -- restore -----------------------------------------------------------------------------


def test_restore_moves_the_current_database_aside_with_its_wal(seeded_dir: Path) -> None:
    with Library.open(seeded_dir) as lib:
        saved = backup.take_backup(lib.db, seeded_dir, "manual")
    saved_bytes = saved.read_bytes()
    holder = Library.open(seeded_dir)  # keeps a WAL with uncheckpointed writes around
    holder.db.execute("PRAGMA wal_autocheckpoint=0")
    holder.triage.set_starred(holder.views.ids("all")[:3])
    wal = Path(f"{seeded_dir / DB_FILE}-wal")
    assert wal.stat().st_size > 0
    wal_copy = wal.read_bytes()
    db_copy = (seeded_dir / DB_FILE).read_bytes()
    result = backup.restore_backup(seeded_dir, saved)
    holder.db.conn.close()
    assert saved.read_bytes() == saved_bytes
    assert result.previous is not None and result.previous.read_bytes() == db_copy
    assert Path(f"{result.previous}-wal").read_bytes()[:32] == wal_copy[:32]
    with Library.open(seeded_dir) as lib:
        assert lib.views.ids("starred") == []
        assert lib.papers.count() == 286
    # The moved-aside database still opens, with the writes from its WAL.
    conn = sqlite3.connect(result.previous)
    assert conn.execute("SELECT COUNT(*) FROM papers WHERE starred = 1").fetchone()[0] == 3
    conn.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a Digest Desk database"),
        (b"plain text, not sqlite" * 50, "not a Digest Desk database"),
    ],
)
def test_restore_refuses_files_that_are_not_libraries(
    seeded_dir: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(content)
    before = (seeded_dir / DB_FILE).read_bytes()
    listing = sorted(seeded_dir.iterdir())
    with pytest.raises(backup.BackupError, match=message):
        backup.restore_backup(seeded_dir, bad)
    assert (seeded_dir / DB_FILE).read_bytes() == before
    assert bad.read_bytes() == content
    assert sorted(seeded_dir.iterdir()) == listing


def test_restore_refuses_a_damaged_backup(seeded_dir: Path, tmp_path: Path) -> None:
    with Library.open(seeded_dir, backups=False) as lib:
        saved = backup.take_backup(lib.db, seeded_dir, "manual")
    damaged = tmp_path / "damaged.sqlite3"
    data = bytearray(saved.read_bytes())
    page = 4096
    data[3 * page : 8 * page] = b"\xa5" * (5 * page)
    damaged.write_bytes(bytes(data))
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore_backup(seeded_dir, damaged)
    assert _papers(seeded_dir / DB_FILE) == 286
    assert not list(seeded_dir.glob(".restore-*"))


def test_restore_into_an_empty_folder(seeded_dir: Path, tmp_path: Path) -> None:
    with Library.open(seeded_dir, backups=False) as lib:
        saved = backup.take_backup(lib.db, seeded_dir, "manual")
    fresh = tmp_path / "fresh"
    result = backup.restore_backup(fresh, saved)
    assert result.previous is None
    with Library.open(fresh) as lib:
        assert lib.papers.count() == 286


def test_cli_backup_list_and_restore(seeded_dir: Path) -> None:
    code, text = _cli(["--data-dir", str(seeded_dir), "backup"])
    assert code == 0 and text.startswith("backup written and verified: ")
    saved = Path(text.split(": ", 1)[1].strip())
    code, text = _cli(["--data-dir", str(seeded_dir), "backup", "--list"])
    assert code == 0 and str(saved) in text and "manual" in text and "daily" in text
    assert text.splitlines()[-1].startswith("2 backups in ")
    assert _cli(["--data-dir", str(seeded_dir), "mark", "1", "--star"])[0] == 0
    code, text = _cli(["--data-dir", str(seeded_dir), "restore", str(saved)])
    assert code == 0
    assert "the previous database was moved to" in text and "library has 286 papers" in text
    code, text = _cli(["--data-dir", str(seeded_dir), "list", "--view", "starred"])
    assert text.strip() == "0 papers in starred"


def test_cli_restore_refuses_while_the_library_is_open_elsewhere(
    seeded_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Library.open(seeded_dir, backups=False) as lib:
        saved = backup.take_backup(lib.db, seeded_dir, "manual")
    before = (seeded_dir / DB_FILE).read_bytes()
    with InstanceLock(seeded_dir):
        code, _ = _cli(["--data-dir", str(seeded_dir), "restore", str(saved)])
    assert code == 1
    err = capsys.readouterr().err
    assert "Digest Desk is already running on this library" in err
    assert f"process {os.getpid()}" in err
    assert (seeded_dir / DB_FILE).read_bytes() == before


def test_cli_restore_refuses_a_newer_backup(
    seeded_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = tmp_path / "newer.sqlite3"
    with Library.open(seeded_dir, backups=False) as lib:
        backup.take_backup(lib.db, seeded_dir, "manual").rename(newer)
    conn = sqlite3.connect(newer)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
        [store.MIGRATION_SET, "m999_from_the_future", "2030"],
    )
    conn.commit()
    conn.close()
    code, _ = _cli(["--data-dir", str(seeded_dir), "restore", str(newer)])
    assert code == 1
    assert "newer version of Digest Desk" in capsys.readouterr().err
    assert _papers(seeded_dir / DB_FILE) == 286
    assert not list(seeded_dir.glob(f"{DB_FILE}.before-restore-*"))


def test_restoring_another_library_rebuilds_the_search_index(
    seeded_dir: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    with Library.open(other, backups=False) as lib:
        lib.importer.import_text(
            "Completely Different Paper About Lighthouses\n\nAn abstract on lighthouse keepers "
            "and their lamps, long enough to be a paper abstract of its own.\n",
            "other.txt",
        )
        saved = backup.take_backup(lib.db, other, "manual")
    with Library.open(seeded_dir, backups=False) as lib:
        assert lib.index.search("DiskGNN").ids  # the index of the seeds is built
    backup.restore_backup(seeded_dir, saved)
    assert not (seeded_dir / "index").exists()
    with Library.open(seeded_dir, backups=False) as lib:
        assert lib.index.search("DiskGNN").ids == []
        found = lib.index.search("lighthouse")
        assert found.ids == [1] and not found.fallback


def test_a_failed_swap_leaves_the_old_library_in_use_with_its_wal(
    seeded_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Library.open(seeded_dir, backups=False) as lib:
        saved = backup.take_backup(lib.db, seeded_dir, "manual")
    holder = Library.open(seeded_dir, backups=False)
    holder.db.execute("PRAGMA wal_autocheckpoint=0")
    holder.triage.set_starred(holder.views.ids("all")[:2])  # lives only in the WAL for now
    database = seeded_dir / DB_FILE
    real_replace = os.replace

    def replace(src: object, dst: object) -> None:
        if Path(str(dst)) == database:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(backup.BackupError, match="could not put"):
        backup.restore_backup(seeded_dir, saved)
    monkeypatch.setattr(os, "replace", real_replace)
    holder.close()
    assert not list(seeded_dir.glob(f"{DB_FILE}.before-restore-*"))
    assert not list(seeded_dir.glob(".restore-*"))
    with Library.open(seeded_dir, backups=False) as lib:
        assert len(lib.views.ids("starred")) == 2


def test_copies_left_by_a_killed_backup_or_restore_are_cleaned(seeded_dir: Path) -> None:
    """Copies of a process that is gone go on the next open; a live one's stay until old."""
    folder = seeded_dir / "backups"
    folder.mkdir()
    alive = os.getppid()  # a process that runs: its fresh copy may be being written right now
    old = folder / f".partial-{alive}-library-x.sqlite3"
    fresh = folder / f".partial-{alive}-library-y.sqlite3"
    dead = folder / ".partial-999999-library-z.sqlite3"  # no such process: a killed backup
    staged = seeded_dir / ".restore-999999-x.sqlite3"
    staged_wal = seeded_dir / ".restore-999999-x.sqlite3-journal"
    for path in (old, fresh, dead, staged, staged_wal):
        path.write_bytes(b"half a copy")
    os.utime(old, (0, 0))
    with Library.open(seeded_dir, backups=False):
        pass
    assert not old.exists() and fresh.exists()  # a backup running elsewhere is left alone
    assert not dead.exists() and not staged.exists() and not staged_wal.exists()
    ours = seeded_dir / "mine.txt"  # not ours by name: never touched
    ours.write_bytes(b"x")
    os.utime(ours, (0, 0))
    with Library.open(seeded_dir, backups=False) as lib:
        saved = backup.take_backup(lib.db, seeded_dir, "manual")
    backup.restore_backup(seeded_dir, saved)
    assert ours.exists() and fresh.exists()


# -- a lost database is never started over ------------------------------------------------------
def _drop_database(data_dir: Path, how: str) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{data_dir / DB_FILE}{suffix}").unlink(missing_ok=True)
    if how == "missing":
        (data_dir / DB_FILE).unlink()
    else:
        (data_dir / DB_FILE).write_bytes(b"")


@pytest.mark.parametrize("how", ["missing", "empty"])
def test_a_lost_database_next_to_backups_is_an_error_naming_the_backup(
    seeded_dir: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Library.open(seeded_dir) as lib:
        good = backup.take_backup(lib.db, seeded_dir, "manual")
    damaged = seeded_dir / "backups" / "library-29991231T000000.000000Z-manual.sqlite3"
    damaged.write_bytes(b"not a database at all" * 100)  # newer, but not a good one
    _drop_database(seeded_dir, how)
    before = sorted(p.name for p in (seeded_dir / "backups").iterdir())
    with pytest.raises(backup.MissingDatabaseError) as info:
        Library.open(seeded_dir)
    message = str(info.value)
    assert ("missing" if how == "missing" else "empty (0 bytes)") in message
    assert f'restore "{good}"' in message and str(damaged) not in message
    # nothing was created or rotated: no empty library, no backup of one
    assert sorted(p.name for p in (seeded_dir / "backups").iterdir()) == before
    assert (seeded_dir / DB_FILE).exists() == (how == "empty")
    code, _ = _cli(["--data-dir", str(seeded_dir), "stats"])
    err = capsys.readouterr().err
    assert code == 2 and "restore" in err and err.count("\n") == 1
    # the command it names works
    assert _cli(["--data-dir", str(seeded_dir), "restore", str(good)])[0] == 0
    with Library.open(seeded_dir) as lib:
        assert lib.papers.count() == 286


def test_a_lost_database_next_to_a_search_index_is_an_error(seeded_dir: Path) -> None:
    _drop_database(seeded_dir, "missing")
    assert not (seeded_dir / "backups").exists()
    with pytest.raises(backup.MissingDatabaseError, match="No backup was found"):
        Library.open(seeded_dir)
    assert not (seeded_dir / DB_FILE).exists()


def test_a_new_library_in_an_empty_folder_still_opens(tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    with Library.open(tmp_path / "new") as lib:
        assert lib.papers.count() == 0
        assert store.library_id(lib.db)


def test_rotation_keeps_aside_the_last_backup_holding_more_papers(seeded_dir: Path) -> None:
    clock = _clock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with Library.open(seeded_dir, backups=False) as lib:
        first = backup.take_backup(lib.db, seeded_dir, "daily", clock=clock)
        lib.db.execute("DELETE FROM papers WHERE id > 10")
        lib.db.conn.commit()
        notices: list[str] = []
        for _ in range(backup.KEEP["daily"]):
            backup.take_backup(lib.db, seeded_dir, "daily", clock=clock, notices=notices)
    kept = seeded_dir / "backups" / backup.KEPT_DIR / first.name
    assert not first.exists() and kept.exists() and _papers(kept) == 286
    assert len(notices) == 1 and "286 papers" in notices[0] and str(kept.parent) in notices[0]
    assert len(backup.list_backups(seeded_dir)) == backup.KEEP["daily"]


def test_rotation_deletes_a_bigger_backup_when_another_as_big_stays(seeded_dir: Path) -> None:
    clock = _clock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with Library.open(seeded_dir, backups=False) as lib:
        first = backup.take_backup(lib.db, seeded_dir, "daily", clock=clock)
        backup.take_backup(lib.db, seeded_dir, "manual", clock=clock)  # as big, and stays
        lib.db.execute("DELETE FROM papers WHERE id > 10")
        lib.db.conn.commit()
        notices: list[str] = []
        for _ in range(backup.KEEP["daily"]):
            backup.take_backup(lib.db, seeded_dir, "daily", clock=clock, notices=notices)
    assert not first.exists() and notices == []
    assert not (seeded_dir / "backups" / backup.KEPT_DIR).exists()


def test_daily_backups_of_a_shrunk_library_keep_the_big_one(
    seeded_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Open by open, a week of daily backups after most papers went: the big one is kept."""
    days = iter(dt.datetime(2026, 1, d, tzinfo=dt.UTC) for d in range(1, 20))
    monkeypatch.setattr(backup, "_utc_now", lambda: next(days))
    opened: list[list[str]] = []
    with Library.open(seeded_dir) as lib:
        lib.db.execute("DELETE FROM papers WHERE id > 5")
        lib.db.conn.commit()
    for _ in range(backup.KEEP["daily"] + 1):
        with Library.open(seeded_dir) as lib:
            opened.append(list(lib.notices))
    kept = list((seeded_dir / "backups" / backup.KEPT_DIR).iterdir())
    assert [_papers(p) for p in kept] == [286]
    assert sum(len(n) for n in opened) == 1


def test_backup_times_are_read_back_from_their_names(tmp_path: Path) -> None:
    """list_backups reads each name's stamp without strptime, to the microsecond."""
    folder = backup.backup_dir(tmp_path)
    folder.mkdir()
    times = [
        dt.datetime(2026, 12, 2, 18, 20, 24, 496626, tzinfo=dt.UTC),
        dt.datetime(1999, 1, 1, 0, 0, 0, 1, tzinfo=dt.UTC),
    ]
    for when in times:
        stamp = when.strftime("%Y%m%dT%H%M%S.%fZ")  # as take_backup names them
        (folder / f"library-{stamp}-daily.sqlite3").write_bytes(b"")
    (folder / "library-2026-not-a-stamp-daily.sqlite3").write_bytes(b"")
    assert [b.taken_at for b in backup.list_backups(tmp_path)] == times


def test_restore_moves_a_hot_rollback_journal_aside_with_the_database(seeded_dir: Path) -> None:
    """A large import killed in rollback-journal mode leaves a hot journal: it belongs to the
    old file, and played back into the restored one it would damage it."""
    import subprocess
    import sys

    with Library.open(seeded_dir) as lib:
        saved = backup.take_backup(lib.db, seeded_dir, "manual")
        titles = lib.db.execute("SELECT id, title FROM papers ORDER BY id").fetchall()
    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=DELETE'); c.execute('PRAGMA cache_size=2')\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute(\"UPDATE papers SET title = 'overwritten', abstract = ''\")\n"
        "os._exit(9)\n"
    )
    database = seeded_dir / DB_FILE
    subprocess.run([sys.executable, "-c", script, str(database)], check=False)
    assert Path(f"{database}-journal").stat().st_size > 0
    result = backup.restore_backup(seeded_dir, saved)
    assert not Path(f"{database}-journal").exists()
    assert result.previous is not None and Path(f"{result.previous}-journal").exists()
    with Library.open(seeded_dir) as lib:
        assert lib.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert lib.db.execute("SELECT id, title FROM papers ORDER BY id").fetchall() == titles
    conn = sqlite3.connect(result.previous)  # the old file, rolled back by its own journal
    try:
        assert conn.execute("SELECT id, title FROM papers ORDER BY id").fetchall() == titles
    finally:
        conn.close()

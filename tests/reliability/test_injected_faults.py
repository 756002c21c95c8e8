"""Injected faults: a full disk, a failing index write, index locks left behind or held by
another process, and a damaged database. Each gives a clear error and loses nothing."""

from __future__ import annotations

import errno
import io
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from whoosh.filedb import filestore

from desktop.cli import main
from desktop.core import backup, store
from desktop.core.library import DB_FILE, Library
from desktop.core.search import index as search_index
from tests.reliability.crash_support import (
    TODAY,
    integrity,
    kill_after,
    library_snapshot,
    start_driver,
)

pytestmark = pytest.mark.reliability


def _big_digest(papers: int, tag: str) -> str:
    """A paragraph-layout digest with ``papers`` new papers, each with a long abstract."""
    return "\n\n".join(
        f"Fault Injection Paper {tag} {n} on Storage That Runs Out\n\n"
        + f"Case {tag}.{n}: an abstract about what happens when the disk fills up. " * 12
        for n in range(papers)
    )


def _cli(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(args, out=out), out.getvalue()


@pytest.fixture(scope="module")
def small_template(tmp_path_factory: pytest.TempPathFactory, crash_digests: list[Path]) -> Path:
    """A library holding one small digest, with its search index."""
    data = tmp_path_factory.mktemp("faults") / "data"
    with Library.open(data, backups=False) as lib:
        lib.today = lambda: TODAY
        assert all(r.ok for r in lib.importer.import_paths(crash_digests[:2]))
    return data


@pytest.fixture
def small(small_template: Path, tmp_path: Path) -> Iterator[Library]:
    data = tmp_path / "data"
    shutil.copytree(small_template, data)
    with Library.open(data, backups=False) as lib:
        lib.today = lambda: TODAY
        yield lib


def _limit_growth(lib: Library, pages: int = 2) -> None:
    """Let the database grow by only ``pages`` pages: SQLite then reports a full disk."""
    count = lib.db.execute("PRAGMA page_count").fetchone()[0]
    lib.db.execute(f"PRAGMA max_page_count = {count + pages}")


# -- disk full in SQLite --------------------------------------------------------------------


def test_disk_full_during_an_import_keeps_nothing_from_that_file(small: Library) -> None:
    before = library_snapshot(small.db.conn)
    _limit_growth(small)
    result = small.importer.import_text(_big_digest(60, "A"), "big.txt")
    assert result.status == "failed"
    assert "full" in (result.error or "") and "nothing from it was kept" in (result.error or "")
    assert library_snapshot(small.db.conn) == before
    assert small.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert small.index.search('"Fault Injection Paper"').ids == []
    # Once there is room again, the same file imports completely.
    small.db.execute("PRAGMA max_page_count = 1073741823")
    result = small.importer.import_text(_big_digest(60, "A"), "big.txt")
    assert result.status == "imported" and result.new_papers == 60
    assert len(small.index.search('"Fault Injection Paper"', limit=None).ids) == 60


def test_disk_full_while_saving_a_note_changes_nothing(small: Library) -> None:
    pid = small.views.ids("all")[0]
    small.notes.set(pid, "the note before the disk filled up")
    last_action = small.history.last_action()
    _limit_growth(small, pages=0)
    with pytest.raises(sqlite3.OperationalError, match="full"):
        small.notes.set(pid, "a long note that needs new pages " * 2000)
    assert small.notes.get(pid) == "the note before the disk filled up"
    assert small.history.last_action() is last_action
    assert small.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    small.db.execute("PRAGMA max_page_count = 1073741823")
    small.notes.set(pid, "saved once there is room")
    assert small.notes.get(pid) == "saved once there is room"


def test_disk_full_during_bulk_tagging_tags_nothing(small: Library) -> None:
    ids = small.views.ids("all")
    before = library_snapshot(small.db.conn)
    tags_before = small.db.execute("SELECT COUNT(*) FROM paper_tags").fetchone()[0]
    _limit_growth(small, pages=0)
    with pytest.raises(sqlite3.OperationalError, match="full"):
        for n in range(200):  # enough new rows to need a new page
            small.tags.add(ids, f"tag-{n}-" + "x" * 50)
    assert library_snapshot(small.db.conn) == before
    rows = small.db.execute("SELECT tag_id, COUNT(*) FROM paper_tags GROUP BY tag_id").fetchall()
    # Each add_tag is one transaction: a tag is on every paper or on none.
    assert all(count == len(ids) for _, count in rows)
    assert small.db.execute("SELECT COUNT(*) FROM paper_tags").fetchone()[0] >= tags_before
    assert small.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- a failing index write --------------------------------------------------------------------


@pytest.fixture
def index_disk_full(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """While ``state["full"]`` is true, every write to a new index file fails with ENOSPC."""
    state = {"full": True}
    real = filestore.FileStorage.create_file

    def create_file(self: Any, name: str, **kwargs: Any) -> Any:
        handle = real(self, name, **kwargs)
        raw = handle.file
        real_write = raw.write

        def write(data: Any) -> Any:
            if state["full"]:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_write(data)

        raw.write = write
        return handle

    monkeypatch.setattr(filestore.FileStorage, "create_file", create_file)
    return state


def test_a_failing_index_write_keeps_the_import_and_searches_sqlite(
    small: Library, index_disk_full: dict[str, bool]
) -> None:
    index_files = {p.name: p.read_bytes() for p in small.index.path.iterdir()}
    result = small.importer.import_text(_big_digest(5, "B"), "b.txt")
    # The papers are safely in SQLite; the index write was rolled back and reported.
    assert result.status == "imported" and result.new_papers == 5
    assert small.papers.count() == small.db.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
    assert not small.index.usable
    assert "No space left on device" in (small.index.broken_reason or "")
    # Search still finds them, from SQLite.
    found = small.index.search('"Fault Injection Paper B"', limit=None)
    assert len(found.ids) == 5 and found.fallback
    # No committed index file was changed or truncated: the segment files (separate since
    # compound=False) and the table of contents.
    committed = [n for n in index_files if n.endswith((".seg", ".toc", ".pst", ".trm", ".col"))]
    assert any(n.endswith(".pst") for n in committed) and any(n.endswith(".toc") for n in committed)
    for name in committed:
        path = small.index.path / name
        assert path.read_bytes() == index_files[name], name
    # Space comes back: the next write catches the index up, with the lock free again.
    index_disk_full["full"] = False
    small.importer.import_text(_big_digest(3, "C"), "c.txt")
    assert small.index.usable
    found = small.index.search('"Fault Injection Paper"', limit=None)
    assert len(found.ids) == 8 and not found.fallback


def test_a_failing_index_write_is_caught_up_on_the_next_start(
    small: Library, index_disk_full: dict[str, bool]
) -> None:
    small.importer.import_text(_big_digest(4, "D"), "d.txt")
    assert not small.index.usable
    data = small.data_dir
    assert data is not None
    small.close()
    index_disk_full["full"] = False
    with Library.open(data, backups=False) as lib:
        found = lib.index.search('"Fault Injection Paper D"', limit=None)
        assert len(found.ids) == 4 and not found.fallback


# -- index locks --------------------------------------------------------------------------------


def test_an_index_lock_left_by_a_killed_process_does_not_block(
    small: Library, tmp_path: Path
) -> None:
    data = small.data_dir
    assert data is not None
    small.close()
    proc = start_driver("hold-index-writer", data)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    outcome = kill_after(proc, 0)
    assert not outcome.finished
    assert any(p.name.endswith("WRITELOCK") for p in (data / "index").iterdir())
    with Library.open(data, backups=False) as lib:
        lib.today = lambda: TODAY
        lib.importer.import_text(_big_digest(2, "E"), "e.txt")
        found = lib.index.search('"Fault Injection Paper E"', limit=None)
        assert len(found.ids) == 2 and not found.fallback
        assert lib.index.usable


def test_an_index_locked_by_another_live_process_catches_up_later(
    small: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = small.data_dir
    assert data is not None
    small.close()
    monkeypatch.setattr(search_index, "WRITE_TIMEOUT", 0.2)
    proc = start_driver("hold-index-writer", data, "600")
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with Library.open(data, backups=False) as lib:
            lib.today = lambda: TODAY
            result = lib.importer.import_text(_big_digest(2, "F"), "f.txt")
            assert result.status == "imported"
            assert len(lib.index.search('"Fault Injection Paper F"', limit=None).ids) == 2
    finally:
        kill_after(proc, 0)
    with Library.open(data, backups=False) as lib:
        found = lib.index.search('"Fault Injection Paper F"', limit=None)
        assert len(found.ids) == 2 and not found.fallback


# -- a damaged database ---------------------------------------------------------------------


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    if how == "header":
        data[:100] = os.urandom(100)
    else:  # a run of pages in the middle of the file
        middle = len(data) // page // 2
        data[middle * page : (middle + 3) * page] = b"\xa5" * (3 * page)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["header", "pages"])
def test_a_damaged_database_is_refused_kept_and_the_backup_offered(
    seeded_dir: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    Library.open(seeded_dir).close()  # takes the daily backup
    (offered,) = backup.list_backups(seeded_dir)
    db_path = seeded_dir / DB_FILE
    _damage(db_path, how)
    damaged = db_path.read_bytes()
    listing = sorted(p.name for p in seeded_dir.iterdir())

    with pytest.raises(store.CorruptDatabaseError) as info:
        Library.open(seeded_dir)
    assert info.value.path == db_path and info.value.backup == offered.path
    message = str(info.value)
    assert str(db_path) in message and f"digest-desk restore {offered.path}" in message
    assert db_path.read_bytes() == damaged
    assert sorted(p.name for p in seeded_dir.iterdir()) == listing

    code, _ = _cli(["--data-dir", str(seeded_dir), "stats"])
    assert code == 2
    err = capsys.readouterr().err
    assert str(db_path) in err and "It was left exactly as it is" in err
    assert db_path.read_bytes() == damaged

    # Following the advice brings the library back; the damaged file is kept beside it.
    code, text = _cli(["--data-dir", str(seeded_dir), "restore", str(offered.path)])
    assert code == 0 and "library has 286 papers" in text
    (kept,) = seeded_dir.glob(f"{DB_FILE}.before-restore-*")
    assert kept.read_bytes() == damaged
    assert integrity(db_path) == ["ok"]
    with Library.open(seeded_dir) as lib:
        assert lib.index.search("DiskGNN").ids


def test_a_damaged_database_without_backups_says_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / DB_FILE).write_bytes(b"SQLite format 3\x00" + os.urandom(8000))
    with pytest.raises(store.CorruptDatabaseError, match="No backup was found") as info:
        Library.open(data)
    assert info.value.backup is None


# -- a failing export write -----------------------------------------------------------------


def test_export_on_a_full_disk_keeps_the_old_files_whole(
    seeded_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The disk fills up in the middle of writing an export file (half of it written)."""
    with Library.open(seeded_dir, backups=False) as lib:
        for pid in (1, 2, 3):
            lib.notes.set(pid, f"first note of paper {pid}")
    vault = tmp_path / "vault"
    export = ["--data-dir", str(seeded_dir), "export", "--per-paper", "--out", str(vault)]
    export += ["--id", "1", "--id", "2", "--id", "3"]
    code, _ = _cli(export)
    assert code == 0
    before = {p.name: p.read_bytes() for p in vault.iterdir()}
    assert len(before) == 3
    with Library.open(seeded_dir, backups=False) as lib:
        for pid in (1, 2, 3):
            lib.notes.set(pid, f"second note of paper {pid}, longer than the first one " * 40)

    real_fdopen = os.fdopen
    calls = {"n": 0}

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, *args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 2:  # the second file: half of it reaches the disk, then ENOSPC
            real_write = handle.write

            def write(data: bytes) -> int:
                real_write(data[: len(data) // 2])
                handle.flush()
                raise OSError(errno.ENOSPC, "No space left on device")

            handle.write = write
        return handle

    monkeypatch.setattr(os, "fdopen", fdopen)
    code, _ = _cli(export)
    assert code != 0 and calls["n"] == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "nothing was changed" in err
    # Every old file is whole and unchanged, and no temporary file is left behind.
    assert {p.name: p.read_bytes() for p in vault.iterdir()} == before


# -- a damaged index ------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["garbage", "truncated", "emptied"])
def test_a_damaged_index_is_rebuilt_from_sqlite_and_touches_no_data(
    small: Library, how: str
) -> None:
    data = small.data_dir
    assert data is not None
    expected = {
        q: set(small.index.search(q, limit=None).ids) for q in ("Synthetic", "graph", "model")
    }
    rows = library_snapshot(small.db.conn)
    small.close()
    for path in (data / "index").iterdir():
        if path.is_file() and not path.name.endswith("WRITELOCK"):
            size = path.stat().st_size
            if how == "garbage":
                path.write_bytes(os.urandom(size))
            elif how == "truncated":
                path.write_bytes(path.read_bytes()[: size // 3])
            else:
                path.write_bytes(b"")
    with Library.open(data, backups=False) as lib:
        for query, ids in expected.items():
            found = lib.index.search(query, limit=None)
            assert set(found.ids) == ids, (how, query)
        assert lib.index.usable
        assert library_snapshot(lib.db.conn) == rows

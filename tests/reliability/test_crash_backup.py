"""SIGKILL while backing up and while restoring: there is always a sound library.sqlite3 (the
old one or the restored one), every listed backup is sound, and nothing is lost."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from desktop.core import backup
from desktop.core.library import DB_FILE, Library
from tests.reliability.crash_support import (
    TODAY,
    integrity,
    kill_after,
    library_snapshot,
    run_to_end,
    start_driver,
)

pytestmark = pytest.mark.reliability

TRIALS = int(os.environ.get("DIGEST_DESK_BACKUP_CRASH_TRIALS", "15"))


def _snapshot(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    try:
        return library_snapshot(conn)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def libraries(tmp_path_factory: pytest.TempPathFactory, crash_digests: list[Path]) -> Path:
    """A library of all the crash digests, and (in backups/) a backup of its first digest."""
    root = tmp_path_factory.mktemp("backup-crash")
    small = root / "small"
    with Library.open(small, backups=False) as lib:
        lib.today = lambda: TODAY
        assert all(r.ok for r in lib.importer.import_paths(crash_digests[:1]))
        backup.take_backup(lib.db, root, "manual")
    with Library.open(root / "big", backups=False) as lib:
        lib.today = lambda: TODAY
        assert all(r.ok for r in lib.importer.import_paths(crash_digests))
    return root


def _seed() -> int:
    return int(os.environ.get("DIGEST_DESK_CRASH_SEED", time.time_ns() % 2**32))


def test_sigkill_during_restore_always_leaves_a_whole_library(
    tmp_path: Path, libraries: Path
) -> None:
    (saved,) = backup.list_backups(libraries)
    old = _snapshot(libraries / "big" / DB_FILE)
    new = _snapshot(saved.path)
    shutil.copytree(libraries / "big", tmp_path / "calibration")
    duration = run_to_end("restore", tmp_path / "calibration", str(saved.path))
    seed = _seed()
    rng = random.Random(seed)
    outcomes = {"old": 0, "new": 0}
    for trial in range(TRIALS):
        data = tmp_path / f"trial{trial}"
        shutil.copytree(libraries / "big", data)
        delay = rng.uniform(0, duration)
        where = f"trial {trial}, seed {seed}, kill after {delay * 1000:.1f} ms"
        kill_after(start_driver("restore", data, str(saved.path)), delay)
        database = data / DB_FILE
        assert database.exists(), f"{where}: no library.sqlite3 left"
        assert integrity(database) == ["ok"], where
        now = _snapshot(database)
        assert now in (old, new), where
        outcomes["old" if now == old else "new"] += 1
        for kept in data.glob(f"{DB_FILE}.before-restore-*"):
            if not kept.name.endswith(("-wal", "-shm")):
                assert _snapshot(kept) == old, f"{where}: the moved-aside database changed"
        assert _snapshot(saved.path) == new
        with Library.open(data, backups=False) as lib:  # and the app starts on it
            assert lib.papers.count() == len(now["papers"])
    print(f"\ncrash-restore seed {seed}: {outcomes}")


def test_sigkill_during_backups_never_lists_a_bad_backup(tmp_path: Path, libraries: Path) -> None:
    shutil.copytree(libraries / "big", tmp_path / "calibration")
    duration = run_to_end("backup", tmp_path / "calibration", "8")
    seed = _seed()
    rng = random.Random(seed)
    expected = _snapshot(libraries / "big" / DB_FILE)
    for trial in range(TRIALS // 3):
        data = tmp_path / f"trial{trial}"
        shutil.copytree(libraries / "big", data)
        delay = rng.uniform(0, duration)
        where = f"trial {trial}, seed {seed}, kill after {delay * 1000:.1f} ms"
        kill_after(start_driver("backup", data, "8"), delay)
        for info in backup.list_backups(data):
            assert integrity(info.path) == ["ok"], where
            assert _snapshot(info.path) == expected, where
        manual = [b for b in backup.list_backups(data) if b.reason == "manual"]
        # The new backup is renamed into place before the oldest is removed (a bad copy never
        # replaces a good one), so a kill between the two leaves one extra; the next backup
        # removes it.
        assert len(manual) <= backup.KEEP["manual"] + 1, where
        assert integrity(data / DB_FILE) == ["ok"], where
        run_to_end("backup", data, "1")
        manual = [b for b in backup.list_backups(data) if b.reason == "manual"]
        assert len(manual) <= backup.KEEP["manual"], where

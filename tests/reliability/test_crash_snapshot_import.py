"""SIGKILL a child in the middle of a snapshot import read by worker processes, with the sort
indexes dropped for the inserts, the library in rollback-journal mode (half the trials) or in
WAL mode, and check what is left: the snapshot all or nothing, every index of the library there
either way (the drop is part of the import's transaction), and the library back in WAL mode
when next opened."""

from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from desktop.core import store
from desktop.core.library import DB_FILE, Library
from tests.perf.gen_digests import write_snapshot
from tests.reliability.crash_support import (
    integrity,
    kill_after,
    library_snapshot,
    run_to_end,
    start_driver,
)

pytestmark = pytest.mark.reliability

TRIALS = int(os.environ.get("DIGEST_DESK_CRASH_TRIALS", "50")) // 2


def _state(data_dir: Path) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The library's content and its indexes (name and statement)."""
    conn = sqlite3.connect(data_dir / DB_FILE)
    try:
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
        return library_snapshot(conn), indexes
    finally:
        conn.close()


def test_sigkill_during_a_snapshot_import_leaves_it_all_or_nothing_with_every_index(
    tmp_path: Path,
) -> None:
    snapshot = tmp_path / "snapshot.jsonl"
    write_snapshot(snapshot, 1500, seed=3)
    with Library.open(tmp_path / "empty"):
        pass
    empty = _state(tmp_path / "empty")
    duration = run_to_end("import-snapshot", tmp_path / "calibration", str(snapshot))
    full = _state(tmp_path / "calibration")
    assert len(full[0]["papers"]) == 1500 and full[1] == empty[1]
    assert {name for name, _ in empty[1]} >= set(store.SCATTERED_INDEXES)

    seed = int(os.environ.get("DIGEST_DESK_CRASH_SEED", time.time_ns() % 2**32))
    rng = random.Random(seed)
    outcomes = {"none": 0, "all": 0}
    journals = 0  # kills that left a hot rollback journal behind
    for trial in range(TRIALS):
        data = tmp_path / f"trial{trial}"
        delay = rng.uniform(0, duration)
        where = f"trial {trial}, seed {seed}, kill after {delay * 1000:.1f} ms"
        mode = "import-snapshot-wal" if trial % 2 else "import-snapshot"  # half in WAL mode
        where += f", {mode}"
        kill_after(start_driver(mode, data, str(snapshot)), delay)
        if not (data / DB_FILE).exists():
            outcomes["none"] += 1  # killed before the library was made
            continue
        journals += (data / f"{DB_FILE}-journal").exists()
        assert integrity(data / DB_FILE) == ["ok"], where
        content, indexes = _state(data)
        assert indexes == empty[1], f"{where}: an index is missing or changed"
        assert content in (empty[0], full[0]), f"{where}: part of the snapshot was kept"
        outcomes["all" if content == full[0] else "none"] += 1
        with Library.open(data) as lib:  # and it imports cleanly afterwards
            assert lib.db.execute("PRAGMA journal_mode").fetchone() == ("wal",), where
            (result,) = lib.importer.import_paths([snapshot])
            assert result.status in ("imported", "unchanged"), where
        assert _state(data) == full, where
    print(f"\ncrash-snapshot-import seed {seed}: {outcomes}, {journals} hot journals")
    assert outcomes["none"] > 0, "no kill landed inside the import"
    assert journals > 0, "no kill landed inside the import's rollback-journal transaction"

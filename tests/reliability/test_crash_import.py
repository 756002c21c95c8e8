"""SIGKILL a child in the middle of a multi-file import, many times, and check what is left.

Modelled on SQLite's own crash tests: after every kill the database passes
``integrity_check``, each file is all-or-nothing (the library equals a clean import of the
first k files, for some k), and importing everything again converges to exactly the library a
clean import makes, with no duplicates. A folder import commits several files at a time (group
commit), so this runs with one file per commit, with three (then k is always a multiple of
three: a kill loses exactly the files of the batch not yet committed, never part of one), and
with the app's own batches.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from desktop.core.library import DB_FILE, Library
from tests.conftest import TODAY
from tests.reliability.crash_support import (
    integrity,
    kill_after,
    library_snapshot,
    run_to_end,
    start_driver,
)

pytestmark = pytest.mark.reliability

TRIALS = int(os.environ.get("DIGEST_DESK_CRASH_TRIALS", "50"))


def _clean_snapshots(files: list[Path]) -> list[dict[str, Any]]:
    """The library after a clean import of the first k files, for k = 0..len(files)."""
    lib = Library.in_memory()
    lib.today = lambda: TODAY
    snapshots = [library_snapshot(lib.db.conn)]
    for path in files:
        (result,) = lib.importer.import_paths([path])
        assert result.status == "imported", result.summary()
        snapshots.append(library_snapshot(lib.db.conn))
    lib.close()
    return snapshots


def _snapshot_of(data_dir: Path) -> dict[str, Any]:
    conn = sqlite3.connect(data_dir / DB_FILE)
    try:
        return library_snapshot(conn)
    finally:
        conn.close()


# (files per commit, seconds per commit, pause before each file): None leaves the app's own.
BATCHES = {
    "one file per commit": ("1", "1000", "0.002"),
    "three files per commit": ("3", "1000", "0.004"),
    "the app's batches": (None, None, "0.002"),
}


@pytest.mark.parametrize("batch", list(BATCHES))
def test_sigkill_during_multi_file_import(
    tmp_path: Path, crash_digests: list[Path], batch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    files, seconds, pause = BATCHES[batch]
    for name, value in [
        ("DIGEST_DESK_IMPORT_BATCH_FILES", files),
        ("DIGEST_DESK_IMPORT_BATCH_SECONDS", seconds),
        ("DIGEST_DESK_CRASH_FILE_PAUSE", pause),
    ]:
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    # Which k a kill may leave: any with the app's batches (they end by time as well).
    step = int(files) if files else 1
    allowed = {k for k in range(len(crash_digests) + 1) if k % step == 0} | {len(crash_digests)}
    expected = _clean_snapshots(crash_digests)
    assert len({repr(s) for s in expected}) == len(crash_digests) + 1  # every file changes it
    args = [str(p) for p in crash_digests]
    duration = run_to_end("import", tmp_path / "calibration", *args)
    assert _snapshot_of(tmp_path / "calibration") == expected[-1]

    seed = int(os.environ.get("DIGEST_DESK_CRASH_SEED", time.time_ns() % 2**32))
    rng = random.Random(seed)
    committed: Counter[int] = Counter()
    for trial in range(TRIALS):
        data = tmp_path / f"trial{trial}"
        delay = rng.uniform(0, duration)
        where = f"trial {trial}, seed {seed}, kill after {delay * 1000:.1f} ms"
        outcome = kill_after(start_driver("import", data, *args), delay)

        assert integrity(data / DB_FILE) == ["ok"], where
        after_crash = _snapshot_of(data)
        # All-or-nothing per file: the library is a clean import of the first k files.
        assert after_crash in expected, f"{where}: a partial file was left behind"
        k = expected.index(after_crash)
        assert k == len(crash_digests) or not outcome.finished, where
        assert k in allowed, f"{where}: {k} files committed, not a whole number of batches"
        committed[k] += 1

        with Library.open(data) as lib:
            lib.today = lambda: TODAY
            results = lib.importer.import_paths(crash_digests)
        statuses = [r.status for r in results]
        assert statuses == ["unchanged"] * k + ["imported"] * (len(crash_digests) - k), where
        assert _snapshot_of(data) == expected[-1], f"{where}: re-import did not converge"
        assert integrity(data / DB_FILE) == ["ok"], where

    print(f"\ncrash-import ({batch}) seed {seed}: files committed at the kill -> {dict(committed)}")
    assert sum(committed.values()) == TRIALS
    assert committed[len(crash_digests)] < TRIALS, "no kill landed inside the import"

"""SIGKILL a child in the middle of a multi-file import, many times, and check what is left.

Modelled on SQLite's own crash tests: after every kill the database passes
``integrity_check``, each file is all-or-nothing (the library equals a clean import of the
first k files, for some k), and importing everything again converges to exactly the library a
clean import makes, with no duplicates.
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

from desktop.core.digest_parser import parse_digest
from desktop.core.library import DB_FILE, Library
from tests.conftest import SEEDS, TODAY
from tests.reliability.crash_support import (
    integrity,
    kill_after,
    library_snapshot,
    run_to_end,
    start_driver,
)

pytestmark = pytest.mark.reliability

TRIALS = int(os.environ.get("DIGEST_DESK_CRASH_TRIALS", "50"))


def _synthetic(index: int, known_titles: list[str]) -> str:
    """A digest in the paragraph layout: some new papers, some known ones with new abstracts."""
    blocks = []
    for n in range(10):
        blocks.append(
            f"Synthetic Study {index}-{n} of Durable Writes Under Sudden Process Death\n\n"
            f"We examine case {index}.{n} of an application killed at an arbitrary instant "
            "while it writes a batch of records, and show that one transaction per file keeps "
            "every file either fully present or fully absent after recovery."
        )
    for title in known_titles:
        blocks.append(
            f"{title}\n\nRevised abstract {index}: the authors rewrote this summary, so a "
            "re-import must replace the old text and bump the version while keeping the state."
        )
    return "\n\n".join(blocks) + "\n"


@pytest.fixture(scope="module")
def digest_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The smallest seed, then five small digests that overlap it and each other."""
    folder = tmp_path_factory.mktemp("crash-digests")
    first = next(SEEDS.glob("000_*.txt"))
    titles = [e.title for e in parse_digest(first.read_text("utf-8"), TODAY).entries]
    files = [first]
    for i in range(5):
        earlier = f"Synthetic Study {i - 1}-3 of Durable Writes Under Sudden Process Death"
        known = titles[i * 4 : i * 4 + 4] + ([earlier] if i else [])
        path = folder / f"synthetic_{i}.txt"
        path.write_text(_synthetic(i, known), encoding="utf-8")
        files.append(path)
    return files


def _clean_snapshots(files: list[Path]) -> list[dict[str, Any]]:
    """The library after a clean import of the first k files, for k = 0..len(files)."""
    lib = Library.in_memory()
    lib.today = lambda: TODAY
    snapshots = [library_snapshot(lib.db.conn)]
    for path in files:
        (result,) = lib.import_paths([path])
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


def test_sigkill_during_multi_file_import(tmp_path: Path, digest_files: list[Path]) -> None:
    expected = _clean_snapshots(digest_files)
    assert len({repr(s) for s in expected}) == len(digest_files) + 1  # every file changes it
    args = [str(p) for p in digest_files]
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
        assert k == len(digest_files) or not outcome.finished, where
        committed[k] += 1

        with Library.open(data) as lib:
            lib.today = lambda: TODAY
            results = lib.import_paths(digest_files)
        statuses = [r.status for r in results]
        assert statuses == ["unchanged"] * k + ["imported"] * (len(digest_files) - k), where
        assert _snapshot_of(data) == expected[-1], f"{where}: re-import did not converge"
        assert integrity(data / DB_FILE) == ["ok"], where

    print(f"\ncrash-import seed {seed}: files committed at the kill -> trials {dict(committed)}")
    assert sum(committed.values()) == TRIALS
    assert committed[len(digest_files)] < TRIALS, "no kill landed inside the import"

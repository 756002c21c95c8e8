"""SIGKILL a child while it writes the search index; the next start must set the index right.

The child imports digests that add and change papers (each import is followed by an
incremental index write) and then rebuilds the whole index. After every kill, opening the
library reconciles or rebuilds the index, and searches find exactly the papers a fresh index
built from the same SQLite rows finds, with no paper twice and no stale abstract.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

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

TRIALS = int(os.environ.get("DIGEST_DESK_INDEX_CRASH_TRIALS", "12"))
QUERIES = [
    "Synthetic",
    "durable writes",
    '"revised abstract 0"',
    '"revised abstract 3"',
    '"revised abstract 4"',
    "graph neural networks",
    "DiskGNN",
    "transaction OR recovery",
    "model -language",
    "title:study",
]


def _answers(lib: Library) -> dict[str, list[int]]:
    """Result ids per query (rank ties may order differently between index layouts)."""
    return {q: [int(i) for i in lib.index.search(q, limit=None).ids] for q in QUERIES}


def _as_sets(answers: dict[str, list[int]]) -> dict[str, set[int]]:
    return {q: set(ids) for q, ids in answers.items()}


def _truth(data_dir: Path) -> dict[str, set[int]]:
    """What some queries must find, computed from the SQLite rows with regular expressions."""
    conn = sqlite3.connect(data_dir / DB_FILE)
    try:
        rows = conn.execute("SELECT id, title, abstract FROM papers").fetchall()
    finally:
        conn.close()
    patterns = {
        "Synthetic": r"\bsynthetic\b",
        **{f'"revised abstract {n}"': rf"\brevised\W+abstract\W+{n}\b" for n in (0, 3, 4)},
        "title:study": None,
    }
    truth = {}
    for query, pattern in patterns.items():
        if pattern is None:
            truth[query] = {i for i, t, _ in rows if re.search(r"\bstudy\b", t, re.I)}
        else:
            truth[query] = {i for i, t, a in rows if re.search(pattern, f"{t}\n{a}", re.I)}
    return truth


def _fresh_answers(
    data_dir: Path, scratch: Path, cache: dict[str, dict[str, list[int]]]
) -> dict[str, list[int]]:
    """Search answers of an index built from scratch over the same SQLite rows."""
    conn = sqlite3.connect(data_dir / DB_FILE)
    key = repr(library_snapshot(conn))
    conn.close()
    if key not in cache:
        if scratch.exists():
            shutil.rmtree(scratch)
        scratch.mkdir()
        shutil.copy(data_dir / DB_FILE, scratch / DB_FILE)
        with Library.open(scratch, backups=False) as fresh:
            cache[key] = _answers(fresh)
    return cache[key]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, crash_digests: list[Path]) -> Path:
    """A library holding the first digest, with its index built."""
    data = tmp_path_factory.mktemp("index-template") / "data"
    with Library.open(data, backups=False) as lib:
        lib.today = lambda: TODAY
        (result,) = lib.importer.import_paths(crash_digests[:1])
        assert result.ok and lib.index.search("DiskGNN").ids
    return data


def test_sigkill_while_writing_the_index(
    tmp_path: Path, template: Path, crash_digests: list[Path]
) -> None:
    args = [str(p) for p in crash_digests[1:]]
    shutil.copytree(template, tmp_path / "calibration")
    duration = run_to_end("index", tmp_path / "calibration", *args)

    seed = int(os.environ.get("DIGEST_DESK_CRASH_SEED", time.time_ns() % 2**32))
    rng = random.Random(seed)
    cache: dict[str, dict[str, list[int]]] = {}
    killed_inside = 0
    for trial in range(TRIALS):
        data = tmp_path / f"trial{trial}"
        shutil.copytree(template, data)
        delay = rng.uniform(0, duration)
        where = f"trial {trial}, seed {seed}, kill after {delay * 1000:.1f} ms"
        outcome = kill_after(start_driver("index", data, *args), delay)
        killed_inside += not outcome.finished
        assert integrity(data / DB_FILE) == ["ok"], where

        with Library.open(data, backups=False) as lib:
            assert lib.index.usable, where
            answers = _answers(lib)
        for query, ids in answers.items():
            assert len(ids) == len(set(ids)), f"{where}: {query!r} lists a paper twice"
        for query, ids in _truth(data).items():
            assert set(answers[query]) == ids, f"{where}: {query!r} does not match SQLite"
        fresh = _fresh_answers(data, tmp_path / "fresh", cache)
        assert _as_sets(answers) == _as_sets(fresh), where

    print(f"\ncrash-index seed {seed}: {killed_inside}/{TRIALS} kills landed inside the work")
    assert killed_inside > 0

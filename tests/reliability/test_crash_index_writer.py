"""SIGKILL a child that saves long notes while the background index writer catches up: after
the next open, every note SQLite holds is what search finds, in one copy."""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import pytest

from desktop.core.library import Library
from tests.reliability.crash_support import TODAY, kill_after, start_driver

pytestmark = pytest.mark.reliability

TRIALS = int(os.environ.get("DIGEST_DESK_INDEX_WRITER_CRASH_TRIALS", "4"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, crash_digests: list[Path]) -> Path:
    data = tmp_path_factory.mktemp("writer-template") / "data"
    with Library.open(data, backups=False) as lib:
        lib.today = lambda: TODAY
        assert all(r.ok for r in lib.importer.import_paths(crash_digests[:1]))
    return data


def test_sigkill_while_the_background_writer_catches_up_loses_no_note(
    tmp_path: Path, template: Path
) -> None:
    seed = int(os.environ.get("DIGEST_DESK_CRASH_SEED", time.time_ns() % 2**32))
    rng = random.Random(seed)
    for trial in range(TRIALS):
        data = tmp_path / f"trial{trial}"
        shutil.copytree(template, data)
        delay = rng.uniform(0.3, 2.5)
        where = f"trial {trial}, seed {seed}, kill after {delay * 1000:.0f} ms"
        outcome = kill_after(start_driver("background-notes", data, "100000"), delay)
        assert not outcome.finished, where
        with Library.open(data, backups=False) as lib:
            for pid in lib.views.ids("all")[:5]:
                note = lib.notes.get(pid)
                if not note:
                    continue
                marker = note.rsplit(" ", 1)[-1]
                assert marker.startswith("marker"), where
                assert [int(i) for i in lib.index.search(marker).ids] == [pid], where
            copies = {c for _v, _k, c in lib.index.held_state().values()}
            assert copies == {1}, where
        shutil.rmtree(data)

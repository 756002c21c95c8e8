"""SIGKILL a child that keeps saving notes (as autosave does after each typing pause), tags
and highlights: every save that returned before the kill is there afterwards."""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import pytest

from desktop.core.library import DB_FILE, Library
from tests.reliability.crash_support import (
    TODAY,
    integrity,
    kill_after,
    note_text,
    start_driver,
)

pytestmark = pytest.mark.reliability

TRIALS = int(os.environ.get("DIGEST_DESK_NOTE_CRASH_TRIALS", "10"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, crash_digests: list[Path]) -> Path:
    data = tmp_path_factory.mktemp("notes-template") / "data"
    with Library.open(data, backups=False) as lib:
        lib.today = lambda: TODAY
        assert all(r.ok for r in lib.importer.import_paths(crash_digests[:1]))
    return data


def test_sigkill_while_saving_notes_loses_no_saved_note(tmp_path: Path, template: Path) -> None:
    seed = int(os.environ.get("DIGEST_DESK_CRASH_SEED", time.time_ns() % 2**32))
    rng = random.Random(seed)
    saves = []
    for trial in range(TRIALS):
        data = tmp_path / f"trial{trial}"
        shutil.copytree(template, data)
        delay = rng.uniform(0.05, 1.0)
        where = f"trial {trial}, seed {seed}, kill after {delay * 1000:.0f} ms"
        outcome = kill_after(start_driver("annotate", data), delay)
        assert not outcome.finished, where
        complete = outcome.stdout.split("\n")[:-1]  # the last piece may be cut short
        acknowledged = [int(line.split()[1]) for line in complete if line.startswith("saved ")]
        assert acknowledged == list(range(len(acknowledged))), where
        last = acknowledged[-1] if acknowledged else -1
        saves.append(last + 1)
        assert integrity(data / DB_FILE) == ["ok"], where

        with Library.open(data, backups=False) as lib:
            ids = lib.views.ids("all")
            in_flight = last + 1
            for slot, pid in enumerate(ids):
                acked = [n for n in range(slot, last + 1, len(ids))]
                allowed = {note_text(acked[-1])} if acked else {""}
                if in_flight % len(ids) == slot:
                    allowed.add(note_text(in_flight))  # committed, killed before it said so
                assert lib.notes.get(pid) in allowed, f"{where}: paper {pid} lost its saved note"
            tags = {name for name, _ in lib.tags.all()}
            wanted = {f"crash-{n}" for n in range(0, last + 1, 5)}
            assert wanted <= tags <= wanted | {f"crash-{last + 1}"}, where
            notes = {h.note for pid in ids for h in lib.annotations(pid).highlights}
            wanted = {f"highlight {n}" for n in range(0, last + 1, 7)}
            assert wanted <= notes <= wanted | {f"highlight {last + 1}"}, where
            if last >= 0:  # the index caught up with the last saved note
                found = lib.index.search(f'note:"version {last}"').ids
                assert ids[last % len(ids)] in found, where
    print(f"\ncrash-annotations seed {seed}: saves acknowledged before each kill: {saves}")
    assert max(saves) > 0


def test_sigkill_of_the_app_after_the_autosave_pause_keeps_the_note(
    tmp_path: Path, template: Path
) -> None:
    """The real window, offscreen: type, pause, type on, and the app is killed."""
    typed = "Typed in the window: <b>not bold</b> and a pause after it"
    seed = int(os.environ.get("DIGEST_DESK_CRASH_SEED", time.time_ns() % 2**32))
    rng = random.Random(seed)
    for trial in range(3):
        data = tmp_path / f"gui{trial}"
        shutil.copytree(template, data)
        proc = start_driver("gui-note", data, typed)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "paused"
        outcome = kill_after(proc, rng.uniform(0, 0.3))
        assert not outcome.finished
        with Library.open(data, backups=False) as lib:
            pid = lib.views.ids("all")[0]
            assert lib.notes.get(pid) == typed, f"trial {trial}, seed {seed}"

"""An export killed at a random moment never leaves a truncated or mixed file behind."""

from __future__ import annotations

import contextlib
import os
import pickle
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.core.export.markdown import ExportPlan, plan_items, write_export
from desktop.core.models import Annotations, PaperId
from tests.core.test_export_markdown import make_paper

ROOT = Path(__file__).resolve().parents[2]
PAPERS = 120


def build_plan(version: int) -> ExportPlan:
    """A per-paper plan with large files; ``version`` changes every note."""
    items = []
    for n in range(1, PAPERS + 1):
        paper = make_paper(n, f"Paper number {n}: a study", "word " * 4000)
        note = f"version {version}\n\n" + ("note text " * 2000)
        items.append((paper, Annotations(PaperId(n), note=note)))
    return plan_items(items, "per-paper")


# The child loads a plan the parent pickled (building one takes longer than writing it) and
# imports only the exporter, so that each trial costs little more than the write it kills.
CHILD = """
import pickle, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from desktop.core.export.markdown import write_export
plan = pickle.loads(Path(sys.argv[2]).read_bytes())
print("ready", flush=True)
write_export(plan, Path(sys.argv[1]))
print("done", flush=True)
"""


@pytest.mark.reliability
def test_killing_an_export_leaves_only_whole_files(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    plans = {v: build_plan(v) for v in (1, 2, 3)}
    pickled = {v: tmp_path / f"plan{v}.pickle" for v in (2, 3)}
    for v, path in pickled.items():
        path.write_bytes(pickle.dumps(plans[v]))
    write_export(plans[1], folder)
    # How long a rewrite takes here: the kills are spread over 1.5 times that, so that most
    # land while files are being written (and some before the first or after the last).
    write_time = 0.0
    for v in (2, 1):
        started = time.monotonic()
        write_export(plans[v], folder)
        write_time = max(write_time, time.monotonic() - started)
    versions = {v: {f.path: f.content.encode() for f in plan.files} for v, plan in plans.items()}
    rng = random.Random(6)
    script = CHILD.format(root=str(ROOT))
    outcomes = {"killed": 0, "finished": 0}
    for trial in range(12):
        child = subprocess.Popen(
            [sys.executable, "-c", script, str(folder), str(pickled[2 + trial % 2])],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=rng.uniform(0.0, 1.5 * write_time))
        child.send_signal(signal.SIGKILL)
        child.wait()
        outcomes["killed" if child.returncode == -signal.SIGKILL else "finished"] += 1
        names = set()
        for entry in os.scandir(folder):
            if entry.name.startswith((".digest-desk-export-", ".digest-desk-manifest-")):
                continue  # a temp file of the killed export (removed by the next one), the list
            names.add(entry.name)
            data = Path(entry.path).read_bytes()
            # every file is whole: one of the versions ever exported, never a mix or a prefix
            assert any(data == files[entry.name] for files in versions.values()), entry.name
        assert names == set(versions[1])
    # the next export completes the job and cleans up
    result = write_export(plans[2], folder)
    names = sorted(n for n in os.listdir(folder) if not n.startswith(".digest-desk-manifest-"))
    assert names == sorted(versions[2])
    assert all((folder / name).read_bytes() == data for name, data in versions[2].items())
    # whatever moment the kills hit, every file still counts as ours, never as edited
    assert result.removed == [] and result.kept == []
    assert not [n for n in os.listdir(folder) if n.startswith(".digest-desk-export-")]
    print(f"\nexport crash trials: {outcomes}")

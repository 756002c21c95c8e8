"""Long soaks of the issue-14 races, run by hand (CI runs the short versions in
test_cli_concurrency.py): ``python tests/reliability/soak.py [--rounds N] [--procs P]``.

1. P processes open a new library at once, N rounds: every one must succeed.
2. An import of a generated folder runs while `mark` runs again and again: each mark must
   finish while the import still runs (it waits at most for one batch).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
OPEN = """
import sys, time
from pathlib import Path
from desktop.core.library import Library
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.005)
with Library.open(Path(sys.argv[1])) as lib:
    print(lib.papers.count())
"""


def soak_new_library(work: Path, rounds: int, procs: int) -> int:
    """Open new libraries from several processes at once; return the failures."""
    failures = 0
    for n in range(rounds):
        data, go = work / f"lib{n}", work / f"go{n}"
        running = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN, str(data), str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=ENV,
            )
            for _ in range(procs)
        ]
        time.sleep(1.5)
        go.touch()
        for proc in running:
            _, err = proc.communicate()
            if proc.returncode:
                failures += 1
                print(f"round {n}: {err.strip().splitlines()[-1]}")
    return failures


def soak_mark_during_import(work: Path, papers: int) -> list[float]:
    """Mark papers while a folder imports; return each mark's wall time."""
    folder, data = work / "digests", work / "marklib"
    gen = ROOT / "tests/perf/gen_digests.py"
    subprocess.run(
        [sys.executable, str(gen), "--papers", str(papers), "--out", str(folder)],
        check=True,
        env=ENV,
        stdout=subprocess.DEVNULL,
    )
    cmd = [sys.executable, "-m", "desktop", "--data-dir", str(data)]
    subprocess.run([*cmd, "import", str(ROOT / "seeds")], check=True, env=ENV, capture_output=True)
    importer = subprocess.Popen([*cmd, "import", str(folder)], env=ENV, stdout=subprocess.DEVNULL)
    times: list[float] = []
    paper = 1
    while importer.poll() is None:
        start = time.perf_counter()
        subprocess.run([*cmd, "mark", str(paper), "--star"], env=ENV, capture_output=True)
        if importer.poll() is None:
            times.append(time.perf_counter() - start)
        paper = paper % 200 + 1
    return times


def main() -> int:
    """Run both soaks and print their results; exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=24)
    parser.add_argument("--procs", type=int, default=6)
    parser.add_argument("--papers", type=int, default=60000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        failures = soak_new_library(Path(tmp), args.rounds, args.procs)
        print(f"new library: {failures} failures in {args.rounds * args.procs} opens")
        times = soak_mark_during_import(Path(tmp), args.papers)
        if times:
            print(f"mark during import: {len(times)} runs, max {max(times):.2f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

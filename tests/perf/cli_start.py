"""Command-line start-up: `digest-desk stats` and `mark ID --star` beside `python -c pass`.

Each command runs in a fresh process, as a script calling it in a loop would; the median of
several runs is reported, after one untimed run that writes the bytecode caches (an installed
app has them; PYTHONDONTWRITEBYTECODE is dropped for the children).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RUNS = 7


def _median_wall(argv: list[str], env: dict[str, str]) -> float:
    subprocess.run(argv, env=env, capture_output=True, check=True)  # bytecode caches
    samples = []
    for _ in range(RUNS):  # read at each call: the smoke test runs one
        start = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def measure_cli(data_dir: Path, paper_id: int) -> dict[str, Any]:
    """Median wall seconds of `python -c pass`, `stats` and `mark ID --star` on ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    app = [sys.executable, "-m", "desktop", "--data-dir", str(data_dir)]
    return {
        "python_pass_s": _median_wall([sys.executable, "-c", "pass"], env),
        "stats_s": _median_wall([*app, "stats"], env),
        "mark_s": _median_wall([*app, "mark", str(paper_id), "--star"], env),
        "runs": RUNS,
    }

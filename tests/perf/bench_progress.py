"""The Progress figures and `digest-desk keys` at scale: prints numbers, asserts nothing.

Usage: ``python tests/perf/bench_progress.py --papers 100000``

It fills a fresh on-disk library with N papers spread over the last year (arrival, first
read and archive times, a queue), as the columns the importer and triage write, then times
``desktop.core.progress.progress`` (what the Progress view and ``stats --json`` compute), the
Progress dialog built and painted once, and ``digest-desk keys --check`` as a subprocess
beside ``digest-desk --version`` (start-up cost of the keys command).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from desktop.core.library import Library
from desktop.core.progress import progress

NOW = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)


def fill(lib: Library, papers: int, seed: int) -> None:
    """N papers: arrivals over a year; 60 % archived days later, 70 % of those read; 3 % queued."""
    rnd = random.Random(seed)
    rows = []
    for n in range(papers):
        added = NOW - dt.timedelta(seconds=rnd.uniform(0, 365 * 86400))
        read_at = archived_at = None
        queue_pos = None
        roll = rnd.random()
        if roll < 0.6:
            done = min(NOW, added + dt.timedelta(days=rnd.expovariate(1 / 5)))
            archived_at = done.isoformat(timespec="seconds")
            if rnd.random() < 0.7:
                read_at = archived_at
        elif roll < 0.63:
            queue_pos = n
        stamp = added.isoformat(timespec="seconds")
        rows.append(
            (
                f"Paper {n}",
                f"paper {n}",
                "An abstract.",
                stamp,
                stamp,
                read_at is not None,
                read_at,
                archived_at is not None,
                archived_at,
                queue_pos,
            )
        )
    with lib.db.conn:
        lib.db.conn.executemany(
            "INSERT INTO papers (title, title_key, abstract, added_at, updated_at, is_read, "
            "read_at, archived, archived_at, queue_pos) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def time_it(fn: Any, repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def cli_ms(args: list[str], home: Path, repeats: int) -> float:
    env = {"XDG_CONFIG_HOME": str(home), "PATH": "/usr/bin:/bin"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    samples = time_it(
        lambda: subprocess.run(
            [sys.executable, "-m", "desktop", *args], env=env, capture_output=True, check=True
        ),
        repeats,
    )
    return statistics.median(samples)


def run(papers: int, repeats: int, seed: int, gui: bool) -> dict[str, Any]:
    """Measure and return the numbers (milliseconds)."""
    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "data"
        with Library.open(data, backups=False) as lib:
            fill(lib, papers, seed)
            samples = time_it(lambda: progress(lib.db, NOW), repeats)
            report: dict[str, Any] = {
                "papers": papers,
                "progress_ms_median": statistics.median(samples),
                "progress_ms_max": max(samples),
                "totals": progress(lib.db, NOW).totals(),
            }
            if gui:
                from desktop.gui.app import make_application
                from desktop.gui.dialogs.progress_view import ProgressDialog

                app = make_application()

                def build_and_paint() -> None:
                    dialog = ProgressDialog(progress(lib.db, NOW))
                    dialog.resize(760, 600)
                    dialog.grab()
                    dialog.deleteLater()
                    app.processEvents()

                report["dialog_open_and_paint_ms_median"] = statistics.median(
                    time_it(build_and_paint, repeats)
                )
        home = Path(work) / "config"
        report["cli_version_ms"] = cli_ms(["--version"], home, repeats)
        report["cli_keys_check_ms"] = cli_ms(["keys", "--check"], home, repeats)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-gui", action="store_true")
    args = parser.parse_args(argv)
    report = run(args.papers, args.repeats, args.seed, gui=not args.no_gui)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A smoke run of the Progress benchmark (structure only, never timings)."""

from __future__ import annotations

import pytest

from tests.perf import bench_progress

pytestmark = pytest.mark.perf


def test_the_progress_benchmark_reports_its_numbers() -> None:
    report = bench_progress.run(papers=300, repeats=1, seed=1, gui=True)
    assert report["papers"] == 300
    assert set(report) >= {
        "progress_ms_median",
        "progress_ms_max",
        "dialog_open_and_paint_ms_median",
        "cli_version_ms",
        "cli_keys_check_ms",
    }
    assert 0 < report["totals"]["arrived"] <= 300  # the year's last 90 days
    assert report["totals"]["archived"] > 0

"""`digest-desk stats`: the progress figures beside the totals."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from desktop.cli import main
from desktop.core.library import Library
from desktop.core.progress import progress
from tests.conftest import SEEDS


def run(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(args, out=out)
    return code, out.getvalue()


def test_stats_json_carries_the_progress_figures(tmp_path: Path) -> None:
    data = tmp_path / "lib"
    assert run(["--data-dir", str(data), "import", str(SEEDS)])[0] == 0
    ids = run(["--data-dir", str(data), "list", "--json"])[1]
    first, second, third = [p["id"] for p in json.loads(ids)[:3]]
    assert run(["--data-dir", str(data), "mark", str(first), str(second), "--archive"])[0] == 0
    assert run(["--data-dir", str(data), "mark", str(third), "--queue"])[0] == 0
    code, text = run(["--data-dir", str(data), "stats", "--json"])
    assert code == 0
    stats = json.loads(text)
    figures = stats["progress"]
    assert len(figures["days"]) == 90 and figures["today"] == figures["days"][-1]["day"]
    today = figures["days"][-1]
    assert (today["arrived"], today["archived"], today["open"]) == (286, 2, 284)
    assert figures["totals"] == {"arrived": 286, "read": 0, "archived": 2}
    assert (
        (figures["inbox"], figures["queue"])
        == (283, 1)
        == (
            stats["views"]["inbox"]["total"],
            stats["views"]["queue"]["total"],
        )
    )
    assert figures["queue_age"]["papers"] == 1 and figures["queue_age"]["oldest_days"] == 0
    # The same figures as the core computes (the GUI view shows these).
    with Library.open(data, backups=False) as lib:
        now = dt.datetime.now().astimezone()
        assert progress(lib.db, now).to_json()["days"] == figures["days"]
    code, text = run(["--data-dir", str(data), "stats"])
    assert code == 0 and "last 90 days" not in text  # plain stats stays quick
    code, text = run(["--data-dir", str(data), "stats", "--progress"])
    assert code == 0
    assert "last 90 days: 286 arrived, 0 read, 2 archived\n" in text
    assert "queue: 1 papers, oldest arrived 0 days ago (median 0)\n" in text

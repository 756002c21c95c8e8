"""`mark --snooze WHEN` / `--unsnooze`, `list --view snoozed`, `search is:snoozed`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core.library import Library


def run(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(args, out=out)
    return code, out.getvalue()


def test_snooze_and_unsnooze_from_the_command_line(
    seeded_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--data-dir", str(seeded_dir)]
    with Library.open(seeded_dir) as library:
        a, b = library.views.ids("inbox")[:2]
    code, text = run([*base, "mark", str(a), str(b), "--snooze", "3d"])
    assert code == 0 and text.startswith("snoozed until ") and text.endswith(": 2 papers\n")
    code, text = run([*base, "list", "--view", "snoozed"])
    assert code == 0 and text.endswith("2 papers in snoozed\n")
    assert all(" until " in line for line in text.splitlines()[:2])
    code, text = run([*base, "list", "--view", "snoozed", "--json"])
    rows = json.loads(text)
    assert [r["id"] for r in rows] == [a, b] and all("snoozed_until" in r for r in rows)
    code, text = run([*base, "list", "--json"])
    assert a not in {r["id"] for r in json.loads(text)}
    code, text = run([*base, "search", "is:snoozed", "--json"])
    assert sorted(r["id"] for r in json.loads(text)) == sorted([a, b])
    code, text = run([*base, "mark", str(a), "--unsnooze"])
    assert code == 0 and text == "unsnoozed: 1 of 1 paper\n"
    code, text = run([*base, "mark", str(b), "--snooze", "next digest"])
    assert text == "snoozed until the next digest: 1 paper\n"
    code, text = run([*base, "list", "--view", "snoozed"])
    assert "until next digest" in text and text.endswith("1 papers in snoozed\n")
    # The command line's actions are in the history the app undoes.
    with Library.open(seeded_dir) as library:
        assert library.history.undo_label() == "snooze until the next digest"
    code, _ = run([*base, "mark", str(a), "--snooze", "yesterday-ish"])
    assert code == 1
    assert "cannot read 'yesterday-ish' as a time" in capsys.readouterr().err
    code, _ = run([*base, "mark", str(a), "--snooze", "2020-01-01"])
    assert code == 1 and "already passed" in capsys.readouterr().err

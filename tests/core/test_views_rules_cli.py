"""`digest-desk views`, `list --view NAME` and `digest-desk rules`, run in-process."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from desktop.cli import main
from tests.conftest import SEEDS


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "lib"


def test_views_add_list_rename_move_delete(data: Path) -> None:
    d = ["--data-dir", str(data)]
    assert run(*d, "import", str(SEEDS))[0] == 0
    code, text = run(*d, "views", "--add", "Diffusion", "diffusion")
    assert code == 0 and "Diffusion  [diffusion]" in text and "1 saved view" in text
    run(*d, "views", "--add", "Unread graphs", "graph is:unread")
    code, text = run(*d, "views", "--json")
    views = json.loads(text)
    assert [v["name"] for v in views] == ["Diffusion", "Unread graphs"]
    diffusion = views[0]
    assert diffusion["total"] > 0 and diffusion["unread"] == diffusion["total"]
    assert diffusion["key"] == f"saved:{diffusion['id']}" and diffusion["error"] is None
    # list --view takes the name (any case) and lists exactly the view's papers
    code, text = run(*d, "list", "--view", "diffusion", "--json")
    listed = json.loads(text)
    assert code == 0 and len(listed) == diffusion["total"]
    assert all("diffusion" in (p["title"] + p["abstract"]).lower() for p in listed)
    # marking one read is seen by the count
    run(*d, "mark", str(listed[0]["id"]), "--read")
    (after,) = [v for v in json.loads(run(*d, "views", "--json")[1]) if v["name"] == "Diffusion"]
    assert after["unread"] == diffusion["unread"] - 1
    run(*d, "views", "--move", "Unread graphs", "-1")
    run(*d, "views", "--rename", "diffusion", "Denoising")
    code, text = run(*d, "views", "--json")
    assert [v["name"] for v in json.loads(text)] == ["Unread graphs", "Denoising"]
    code, text = run(*d, "views", "--delete", "Denoising")
    assert code == 0 and "Denoising" not in text and "1 saved view" in text


def test_views_errors_are_one_line(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(data)]
    run(*d, "import", str(SEEDS))
    code, _ = run(*d, "views", "--add", "Broken", 'title:"open')
    assert code == 1
    assert "error: the query cannot be saved: a quote is not closed" in capsys.readouterr().err
    code, _ = run(*d, "list", "--view", "nothing like this")
    assert code == 1 and "unknown view 'nothing like this'" in capsys.readouterr().err
    code, _ = run(*d, "views", "--move", "x", "up")
    assert code == 1


def test_rules_add_list_import_try_apply_delete(data: Path, tmp_path: Path) -> None:
    d = ["--data-dir", str(data)]
    code, text = run(*d, "rules", "add", "no diffusion", "diffusion", "--mute")
    assert code == 0 and "added rule 'no diffusion': diffusion -> mute" in text
    run(*d, "rules", "add", "agents", "agent*", "--tag", "agents", "--star")
    code, text = run(*d, "rules", "--json")
    rules = json.loads(text)
    assert [(r["name"], r["actions"], r["tag"]) for r in rules] == [
        ("no diffusion", ["mute"], None),
        ("agents", ["tag", "star"], "agents"),
    ]
    code, text = run(*d, "import", str(SEEDS))
    assert code == 0 and "rule 'no diffusion':" in text and "muted" in text
    code, text = run(*d, "import", "--json", str(SEEDS))  # nothing new: no rule lines
    assert all(r["rules"] == [] for r in json.loads(text))
    muted = json.loads(run(*d, "list", "--view", "archive", "--json")[1])
    assert muted and all("diffusion" in (p["title"] + p["abstract"]).lower() for p in muted)
    # a rule added later can be tried, then applied to the library
    run(*d, "rules", "add", "queue graphs", "graph -is:archived", "--queue")
    code, text = run(*d, "rules", "try", "queue graphs", "--json")
    tried = json.loads(text)
    assert code == 0 and tried["matched"] > 0 and tried["changed"]["queue"] == tried["matched"]
    assert json.loads(run(*d, "list", "--view", "queue", "--json")[1]) == []
    code, text = run(*d, "rules", "apply", "queue graphs")
    assert code == 0 and f"changed {tried['matched']}" in text
    queued = json.loads(run(*d, "list", "--view", "queue", "--json")[1])
    assert len(queued) == tried["matched"]
    run(*d, "rules", "disable", "agents")
    code, text = run(*d, "rules")
    assert 'agents  [agent*] -> tag "agents", star  (off)' in text and "3 rules" in text
    code, text = run(*d, "rules", "delete", "agents")
    assert code == 0 and "deleted rule 'agents'" in text


def test_rule_errors(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = ["--data-dir", str(data)]
    code, _ = run(*d, "rules", "add", "x", "graph")
    assert code == 1 and "a rule needs at least one action" in capsys.readouterr().err
    code, _ = run(*d, "rules", "try", "missing")
    assert code == 1 and "no rule called 'missing'" in capsys.readouterr().err

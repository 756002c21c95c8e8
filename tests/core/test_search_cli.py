"""The search, related and reindex commands of the command line."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from desktop.cli import main


def run(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(args, out=out)
    return code, out.getvalue()


def test_search_json_lists_id_title_score_and_snippet(seeded_dir: Path) -> None:
    code, text = run(["--data-dir", str(seeded_dir), "search", "DiskGNN", "--json"])
    assert code == 0
    hits = json.loads(text)
    assert hits[0]["id"] == 1
    assert hits[0]["title"].startswith("DiskGNN:")
    assert hits[0]["score"] > 0
    snippet = hits[0]["snippet"]
    assert "\x02" not in snippet and "\x03" not in snippet
    assert hits[0]["matches"]
    assert all(snippet[s:e] == "DiskGNN" for s, e in hits[0]["matches"])


def test_search_text_output_marks_matches_and_respects_limit(seeded_dir: Path) -> None:
    code, text = run(["--data-dir", str(seeded_dir), "search", "model", "--limit", "3"])
    assert code == 0
    assert text.splitlines()[-1] == "3 results"
    assert "[model]" in text.lower()


def test_search_notice_and_suggestion_go_to_stderr(
    seeded_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = run(["--data-dir", str(seeded_dir), "search", "(lnaguage", "--json"])
    assert code == 0
    assert json.loads(text) == []
    err = capsys.readouterr().err
    assert "parenthesis" in err
    assert "did you mean: language" in err


def test_related_excludes_the_paper(seeded_dir: Path) -> None:
    code, text = run(["--data-dir", str(seeded_dir), "related", "1", "--json"])
    assert code == 0
    hits = json.loads(text)
    assert 0 < len(hits) <= 10
    assert 1 not in [h["id"] for h in hits]
    assert {"id", "title", "score", "snippet"} <= set(hits[0])
    code, _ = run(["--data-dir", str(seeded_dir), "related", "99999"])
    assert code == 1


def test_reindex_rebuilds_a_deleted_index(seeded_dir: Path) -> None:
    shutil.rmtree(seeded_dir / "index")
    (seeded_dir / "index").mkdir()
    code, text = run(["--data-dir", str(seeded_dir), "reindex"])
    assert code == 0
    assert text == "search index rebuilt: 286 papers\n"
    code, text = run(["--data-dir", str(seeded_dir), "search", "DiskGNN", "--json"])
    assert json.loads(text)[0]["id"] == 1

"""The annotation commands of the CLI: note, highlight, highlights, tag, tags, show."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core.library import Library

TITLE = "DiskGNN: Bridging I/O Efficiency and Model Accuracy"
ABSTRACT = (
    "Graph neural networks (GNNs) are machine learning models specialized for graph data. "
    "We build a system called DiskGNN, which achieves high I/O efficiency and fast training."
)


def run(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(args, out=out)
    return code, out.getvalue()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A library with two papers: ids 1 and 2."""
    data = tmp_path / "lib"
    with Library.open(data, backups=False) as library:
        library.importer.import_text(
            f"{TITLE}\n\n{ABSTRACT}\n\n\nSecond Paper\n\nOther words.\n", "d1"
        )
    return data


def cli(data: Path, *args: str) -> tuple[int, str]:
    return run(["--data-dir", str(data), *args])


def test_note_set_print_stdin_and_delete(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(data, "note", "1") == (0, "")
    assert cli(data, "note", "1", "# Idea\nuse *this*") == (0, "note saved for paper 1\n")
    assert cli(data, "note", "1") == (0, "# Idea\nuse *this*\n")
    hostile = "<b>x</b>\x1b[31m red; DROP TABLE notes; --\n\U0001f600\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(hostile))
    assert cli(data, "note", "1", "-")[0] == 0
    # stored exactly, printed with the escape sequence made visible (never raw to a terminal)
    assert cli(data, "note", "1") == (0, hostile.replace("\x1b", "\\x1b"))
    with Library.open(data, backups=False) as library:
        assert library.notes.get(1) == hostile
    assert cli(data, "note", "1", "") == (0, "note deleted for paper 1\n")
    assert cli(data, "note", "1") == (0, "")
    assert cli(data, "note", "77", "x")[0] == 1
    assert "no paper with id 77" in capsys.readouterr().err


def test_highlight_by_quote_and_failures(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = cli(data, "highlight", "1", "--quote", "high I/O efficiency", "--color", "blue")
    assert code == 0 and "abstract" in text and "'high I/O efficiency'" in text
    code, text = cli(
        data, "highlight", "1", "--quote", "Bridging", "--note", "title word", "--json"
    )
    h = json.loads(text)
    assert (h["field"], h["start"], h["end"], h["quote"]) == ("title", 9, 17, "Bridging")
    assert (h["color"], h["note"], h["anchored"]) == ("yellow", "title word", True)
    capsys.readouterr()
    code, text = cli(data, "highlight", "1", "--quote", "not in this paper")
    assert code == 1 and text == ""
    err = capsys.readouterr().err
    assert err.startswith("digest-desk: error: paper 1 does not contain the text")
    code, _ = cli(data, "highlight", "1", "--quote", "DiskGNN", "--color", "chartreuse")
    assert code == 1
    assert "unknown colour 'chartreuse'" in capsys.readouterr().err
    with Library.open(data, backups=False) as library:
        assert [x.quote for x in library.annotations(1).highlights] == [
            "Bridging",
            "high I/O efficiency",
        ]


def test_tag_add_remove_and_tags_listing(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(data, "tag", "1", "2", "--add", " to  read ") == (0, "tagged 2 papers: to read\n")
    assert cli(data, "tag", "1", "--add", "Systems")[0] == 0
    assert cli(data, "tags") == (0, "     1  Systems\n     2  to read\n2 tags\n")
    code, text = cli(data, "tags", "--json")
    assert json.loads(text) == [{"name": "Systems", "count": 1}, {"name": "to read", "count": 2}]
    assert cli(data, "tag", "2", "--remove", "TO READ") == (0, "untagged 1 paper: TO READ\n")
    code, text = cli(data, "list", "--view", "tag:to read", "--json")
    assert [p["id"] for p in json.loads(text)] == [1]
    assert cli(data, "tags", "--rename", "Systems", "to read")[1].endswith("1 tag\n")
    assert cli(data, "tags", "--delete", "to read") == (0, "0 tags\n")
    capsys.readouterr()
    assert cli(data, "tag", "1", "--add", "a,b")[0] == 1
    assert "comma" in capsys.readouterr().err
    assert cli(data, "tags", "--delete", "ghost")[0] == 1


def test_show_includes_note_highlights_and_tags(data: Path) -> None:
    cli(data, "note", "1", "my note\nsecond line")
    cli(data, "highlight", "1", "--quote", "fast training", "--color", "red", "--note", "how?")
    cli(data, "tag", "1", "--add", "gnn")
    code, text = cli(data, "show", "1", "--json")
    shown = json.loads(text)
    assert code == 0 and shown["note"] == "my note\nsecond line" and shown["tags"] == ["gnn"]
    (h,) = shown["highlights"]
    start = ABSTRACT.index("fast training")
    assert h["start"] == start and h["end"] == start + len("fast training")
    assert (h["quote"], h["color"], h["color_label"], h["note"]) == (
        "fast training",
        "red",
        "doubt",
        "how?",
    )
    assert h["anchored"] is True and h["orphaned"] is False
    assert {"prefix", "suffix", "id", "field", "created_at"} <= set(h)
    code, text = cli(data, "show", "1")
    assert "tags: gnn" in text
    assert "note:\n  my note\n  second line" in text
    assert f"red (doubt) abstract {start}-{start + 13}: 'fast training'" in text
    assert "      how?" in text
    code, text = cli(data, "show", "2", "--json")
    empty = json.loads(text)
    assert (empty["note"], empty["highlights"], empty["tags"]) == ("", [], [])


def test_show_marks_orphaned_highlights(data: Path) -> None:
    cli(data, "highlight", "1", "--quote", "fast training")
    with Library.open(data, backups=False) as library:
        library.importer.import_text(f"{TITLE}\n\nA rewritten abstract with none of it.\n", "d2")
    code, text = cli(data, "show", "1")
    assert "ORPHANED" in text and "'fast training'" in text
    shown = json.loads(cli(data, "show", "1", "--json")[1])
    assert shown["highlights"][0]["orphaned"] is True


def test_highlights_listing(data: Path) -> None:
    cli(data, "highlight", "1", "--quote", "fast training", "--color", "red")
    cli(data, "highlight", "2", "--quote", "Other words", "--note", "plain")
    code, text = cli(data, "highlights")
    assert code == 0 and text.endswith("2 highlights\n")
    code, text = cli(data, "highlights", "--color", "red", "--json")
    assert [(h["paper_id"], h["quote"]) for h in json.loads(text)] == [(1, "fast training")]
    code, text = cli(data, "highlights", "--query", "PLAIN", "--json")
    assert [h["quote"] for h in json.loads(text)] == ["Other words"]
    assert cli(data, "highlights", "--color", "beige")[0] == 1

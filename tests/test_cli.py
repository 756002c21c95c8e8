"""The command line, run in-process and as a real subprocess."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from tests.conftest import SEEDS


def run(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(args, out=out)
    return code, out.getvalue()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "lib"


def test_import_prints_a_line_per_file_and_a_total(data: Path) -> None:
    code, text = run(["--data-dir", str(data), "import", str(SEEDS)])
    assert code == 0
    lines = text.splitlines()
    assert lines[0].startswith("000_1581d1d7c8c6a1ac.txt: 22 entries, 22 new, 0 already known")
    assert (
        lines[-1]
        == "total: 4 files, 286 new papers, 28 already known, 0 failed; library has 286 papers"
    )
    code, text = run(["--data-dir", str(data), "import", str(SEEDS)])
    assert code == 0 and "already imported" in text


def test_import_with_a_bad_file_exits_1_and_keeps_the_others(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "photo.txt"
    bad.write_bytes(b"\x89PNG\x00\x00\x00")
    code, text = run(["--data-dir", str(data), "import", str(bad), str(next(SEEDS.glob("000_*")))])
    assert code == 1
    assert "photo.txt: error: it is a binary file, not text" in text
    assert "library has 22 papers" in text


def test_list_show_mark_stats_json(data: Path) -> None:
    run(["--data-dir", str(data), "import", str(SEEDS)])
    code, text = run(["--data-dir", str(data), "list", "--json"])
    papers = json.loads(text)
    assert code == 0 and len(papers) == 286
    first = papers[0]
    assert set(first) >= {
        "id",
        "title",
        "abstract",
        "authors_count",
        "published",
        "digests",
        "state",
    }
    assert first["state"] == {
        "read": False,
        "read_at": None,
        "starred": False,
        "archived": False,
        "queued": False,
        "queue_position": None,
    }
    pid = str(first["id"])
    assert run(["--data-dir", str(data), "mark", pid, "--star"])[0] == 0
    assert run(["--data-dir", str(data), "mark", pid, "--queue"])[0] == 0
    code, text = run(["--data-dir", str(data), "show", pid, "--json"])
    shown = json.loads(text)
    assert shown["state"]["starred"] and shown["state"]["queued"]
    assert [d["name"] for d in shown["digests"]] == [
        "000_1581d1d7c8c6a1ac.txt",
        "003_6a9130a22abd98d5.txt",
    ]
    code, text = run(["--data-dir", str(data), "list", "--view", "queue"])
    assert "1 papers in queue" in text and "DiskGNN" in text
    code, text = run(["--data-dir", str(data), "stats", "--json"])
    stats = json.loads(text)
    assert (
        stats["papers"] == 286
        and stats["views"]["queue"]["total"] == 1
        and stats["views"]["inbox"]["total"] == 285
    )
    code, text = run(["--data-dir", str(data), "show", pid])
    assert "DiskGNN" in text and "8 authors" in text and "starred" in text


def test_errors_are_one_line(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--data-dir", str(data), "show", "999"])[0] == 1
    assert run(["--data-dir", str(data), "mark", "abc", "--read"])[0] == 1
    assert run(["--data-dir", str(data), "list", "--view", "nope"])[0] == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "digest-desk: error: no paper with id 999",
        "digest-desk: error: not a paper id or a known arXiv id: 'abc'",
        "digest-desk: error: unknown view 'nope'; "
        "use one of inbox, queue, starred, archive, all, snoozed, digest:ID or tag:NAME",
    ]


def test_env_var_selects_the_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_DESK_HOME", str(tmp_path / "envlib"))
    run(["import", str(next(SEEDS.glob("000_*")))])
    assert (tmp_path / "envlib" / "library.sqlite3").exists()


def test_python_m_desktop_runs(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(tmp_path / "d"), "stats"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("0 papers")


HEAVY = (
    "whoosh",
    "numpy",
    "pandas",
    "desktop.core.search.index",
    "desktop.core.importing.import_writer",
    "desktop.core.search.selection",
    "dateutil.parser._parser",
    # Nothing these commands use, and 1-10 ms each of their start (issue 15):
    "click.core",
    "_strptime",
    "shutil",
    "difflib",
    "platformdirs",
    "desktop.core.progress",
    "desktop.core.annotations.text_anchor",
)


@pytest.mark.parametrize(
    "command", [["stats"], ["list", "--view", "queue"], ["mark", "1", "--star"], ["show", "1"]]
)
def test_commands_that_do_not_search_load_neither_whoosh_nor_numpy_nor_what_they_skip(
    data: Path, command: list[str]
) -> None:
    assert run(["--data-dir", str(data), "import", str(SEEDS)])[0] == 0
    code = (
        "import sys\n"
        "from desktop.cli import main\n"
        f"rc = main({['--data-dir', str(data), *command]!r})\n"
        f"print(sorted({{m.split('.')[0] if not m.startswith('desktop') else m for m in sys.modules"
        f" if m.startswith({HEAVY!r})}}))\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_a_note_from_a_command_that_does_not_search_still_reaches_the_index(data: Path) -> None:
    assert run(["--data-dir", str(data), "import", str(SEEDS)])[0] == 0
    assert run(["--data-dir", str(data), "note", "3", "zanzibarite crystals"])[0] == 0
    code, text = run(["--data-dir", str(data), "search", "zanzibarite", "--json"])
    assert code == 0
    assert [hit["id"] for hit in json.loads(text)] == [3]


def test_a_command_parser_made_alone_is_the_same_as_in_the_whole_parser() -> None:
    from desktop.cli import _commands, _parser_for, _subcommands, build_parser

    whole = build_parser()
    names = _commands(whole)
    assert {"import", "mark", "stats", "rules", "export", "keys"} <= names

    for name in names:
        alone = build_parser(name)
        assert _commands(alone) == {name}
        assert _subcommands(alone)[name].format_help() == _subcommands(whole)[name].format_help()
    # Help, files and mistyped commands get the whole parser.
    assert _commands(_parser_for(["--help"])) == names
    assert _commands(_parser_for(["--data-dir", "mark", "notes.txt"])) == names
    assert _commands(_parser_for(["--data-dir", "x", "mark", "1", "--star"])) == {"mark"}
    assert _commands(_parser_for(["mrak"])) == names


@pytest.mark.parametrize(
    ("argv", "changes"),
    [
        (["delete", "1"], True),
        (["digests", "--rename", "1", "x"], True),
        (["digests", "--remove", "1", "--keep-papers"], True),
        (["digests", "--remove-samples"], True),
        (["digests"], False),
        (["digests", "--json"], False),
        (["stats"], False),
        (["mark", "1", "--star"], True),
    ],
)
def test_the_read_only_check_knows_which_commands_change_the_library(
    argv: list[str], changes: bool
) -> None:
    """delete and digests --rename/--remove write: refused up front on a read-only library,
    and they take their turn before an import's next batch, as other short writers do."""
    from desktop.cli import build_parser
    from desktop.cli.session import writes

    assert writes(build_parser(argv[0]).parse_args(argv)) is changes


@pytest.mark.parametrize("columns", [None, "", "abc", "0", "-5", "57", "200"])
def test_the_help_is_as_wide_as_argparse_would_make_it(
    columns: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's formatter finds the width without shutil, as shutil finds it."""
    import argparse
    import shutil

    from desktop.cli import HelpFormatter

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert shutil.get_terminal_size().columns - 2 == HelpFormatter("x")._width  # noqa: SLF001
    assert argparse.HelpFormatter("x")._width == HelpFormatter("x")._width  # noqa: SLF001

"""`digest-desk keys`: the keys in effect, a preset's keys, and checking the keymap file."""

from __future__ import annotations

import io
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.gui.keymap import DEFAULT_KEYMAP
from desktop.gui.keymap.user_keys import keymap_path, preset_keymap


def run(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(args, out=out)
    return code, out.getvalue()


def write_keys(text: str) -> Path:
    path = keymap_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def table(text: str) -> dict[str, str]:
    """key -> command of the printed table (comment lines left out)."""
    headers = ("# keymap file: ", "# preset")  # the key # has a line of its own
    rows = [line.split() for line in text.splitlines() if not line.startswith(headers)]
    return {row[0]: row[1] for row in rows}


def test_keys_prints_the_default_keys_with_what_they_do_when_there_is_no_file() -> None:
    code, text = run(["keys"])
    assert code == 0
    assert text.startswith(f"# keymap file: {keymap_path()} (none: the default keys)\n")
    assert table(text) == DEFAULT_KEYMAP
    assert any(
        line.split()[:2] == ["s", "toggle-star"] and line.endswith("Star or unstar the paper.")
        for line in text.splitlines()
    )


def test_keys_prints_the_keys_in_effect_with_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    write_keys('preset = "gmail"\n[keys]\n"Ctrl+J" = "next-paper"\n"m" = "nope"\n')
    code, text = run(["keys"])
    assert code == 0
    assert "# preset: gmail" in text and "(1 keys changed)" in text
    assert table(text) == {**preset_keymap("gmail"), "Ctrl+J": "next-paper"}
    assert "line 4: unknown command 'nope' for m" in capsys.readouterr().err


def test_keys_preset_prints_that_preset() -> None:
    code, text = run(["keys", "--preset", "vim"])
    assert code == 0 and text.startswith("# preset vim: ")
    assert table(text) == preset_keymap("vim") and table(text)["Ctrl+R"] == "redo"
    code, _text = run(["keys", "--preset", "emacs"])
    assert code == 1


@pytest.mark.parametrize("name", ["default", "vim", "gmail"])
def test_keys_preset_check_finds_every_preset_clean(name: str) -> None:
    code, text = run(["keys", "--preset", name, "--check"])
    assert code == 0 and text.startswith(f"preset {name}: no problems;")
    assert "every command keeps a key" in text


def test_keys_preset_check_names_a_command_left_without_a_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop.gui.keymap.presets import PRESETS

    monkeypatch.delitem(PRESETS["gmail"].changes, "b")  # z undoes: snooze would lose its key
    code, text = run(["keys", "--preset", "gmail", "--check"])
    assert code == 1
    assert text == "preset gmail: snooze has no key any more (the default keys give it z)\n"


def test_keys_toml_prints_a_file_to_start_from() -> None:
    code, text = run(["keys", "--preset", "vim", "--toml"])
    assert code == 0
    assert tomllib.loads(text) == {"preset": "vim", "keys": {}}
    assert '# "d,d" = "delete-papers"' in text


def test_keys_check_reports_each_problem_with_its_line_and_exits_1() -> None:
    path = write_keys('[keys]\n"Ctrl+k" = "archive"\n"ctrl+K" = "redo"\n"m" = "archve"\n')
    code, text = run(["keys", "--check"])
    assert code == 1
    assert text.splitlines() == [
        f"{path}: line 3: Ctrl+K is bound twice (lines 2 and 3); both lines are ignored and "
        "the key keeps its preset binding",
        f"{path}: line 4: unknown command 'archve' for m (did you mean 'archive'?); the key "
        "keeps its preset binding",
    ]


def test_keys_check_passes_a_good_file_and_a_missing_one() -> None:
    code, text = run(["keys", "--check"])
    assert code == 0 and text == f"{keymap_path()}: no keymap file; the default keys apply\n"
    path = write_keys('preset = "vim"\n[keys]\n"Ctrl+J" = "next-paper"\n')
    code, text = run(["keys", "--check"])
    assert code == 0 and text == f"{path}: no problems; preset vim, 1 key changed\n"


def test_keys_runs_without_loading_qt_or_the_library() -> None:
    code = (
        "import sys, io\n"
        "from desktop.cli import main\n"
        "rc = main(['keys', '--check'], out=io.StringIO())\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "lib = 'desktop.core.library' in sys.modules\n"
        "print(bad, lib); sys.exit(1 if bad or lib or rc else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr

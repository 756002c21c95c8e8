"""The keymap file: key spelling, presets, and every problem named by its line with only the
broken part falling back (plain Python: no Qt is loaded)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from desktop.gui.keymap import DEFAULT_KEYMAP
from desktop.gui.keymap.catalogue import command_docs
from desktop.gui.keymap.presets import PRESETS
from desktop.gui.keymap.report import render_keymap_file
from desktop.gui.keymap.user_keys import (
    KeySpellingError,
    LoadedKeymap,
    clashes,
    keymap_path,
    load_keymap_file,
    normalize_key,
    parse_keymap,
    preset_keymap,
)

KNOWN = set(command_docs())


def parse(text: str) -> LoadedKeymap:
    return parse_keymap(text, KNOWN)


# -- spelling ----------------------------------------------------------------------------------
def test_the_default_keys_are_written_as_normalize_key_writes_them() -> None:
    assert {normalize_key(k): k for k in DEFAULT_KEYMAP} == {k: k for k in DEFAULT_KEYMAP}


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("ctrl+k", "Ctrl+K"),
        ("Ctrl+k", "Ctrl+K"),
        ("control+shift+z", "Ctrl+Shift+Z"),
        ("shift+ctrl+z", "Ctrl+Shift+Z"),
        ("G", "Shift+G"),
        ("shift+g", "Shift+G"),
        ("J", "Shift+J"),
        ("j", "j"),
        ("g, i", "g,i"),
        ("escape", "Esc"),
        ("pagedown", "PgDown"),
        ("f12", "F12"),
        ("alt+UP", "Alt+Up"),
        (":", ":"),
        ("d,d", "d,d"),
    ],
)
def test_keys_are_spelled_one_way(written: str, key: str) -> None:
    assert normalize_key(written) == key


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("foo", "no key is called 'foo'"),
        ("Hyper+k", "'Hyper' is not a modifier"),
        ("g,", "a key is missing"),
        ("Ctrl+", "a key is missing after '+'"),
        ("a,b,c,d,e", "at most 4 steps"),
        (" ", "a key is missing"),
        ("F36", "no key is called 'F36'"),
    ],
)
def test_text_that_is_no_key_says_why(written: str, why: str) -> None:
    with pytest.raises(KeySpellingError, match=re.escape(why)):
        normalize_key(written)


def test_a_key_clashes_with_a_sequence_it_starts() -> None:
    assert clashes("g", "g,i") and clashes("g,i", "g")
    assert not clashes("g,i", "g,l") and not clashes("g,i", "g,i") and not clashes("i", "g,i")


# -- presets -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_a_valid_keymap_of_known_commands(name: str) -> None:
    loaded = parse(f'preset = "{name}"\n')
    assert loaded.ok and loaded.preset == name
    assert loaded.keymap == preset_keymap(name)
    for key, command in PRESETS[name].changes.items():
        assert normalize_key(key) == key
        assert command == "" or command in KNOWN, (name, key)
    keys = list(loaded.keymap)
    assert [(a, b) for a in keys for b in keys if clashes(a, b)] == []


def test_the_presets_change_the_keys_they_say() -> None:
    assert preset_keymap("default") == DEFAULT_KEYMAP
    vim = preset_keymap("vim")
    assert vim["Ctrl+D"] == "scroll-detail-down" and vim["d,d"] == "delete-papers"
    assert vim["j"] == "next-paper"  # the defaults stay
    gmail = preset_keymap("gmail")
    assert gmail["y"] == "archive" and gmail["z"] == "undo" and gmail["u"] == "escape"
    assert gmail["l"] == "edit-tags" and gmail["q"] == "toggle-queue"
    # Gmail's own keys: z undoes and b snoozes; opening in the browser moves to Shift+O
    assert gmail["b"] == "snooze" and gmail["Shift+O"] == "open-in-browser"


# -- the file ----------------------------------------------------------------------------------
def test_a_file_overrides_adds_and_unbinds_keys_over_its_preset() -> None:
    loaded = parse(
        'preset = "vim"\n'
        "\n"
        "[keys]\n"
        '"ctrl+j" = "next-paper"   # a new key\n'
        '"m" = "archive"           # another command\n'
        '"b" = ""                  # nothing\n'
    )
    assert loaded.ok, loaded.problems
    assert loaded.preset == "vim" and loaded.changed == 3
    expected = preset_keymap("vim")
    expected["Ctrl+J"] = "next-paper"
    expected["m"] = "archive"
    del expected["b"]
    assert loaded.keymap == expected


def test_an_unknown_command_names_its_line_and_the_key_keeps_its_preset_binding() -> None:
    loaded = parse('[keys]\n"s" = "archive"\n"m" = "archve"\n')
    assert [str(p) for p in loaded.problems] == [
        "line 3: unknown command 'archve' for m (did you mean 'archive'?); the key keeps its "
        "preset binding"
    ]
    assert loaded.keymap["m"] == "toggle-read" and loaded.keymap["s"] == "archive"


def test_a_key_bound_twice_names_both_lines_and_keeps_the_preset_binding() -> None:
    loaded = parse('[keys]\n"Ctrl+k" = "archive"\n"x" = "undo"\n"ctrl+K" = "redo"\n')
    assert len(loaded.problems) == 1
    problem = loaded.problems[0]
    assert problem.line == 4
    assert "Ctrl+K is bound twice (lines 2 and 4); both lines are ignored" in problem.message
    assert loaded.keymap["Ctrl+K"] == "command-palette"
    assert loaded.keymap["x"] == "undo"  # the rest of the file applies


def test_a_malformed_file_names_its_line_and_gives_the_default_keys() -> None:
    loaded = parse('preset = "vim"\n[keys]\n"j" = next-paper\n')
    assert len(loaded.problems) == 1 and loaded.problems[0].line == 3
    assert "not valid TOML" in loaded.problems[0].message
    assert loaded.keymap == DEFAULT_KEYMAP
    assert loaded.message().startswith("The keymap file: line 3: not valid TOML")


def test_a_toml_duplicate_key_is_malformed_with_its_line() -> None:
    loaded = parse('[keys]\n"j" = "undo"\n"k" = "redo"\n"j" = "redo"\n')
    assert loaded.problems[0].line == 4 and loaded.keymap == DEFAULT_KEYMAP


def test_unknown_presets_settings_keys_and_values_each_name_their_line() -> None:
    loaded = parse(
        'preset = "emacs"\ncolour = 3\n[keys]\n"Hyper+x" = "undo"\n"y" = 5\n"q" = "quit"\n'
    )
    assert [(p.line, p.message.split(" (")[0].split(";")[0]) for p in loaded.problems] == [
        (1, "unknown preset 'emacs'"),
        (2, "unknown setting 'colour'"),
        (4, "'Hyper+x' is not a key"),
        (5, "y: the command must be a name in quotes"),
    ]
    assert loaded.preset == "default"
    assert loaded.keymap == {**DEFAULT_KEYMAP, "q": "quit"}


def test_a_key_that_starts_a_sequence_is_refused_unless_the_sequence_is_unbound() -> None:
    loaded = parse('[keys]\n"g" = "go-inbox"\n')
    assert [p.line for p in loaded.problems] == [2]
    assert "g cannot be bound: it starts g then " in loaded.problems[0].message
    assert "g" not in loaded.keymap and loaded.keymap["g,i"] == "go-inbox"
    unbound = "".join(f'"{k}" = ""\n' for k in DEFAULT_KEYMAP if k.startswith("g,"))
    loaded = parse(f'[keys]\n"g" = "go-inbox"\n{unbound}')
    assert loaded.ok, loaded.problems
    assert loaded.keymap["g"] == "go-inbox"
    assert not any(k.startswith("g,") for k in loaded.keymap)


def test_a_sequence_that_starts_with_a_bound_key_is_refused() -> None:
    loaded = parse('[keys]\n"s,s" = "toggle-star"\n')
    assert "s then s cannot be bound: it begins with s (toggle-star)" in str(loaded.problems[0])


def test_keys_must_be_a_table() -> None:
    loaded = parse('keys = "j"\n')
    assert [p.line for p in loaded.problems] == [1]
    assert loaded.keymap == DEFAULT_KEYMAP


def test_the_message_is_one_line_with_the_first_problem_and_a_count(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text('[keys]\n"m" = "qwxyzzy"\n"s" = "nada"\n', encoding="utf-8")
    loaded = load_keymap_file(path, KNOWN)
    assert loaded.message() == (
        "keys.toml: line 2: unknown command 'qwxyzzy' for m; the key keeps its preset binding "
        "(and 1 more: digest-desk keys --check lists them)"
    )


def test_no_file_means_the_default_keys_and_an_unreadable_one_says_so(tmp_path: Path) -> None:
    missing = load_keymap_file(tmp_path / "keys.toml", KNOWN)
    assert missing.ok and missing.path is None and missing.keymap == DEFAULT_KEYMAP
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    unreadable = load_keymap_file(folder, KNOWN)
    assert not unreadable.ok and unreadable.keymap == DEFAULT_KEYMAP
    assert "cannot be read" in unreadable.message()
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    assert "cannot be read" in load_keymap_file(binary, KNOWN).message()


def test_the_file_lives_in_the_config_folder(tmp_path: Path) -> None:
    # tests/conftest.py points XDG_CONFIG_HOME at a folder of the test's own
    assert keymap_path().name == "keys.toml"
    assert keymap_path().parent.name == "digest-desk"
    assert "xdg-config" in str(keymap_path())


def test_a_rendered_file_reads_back_as_its_preset() -> None:
    text = render_keymap_file("gmail", preset_keymap("gmail"))
    assert tomllib.loads(text) == {"preset": "gmail", "keys": {}}
    loaded = parse(text)
    assert loaded.ok and loaded.keymap == preset_keymap("gmail")
    # Un-commenting a line of it works as it reads.
    loaded = parse(text.replace('# "y" = "archive"', '"y" = "undo"'))
    assert loaded.ok and loaded.keymap["y"] == "undo"


def test_the_catalogue_knows_the_commands_without_importing_qt() -> None:
    code = (
        "import sys\n"
        "from desktop.gui.keymap import catalogue, report, user_keys\n"
        "docs = catalogue.command_docs()\n"
        "assert docs['archive'].startswith('Archive the paper'), docs['archive']\n"
        "assert 'color-1' in docs and 'show-progress' in docs\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_readme_example_is_a_good_keymap_file() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    loaded = parse(example)
    assert loaded.ok, loaded.problems
    assert loaded.preset == "vim" and loaded.changed == 3
    assert loaded.keymap["Ctrl+J"] == "next-paper" and loaded.keymap["m"] == "archive"
    assert "b" not in loaded.keymap

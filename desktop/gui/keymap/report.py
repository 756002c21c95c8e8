"""The keys as text for ``digest-desk keys``: a table, a check report, a file to start from.

Plain Python, no Qt.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from desktop.gui.keymap import DEFAULT_KEYMAP
from desktop.gui.keymap.presets import PRESETS
from desktop.gui.keymap.user_keys import LoadedKeymap, clashes, preset_keymap


def header(loaded: LoadedKeymap, path: Path) -> str:
    """Comment lines saying where the keys come from."""
    if loaded.path is None:
        source = f"# keymap file: {path} (none: the {loaded.preset} keys)"
    else:
        source = f"# keymap file: {path} ({loaded.changed} keys changed)"
    return f"{source}\n# preset: {loaded.preset}\n"


def keys_table(keymap: Mapping[str, str], docs: Mapping[str, str]) -> str:
    """One line per key: the key as the keymap file writes it, the command, what it does."""
    width = max((len(k) for k in keymap), default=0) + 2
    names = max((len(c) for c in keymap.values()), default=0) + 2
    lines = [
        f"{key:<{width}}{command:<{names}}{docs.get(command, '')}".rstrip()
        for key, command in keymap.items()
    ]
    return "\n".join(lines) + "\n"


def check_report(loaded: LoadedKeymap, path: Path) -> str:
    """What ``--check`` prints: the problems one per line, or that the file is fine."""
    if loaded.path is None:
        return f"{path}: no keymap file; the default keys apply\n"
    if loaded.ok:
        return (
            f"{path}: no problems; preset {loaded.preset}, {loaded.changed} "
            f"key{'s' if loaded.changed != 1 else ''} changed\n"
        )
    return "".join(f"{path}: {problem}\n" for problem in loaded.problems)


def preset_problems(name: str, known_commands: Mapping[str, str]) -> list[str]:
    """What is wrong with a preset: a key for an unknown command, keys that clash (one
    starts the other), a command of the default keys left with no key at all."""
    table = preset_keymap(name)
    problems = [
        f"{key}: unknown command {command!r}"
        for key, command in PRESETS[name].changes.items()
        if command and command not in known_commands
    ]
    keys = list(table)
    problems += [
        f"{a} and {b} clash (one starts the other)"
        for n, a in enumerate(keys)
        for b in keys[n + 1 :]
        if clashes(a, b)
    ]
    kept = set(table.values())
    lost: dict[str, list[str]] = {}
    for key, command in DEFAULT_KEYMAP.items():
        if command not in kept:
            lost.setdefault(command, []).append(key)
    problems += [
        f"{command} has no key any more (the default keys give it {' / '.join(keys)})"
        for command, keys in lost.items()
    ]
    return problems


def preset_check_report(name: str, known_commands: Mapping[str, str]) -> tuple[str, bool]:
    """What ``--preset NAME --check`` prints, and whether the preset is fine."""
    problems = preset_problems(name, known_commands)
    if problems:
        return "".join(f"preset {name}: {problem}\n" for problem in problems), False
    changed = len(PRESETS[name].changes)
    return (
        f"preset {name}: no problems; {changed} key{'s' if changed != 1 else ''} changed "
        "from the defaults, every command keeps a key\n",
        True,
    )


def render_keymap_file(preset: str, keymap: Mapping[str, str]) -> str:
    """A keymap file that starts from ``preset``, with every key in effect as a comment to
    copy from."""
    lines = [
        "# Digest Desk keys (check with: digest-desk keys --check)",
        f'preset = "{preset}"',
        "",
        "[keys]",
        '# "key" = "command" binds a key; "key" = "" unbinds it. The keys in effect:',
    ]
    lines += [f'# "{key}" = "{command}"' for key, command in keymap.items()]
    return "\n".join(lines) + "\n"

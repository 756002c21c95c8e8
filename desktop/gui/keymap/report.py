"""The keys as text for ``digest-desk keys``: a table, a check report, a file to start from.

Plain Python, no Qt.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from desktop.gui.keymap.user_keys import LoadedKeymap


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

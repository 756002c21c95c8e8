"""The default keymap: one table from key to command name.

Keys are written as people read them: ``j``, ``Alt+Up``, ``Ctrl+Shift+Z``; a sequence of
keys pressed one after the other is comma-separated (``g,i``). The README key table, the
``?`` cheat sheet and the command palette are all rendered from this table.

Run ``python -m desktop.gui.keymap`` to print the README table, and
``python -m desktop.gui.keymap --write-readme`` to update it in README.md (``readme.py``).

This package imports no command: the commands (``desktop.gui.commands``) and the dialogs
that show keys import it, so the docstrings come in as an argument where they are needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.gui.commands.registry import Command

DEFAULT_KEYMAP: dict[str, str] = {
    "j": "next-paper",
    "Down": "next-paper",
    "k": "previous-paper",
    "Up": "previous-paper",
    "Return": "open-paper",
    "Enter": "open-paper",
    "o": "open-paper",
    "b": "open-in-browser",
    "c": "copy-link",
    "Shift+B": "copy-bibtex",
    "#": "delete-papers",
    "m": "toggle-read",
    "s": "toggle-star",
    "l": "toggle-queue",
    "e": "archive",
    "Alt+Up": "queue-move-up",
    "Alt+Down": "queue-move-down",
    "x": "toggle-select",
    "z": "snooze",
    "Shift+Z": "unsnooze",
    "g,z": "go-snoozed",
    "Shift+K": "mark-above-read",
    "Shift+M": "mark-view-read",
    "Shift+U": "toggle-unread-only",
    "u": "undo",
    "Ctrl+Z": "undo",
    "Ctrl+Shift+Z": "redo",
    "Ctrl+H": "history",
    "/": "focus-search",
    "Ctrl+Shift+F": "toggle-search-scope",
    "Ctrl+Shift+D": "take-suggestion",
    "Esc": "escape",
    "g,i": "go-inbox",
    "g,l": "go-queue",
    "g,s": "go-starred",
    "g,e": "go-archive",
    "g,a": "go-all",
    "g,d": "focus-sidebar",
    "Ctrl+S": "save-search-as-view",
    "g,1": "go-saved-view-1",
    "g,2": "go-saved-view-2",
    "g,3": "go-saved-view-3",
    "g,4": "go-saved-view-4",
    "g,5": "go-saved-view-5",
    "g,6": "go-saved-view-6",
    "g,7": "go-saved-view-7",
    "g,8": "go-saved-view-8",
    "g,9": "go-saved-view-9",
    "Shift+F2": "rename-saved-view",
    "Alt+Shift+Up": "move-saved-view-up",
    "Alt+Shift+Down": "move-saved-view-down",
    "Ctrl+Shift+Delete": "delete-saved-view",
    "Ctrl+Shift+R": "edit-rules",
    "v": "focus-text",
    "h": "highlight",
    "1": "color-1",
    "2": "color-2",
    "3": "color-3",
    "4": "color-4",
    "5": "color-5",
    "n": "edit-note",
    "Ctrl+Return": "finish-note",
    "Ctrl+Enter": "finish-note",
    "]": "next-highlight",
    "[": "previous-highlight",
    "Delete": "delete-highlight",
    "t": "edit-tags",
    "F2": "rename-tag",
    "Ctrl+Delete": "delete-tag",
    "g,h": "go-highlights",
    "g,p": "show-progress",
    "Space": "scroll-detail-down",
    "Shift+Space": "scroll-detail-up",
    "Ctrl+K": "command-palette",
    "?": "cheat-sheet",
    "Shift+F10": "context-menu",
    "Menu": "context-menu",
    "Ctrl+I": "import-files",
    "Ctrl+Shift+I": "import-folder",
    "Ctrl+E": "export",
    "Ctrl+V": "paste-digest",
    "Shift+S": "sort-menu",
    "F5": "reload",
    "Ctrl+Q": "quit",
}

# How a key is spelled for Qt's QKeySequence, where it differs from how people read it.
_QT_NAMES = {"Esc": "Esc", "Return": "Return", "Enter": "Enter"}
# How a key is shown to people, where it differs from the keymap spelling.
# Return and the keypad's Enter are both "Enter" to people.
_DISPLAY = {"Return": "Enter", "Ctrl+Return": "Ctrl+Enter"}


def qt_sequence(key: str) -> str:
    """The QKeySequence text of a keymap key (``g,i`` becomes ``G, I``)."""
    parts = []
    for part in key.split(","):
        part = part.strip()
        if len(part) == 1 and part.isalpha():
            part = part.upper()
        parts.append(_QT_NAMES.get(part, part))
    return ", ".join(parts)


def display_key(key: str) -> str:
    """A key as shown to people: ``g,i`` becomes ``g then i``."""
    return " then ".join(_DISPLAY.get(p.strip(), p.strip()) for p in key.split(","))


def keys_for(command_name: str, keymap: Mapping[str, str] | None = None) -> list[str]:
    """Every key bound to a command, in keymap order."""
    table = DEFAULT_KEYMAP if keymap is None else keymap
    return [key for key, name in table.items() if name == command_name]


def bound_commands(keymap: Mapping[str, str] | None = None) -> list[str]:
    """Command names that have a key, in keymap order, each once."""
    table = DEFAULT_KEYMAP if keymap is None else keymap
    return list(dict.fromkeys(table.values()))


def key_rows(
    commands: Mapping[str, Command], keymap: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """(keys as shown, what the command does) for every bound command, in keymap order."""
    rows = []
    for name in bound_commands(keymap):
        keys = " / ".join(dict.fromkeys(display_key(k) for k in keys_for(name, keymap)))
        rows.append((keys, commands[name].doc))
    return rows


def key_cells(key: str) -> str:
    """A key as a README cell: ``g,i`` becomes ```g` then `i```."""
    return " then ".join(f"`{_DISPLAY.get(p.strip(), p.strip())}`" for p in key.split(","))


def has_modifier(key: str) -> bool:
    """True when any key of ``key`` is pressed with Ctrl, Alt, Shift or Meta."""
    return any("+" in part.strip()[1:] for part in key.split(","))


def menu_key_text(key: str) -> str:
    """How a menu shows a key: a plain key as it is typed (``s``, not Qt's ``S``, which reads
    like Shift+S; ``g, i`` for a sequence), a chord as Qt shows it on this platform."""
    from PySide6.QtGui import QKeySequence

    if has_modifier(key):
        return QKeySequence(qt_sequence(key)).toString(QKeySequence.SequenceFormat.NativeText)
    return ", ".join(_DISPLAY.get(p.strip(), p.strip()) for p in key.split(","))


def sequence_prefixes(keymap: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """First keys of the key sequences (``g`` of ``g,i``) -> the keys of those sequences."""
    table = DEFAULT_KEYMAP if keymap is None else keymap
    out: dict[str, list[str]] = {}
    for key in table:
        first, sep, _rest = key.partition(",")
        if sep:
            out.setdefault(first.strip(), []).append(key)
    return out

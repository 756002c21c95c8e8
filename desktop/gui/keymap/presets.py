"""The keymap presets: the default keys, Vim-style and Gmail-style.

A preset is a set of changes to ``DEFAULT_KEYMAP``: a key bound to a command (a new key, or
an existing one given another command) or to ``""`` (the key does nothing). The user's
keymap file names a preset and changes it further (``user_keys``). Plain Python, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    """A named set of changes to the default keys."""

    name: str
    description: str
    changes: dict[str, str] = field(default_factory=dict)


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset("default", "The keys of the README table."),
        Preset(
            "vim",
            "The default keys, plus Vim's: Ctrl+D/Ctrl+U and Ctrl+F/Ctrl+B scroll, Ctrl+R "
            "redoes, : opens the palette, i selects text, y then y copies the link, d then d "
            "deletes.",
            {
                "Ctrl+D": "scroll-detail-down",
                "Ctrl+F": "scroll-detail-down",
                "Ctrl+U": "scroll-detail-up",
                "Ctrl+B": "scroll-detail-up",
                "Ctrl+R": "redo",
                ":": "command-palette",
                "i": "focus-text",
                "y,y": "copy-link",
                "d,d": "delete-papers",
            },
        ),
        Preset(
            "gmail",
            "Gmail's keys where Digest Desk has the action: y archives, z undoes, b snoozes, "
            "u goes back to the list, l labels (tags), . opens the palette, Shift+N reloads; "
            "the queue moves to q and opening in the browser to Shift+O, which Gmail does not "
            "use.",
            {
                "y": "archive",
                # Gmail's z is undo and its b is snooze: both as in Gmail, so that no key does
                # what a Gmail user does not expect (the default z, snooze, moves to b).
                "z": "undo",
                "b": "snooze",
                "Shift+O": "open-in-browser",
                "u": "escape",
                "l": "edit-tags",
                "q": "toggle-queue",
                ".": "command-palette",
                "Shift+N": "reload",
            },
        ),
    )
}

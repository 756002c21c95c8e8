"""Help: the command palette (Ctrl+K) and the keyboard cheat sheet (?)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from desktop.gui.commands.registry import COMMANDS, command
from desktop.gui.dialogs.cheat_sheet import CheatSheet
from desktop.gui.dialogs.command_palette import CommandPalette
from desktop.gui.keymap import key_rows

if TYPE_CHECKING:
    from desktop.gui.context import WindowContext


@command("command-palette", label="Commands…", menu="Help", icon="command", toolbar=True)
def command_palette(ctx: WindowContext) -> None:
    """Find and run any command by name."""
    palette = CommandPalette(list(COMMANDS.values()), ctx.keymap, ctx.dialog_parent)

    def chosen() -> None:
        name = palette.chosen
        if name:
            QTimer.singleShot(0, lambda: ctx.run_command(name))

    palette.accepted.connect(chosen)
    ctx.show_dialog(palette)


@command("cheat-sheet", label="Keyboard shortcuts", menu="Help", icon="help")
def cheat_sheet(ctx: WindowContext) -> None:
    """Show every key and what it does."""
    ctx.show_dialog(CheatSheet(key_rows(COMMANDS, ctx.keymap), ctx.dialog_parent))

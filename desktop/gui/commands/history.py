"""The lasting history: the History panel (Enter shows the paper, u undoes the action)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.core.history import HistoryEntry
from desktop.gui.commands.registry import command
from desktop.gui.commands.undoing import undo_chosen
from desktop.gui.dialogs.history_panel import HistoryPanel

if TYPE_CHECKING:
    from desktop.gui.context import WindowContext


@command("history", label="History…", menu="Edit")
def history_panel(ctx: WindowContext) -> None:
    """List what you did (kept across restarts): Enter shows the paper, u undoes an action."""

    def undo(entry: HistoryEntry) -> str:
        message = undo_chosen(ctx, entry)
        ctx.say(message)
        return message

    ctx.show_dialog(HistoryPanel(ctx.library, ctx.go_to_paper, undo, ctx.dialog_parent))

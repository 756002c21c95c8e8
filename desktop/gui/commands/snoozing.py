"""Snooze: papers out of the Inbox until a time or the next digest (z), and back (Shift+Z)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog

from desktop.gui.commands.registry import command
from desktop.gui.commands.triage import plural
from desktop.gui.dialogs.snooze_dialog import SnoozeDialog

if TYPE_CHECKING:
    from desktop.gui.context import WindowContext


@command(
    "snooze", label="Snooze…", menu="Paper", icon="snooze", context_menu=True, needs_paper=True
)
def snooze(ctx: WindowContext) -> None:
    """Snooze the paper: out of the Inbox until tomorrow, 3 days, next week, the next digest."""
    ids = ctx.targets()
    if not ids:
        return
    dialog = SnoozeDialog(len(ids), ctx.library.clock, ctx.dialog_parent)

    def finished(result: int) -> None:
        ctx.focus_list()
        if result != QDialog.DialogCode.Accepted or dialog.chosen is None:
            return
        changes = ctx.library.snoozes.snooze(ids, dialog.chosen)
        if not changes.empty:
            what = dialog.chosen.describe()
            ctx.say(f"Snoozed {what}: {plural(len(ids), 'paper')}   ·   u undoes")

    dialog.finished.connect(finished)
    ctx.show_dialog(dialog)


@command("unsnooze", label="Unsnooze", menu="Paper", needs_paper=True)
def unsnooze(ctx: WindowContext) -> None:
    """Bring snoozed papers back to the Inbox now."""
    ids = ctx.targets()
    changes = ctx.library.snoozes.unsnooze(ids)
    if changes.empty:
        ctx.say("Not snoozed")
    else:
        ctx.say(f"Back in the Inbox: {plural(len(changes.papers), 'paper')}   ·   u undoes")


@command("go-snoozed", label="Snoozed", menu="Go", icon="snooze")
def go_snoozed(ctx: WindowContext) -> None:
    """Go to the snoozed papers, with the time each returns."""
    ctx.set_view("snoozed")

"""Progress: papers arriving and archived per day, the open papers, the queue's age."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.gui.commands.registry import command
from desktop.gui.controllers.progress_worker import compute_progress
from desktop.gui.dialogs.progress_view import ProgressDialog

if TYPE_CHECKING:
    from desktop.gui.context import WindowContext


@command("show-progress", label="Progress", menu="Go")
def show_progress(ctx: WindowContext) -> None:
    """Show papers arriving and archived per day over 90 days, open papers and the queue's age."""
    dialog = ProgressDialog(None, ctx.dialog_parent)  # "computing…" until the figures come
    ctx.show_dialog(dialog)
    compute_progress(ctx.library, dialog.show_figures, dialog.show_error)

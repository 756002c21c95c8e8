"""Catching up: mark everything above, or the whole view, as read; show unread papers only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from desktop.gui.commands.registry import command
from desktop.gui.commands.triage import plural

if TYPE_CHECKING:
    from desktop.core.models import PaperId
    from desktop.gui.context import WindowContext


def mark_read_after_asking(ctx: WindowContext, ids: Sequence[PaperId], where: str) -> None:
    """Mark the unread ones of ``ids`` read once the user says yes to their count."""
    unread = ctx.library.views.unread_among(ids)
    if not unread:
        ctx.say(f"Nothing unread {where}")
        return
    if not ctx.confirm(f"Mark the {plural(len(unread), 'unread paper')} {where} as read?"):
        ctx.say("Nothing marked")
        return
    ctx.library.triage.set_read(unread)
    ctx.say(f"Marked read: {plural(len(unread), 'paper')} {where}   ·   u undoes")


@command("mark-above-read", label="Mark everything above as read", menu="Paper", needs_paper=True)
def mark_above_read(ctx: WindowContext) -> None:
    """Mark every paper above the current one as read (after a count to confirm)."""
    row = ctx.current_row()
    if row <= 0:
        ctx.say("Nothing above this paper")
        return
    mark_read_after_asking(ctx, ctx.listed_ids()[:row], "above")


@command("mark-view-read", label="Mark all in view as read", menu="Paper", needs_paper=True)
def mark_view_read(ctx: WindowContext) -> None:
    """Mark every paper listed as read (after a count to confirm)."""
    mark_read_after_asking(ctx, ctx.listed_ids(), "in this list")


@command("toggle-unread-only", label="Unread only", menu="Go")
def toggle_unread_only(ctx: WindowContext) -> None:
    """Show only the unread papers of the view, or all of them again."""
    on = not ctx.unread_only
    ctx.set_unread_only(on)
    ctx.say("Unread papers only (Shift+U shows all)" if on else "All papers of the view")

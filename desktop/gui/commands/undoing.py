"""Undo and redo for the commands: confirmations, and refusals said rather than raised."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from desktop.core.history import HistoryEntry, UndoRefusedError
from desktop.core.models import Changes
from desktop.core.views import SAVED_PREFIX

if TYPE_CHECKING:
    from desktop.gui.context import WindowContext

# Says what an undo or redo did: (its label, its Changes).
Announce = Callable[[tuple[str, Changes]], None]


def confirm_undo(ctx: WindowContext, entry: HistoryEntry) -> bool:
    """Ask before an undo that removes papers (an import's); True to go on."""
    if entry.kind != "import":
        return True
    payload = ctx.library.history.payload_of(entry.id)
    digest = int(payload["digest"]) if isinstance(payload, dict) else 0
    papers, annotated = ctx.library.removal.import_footprint(digest)
    question = f"Undo \u201c{entry.label}\u201d? It removes the {papers} papers it added"
    question += f", {annotated} of them with your notes, highlights or tags." if annotated else "."
    return ctx.confirm(question)


def leave_deleted_view(ctx: WindowContext) -> None:
    """Show the Inbox when the saved view shown was deleted (by a redo, an undo)."""
    if ctx.view.startswith(f"{SAVED_PREFIX}:") and ctx.view not in {
        v.key for v in ctx.library.saved_views.all()
    }:
        ctx.set_view("inbox")


def undo_last(ctx: WindowContext, on_done: Announce | None = None) -> str:
    """Undo the last action (after a confirmation for an import); what to say, or "" when
    ``on_done`` was given what was undone to say it."""
    history = ctx.library.history
    entry = history.next_undo()
    if entry is None:
        return "Nothing to undo"
    if not confirm_undo(ctx, entry):
        return "Nothing undone"
    try:
        with ctx.returning_papers():
            done = history.undo()
    except UndoRefusedError as exc:
        return str(exc)
    finally:
        ctx.update_actions()  # the history moved after the write was announced
        leave_deleted_view(ctx)
    if done and on_done is not None:
        on_done(done)
        return ""
    return f"Undone: {done[0]}" if done else "Nothing to undo"


def redo_last(ctx: WindowContext, on_done: Announce | None = None) -> str:
    """Redo the last undone action; what to say (as undo_last)."""
    try:
        with ctx.returning_papers():
            done = ctx.library.history.redo()
    except UndoRefusedError as exc:
        return str(exc)
    finally:
        ctx.update_actions()
        leave_deleted_view(ctx)
    if done and on_done is not None:
        on_done(done)
        return ""
    return f"Redone: {done[0]}" if done else "Nothing to redo"


def undo_chosen(ctx: WindowContext, entry: HistoryEntry) -> str:
    """Undo one action of the History panel; what to say (the reason when refused)."""
    if entry.undone:
        return f"\u201c{entry.label}\u201d is already undone"
    if not confirm_undo(ctx, entry):
        return "Nothing undone"
    try:
        with ctx.returning_papers():
            label, _changes = ctx.library.history.undo_entry(entry.id)
    except UndoRefusedError as exc:
        return str(exc)
    finally:
        ctx.update_actions()
        leave_deleted_view(ctx)
    return f"Undone: {label}"

"""Triage: read, starred, queued and archived on the target papers; bulk selection; undo."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from desktop.gui.commands.registry import command
from desktop.gui.commands.undoing import redo_last, undo_last

if TYPE_CHECKING:
    from desktop.core.models import Changes, PaperId
    from desktop.gui.context import WindowContext


def plural(n: int, word: str) -> str:
    """``1 paper``, ``2 papers``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def say_done(ctx: WindowContext, changes: Changes, ids: Sequence[int]) -> None:
    """Say what a triage write did (the undo label names it), or that nothing changed."""
    if changes.empty:
        ctx.say("Nothing to change")
        return
    label = ctx.library.history.undo_label() or "done"
    ctx.say(f"{label[:1].upper()}{label[1:]}: {plural(len(ids), 'paper')}   ·   u undoes")


def advance_if_still_here(ctx: WindowContext, before: PaperId | None, ids: Sequence[int]) -> None:
    """After archiving or queueing one paper that stays in the view, go to the next one."""
    if len(ids) == 1 and before is not None and before == ctx.current_id():
        ctx.move_current(+1)


def toggle(ctx: WindowContext, what: str) -> None:
    """Toggle read, starred or queued on the target papers."""
    ids = ctx.targets()
    if not ids:
        return
    before = ctx.current_id()
    changes = ctx.library.triage.toggle(what, ids)
    say_done(ctx, changes, ids)
    if what == "queued" and ctx.library.history.undo_label() == "add to queue":
        advance_if_still_here(ctx, before, ids)


@command(
    "toggle-read",
    label="Read / unread",
    menu="Paper",
    icon="unread",
    toolbar=True,
    context_menu=True,
    needs_paper=True,
)
def toggle_read(ctx: WindowContext) -> None:
    """Mark the paper read or unread."""
    toggle(ctx, "read")


@command(
    "toggle-star",
    label="Star",
    menu="Paper",
    icon="star",
    toolbar=True,
    context_menu=True,
    needs_paper=True,
)
def toggle_star(ctx: WindowContext) -> None:
    """Star or unstar the paper."""
    toggle(ctx, "starred")


@command(
    "toggle-queue",
    label="Read later",
    menu="Paper",
    icon="queue",
    toolbar=True,
    context_menu=True,
    needs_paper=True,
)
def toggle_queue(ctx: WindowContext) -> None:
    """Add the paper to the reading queue, or take it out."""
    toggle(ctx, "queued")


@command(
    "archive",
    label="Archive",
    menu="Paper",
    icon="archive",
    toolbar=True,
    context_menu=True,
    needs_paper=True,
)
def archive(ctx: WindowContext) -> None:
    """Archive the paper (done); in the Archive view, bring it back."""
    ids = ctx.targets()
    if not ids:
        return
    if ctx.view == "archive":
        archived = False
    else:
        papers = ctx.library.papers.many(ids, with_sightings=False)
        archived = not all(p.archived for p in papers)
    before = ctx.current_id()
    changes = ctx.library.triage.set_archived(ids, archived)
    say_done(ctx, changes, ids)
    if archived and not changes.empty:
        advance_if_still_here(ctx, before, ids)


def move_in_queue(ctx: WindowContext, delta: int) -> None:
    """Move the current paper within the reading queue."""
    paper_id = ctx.current_id()
    if paper_id is None:
        return
    back = ""
    if ctx.view == "queue" and ctx.search.query is None and not ctx.is_queue_order():
        back = f"Back in queue order (was {ctx.sorting.describe()}) to move the paper   ·   "
        ctx.sorting.clear()  # a move is made in queue order: it must be seen
    if not ctx.is_queue_order():
        ctx.say("Papers are reordered in the Queue view (g then l), outside search")
        return
    changes = ctx.library.triage.move_in_queue(paper_id, delta)
    if changes.empty:
        ctx.say(back + "Already at the " + ("top" if delta < 0 else "bottom") + " of the queue")
    elif back:
        ctx.say(back + ("Moved up" if delta < 0 else "Moved down"))


@command("queue-move-up", label="Move up in queue", menu="Paper", context_menu=True)
def queue_move_up(ctx: WindowContext) -> None:
    """Move the paper one place up in the reading queue."""
    move_in_queue(ctx, -1)


@command("queue-move-down", label="Move down in queue", menu="Paper", context_menu=True)
def queue_move_down(ctx: WindowContext) -> None:
    """Move the paper one place down in the reading queue."""
    move_in_queue(ctx, +1)


@command(
    "toggle-select",
    label="Select for bulk action",
    menu="Paper",
    icon="check",
    context_menu=True,
    needs_paper=True,
)
def toggle_select(ctx: WindowContext) -> None:
    """Select the paper for a bulk action, staying on it (triage keys then act on all)."""
    row = ctx.current_row()
    if row < 0:
        return
    count = ctx.toggle_mark(row)
    if count:
        ctx.say(f"{plural(count, 'paper')} selected: triage keys act on all; Esc clears")
    else:
        ctx.say("No papers selected")


def short_title(title: str, limit: int = 40) -> str:
    """A title cut to ``limit`` characters for a status message."""
    flat = " ".join(title.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def say_history(
    ctx: WindowContext, verb: str, done_word: str, done: tuple[str, Changes] | None
) -> None:
    """Say what undo or redo changed, naming the paper, and show that paper (switching to
    All papers when the view does not hold it), so nothing is undone out of sight."""
    if done is None:
        ctx.say(f"Nothing to {verb.lower()}")
        return
    label, changes = done
    current = ctx.current_id()
    ids = sorted(changes.papers)
    papers = ctx.library.papers.many(ids, with_sightings=False) if ids else []
    if not papers:
        ctx.say(f"{done_word}: {label}")
        return
    shown = next((p for p in papers if p.id == current), papers[0])
    more = f" and {plural(len(papers) - 1, 'other paper')}" if len(papers) > 1 else ""
    ctx.say(f"{done_word}: {label} on ‘{short_title(shown.title)}’{more}")
    if shown.id != current:
        ctx.go_to_paper(int(shown.id))


@command("undo", label="Undo", menu="Edit", icon="undo", toolbar=True)
def undo(ctx: WindowContext) -> None:
    """Undo the last action (triage, snooze, note, tags, an import…), showing its paper."""
    message = undo_last(ctx, on_done=lambda done: say_history(ctx, "Undo", "Undone", done))
    if message:
        ctx.say(message)


@command("redo", label="Redo", menu="Edit", icon="redo", toolbar=True)
def redo(ctx: WindowContext) -> None:
    """Redo the last undone action, showing the paper it changed."""
    message = redo_last(ctx, on_done=lambda done: say_history(ctx, "Redo", "Redone", done))
    if message:
        ctx.say(message)

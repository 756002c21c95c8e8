"""Moving around: the cursor in the list, opening a paper, scrolling the detail pane."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.gui.commands.registry import command

if TYPE_CHECKING:
    from desktop.gui.context import WindowContext


@command("next-paper", label="Next paper", menu="Go")
def next_paper(ctx: WindowContext) -> None:
    """Select the next paper."""
    ctx.move_current(+1)


@command("previous-paper", label="Previous paper", menu="Go")
def previous_paper(ctx: WindowContext) -> None:
    """Select the previous paper."""
    ctx.move_current(-1)


@command("open-paper", label="Open paper", menu="Paper", icon="read", needs_paper=True)
def open_paper(ctx: WindowContext) -> None:
    """Open the paper in the detail pane and mark it read."""
    ctx.search.settle()  # Enter right after typing a query opens its first result
    paper_id = ctx.current_id()
    if paper_id is None:
        return
    paper = ctx.open_paper(paper_id)
    if paper is not None and not paper.is_read:
        ctx.library.triage.set_read([paper_id], True)
        ctx.say("Marked read")


@command("scroll-detail-down", label="Scroll detail down", menu="Go")
def scroll_detail_down(ctx: WindowContext) -> None:
    """Scroll the detail pane down one page."""
    ctx.scroll_detail(+1)


@command("scroll-detail-up", label="Scroll detail up", menu="Go")
def scroll_detail_up(ctx: WindowContext) -> None:
    """Scroll the detail pane up one page."""
    ctx.scroll_detail(-1)


@command("context-menu", label="Context menu", menu="Paper")
def context_menu(ctx: WindowContext) -> None:
    """Open the context menu of the paper (or of the text, in the detail pane) by keyboard."""
    ctx.show_context_menu()

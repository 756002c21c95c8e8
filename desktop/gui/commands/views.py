"""Search and the views: the search field, Esc, the built-in views and the sidebar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.gui.commands.registry import command

if TYPE_CHECKING:
    from desktop.gui.context import WindowContext


@command("focus-search", label="Search", menu="Edit", icon="search")
def focus_search(ctx: WindowContext) -> None:
    """Put the cursor in the search field."""
    ctx.search.focus()


@command("toggle-search-scope", label="Search only this view", menu="Edit")
def toggle_search_scope(ctx: WindowContext) -> None:
    """Search the view shown only, or the whole library again (in:view in a query too)."""
    ctx.search.set_scope("library" if ctx.search.scope == "view" else "view")
    if ctx.search.query is None:
        where = "the view shown" if ctx.search.scope == "view" else "the whole library"
        ctx.say(f"Searches look in {where}")


@command("take-suggestion", label="Take the suggested search", menu="Edit")
def take_suggestion(ctx: WindowContext) -> None:
    """Search for the "Did you mean" suggestion of the last search."""
    if not ctx.search.take_suggestion():
        ctx.say("No suggestion to take: search for something first (/)")


@command("escape", label="Back to the list", menu="Edit")
def escape(ctx: WindowContext) -> None:
    """Back to the list: leave the search (back to the view as it was), the selection."""
    if ctx.search.has_text() or ctx.search.query is not None:
        ctx.search.clear()
    elif ctx.marked_count():
        ctx.clear_marks()
        ctx.say("Selection cleared")
    ctx.focus_list()
    ctx.annotations.let_go()


@command("go-inbox", label="Inbox", menu="Go", icon="inbox")
def go_inbox(ctx: WindowContext) -> None:
    """Go to the Inbox."""
    ctx.set_view("inbox")


@command("go-queue", label="Reading queue", menu="Go", icon="queue")
def go_queue(ctx: WindowContext) -> None:
    """Go to the reading queue."""
    ctx.set_view("queue")


@command("go-starred", label="Starred", menu="Go", icon="star")
def go_starred(ctx: WindowContext) -> None:
    """Go to the starred papers."""
    ctx.set_view("starred")


@command("go-archive", label="Archive", menu="Go", icon="archive")
def go_archive(ctx: WindowContext) -> None:
    """Go to the Archive."""
    ctx.set_view("archive")


@command("go-all", label="All papers", menu="Go", icon="all")
def go_all(ctx: WindowContext) -> None:
    """Go to all papers."""
    ctx.set_view("all")


@command("focus-sidebar", label="Choose a view or digest", menu="Go", icon="digest")
def focus_sidebar(ctx: WindowContext) -> None:
    """Move the keyboard to the list of views and digests (Enter picks one)."""
    ctx.focus_sidebar()

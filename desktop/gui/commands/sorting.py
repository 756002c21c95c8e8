"""Sorting the list (View → Sort by): each view keeps its own sort; Shift+S chooses one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.gui.commands.registry import command

if TYPE_CHECKING:
    from desktop.gui.context import WindowContext

SORT_BY = "Sort by"


def sort_by(ctx: WindowContext, key: str) -> None:
    """Sort the list by ``key`` (again: the other way round) and say so."""
    ctx.sorting.choose(key)
    ctx.say(f"This view is {ctx.sorting.describe()}   ·   Shift+S then v: its own order")


@command("sort-menu", label="Sort by…", menu="View")
def sort_menu(ctx: WindowContext) -> None:
    """Choose how this view is sorted (or its own order again) from a menu."""
    ctx.sorting.open_chooser()


@command("sort-by-title", label="&Title", menu="View", submenu=SORT_BY)
def sort_by_title(ctx: WindowContext) -> None:
    """Sort this view by title (again: the other way round)."""
    sort_by(ctx, "title")


@command("sort-by-published", label="&Published date", menu="View", submenu=SORT_BY)
def sort_by_published(ctx: WindowContext) -> None:
    """Sort this view by date published, newest first (again: oldest first)."""
    sort_by(ctx, "published")


@command("sort-by-authors", label="Number of &authors", menu="View", submenu=SORT_BY)
def sort_by_authors(ctx: WindowContext) -> None:
    """Sort this view by its papers' number of authors (again: the other way round)."""
    sort_by(ctx, "authors")


@command("sort-by-digests", label="Number of &digests", menu="View", submenu=SORT_BY)
def sort_by_digests(ctx: WindowContext) -> None:
    """Sort this view by how many digests listed each paper (again: the other way round)."""
    sort_by(ctx, "digests")


@command("sort-clear", label="The &view's own order", menu="View", submenu=SORT_BY)
def sort_clear(ctx: WindowContext) -> None:
    """Clear this view's sort: back to its own order (queue order, digest order, ranking)."""
    if ctx.sorting.clear():
        ctx.say("Back to this view's own order")
    else:
        ctx.say("This view is in its own order already")

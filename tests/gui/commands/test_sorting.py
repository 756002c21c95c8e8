"""Sort commands and a move in a sorted queue, on a fake context."""

from __future__ import annotations

from desktop.core.library import Library
from tests.gui.commands.conftest import run
from tests.gui.commands.fake_context import FakeContext


def test_sort_commands_choose_reverse_and_clear(ctx: FakeContext) -> None:
    run(ctx, "sort-by-title")
    assert ctx.sorting.sort == ("title", False)
    assert "sorted by title" in ctx.messages[-1]
    run(ctx, "sort-by-title")
    assert ctx.sorting.sort == ("title", True)
    run(ctx, "sort-clear")
    assert ctx.sorting.sort is None and ctx.messages[-1] == "Back to this view's own order"
    run(ctx, "sort-clear")
    assert ctx.messages[-1] == "This view is in its own order already"
    run(ctx, "sort-menu")
    assert ctx.messages[-1] == "(the Sort by menu)"


def test_a_move_in_a_sorted_queue_clears_the_sort_and_moves(seeded: Library) -> None:
    inbox = seeded.views.ids("inbox")
    seeded.triage.set_queued(inbox[:3], True)
    ctx = FakeContext(seeded, "queue")
    queue = seeded.views.ids("queue")
    ctx.sorting.choose("title")
    ctx.row = 1
    run(ctx, "queue-move-up")
    assert ctx.sorting.sort is None
    assert ctx.messages[-1].startswith("Back in queue order (was sorted by title)")
    assert ctx.messages[-1].endswith("Moved up")
    assert seeded.views.ids("queue") == [queue[1], queue[0], queue[2]]


def test_a_move_outside_the_queue_says_where_papers_are_reordered(ctx: FakeContext) -> None:
    run(ctx, "queue-move-down")
    assert "reordered in the Queue view" in ctx.messages[-1]


def test_scope_and_suggestion_commands(ctx: FakeContext) -> None:
    run(ctx, "toggle-search-scope")
    assert ctx.search.scope == "view" and ctx.messages[-1] == "Searches look in the view shown"
    run(ctx, "toggle-search-scope")
    assert ctx.search.scope == "library"
    run(ctx, "take-suggestion")
    assert ctx.messages[-1].startswith("No suggestion to take")

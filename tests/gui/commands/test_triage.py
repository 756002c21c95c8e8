"""Triage commands on a fake context: what they write, where the cursor goes, what is said.

(Moved from tests/gui/test_triage_keys.py: they need no window.)
"""

from __future__ import annotations

from desktop.core.library import Library
from desktop.core.models import Paper
from tests.gui.commands.conftest import run
from tests.gui.commands.fake_context import FakeContext


def paper(library: Library, paper_id: int) -> Paper:
    found = library.papers.get(paper_id)
    assert found is not None
    return found


def test_bulk_select_then_triage_acts_on_every_selected(ctx: FakeContext) -> None:
    library = ctx.library
    inbox = library.views.ids("inbox")
    # x selects without moving: x j x j x selects papers 1 to 3.
    for name in ("toggle-select", "next-paper", "toggle-select", "next-paper", "toggle-select"):
        run(ctx, name)
    marked = [inbox[0], inbox[1], inbox[2]]
    assert ctx.targets() == marked
    assert ctx.current_id() == inbox[2]
    assert ctx.messages[-1].startswith("3 papers selected")
    run(ctx, "toggle-select")  # a second x on the same paper unselects it, still not moving
    assert ctx.targets() == marked[:2] and ctx.current_id() == inbox[2]
    run(ctx, "toggle-select")
    run(ctx, "toggle-star")
    assert library.views.ids("starred") == marked
    assert not paper(library, inbox[3]).starred
    run(ctx, "archive")
    assert all(paper(library, i).archived for i in marked)
    assert not paper(library, inbox[3]).archived
    assert ctx.current_id() not in marked
    assert ctx.marks == set()
    run(ctx, "undo")
    assert not any(paper(library, i).archived for i in marked)
    assert ctx.messages[-1].startswith("Undone: ")


def test_escape_clears_the_bulk_selection(ctx: FakeContext) -> None:
    run(ctx, "toggle-select")
    run(ctx, "next-paper")
    run(ctx, "toggle-select")
    assert len(ctx.marks) == 2
    run(ctx, "escape")
    assert ctx.marks == set()
    assert ctx.messages[-1] == "Selection cleared"


def test_e_in_the_archive_view_unarchives(ctx: FakeContext) -> None:
    library = ctx.library
    inbox = library.views.ids("inbox")
    run(ctx, "archive")
    run(ctx, "archive")
    run(ctx, "go-archive")
    assert ctx.view == "archive"
    assert set(ctx.ids) == {inbox[0], inbox[1]}
    first = ctx.current_id()
    run(ctx, "archive")
    assert first is not None and not paper(library, first).archived
    assert len(ctx.ids) == 1


def test_archiving_or_queueing_one_paper_that_stays_moves_on(ctx: FakeContext) -> None:
    library = ctx.library
    ctx.set_view("all")
    first, second = ctx.ids[0], ctx.ids[1]
    run(ctx, "archive")  # still in All papers: the cursor goes to the next one
    assert paper(library, first).archived
    assert ctx.current_id() == second
    run(ctx, "toggle-queue")
    assert paper(library, second).queued
    assert ctx.current_id() == ctx.ids[2]
    assert ctx.messages[-1] == "Add to queue: 1 paper   ·   u undoes"


def test_open_marks_read_once_and_says_so(ctx: FakeContext) -> None:
    current = ctx.current_id()
    assert current is not None
    run(ctx, "open-paper")
    assert paper(ctx.library, current).is_read
    assert ctx.messages == ["Marked read"]
    run(ctx, "open-paper")
    assert ctx.messages == ["Marked read"], "an opened read paper is not marked again"


def test_nothing_to_undo_and_queue_moves_outside_the_queue_are_said(ctx: FakeContext) -> None:
    run(ctx, "undo")
    assert ctx.messages[-1] == "Nothing to undo"
    run(ctx, "redo")
    assert ctx.messages[-1] == "Nothing to redo"
    run(ctx, "queue-move-down")
    assert ctx.messages[-1].startswith("Papers are reordered in the Queue view")
    run(ctx, "toggle-queue")
    ctx.set_view("queue")
    run(ctx, "queue-move-up")
    assert ctx.messages[-1] == "Already at the top of the queue"


def test_triage_keys_on_an_empty_view_do_nothing(ctx: FakeContext) -> None:
    ctx.set_view("starred")
    assert ctx.ids == []
    for name in ("toggle-read", "toggle-star", "toggle-queue", "archive", "toggle-select"):
        run(ctx, name)
    assert ctx.messages == []
    assert ctx.library.history.undo_label() is None

"""Highlight and note commands on a fake context: the decisions, without the text widget.

(``h`` without a selection moved from tests/gui/test_annotations_highlights.py.)
"""

from __future__ import annotations

from desktop.gui.dialogs.highlight_note_dialog import HighlightNoteDialog
from tests.gui.commands.conftest import run
from tests.gui.commands.fake_context import FakeContext


def test_h_without_a_selection_explains_how(ctx: FakeContext) -> None:
    paper_id = ctx.current_id()
    assert paper_id is not None
    run(ctx, "highlight")
    assert ctx.library.annotations(paper_id).highlights == ()
    assert "Select text" in ctx.messages[-1]


def test_h_highlights_the_selected_span_in_the_current_colour(ctx: FakeContext) -> None:
    paper_id = ctx.current_id()
    assert paper_id is not None
    ctx.annotations.span = ("abstract", 0, 5)
    run(ctx, "color-3")  # with text selected, a colour key highlights in that colour
    (h,) = ctx.library.annotations(paper_id).highlights
    assert (h.field, h.start, h.end, h.color) == ("abstract", 0, 5, "blue")
    assert ctx.annotations.selected == h.id
    assert ctx.annotations.color == "blue"
    assert ctx.messages[-1] == "Highlighted in blue (result): n adds a note, u undoes"


def test_colour_keys_recolour_the_selected_highlight_or_pick_the_next(ctx: FakeContext) -> None:
    paper_id = ctx.current_id()
    assert paper_id is not None
    run(ctx, "color-2")
    assert ctx.annotations.color == "green"
    assert ctx.messages[-1] == "Next highlight: green (method)"
    h = ctx.library.highlights.add(paper_id, "abstract", 0, 4)
    ctx.annotations.selected = h.id
    run(ctx, "color-4")
    recoloured = ctx.library.highlights.get(h.id)
    assert recoloured is not None and recoloured.color == "red"
    assert ctx.messages[-1] == "Highlight is now red (doubt)"


def test_stepping_deleting_and_noting_highlights(ctx: FakeContext) -> None:
    paper_id = ctx.current_id()
    assert paper_id is not None
    run(ctx, "next-highlight")
    assert ctx.messages[-1] == "This paper has no highlights"
    run(ctx, "delete-highlight")
    assert ctx.messages[-1].startswith("No highlight selected")
    first = ctx.library.highlights.add(paper_id, "abstract", 0, 4)
    second = ctx.library.highlights.add(paper_id, "abstract", 10, 14)
    run(ctx, "next-highlight")
    assert ctx.annotations.selected == first.id
    run(ctx, "next-highlight")
    assert ctx.annotations.selected == second.id
    run(ctx, "next-highlight")  # wraps around
    assert ctx.annotations.selected == first.id
    run(ctx, "previous-highlight")
    assert ctx.annotations.selected == second.id
    run(ctx, "edit-note")  # a highlight is selected: its own note
    dialog = ctx.dialogs[-1]
    assert isinstance(dialog, HighlightNoteDialog)
    assert not ctx.annotations.note_open
    run(ctx, "delete-highlight")
    assert ctx.library.highlights.get(second.id) is None
    assert ctx.annotations.selected is None
    assert ctx.messages[-1] == "Highlight deleted   ·   u undoes"
    run(ctx, "edit-note")  # nothing selected: the paper's note
    assert ctx.annotations.note_open
    run(ctx, "finish-note")
    assert not ctx.annotations.note_open


def test_n_with_no_paper_says_so(ctx: FakeContext) -> None:
    ctx.set_view("archive")  # empty
    run(ctx, "edit-note")
    assert ctx.messages[-1] == "No paper to write a note on"
    assert not ctx.annotations.note_open

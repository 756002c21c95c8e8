"""Tag commands on a fake context (moved from tests/gui/test_annotations_tags.py)."""

from __future__ import annotations

from desktop.gui.dialogs.tag_editor import TagEditor, TagRenameDialog
from tests.gui.commands.conftest import run
from tests.gui.commands.fake_context import FakeContext


def editor(ctx: FakeContext) -> TagEditor:
    dialog = ctx.dialogs[-1]
    assert isinstance(dialog, TagEditor)
    return dialog


def test_refused_tag_names_are_said_not_raised(ctx: FakeContext) -> None:
    paper_id = ctx.current_id()
    assert paper_id is not None
    run(ctx, "edit-tags")
    dialog = editor(ctx)
    dialog.line.setText("x" * 80)
    dialog.accept()
    assert ctx.library.tags.of_paper(paper_id) == []
    assert "not saved" in ctx.messages[-1]


def test_t_with_several_selected_papers_adds_the_tags_to_all(ctx: FakeContext) -> None:
    library = ctx.library
    inbox = library.views.ids("inbox")
    library.tags.add([inbox[1]], "kept")
    run(ctx, "toggle-select")
    run(ctx, "next-paper")
    run(ctx, "toggle-select")  # the first two papers selected for a bulk action
    run(ctx, "edit-tags")
    dialog = editor(ctx)
    assert dialog.line.text() == ""  # adding to several papers starts empty
    dialog.line.setText("survey, to read")
    dialog.accept()
    assert library.tags.of_paper(inbox[0]) == ["survey", "to read"]
    assert library.tags.of_paper(inbox[1]) == ["kept", "survey", "to read"]
    assert library.tags.of_paper(inbox[2]) == []
    assert ctx.messages[-1] == "Tagged 2 papers   ·   u undoes"


def test_f2_renames_the_tag_picked_in_the_sidebar(ctx: FakeContext) -> None:
    ctx.library.tags.add([ctx.current_id()], "llm")
    ctx.set_view("tag:llm")
    run(ctx, "rename-tag")
    dialog = ctx.dialogs[-1]
    assert isinstance(dialog, TagRenameDialog)
    dialog.line.setText("Large Models")
    dialog.accept()
    assert dict(ctx.library.tags.all()) == {"Large Models": 1}
    assert ctx.view == "tag:Large Models"


def test_unchanged_tags_and_no_picked_tag_are_said(ctx: FakeContext) -> None:
    run(ctx, "edit-tags")
    editor(ctx).accept()
    assert ctx.messages[-1] == "Tags unchanged"
    run(ctx, "rename-tag")
    assert ctx.messages[-1].startswith("Pick a tag in the sidebar first")
    run(ctx, "delete-tag")
    assert ctx.messages[-1].startswith("Pick a tag in the sidebar first")
    assert len(ctx.dialogs) == 1


def test_deleting_the_shown_tag_goes_back_to_the_inbox(ctx: FakeContext) -> None:
    ctx.library.tags.add([ctx.current_id()], "gone")
    ctx.set_view("tag:gone")
    run(ctx, "delete-tag")
    assert ctx.library.tags.all() == []
    assert ctx.view == "inbox"
    assert ctx.messages[-1] == "Deleted tag #gone   ·   u undoes"
    ctx.tag = "never-there"
    run(ctx, "delete-tag")
    assert ctx.messages[-1].startswith("Could not delete #never-there")

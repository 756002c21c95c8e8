"""Tags: the tag editor (t) on the target papers; renaming and deleting a tag."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.gui.commands.registry import command
from desktop.gui.core_errors import CORE_ERRORS
from desktop.gui.dialogs.tag_editor import TagEditor, TagRenameDialog

if TYPE_CHECKING:
    from desktop.core.models import PaperId
    from desktop.gui.context import WindowContext


def save_tags(ctx: WindowContext, ids: list[PaperId], names: list[str]) -> None:
    """Give one paper exactly ``names``, or add ``names`` to several papers; say the outcome."""
    library = ctx.library
    try:
        if len(ids) == 1:
            changes = library.tags.set_for_paper(ids[0], names)
            if changes.empty:
                ctx.say("Tags unchanged")
                return
            shown = ", ".join(f"#{n}" for n in library.tags.of_paper(ids[0]))
            ctx.say(f"Tags: {shown or 'none'}   ·   u undoes")
        else:
            for name in names:
                library.tags.add(ids, name)
            ctx.say(f"Tagged {len(ids)} papers   ·   u undoes")
    except CORE_ERRORS as exc:  # a refused name is said, not raised
        ctx.say(f"Tags not saved: {exc}")


@command("edit-tags", label="Tags…", menu="Paper", icon="tag", context_menu=True, needs_paper=True)
def edit_tags(ctx: WindowContext) -> None:
    """Edit the paper's tags, with completion from your tags."""
    ids = ctx.targets()
    if not ids:
        ctx.say("No paper to tag")
        return
    known = [name for name, _count in ctx.library.tags.all()]
    current = ctx.library.tags.of_paper(ids[0]) if len(ids) == 1 else []
    dialog = TagEditor(current, known, ctx.dialog_parent, papers=len(ids))
    dialog.accepted.connect(lambda: save_tags(ctx, ids, dialog.names()))
    ctx.show_dialog(dialog)


def spelling(ctx: WindowContext, name: str) -> str:
    """How the library spells a tag name (names match without regard to case)."""
    for known, _count in ctx.library.tags.all():
        if known.casefold() == name.casefold():
            return known
    return name


def rename(ctx: WindowContext, old: str, new: str) -> None:
    """Rename tag ``old`` to ``new`` and follow it when its view is shown."""
    if not new or new == old:
        return
    try:
        ctx.library.tags.rename(old, new)
    except CORE_ERRORS as exc:
        ctx.say(f"Could not rename #{old}: {exc}")
        return
    ctx.say(f"Renamed #{old} to #{new}   ·   u undoes")
    if ctx.view.casefold() == f"tag:{old}".casefold():
        ctx.set_view(f"tag:{spelling(ctx, new)}")


@command("rename-tag", label="Rename tag…", menu="Edit", icon="tag")
def rename_tag(ctx: WindowContext) -> None:
    """Rename the tag picked in the sidebar (onto an existing name merges the two)."""
    old = ctx.picked_tag()
    if old is None:
        ctx.say("Pick a tag in the sidebar first (g then d), then rename it (F2)")
        return
    dialog = TagRenameDialog(old, ctx.dialog_parent)
    dialog.accepted.connect(lambda: rename(ctx, old, dialog.new_name()))
    ctx.show_dialog(dialog)


@command("delete-tag", label="Delete tag", menu="Edit")
def delete_tag(ctx: WindowContext) -> None:
    """Delete the tag picked in the sidebar from every paper."""
    name = ctx.picked_tag()
    if name is None:
        ctx.say("Pick a tag in the sidebar first (g then d), then delete it")
        return
    try:
        ctx.library.tags.delete(name)
    except CORE_ERRORS as exc:
        ctx.say(f"Could not delete #{name}: {exc}")
        return
    if ctx.view.casefold() == f"tag:{name}".casefold():
        ctx.set_view("inbox")
    ctx.say(f"Deleted tag #{name}   ·   u undoes")

"""Saved views and rules: save the search as a view, go to view N, rename, move, delete;
the rules dialog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.core.saved_views import PREFIX
from desktop.gui.commands.registry import Runner, command
from desktop.gui.core_errors import CORE_ERRORS
from desktop.gui.dialogs.rules_dialog import RulesDialog
from desktop.gui.dialogs.saved_view_dialog import SavedViewNameDialog

if TYPE_CHECKING:
    from desktop.core.saved_views import SavedView
    from desktop.gui.context import WindowContext

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


def shown_view(ctx: WindowContext) -> SavedView | None:
    """The saved view shown (moving in the sidebar shows it), or None."""
    if not ctx.view.startswith(f"{PREFIX}:"):
        return None
    for view in ctx.library.saved_views.all():
        if view.key == ctx.view:
            return view
    return None


def save_view(ctx: WindowContext, name: str, query: str) -> None:
    """Save ``query`` as the view ``name`` and show it."""
    try:
        view = ctx.library.saved_views.add(name, query)
    except CORE_ERRORS as exc:
        ctx.say(f"Not saved: {exc}")
        return
    ctx.refresh_counts()
    ctx.set_view(view.key)
    ctx.focus_list()
    hint = f"   ·   g then {view.position} comes back to it" if view.position <= 9 else ""
    ctx.say(f"Saved view “{view.name}”{hint}")


@command("save-search-as-view", label="Save search as view…", menu="Edit", icon="search")
def save_search_as_view(ctx: WindowContext) -> None:
    """Save the search in the search field as a view in the sidebar."""
    query = ctx.search.searched or ctx.search.text().strip()  # with its scope
    if not query:
        ctx.say("Type a search first (/), then save it as a view (Ctrl+S)")
        return
    dialog = SavedViewNameDialog("Save search as view", query, query, ctx.dialog_parent)
    dialog.accepted.connect(lambda: save_view(ctx, dialog.name(), query))
    ctx.show_dialog(dialog)


def go_to_saved_view(ctx: WindowContext, place: int) -> None:
    """Show the saved view at ``place`` (1-based) in the sidebar."""
    view = ctx.library.saved_views.nth(place)
    if view is None:
        count = len(ctx.library.saved_views.all())
        ctx.say(f"No saved view {place} (there are {count}); save a search with Ctrl+S")
        return
    ctx.set_view(view.key)
    if view.error:
        ctx.say(f"“{view.name}” cannot run: its query no longer parses ({view.error})")
    else:
        ctx.say(f"{view.name}: {view.query}")


def _go(place: int) -> Runner:
    def run(ctx: WindowContext) -> None:
        go_to_saved_view(ctx, place)

    run.__doc__ = f"Go to the {ORDINALS[place - 1]} saved view."
    return run


for _place in range(1, 10):
    command(f"go-saved-view-{_place}", label=f"Saved view {_place}", menu="Go")(_go(_place))


def rename_view(ctx: WindowContext, view: SavedView, name: str) -> None:
    """Rename a saved view; say the outcome."""
    if not name or name == view.name:
        return
    try:
        renamed = ctx.library.saved_views.rename(view.key, name)
    except CORE_ERRORS as exc:
        ctx.say(f"Not renamed: {exc}")
        return
    ctx.refresh_counts()
    ctx.say(f"Renamed the view “{view.name}” to “{renamed.name}”")


@command("rename-saved-view", label="Rename saved view…", menu="Edit")
def rename_saved_view(ctx: WindowContext) -> None:
    """Rename the saved view shown."""
    view = shown_view(ctx)
    if view is None:
        ctx.say("Show a saved view first (g then its number), then rename it")
        return
    dialog = SavedViewNameDialog("Rename saved view", view.query, view.name, ctx.dialog_parent)
    dialog.accepted.connect(lambda: rename_view(ctx, view, dialog.name()))
    ctx.show_dialog(dialog)


def _move(ctx: WindowContext, delta: int) -> None:
    view = shown_view(ctx)
    if view is None:
        ctx.say("Show a saved view first (g then its number), then move it")
        return
    moved = ctx.library.saved_views.move(view.key, delta)
    ctx.refresh_counts()
    ctx.say(f"“{moved.name}” is saved view {moved.position} now")


@command("move-saved-view-up", label="Move saved view up", menu="Edit")
def move_saved_view_up(ctx: WindowContext) -> None:
    """Move the saved view shown one place up in the sidebar."""
    _move(ctx, -1)


@command("move-saved-view-down", label="Move saved view down", menu="Edit")
def move_saved_view_down(ctx: WindowContext) -> None:
    """Move the saved view shown one place down in the sidebar."""
    _move(ctx, +1)


@command("delete-saved-view", label="Delete saved view…", menu="Edit")
def delete_saved_view(ctx: WindowContext) -> None:
    """Delete the saved view shown (its papers stay as they are)."""
    view = shown_view(ctx)
    if view is None:
        ctx.say("Show a saved view first (g then its number), then delete it")
        return
    if not ctx.confirm(f"Delete the saved view “{view.name}” ({view.query})? Papers stay."):
        return
    ctx.library.saved_views.delete(view.key)
    ctx.set_view("inbox")
    ctx.refresh_counts()
    ctx.say(f"Deleted the saved view “{view.name}” (its search was: {view.query})")


@command("edit-rules", label="Rules…", menu="Edit")
def edit_rules(ctx: WindowContext) -> None:
    """Edit the rules run on import: try, apply, add and delete them."""
    dialog = RulesDialog(ctx.library, ctx.dialog_parent)
    dialog.applied.connect(lambda message: ctx.say(message))
    ctx.show_dialog(dialog)

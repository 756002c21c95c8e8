"""Highlights and notes: select text, highlight it, colour it, step through, note, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.core.models import HIGHLIGHT_COLORS
from desktop.gui.commands.registry import command
from desktop.gui.core_errors import CORE_ERRORS
from desktop.gui.dialogs.highlight_note_dialog import HighlightNoteDialog
from desktop.gui.highlight_colors import COLOR_KEYS, color_label

if TYPE_CHECKING:
    from desktop.core.models import Highlight
    from desktop.gui.context import WindowContext

NO_SELECTION = (
    "Select text in the title or abstract first: v puts a caret there, "
    "Shift+arrows select (or drag with the mouse)"
)


@command("focus-text", label="Select text in the paper", menu="Go", needs_paper=True)
def focus_text(ctx: WindowContext) -> None:
    """Put a caret in the paper's text to select a passage (Shift+arrows select)."""
    if ctx.annotations.focus_text():
        ctx.say("Caret in the text: arrows move, Shift+arrows select, h highlights, Esc goes back")


def highlight_selection(ctx: WindowContext, color: str | None = None) -> None:
    """Highlight the selected text in ``color`` (default: the current colour)."""
    layer = ctx.annotations
    paper = ctx.shown_paper()
    span = layer.selected_span()
    if paper is None or span is None:
        ctx.say(NO_SELECTION)
        return
    field, start, end = span
    try:
        h = ctx.library.highlights.add(paper.id, field, start, end, color=color or layer.color)
    except CORE_ERRORS as exc:
        ctx.say(f"Could not highlight: {exc}")
        return
    layer.show_new_highlight(h)
    ctx.say(f"Highlighted in {color_label(h.color)}: n adds a note, u undoes")


@command("highlight", label="Highlight", menu="Paper", needs_paper=True)
def highlight(ctx: WindowContext) -> None:
    """Highlight the selected text in the current colour."""
    highlight_selection(ctx)


def pick_color(ctx: WindowContext, number: int) -> None:
    """Colour ``number`` (1–5): recolour the selected highlight, or highlight the selected
    text in it, or use it for the next highlight."""
    layer = ctx.annotations
    color = COLOR_KEYS[number - 1]
    if layer.selected_span() is not None:
        layer.color = color
        highlight_selection(ctx, color)
        return
    selected = layer.selected
    if selected is not None and ctx.library.highlights.get(selected) is not None:
        try:
            ctx.library.highlights.set_color(selected, color)
        except CORE_ERRORS as exc:
            ctx.say(f"Could not change the colour: {exc}")
            return
        ctx.say(f"Highlight is now {color_label(color)}")
        return
    layer.color = color
    ctx.say(f"Next highlight: {color_label(color)}")


def _color_command(number: int, color: str, label: str) -> None:
    def run(ctx: WindowContext) -> None:
        pick_color(ctx, number)

    run.__doc__ = (
        f"{color.capitalize()}, {label}: colour the selected highlight or text, or the next."
    )
    command(f"color-{number}", label=f"{label.capitalize()} ({color})", menu="Paper")(run)


for _number, (_color, _label) in enumerate(HIGHLIGHT_COLORS.items(), start=1):
    _color_command(_number, _color, _label)


def step_highlight(ctx: WindowContext, delta: int) -> None:
    """Select the next (+1) or previous (-1) highlight of the paper, in reading order."""
    layer = ctx.annotations
    shown = layer.shown_highlights()
    if ctx.shown_paper() is None or not shown:
        ctx.say("This paper has no highlights")
        return
    ids: list[int] = [h.id for h in shown]
    if layer.selected in ids:
        index = (ids.index(layer.selected) + delta) % len(ids)
    else:
        index = 0 if delta > 0 else len(ids) - 1
    layer.step_to(shown[index])


@command("next-highlight", label="Next highlight", menu="Go", needs_paper=True)
def next_highlight(ctx: WindowContext) -> None:
    """Select the paper's next highlight (n, 1–5 and Delete then act on it)."""
    step_highlight(ctx, +1)


@command("previous-highlight", label="Previous highlight", menu="Go", needs_paper=True)
def previous_highlight(ctx: WindowContext) -> None:
    """Select the paper's previous highlight."""
    step_highlight(ctx, -1)


@command("delete-highlight", label="Delete highlight", menu="Paper", needs_paper=True)
def delete_highlight(ctx: WindowContext) -> None:
    """Delete the selected highlight."""
    layer = ctx.annotations
    selected = layer.selected
    if selected is None or ctx.library.highlights.get(selected) is None:
        ctx.say("No highlight selected: click one, or move the caret into it (v)")
        return
    ctx.library.highlights.delete(selected)
    layer.select_highlight(None)
    ctx.say("Highlight deleted   ·   u undoes")


def edit_highlight_note(ctx: WindowContext, h: Highlight) -> None:
    """Open a small editor on a highlight's note; its text is saved when accepted."""
    dialog = HighlightNoteDialog(h, ctx.dialog_parent)

    def save() -> None:
        try:
            ctx.library.highlights.set_note(h.id, dialog.text())
        except CORE_ERRORS as exc:
            ctx.say(f"The highlight note was not saved: {exc}")

    dialog.accepted.connect(save)
    ctx.show_dialog(dialog)


def edit_paper_note(ctx: WindowContext) -> None:
    """Open the note editor on the shown paper and give it the keyboard."""
    if not ctx.annotations.open_note_editor():
        ctx.say("No paper to write a note on")
        return
    ctx.say("Writing the paper's note: saved as you type; Ctrl+Enter or Esc goes back to the list")


@command("edit-note", label="Note…", menu="Paper", context_menu=True, needs_paper=True)
def edit_note(ctx: WindowContext) -> None:
    """Edit the selected highlight's note, or else the paper's Markdown note."""
    selected = ctx.annotations.selected
    if selected is not None:
        h = ctx.library.highlights.get(selected)
        if h is not None:
            edit_highlight_note(ctx, h)
            return
    edit_paper_note(ctx)


@command("finish-note", label="Done with the note", menu="Edit")
def finish_note(ctx: WindowContext) -> None:
    """Save the note and go back to the list."""
    ctx.annotations.close_note_editor()
    ctx.focus_list()

"""Commands for highlights, notes, tags, the Highlights view and export.

Registered in the one command registry (``commands.COMMANDS``); their keys live in
``keymap.DEFAULT_KEYMAP`` like every other command's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.core.models import HIGHLIGHT_COLORS
from desktop.gui.commands import command

if TYPE_CHECKING:
    from desktop.core.models import Highlight
    from desktop.gui.main_window import MainWindow


# -- highlights ------------------------------------------------------------------------------
@command("focus-text", label="Select text in the paper", menu="Go", needs_paper=True)
def focus_text(win: MainWindow) -> None:
    """Put a caret in the paper's text to select a passage (Shift+arrows select)."""
    win.annotations.focus_text()


@command("highlight", label="Highlight", menu="Paper", needs_paper=True)
def highlight(win: MainWindow) -> None:
    """Highlight the selected text in the current colour."""
    win.annotations.highlight()


def _color_command(number: int, color: str, label: str) -> None:
    def run(win: MainWindow) -> None:
        win.annotations.pick_color(number)

    run.__doc__ = (
        f"{color.capitalize()}, {label}: colour the selected highlight or text, or the next."
    )
    command(f"color-{number}", label=f"{label.capitalize()} ({color})", menu="Paper")(run)


for _number, (_color, _label) in enumerate(HIGHLIGHT_COLORS.items(), start=1):
    _color_command(_number, _color, _label)


@command("next-highlight", label="Next highlight", menu="Go", needs_paper=True)
def next_highlight(win: MainWindow) -> None:
    """Select the paper's next highlight (n, 1–5 and Delete then act on it)."""
    win.annotations.step_highlight(+1)


@command("previous-highlight", label="Previous highlight", menu="Go", needs_paper=True)
def previous_highlight(win: MainWindow) -> None:
    """Select the paper's previous highlight."""
    win.annotations.step_highlight(-1)


@command("delete-highlight", label="Delete highlight", menu="Paper", needs_paper=True)
def delete_highlight(win: MainWindow) -> None:
    """Delete the selected highlight."""
    win.annotations.delete_selected()


# -- notes -----------------------------------------------------------------------------------
@command("edit-note", label="Note…", menu="Paper", context_menu=True, needs_paper=True)
def edit_note(win: MainWindow) -> None:
    """Edit the selected highlight's note, or else the paper's Markdown note."""
    win.annotations.note_key()


@command("finish-note", label="Done with the note", menu="Edit")
def finish_note(win: MainWindow) -> None:
    """Save the note and go back to the list."""
    win.annotations.finish_note()


# -- tags ------------------------------------------------------------------------------------
@command("edit-tags", label="Tags…", menu="Paper", icon="tag", context_menu=True, needs_paper=True)
def edit_tags(win: MainWindow) -> None:
    """Edit the paper's tags, with completion from your tags."""
    win.tag_actions.edit_tags()


@command("rename-tag", label="Rename tag…", menu="Edit", icon="tag")
def rename_tag(win: MainWindow) -> None:
    """Rename the tag picked in the sidebar (onto an existing name merges the two)."""
    win.tag_actions.rename_tag()


@command("delete-tag", label="Delete tag", menu="Edit")
def delete_tag(win: MainWindow) -> None:
    """Delete the tag picked in the sidebar from every paper."""
    win.tag_actions.delete_tag()


# -- the Highlights view and export ------------------------------------------------------------
@command("go-highlights", label="Highlights", menu="Go")
def go_highlights(win: MainWindow) -> None:
    """Review every highlight: filter by colour (1–5), search, Enter opens the paper."""
    from desktop.gui.highlights_view import HighlightsView

    def open_highlight(h: Highlight) -> None:
        win.go_to_paper(int(h.paper_id))
        win.annotations.select_highlight(int(h.id))

    view = HighlightsView(win.library, open_highlight, win)
    view.finished.connect(lambda _result: win._sync_sidebar())  # noqa: SLF001
    win.last_dialog = view
    view.open()


@command("export", label="Export as Markdown…", menu="File")
def export(win: MainWindow) -> None:
    """Export notes and highlights as Markdown, with a preview of the first file."""
    from desktop.gui.export_dialog import ExportDialog

    dialog = ExportDialog(win)
    win.last_dialog = dialog
    dialog.open()

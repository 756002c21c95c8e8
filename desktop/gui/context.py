"""What commands and controllers may ask of the window: small typed protocols.

Commands (``desktop.gui.commands``) take a ``WindowContext`` and never the window itself, so
they run against a fake context in tests and no GUI module needs to import the main window.
``MainWindow`` implements the protocols by delegating to its controllers and widgets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDialog, QWidget

    from desktop.core.library import Library
    from desktop.core.models import Highlight, Paper, PaperId


class AnnotationView(Protocol):
    """The annotation layer of the detail pane, as highlight and note commands see it."""

    color: str  # the colour of the next highlight
    selected: int | None  # the selected highlight's id

    def selected_span(self) -> tuple[str, int, int] | None:
        """The selected text as ``(field, start, end)`` str offsets, or None."""
        ...

    def shown_highlights(self) -> list[Highlight]:
        """The highlights of the shown paper, in reading order."""
        ...

    def show_new_highlight(self, highlight: Highlight) -> None:
        """Select a highlight just made, with the caret after it."""
        ...

    def select_highlight(self, highlight_id: int | None) -> None:
        """Make a highlight the selected one."""
        ...

    def step_to(self, highlight: Highlight) -> None:
        """Select a highlight and bring the caret and the view to it."""
        ...

    def refresh(self) -> None:
        """Redraw the shown paper's annotations."""
        ...

    def let_go(self) -> None:
        """Unselect the selected highlight."""
        ...

    def open_note_editor(self) -> bool:
        """Open the paper note editor on the shown paper; False when no paper is shown."""
        ...

    def close_note_editor(self) -> None:
        """Save and hide the note editor if it is open."""
        ...

    def focus_text(self) -> bool:
        """Put a caret in the paper's abstract; False when no paper is shown."""
        ...


class SearchBox(Protocol):
    """The search field and the results it shows."""

    @property
    def query(self) -> str | None:
        """The query whose results are listed, or None outside search."""
        ...

    def has_text(self) -> bool:
        """True when the field holds text."""
        ...

    def text(self) -> str:
        """The text in the field (searched or not yet)."""
        ...

    def focus(self) -> None:
        """Put the keyboard in the search field."""
        ...

    def clear(self) -> None:
        """Empty the field and go back to the view."""
        ...

    def settle(self) -> None:
        """Show the results of the text typed now if they are still being looked for."""
        ...

    @property
    def scope(self) -> str:
        """Where searches look: ``library`` (every paper) or ``view`` (the view shown)."""
        ...

    def set_scope(self, scope: str) -> None:
        """Search the whole library or the view shown (results shown are searched again)."""
        ...

    @property
    def where(self) -> str:
        """Where the listed results were looked for, for people (``the whole library``)."""
        ...

    @property
    def searched(self) -> str | None:
        """The query the listed results answer, its scope written in (``gnn in:inbox``)."""
        ...

    @property
    def suggestion(self) -> str | None:
        """The "did you mean" query of the listed results, or None."""
        ...

    def take_suggestion(self) -> bool:
        """Search for the "did you mean" query; False when there is none."""
        ...


class Sorting(Protocol):
    """The sort of the list: each view has its own (View → Sort by)."""

    def describe(self) -> str:
        """The sort shown in words (``sorted by title, A to Z``), or an empty string."""
        ...

    def choose(self, key: str) -> object:
        """Sort by ``title``, ``published``, ``authors`` or ``digests`` (again: reversed)."""
        ...

    def clear(self) -> bool:
        """Back to the view's own order; False when the list was not sorted."""
        ...

    def open_chooser(self) -> None:
        """Open the Sort by menu at the current paper, for the keyboard."""
        ...


class Jobs(Protocol):
    """Background work: imports (with progress and cancel)."""

    def start_import(self, paths: Sequence[str | Path]) -> object | None:
        """Import files and folders off the GUI thread."""
        ...


class WindowContext(Protocol):
    """Everything a command may use: the library, the cursor, the views and a few widgets."""

    @property
    def library(self) -> Library:
        """The open library (every read and write goes through it)."""
        ...

    @property
    def view(self) -> str:
        """The view shown: inbox, queue, starred, archive, all, digest:ID or tag:NAME."""
        ...

    @property
    def keymap(self) -> Mapping[str, str]:
        """Key to command name."""
        ...

    @property
    def annotations(self) -> AnnotationView:
        """Highlights and notes of the shown paper."""
        ...

    @property
    def search(self) -> SearchBox:
        """The search field."""
        ...

    @property
    def sorting(self) -> Sorting:
        """The sort of the list shown."""
        ...

    @property
    def jobs(self) -> Jobs:
        """Background imports."""
        ...

    @property
    def dialog_parent(self) -> QWidget | None:
        """The widget dialogs open over."""
        ...

    def say(self, message: str) -> None:
        """Tell the user something in the status bar."""
        ...

    # -- the cursor and the selection ------------------------------------------------------
    def current_id(self) -> PaperId | None:
        """The paper under the cursor, or None."""
        ...

    def current_row(self) -> int:
        """The cursor's row, or -1."""
        ...

    def row_count(self) -> int:
        """How many papers are listed."""
        ...

    def targets(self) -> list[PaperId]:
        """The papers a triage key acts on: the selected ones, else the current one."""
        ...

    def move_current(self, delta: int) -> None:
        """Move the cursor ``delta`` rows."""
        ...

    def toggle_mark(self, row: int) -> int:
        """Select or unselect a row for a bulk action; how many are selected now."""
        ...

    def marked_count(self) -> int:
        """How many papers are selected for a bulk action."""
        ...

    def clear_marks(self) -> None:
        """Unselect every paper selected for a bulk action."""
        ...

    def listed_ids(self) -> list[PaperId]:
        """The papers listed, in list order."""
        ...

    @property
    def unread_only(self) -> bool:
        """True while the list shows only the view's unread papers."""
        ...

    def set_unread_only(self, on: bool) -> None:
        """Show only the unread papers of every view (or all again), keeping the cursor."""
        ...

    def returning_papers(self) -> AbstractContextManager[None]:
        """While inside, papers a write brings back into the view get the cursor (undo)."""
        ...

    def is_queue_order(self) -> bool:
        """True when the Queue view is listed in queue order (papers can be reordered)."""
        ...

    # -- what is shown ---------------------------------------------------------------------
    def shown_paper(self) -> Paper | None:
        """The paper in the detail pane, or None."""
        ...

    def open_paper(self, paper_id: int) -> Paper | None:
        """Show a paper in the detail pane with the keyboard on the list; the paper shown."""
        ...

    def scroll_detail(self, direction: int) -> None:
        """Scroll the detail pane a page down (+1) or up (-1)."""
        ...

    def set_view(self, view: str, select: int | None = None) -> None:
        """Show a view and select a paper in it."""
        ...

    def go_to_paper(self, paper_id: int) -> None:
        """Select a paper, switching to All papers when the view does not hold it."""
        ...

    def picked_tag(self) -> str | None:
        """The tag picked in the sidebar (right-clicked, else current), or None."""
        ...

    def sync_sidebar(self) -> None:
        """Show the current view as the sidebar's current entry."""
        ...

    def refresh_counts(self) -> None:
        """Rebuild the sidebar's entries and recount every view now (saved views changed)."""
        ...

    def reload(self) -> None:
        """Re-read the list and every count from the database."""
        ...

    def update_actions(self) -> None:
        """Enable, disable and relabel actions (undo/redo labels, paper commands)."""
        ...

    # -- focus, dialogs and the rest of the window ----------------------------------------
    def focus_list(self) -> None:
        """Give the keyboard to the paper list."""
        ...

    def focus_sidebar(self) -> None:
        """Give the keyboard to the sidebar."""
        ...

    def show_context_menu(self) -> None:
        """Open the context menu of the widget with the keyboard, at its current item."""
        ...

    def set_color_scheme(self, choice: str) -> None:
        """Use the ``system``, ``light`` or ``dark`` colours, and remember the choice."""
        ...

    def ask_paths(self, folder: bool) -> list[str]:
        """Ask for digest files (or one folder); empty when cancelled."""
        ...

    def clipboard_text(self) -> str:
        """The clipboard's text."""
        ...

    def set_clipboard_text(self, text: str) -> None:
        """Put plain text on the clipboard."""
        ...

    def open_url(self, url: str) -> bool:
        """Open an http(s) address in the browser (anything else is refused: False)."""
        ...

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question (No is the default); True for yes."""
        ...

    def clipboard_html(self) -> str | None:
        """The clipboard's HTML flavour, when it has one."""
        ...

    def show_dialog(self, dialog: QDialog) -> None:
        """Open a dialog without blocking (it is remembered as the last dialog)."""
        ...

    def run_command(self, name: str) -> None:
        """Run a command by name."""
        ...

    def action(self, name: str) -> QAction:
        """The action of a command (menus, toolbar, context menus)."""
        ...

    def close_window(self) -> None:
        """Close the window (and quit when it is the last one)."""
        ...

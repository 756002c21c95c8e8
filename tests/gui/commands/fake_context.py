"""A fake ``WindowContext``: a real library, a list of ids for the cursor, no window.

Commands run against it exactly as against the main window; what they say and the dialogs
they open are recorded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog

from desktop.core.library import Library
from desktop.core.models import Changes, Highlight, Paper, PaperId
from desktop.gui.keymap import DEFAULT_KEYMAP


class FakeAnnotations:
    """The annotation layer's state without a text widget: the test sets the selection."""

    def __init__(self, ctx: FakeContext) -> None:
        self.ctx = ctx
        self.color = "yellow"
        self.selected: int | None = None
        self.span: tuple[str, int, int] | None = None  # the "selected text"
        self.note_open = False

    def selected_span(self) -> tuple[str, int, int] | None:
        return self.span

    def shown_highlights(self) -> list[Highlight]:
        paper = self.ctx.shown_paper()
        return list(self.ctx.library.annotations(paper.id).highlights) if paper else []

    def show_new_highlight(self, highlight: Highlight) -> None:
        self.span = None
        self.selected = highlight.id

    def select_highlight(self, highlight_id: int | None) -> None:
        self.selected = highlight_id

    def step_to(self, highlight: Highlight) -> None:
        self.selected = highlight.id

    def refresh(self) -> None:
        pass

    def let_go(self) -> None:
        self.selected = None

    def open_note_editor(self) -> bool:
        self.note_open = self.ctx.shown_paper() is not None
        return self.note_open

    def close_note_editor(self) -> None:
        self.note_open = False

    def focus_text(self) -> bool:
        return self.ctx.shown_paper() is not None


class FakeSearch:
    """A search field that is never used."""

    query: str | None = None

    def has_text(self) -> bool:
        return False

    def focus(self) -> None:
        pass

    def clear(self) -> None:
        pass

    def settle(self) -> None:
        pass

    scope = "library"
    where = "the whole library"
    searched: str | None = None
    suggestion: str | None = None

    def set_scope(self, scope: str) -> None:
        self.scope = scope

    def take_suggestion(self) -> bool:
        return False


class FakeSorting:
    """The list's sort as the fake context keeps it: a key and a direction, or none."""

    def __init__(self, ctx: FakeContext) -> None:
        self.ctx = ctx
        self.sort: tuple[str, bool] | None = None

    def describe(self) -> str:
        return f"sorted by {self.sort[0]}" if self.sort else ""

    def choose(self, key: str) -> object:
        flip = self.sort is not None and self.sort[0] == key and not self.sort[1]
        self.sort = (key, flip)
        return self.sort

    def clear(self) -> bool:
        was, self.sort = self.sort, None
        return was is not None

    def open_chooser(self) -> None:
        self.ctx.messages.append("(the Sort by menu)")


class FakeJobs:
    """Imports run at once, in the test's thread."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.imported: list[list[str]] = []

    def start_import(self, paths: Sequence[str | Path]) -> object | None:
        self.imported.append([str(p) for p in paths])
        return None


class FakeContext:
    """A ``WindowContext`` over a library: the view's ids, a cursor row and the marks."""

    def __init__(self, library: Library, view: str = "inbox") -> None:
        self._library = library
        self._view = view
        self.ids: list[PaperId] = library.views.ids(view)
        self._unread_only = False
        self.row = 0 if self.ids else -1
        self.marks: set[PaperId] = set()
        self.messages: list[str] = []
        self.dialogs: list[QDialog] = []
        self.commands_run: list[str] = []
        self.clipboard = ""
        self.opened: list[str] = []
        self.questions: list[str] = []
        self.sorting = FakeSorting(self)
        self.answer = True
        self.clipboard_html_flavour: str | None = None
        self.paths: list[str] = []
        self.tag: str | None = None
        self._annotations = FakeAnnotations(self)
        self._search = FakeSearch()
        self._jobs = FakeJobs(library)
        self._actions: dict[str, QAction] = {}
        library.subscribe(self._on_write)

    def _on_write(self, changes: Changes) -> None:
        current = self.current_id()
        self.ids = self._library.views.ids(self._view, unread_only=self._unread_only)
        self.marks &= set(self.ids)
        if current in self.ids:
            self.row = self.ids.index(current)
        else:
            self.row = min(max(self.row, 0), len(self.ids) - 1)

    # -- properties ------------------------------------------------------------------------
    @property
    def library(self) -> Library:
        return self._library

    @property
    def view(self) -> str:
        return self._view

    @property
    def keymap(self) -> Mapping[str, str]:
        return DEFAULT_KEYMAP

    @property
    def annotations(self) -> FakeAnnotations:
        return self._annotations

    @property
    def search(self) -> FakeSearch:
        return self._search

    @property
    def jobs(self) -> FakeJobs:
        return self._jobs

    @property
    def dialog_parent(self) -> None:
        return None

    def say(self, message: str) -> None:
        self.messages.append(message)

    # -- cursor ----------------------------------------------------------------------------
    def current_id(self) -> PaperId | None:
        return self.ids[self.row] if 0 <= self.row < len(self.ids) else None

    def current_row(self) -> int:
        return self.row

    def row_count(self) -> int:
        return len(self.ids)

    def targets(self) -> list[PaperId]:
        marked = [i for i in self.ids if i in self.marks]
        if marked:
            return marked
        current = self.current_id()
        return [current] if current is not None else []

    def move_current(self, delta: int) -> None:
        self.row = max(0, min(len(self.ids) - 1, self.row + delta))

    def toggle_mark(self, row: int) -> int:
        self.marks ^= {self.ids[row]}
        return len(self.marks)

    def marked_count(self) -> int:
        return len(self.marks)

    def clear_marks(self) -> None:
        self.marks.clear()

    def listed_ids(self) -> list[PaperId]:
        return list(self.ids)

    @property
    def unread_only(self) -> bool:
        return self._unread_only

    def set_unread_only(self, on: bool) -> None:
        current = self.current_id()
        self._unread_only = on
        self.ids = self._library.views.ids(self._view, unread_only=on)
        self.row = self.ids.index(current) if current in self.ids else (0 if self.ids else -1)

    @contextmanager
    def returning_papers(self) -> Iterator[None]:
        yield

    def is_queue_order(self) -> bool:
        return self._view == "queue" and self.sorting.sort is None

    # -- views -----------------------------------------------------------------------------
    def shown_paper(self) -> Paper | None:
        current = self.current_id()
        return self._library.papers.get(current) if current is not None else None

    def open_paper(self, paper_id: int) -> Paper | None:
        return self._library.papers.get(paper_id)

    def scroll_detail(self, direction: int) -> None:
        pass

    def set_view(self, view: str, select: int | None = None) -> None:
        self._view = view
        self.ids = self._library.views.ids(view, unread_only=self._unread_only)
        self.marks.clear()
        if select in self.ids:
            self.row = self.ids.index(PaperId(select))
        else:
            self.row = 0 if self.ids else -1

    def go_to_paper(self, paper_id: int) -> None:
        if paper_id not in self.ids:
            self.set_view("all")
        self.row = self.ids.index(PaperId(paper_id))

    def picked_tag(self) -> str | None:
        if self.tag is not None:
            return self.tag
        return self._view.split(":", 1)[1] if self._view.startswith("tag:") else None

    def sync_sidebar(self) -> None:
        pass

    def reload(self) -> None:
        self._on_write(Changes(library=True))

    def update_actions(self) -> None:
        pass

    # -- the rest --------------------------------------------------------------------------
    def focus_list(self) -> None:
        pass

    def focus_sidebar(self) -> None:
        pass

    def show_context_menu(self) -> None:
        self.messages.append("context menu")

    def set_color_scheme(self, choice: str) -> None:
        self.messages.append(f"colours: {choice}")

    def ask_paths(self, folder: bool) -> list[str]:
        return list(self.paths)

    def clipboard_text(self) -> str:
        return self.clipboard

    def set_clipboard_text(self, text: str) -> None:
        self.clipboard = text

    def open_url(self, url: str) -> bool:
        from desktop.core.links import is_web_url

        if not is_web_url(url):
            return False
        self.opened.append(url)
        return True

    def confirm(self, question: str) -> bool:
        self.questions.append(question)
        return self.answer

    def clipboard_html(self) -> str | None:
        return self.clipboard_html_flavour

    def show_dialog(self, dialog: QDialog) -> None:
        self.dialogs.append(dialog)

    def run_command(self, name: str) -> None:
        self.commands_run.append(name)

    def action(self, name: str) -> QAction:
        return self._actions.setdefault(name, QAction(name))

    def close_window(self) -> None:
        self.commands_run.append("close")

"""Search: the search field, debounced while typing, and leaving the results again.

While the user types, queries run on the search worker's thread (search_worker.py), so a slow
one never freezes typing; Enter, or a search asked for by the program, runs on this thread and
shows its results at once.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLineEdit

from desktop.core.library import Library
from desktop.core.models import PaperId
from desktop.core.search.results import SearchResults
from desktop.gui.controllers.paper_list import PaperListController
from desktop.gui.controllers.search_worker import SearchWorker

SEARCH_DELAY_MS = 180
SEARCH_LIMIT = 200


def results_message(count: int, query: str, notice: str | None, suggestion: str | None) -> str:
    """The status line after a search: how many results, and what the index had to say."""
    message = f"{count} result{'' if count == 1 else 's'} for “{query}”   ·   Esc restores the view"
    if suggestion:
        message = f"Did you mean “{suggestion}”?   ·   " + message
    if notice:
        message = f"{notice}   ·   " + message
    return message


class SearchController(QObject):
    """Runs the search field's query against the library and shows ranked results (a
    ``SearchBox`` for the commands)."""

    def __init__(
        self,
        library: Library,
        field: QLineEdit,
        papers: PaperListController,
        *,
        say: Callable[[str], None],
        restore_view: Callable[[PaperId | None], None],
        shown: Callable[[], None],
        index_damaged: Callable[[], None],
        worker: SearchWorker | None = None,
    ) -> None:
        super().__init__(field)
        self.library = library
        self.field = field
        self.papers = papers
        self.say = say
        self.restore_view = restore_view  # show the view again, with this paper current
        self.shown = shown  # results are listed: update the title, counts and pane
        self.index_damaged = index_damaged  # the index needs rebuilding (off this thread)
        self.before_search: PaperId | None = None
        self.worker = worker  # None: every search runs on this thread (a library in memory)
        self.pending: tuple[int, str] | None = None  # (serial, query) asked of the worker
        if worker is not None:
            worker.found.connect(self._found)
            worker.failed.connect(self._failed)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.start)
        field.textEdited.connect(self._on_edited)
        field.textChanged.connect(self._on_text)

    # -- SearchBox ---------------------------------------------------------------------------
    @property
    def query(self) -> str | None:
        """The query whose results are listed, or None outside search."""
        return self.papers.model.search_query

    def has_text(self) -> bool:
        """True when the field holds text."""
        return bool(self.field.text())

    def text(self) -> str:
        """The text in the field (searched or not yet)."""
        return self.field.text()

    def focus(self) -> None:
        """Put the keyboard in the search field, with its text selected."""
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def clear(self) -> None:
        """Empty the field and go back to the view."""
        self.field.clear()
        self.leave()

    # -- running -----------------------------------------------------------------------------
    def reset(self) -> None:
        """Empty the field without searching (a view is being shown)."""
        self._drop_pending()
        self.field.blockSignals(True)
        self.field.clear()
        self.field.blockSignals(False)

    def _on_edited(self, _text: str) -> None:
        """Typing: search again once it pauses; a query still running for the text before is
        cancelled now (its results could only be stale)."""
        self.timer.start()
        if self.worker is not None:
            self.worker.drop_pending()

    def _on_text(self, text: str) -> None:
        if not text:
            self._drop_pending()
            if self.query is not None:
                self.leave()

    def _drop_pending(self) -> None:
        self.timer.stop()
        self.pending = None
        if self.worker is not None:
            self.worker.drop_pending()

    def _field_query(self) -> str | None:
        """The field's query, or None when it is empty (leaving the results if shown)."""
        query = self.field.text().strip()
        if not query and self.query is not None:
            self.leave()
        return query or None

    def start(self) -> None:
        """Search for the field's text on the worker thread (the debounced search while
        typing); on this thread when there is no worker or the index is not usable (the
        SQLite fallback reads the library's own state)."""
        self.timer.stop()
        query = self._field_query()
        if query is None:
            self._drop_pending()
            return
        if self.worker is None or not self.library.index.usable:
            self.run()
            return
        self.pending = (self.worker.submit(query, SEARCH_LIMIT), query)

    def settle(self) -> None:
        """Show the results for the field's text now if they are still being looked for
        (Enter right after typing opens the first result, not the paper before)."""
        if self.timer.isActive() or self.pending is not None:
            self.run()

    def stop(self) -> None:
        """Stop the search worker (the window closes)."""
        self._drop_pending()
        if self.worker is not None:
            self.worker.stop()

    def _found(self, serial: int, results: SearchResults) -> None:
        if self.pending is None or serial != self.pending[0]:
            return  # overtaken by newer text, or the field was cleared
        query = self.pending[1]
        self.pending = None
        if self.worker is not None and self.worker.damage_seen:
            self.worker.damage_seen = False
            self.run()  # the library's index looks again and repairs what the worker saw
            return
        self._show(query, results)

    def _failed(self, serial: int, message: str) -> None:
        if self.pending is not None and serial == self.pending[0]:
            self.pending = None
            self.say(message)

    def run(self) -> None:
        """Search for the text in the field now, on this thread."""
        self._drop_pending()
        query = self._field_query()
        if query is None:
            return
        results = self.library.index.search(query, limit=SEARCH_LIMIT)  # never raises
        if self.library.index.needs_rebuild:
            self.index_damaged()  # the index was found damaged: rebuild it off this thread
        self._show(query, results)

    def _show(self, query: str, results: SearchResults) -> None:
        if self.query is None:
            self.before_search = self.papers.current_id()
        with self.papers.reloading():
            self.papers.model.show_search(
                query, results.ids, {h.id: h.snippet for h in results.hits if h.snippet}
            )
        self.papers.table.set_search_mode(True)
        self.papers.select_row(0)
        self.shown()
        self.say(results_message(len(results.hits), query, results.notice, results.suggestion))

    def rerun(self) -> None:
        """Search again if results are shown (a new index answers better)."""
        if self.query is not None:
            self.run()

    def leave(self) -> None:
        """Back to the view: on the paper picked in the results when the view holds it, else
        where the search started."""
        current = self.papers.current_id()
        self.papers.table.set_search_mode(False)
        view = self.papers.model.view
        if current is None or not self.library.views.contains(view, [current]):
            current = self.before_search
        self.before_search = None
        self.restore_view(current)

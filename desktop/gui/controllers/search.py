"""Search: the search field, debounced while typing, where it looks, and leaving the results.

While the user types, queries run on the search worker's thread (search_worker.py), so a slow
one never freezes typing; Enter, or a search asked for by the program, runs on this thread and
shows its results at once.

The scope says where a search looks: the whole library, or only the view shown (the scope
button, or ``in:view`` typed in the query). A view scope is the core's ``in:VIEW`` filter
added to the query (a saved view adds its own query, in parentheses).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit

from desktop.core.library import Library
from desktop.core.models import PaperId
from desktop.core.search.results import SearchResults
from desktop.gui.controllers.paper_list import PaperListController
from desktop.gui.controllers.search_worker import SearchWorker

SEARCH_DELAY_MS = 180
SEARCH_LIMIT = 200
LIBRARY = "library"  # the scope of a search over every paper
VIEW = "view"  # the scope of a search over the view shown
WHOLE_LIBRARY = "the whole library"
# A scope written in the query: ``in:view`` (the view shown) or ``in:library``.
_TYPED_SCOPE = re.compile(r"(?:^|(?<=\s))in:(\S+)", re.IGNORECASE)


def results_message(
    count: int, query: str, notice: str | None, suggestion: str | None, where: str = ""
) -> str:
    """The status line after a search: how many results, where, and what the index said."""
    place = f" in {where}" if where else ""
    message = f"{count} result{'' if count == 1 else 's'}{place} for “{query}”"
    message += "   ·   Esc restores the view"
    if suggestion:
        message = f"Did you mean “{suggestion}”? (Ctrl+Shift+D)   ·   " + message
    if notice:
        message = f"{notice}   ·   " + message
    return message


class SearchController(QObject):
    """Runs the search field's query against the library and shows ranked results (a
    ``SearchBox`` for the commands)."""

    scope_changed = Signal(str)  # LIBRARY or VIEW
    suggestion_changed = Signal(object)  # the "did you mean" query, or None

    def __init__(
        self,
        library: Library,
        field: QLineEdit,
        papers: PaperListController,
        *,
        say: Callable[[str], None],
        restore_view: Callable[[PaperId | None, int], None],
        shown: Callable[[], None],
        index_damaged: Callable[[], None],
        worker: SearchWorker | None = None,
        view_label: Callable[[str], str] | None = None,
        before_show: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(field)
        self.library = library
        self.field = field
        self.papers = papers
        self.say = say
        self.restore_view = restore_view  # show the view again on this paper (else this row)
        self.shown = shown  # results are listed: update the title, counts and pane
        self.index_damaged = index_damaged  # the index needs rebuilding (off this thread)
        self.before_search: tuple[PaperId | None, int] | None = None  # (paper, row)
        self.view_label = view_label or (lambda view: view)  # a view's name for people
        self.before_show = before_show or (lambda: None)  # results are about to be listed
        self._scope = LIBRARY
        self.searched: str | None = None  # the query run, scope included
        self.where: str = WHOLE_LIBRARY  # where the listed results were looked for
        self.suggestion: str | None = None  # "did you mean", as the user would type it
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
        self.reset()
        self.leave()

    # -- the scope ---------------------------------------------------------------------------
    @property
    def scope(self) -> str:
        """Where the field's searches look: LIBRARY or VIEW."""
        return self._scope

    def set_scope(self, scope: str) -> None:
        """Search the whole library or the view shown; results shown are searched again."""
        if scope not in (LIBRARY, VIEW):
            raise ValueError(f"unknown search scope {scope!r}")
        if scope == self._scope:
            return
        self._scope = scope
        self.scope_changed.emit(scope)
        if self.query is not None:
            self.run()

    def scoped(self, text: str) -> tuple[str, str]:
        """The query to run for the field's ``text``, and where it looks (for people).

        ``in:view`` in the text means the view shown and ``in:library`` everything; another
        ``in:`` is the user's own scope; else the scope button decides.
        """
        typed = [_typed_view(m.group(1)) for m in _TYPED_SCOPE.finditer(text)]
        if not typed:
            if self._scope == VIEW:
                return self._in_view(text, self.papers.model.view)
            return text, WHOLE_LIBRARY
        own = [t for t in typed if t not in ("view", "library")]
        text = " ".join(_TYPED_SCOPE.sub(_keep_own_scope, text).split())
        if own:
            return text, self.view_label(own[0])
        if "view" in typed:
            return self._in_view(text, self.papers.model.view)
        return text, WHOLE_LIBRARY

    def _in_view(self, text: str, view: str) -> tuple[str, str]:
        """``text`` limited to a view (with its unread-only filter, as the list shows it)."""
        unread = " is:unread" if self.papers.model.unread_only else ""
        if view == "all" and not unread:
            return text, WHOLE_LIBRARY
        label = self.view_label(view) + (" (unread)" if unread else "")
        if view.startswith("saved:"):
            saved = next((v for v in self.library.saved_views.all() if v.key == view), None)
            if saved is not None:
                return f"({saved.query}) {text}{unread}", label
        scope = "" if view == "all" else f" in:{view}"
        return f"{text}{scope}{unread}", label

    # -- did you mean --------------------------------------------------------------------------
    def take_suggestion(self) -> bool:
        """Search for the "did you mean" query now; False when there is none."""
        if self.suggestion is None:
            return False
        self.field.setText(self.suggestion)
        self.run()
        return True

    def _set_suggestion(self, suggestion: str | None) -> None:
        if suggestion != self.suggestion:
            self.suggestion = suggestion
            self.suggestion_changed.emit(suggestion)

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
        self.pending = (self.worker.submit(self.scoped(query)[0], SEARCH_LIMIT), query)

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
        results = self.library.index.search(self.scoped(query)[0], limit=SEARCH_LIMIT)
        if self.library.index.needs_rebuild:
            self.index_damaged()  # the index was found damaged: rebuild it off this thread
        self._show(query, results)

    def _show(self, query: str, results: SearchResults) -> None:
        if self.query is None:
            self.before_search = (self.papers.current_id(), self.papers.current_row())
        self.searched, self.where = self.scoped(query)
        suggestion = results.suggestion
        if suggestion is not None and self.searched != query:
            suggestion = _unscoped(suggestion, self.searched, query)
        self._set_suggestion(suggestion)
        self.before_show()
        with self.papers.reloading():
            self.papers.model.show_search(
                query, results.ids, {h.id: h.snippet for h in results.hits if h.snippet}
            )
        self.papers.table.set_search_mode(True)
        self.papers.select_row(0)
        self.shown()
        # The suggestion has a line of its own under the field (a link): not said twice.
        self.say(results_message(len(results.hits), query, results.notice, None, self.where))

    def rerun(self) -> None:
        """Search again if results are shown (a new index answers better)."""
        if self.query is not None:
            self.run()

    def leave(self) -> None:
        """Back to the view as it was before the search: on the paper selected then (or the
        row it was on, when a key in the results took it out of the view)."""
        self.papers.table.set_search_mode(False)
        before = self.before_search or (self.papers.current_id(), self.papers.current_row())
        self.before_search = None
        self.searched = None
        self._set_suggestion(None)
        self.restore_view(*before)


def _typed_view(word: str) -> str:
    """The view a typed ``in:WORD`` names, for people: its kind in lower case (``in:Queue``
    is the Queue), a tag's name as typed (``in:tag:ML`` is #ML; tags match in any case)."""
    kind, sep, name = word.partition(":")
    return f"{kind.lower()}{sep}{name}"


def _keep_own_scope(match: re.Match[str]) -> str:
    """``in:view`` and ``in:library`` are the window's words: they leave the query run."""
    return "" if match.group(1).lower() in ("view", "library") else match.group(0)


def _unscoped(suggestion: str, searched: str, query: str) -> str | None:
    """A suggestion for the scoped query, as the user's own query (the scope taken off)."""
    head, sep, tail = searched.partition(query)
    if not sep:
        return None
    if suggestion.startswith(head) and suggestion.endswith(tail):
        return suggestion[len(head) : len(suggestion) - len(tail)] or None
    return None

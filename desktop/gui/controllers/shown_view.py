"""The view shown, and everything that says which it is: the sidebar's current entry, the
window title, the count line and the detail pane's message for an empty view. Refreshes after
a write are decided here from the core's ``Changes`` flags."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QObject, QTimer
from PySide6.QtWidgets import QLabel, QListView

from desktop.core.first_count import FirstCount
from desktop.core.library import Library
from desktop.core.models import Changes, PaperId
from desktop.core.views import ViewCount
from desktop.gui.controllers.first_count_worker import (
    FirstCountWorker,
    count_in_background,
    large_enough,
)
from desktop.gui.controllers.paper_list import PaperListController
from desktop.gui.controllers.search import WHOLE_LIBRARY, SearchController
from desktop.gui.controllers.sorting import SortController
from desktop.gui.controllers.text_match_worker import Match, TextMatchWorker, match_in_background
from desktop.gui.models.sidebar import HIGHLIGHTS, SidebarModel, ViewRole, view_label
from desktop.gui.widgets.detail_pane import DetailPane

APP_TITLE = "Digest Desk"
COUNTS_DELAY_MS = 150  # counts refresh once typing pauses, not after every key
# A first count overtaken by a write is made again on the worker this many times at most;
# then the window counts on its own thread.
FIRST_COUNT_ATTEMPTS = 3


def empty_message(view: str) -> str:
    """What the detail pane says when a view holds no paper."""
    if view == "inbox":
        return "Inbox zero. Everything is queued or archived. Press g then a to see all papers."
    if view == "queue":
        return "The reading queue is empty. Press l on a paper to read it later."
    if view == "starred":
        return "No starred papers yet. Press s to star the current paper."
    if view == "archive":
        return "Nothing archived yet. Press e to archive a paper you are done with."
    if view.startswith("saved:"):
        return "No paper matches this saved view now (hover it in the sidebar for its search)."
    if view == "snoozed":
        return "Nothing snoozed. Press z on a paper to take it out of the Inbox for a while."
    return "No papers here. Import a digest with Ctrl+I, or paste one with Ctrl+V."


def plural(count: int, word: str) -> str:
    """``1 paper``, ``2 papers``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


class ShownView(QObject):
    """Shows views and keeps the sidebar, the title and the count line saying what is shown."""

    def __init__(
        self,
        library: Library,
        papers: PaperListController,
        sidebar: QListView,
        sidebar_model: SidebarModel,
        detail: DetailPane,
        counts_label: QLabel,
        *,
        set_title: Callable[[str], None],
        update_actions: Callable[[], None],
        open_highlights: Callable[[], None],
        is_closed: Callable[[], bool],
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.papers = papers
        self.model = papers.model
        self.sidebar = sidebar
        self.sidebar_model = sidebar_model
        self.detail = detail
        self.counts_label = counts_label
        self.set_title = set_title
        self.update_actions = update_actions
        self.open_highlights = open_highlights
        self.is_closed = is_closed
        self.view = "inbox"
        self.counts: dict[str, ViewCount] | None = None
        self.digests_changed = True  # per-digest unread counts need recomputing
        # The saved views' first text matches are made on a worker, once (refresh_counts).
        self._texts_matched = False
        self._matcher: TextMatchWorker | None = None
        # A large library's whole first count runs on a worker (first_count_worker.py);
        # meanwhile the count line says how far it is.
        self._first_count: FirstCountWorker | None = None
        self._count_attempts = 0
        self.count_progress: tuple[int, int] | None = None  # (done, total) while counting
        self._syncing_sidebar = False
        # Set by the window once built (they need this controller's callbacks).
        self.search: SearchController | None = None
        self.sorting: SortController | None = None
        self.counts_timer = QTimer(self)
        self.counts_timer.setSingleShot(True)
        self.counts_timer.setInterval(COUNTS_DELAY_MS)
        self.counts_timer.timeout.connect(self.refresh_counts)
        sidebar.selectionModel().currentChanged.connect(self._on_sidebar_current)
        sidebar.activated.connect(self._on_sidebar_entry)
        sidebar.clicked.connect(self._on_sidebar_entry)

    # -- showing a view --------------------------------------------------------------------
    def set_view(self, view: str, select: int | None = None, row: int = 0) -> bool:
        """Show a view and select a paper in it (else the paper at ``row``); False for an
        unknown view."""
        try:
            self.library.views.where(view)
        except ValueError:
            return False
        if self.search is not None:
            self.search.reset()
        if self.sorting is not None:
            self.sorting.prepare(view)
        with self.papers.reloading():
            self.view = view
            self.model.load_view(view)
        found = self.model.row_of(select) if select is not None else -1
        self.papers.select_row(found if found >= 0 else max(row, 0))
        self.show_current()
        self.sync_sidebar()
        self.update_title()
        self.update_counts_label()
        return True

    def go_to_paper(self, paper_id: int) -> None:
        """Select a paper, switching to All papers when the current view does not hold it."""
        if self.model.row_of(paper_id) < 0:
            self.set_view("all", select=paper_id)
        else:
            self.papers.select_row(self.model.row_of(paper_id))

    def restore(self, paper_id: PaperId | None, row: int) -> None:
        """Back from search results to the view as it was, saying so on the count line."""
        self.set_view(self.view, select=paper_id, row=row)

    def _on_sidebar_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        view = current.data(ViewRole) if current.isValid() else None
        if view == HIGHLIGHTS:
            return  # opened by Enter or a click, not by passing over it
        if view and not self._syncing_sidebar and (view != self.view or self.searching_all()):
            self.set_view(str(view))

    def _on_sidebar_entry(self, index: QModelIndex) -> None:
        if index.data(ViewRole) == HIGHLIGHTS:
            QTimer.singleShot(0, self, self.open_highlights)

    def searching_all(self) -> bool:
        """True while the list shows results from the whole library (not of the view)."""
        return (
            self.search is not None
            and self.model.search_query is not None
            and self.search.where == WHOLE_LIBRARY
        )

    def sync_sidebar(self) -> None:
        """Show the view listed as the sidebar's current entry; none while the results of a
        search of the whole library are listed (they are not the view's)."""
        row = -1 if self.searching_all() else self.sidebar_model.row_of(self.view)
        self._syncing_sidebar = True
        try:
            if row >= 0:
                self.sidebar.setCurrentIndex(self.sidebar_model.index(row, 0))
            else:
                self.sidebar.selectionModel().clear()
        finally:
            self._syncing_sidebar = False

    def after_search(self) -> None:
        """Results are listed: the pane, the sidebar, the title and the counts follow."""
        self.show_current()
        self.sync_sidebar()
        self.update_title()
        self.update_counts_label()

    def show_current(self, keep_scroll: bool = False) -> None:
        """Show the current paper in the detail pane (or what an empty list means)."""
        paper_id = self.papers.current_id()
        if paper_id is None:
            if self.model.search_query is not None:
                self.detail.show_empty("No paper matches this search.")
            else:
                self.detail.show_empty(empty_message(self.view))
        else:
            self.detail.show_paper(paper_id, keep_scroll=keep_scroll)
        self.update_actions()

    # -- what is said about it -------------------------------------------------------------
    def where_searched(self) -> str:
        """Where the listed results were looked for: ``the whole library``, ``Inbox``."""
        return self.search.where if self.search is not None else WHOLE_LIBRARY

    def update_title(self) -> None:
        """``Digest Desk — Inbox``, ``Digest Desk — Search in the whole library: gnn``."""
        if self.model.search_query is not None:
            what = f"Search in {self.where_searched()}: {self.model.search_query}"
        else:
            what = view_label(self.library, self.view)
            if self.model.unread_only:
                what += " (unread only)"
        sort = self.sorting.describe() if self.sorting is not None else ""
        self.set_title(f"{APP_TITLE} — {what}" + (f" · {sort}" if sort else ""))

    def update_counts_label(self) -> None:
        """``12 results in Inbox``, ``240 in view`` and the library's unread count."""
        shown = len(self.model.ids)
        if self.model.search_query is not None:
            text = f"{plural(shown, 'result')} in {self.where_searched()}"
        else:
            text = f"{shown} in {view_label(self.library, self.view)}"
        sort = self.sorting.short() if self.sorting is not None else ""
        if sort:
            text += f", {sort}"
        if self.count_progress is not None:
            done, total_steps = self.count_progress
            text += (
                f"   ·   counting… {done} of {total_steps}" if total_steps else "   ·   counting…"
            )
        elif self.counts is not None:
            total = self.counts["all"]
            text += f"   ·   {total.unread} unread of {plural(total.total, 'paper')}"
        self.counts_label.setText(text)

    def refresh_counts(self) -> None:
        """Recount every view now (normally debounced: runs once keys pause).

        The first time, the saved views' text matches are made on a worker thread
        (controllers/text_match_worker.py): meanwhile those views say "Counting…", and the
        counts follow when the answers are in.
        """
        if self.is_closed():
            return
        self.counts_timer.stop()
        if self._first_count is not None:
            return  # the worker's count comes (and is made again if a write overtook it)
        if not self._texts_matched and large_enough(self.library):
            self._texts_matched = True
            self._start_first_count()
            return
        self.counts = self.library.views.counts()
        ask_index = True
        if not self._texts_matched:
            self._texts_matched = True
            texts = self.library.saved_views.texts_to_match()
            self._matcher = match_in_background(self.library, texts, self._texts_found)
            ask_index = self._matcher is None
        self.sidebar_model.refresh(
            self.counts, digests_changed=self.digests_changed, ask_index=ask_index
        )
        self.digests_changed = False
        self.sync_sidebar()
        self.update_counts_label()
        self.update_title()

    def _start_first_count(self) -> None:
        """Count everything on a worker; the sidebar's saved views say "Counting…"."""
        self._count_attempts += 1
        self.count_progress = (0, 0)
        self._first_count = count_in_background(
            self.library, self._first_count_done, self._first_count_step
        )
        self.update_counts_label()

    def _first_count_step(self, done: int, total: int) -> None:
        if self._first_count is not None and not self.is_closed():
            self.count_progress = (done, total)
            self.update_counts_label()

    def _first_count_done(self, found: FirstCount | None) -> None:
        """The worker's counts: kept when no write came in between (then the counts that
        follow are per write), else counted again on the worker, or here at last."""
        self._first_count = None
        self.count_progress = None
        if self.is_closed():
            return
        overtaken = found is not None and not self.library.adopt_first_count(found)
        if overtaken and self._count_attempts < FIRST_COUNT_ATTEMPTS:
            self._start_first_count()
            return
        self.refresh_counts()

    def stop(self) -> None:
        """Stop counting (the window closes)."""
        self.counts_timer.stop()
        if self._first_count is not None:
            self._first_count.cancel()

    def _texts_found(self, found: list[Match]) -> None:
        """The worker's text matches: kept for the counts (when the index is still as the
        worker read it; else the counts ask it here), then the counts."""
        self._matcher = None
        if self.is_closed():
            return
        for text, generation, ids in found:
            self.library.selection.prime(text, generation, ids)
        self.refresh_counts()

    # -- after a write ---------------------------------------------------------------------
    def apply_changes(self, changes: Changes) -> None:
        """Refresh what a write may have changed, as its ``Changes`` flags say."""
        if self.is_closed():
            return
        shown = self.detail.paper.id if self.detail.paper is not None else None
        self.papers.apply(changes)
        current = self.papers.current_id()
        if (
            current != shown
            or changes.library
            or changes.annotations
            or changes.tags
            or (current is not None and current in changes.papers)
        ):
            self.show_current(keep_scroll=True)
        else:
            self.update_actions()  # the history moved
        if changes.library or changes.read or changes.digests:
            self.digests_changed = True  # per-digest unread counts
        if changes.counts or changes.annotations:
            self.counts_timer.start()  # view, highlight and tag counts, once keys pause
        self.update_counts_label()

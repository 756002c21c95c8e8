"""The paper list's cursor and selection: what is current, what a triage key acts on, and
where the cursor goes after a write."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QAbstractItemView

from desktop.core.models import Changes, PaperId
from desktop.gui.models.paper_list import COL_CURSOR, COL_TITLE, PaperListModel
from desktop.gui.widgets.paper_table import PaperTable

# What the list hears when only the saved views' list changed (the sidebar shows that).
VIEWS_ONLY = Changes(views=True)


class PaperListController:
    """Keeps the cursor of a ``PaperTable`` over a ``PaperListModel``."""

    def __init__(
        self, model: PaperListModel, table: PaperTable, show_current: Callable[[], None]
    ) -> None:
        self.model = model
        self.table = table
        self.show_current = show_current  # called when the cursor lands on an empty list
        self.quiet = False  # True while the model reloads: cursor moves are not shown
        self.prefer_returning = False  # undo/redo: papers coming back get the cursor
        # A sort of a large list shows its first rows at once: the paper under the cursor,
        # if further down, gets the cursor back when its row is read (see _on_rows_loaded).
        self._sorting_from: PaperId | None = None
        self._awaited: PaperId | None = None
        model.layoutAboutToBeChanged.connect(self._before_layout)
        model.layoutChanged.connect(self._after_layout)
        model.rowsInserted.connect(self._on_rows_loaded)
        model.modelReset.connect(self._forget_awaited)

    @contextmanager
    def reloading(self) -> Iterator[None]:
        """While inside, cursor moves made by the model are not shown in the detail pane."""
        self.quiet = True
        try:
            yield
        finally:
            self.quiet = False

    @contextmanager
    def returning_papers(self) -> Iterator[None]:
        """While inside, papers a write brings back into the view get the cursor."""
        self.prefer_returning = True
        try:
            yield
        finally:
            self.prefer_returning = False

    def _before_layout(self) -> None:
        self._sorting_from = self.current_id()

    def _after_layout(self) -> None:
        current, self._sorting_from = self._sorting_from, None
        lost = current is not None and not self.table.currentIndex().isValid()
        self._awaited = current if lost and self.model.loading else None

    def _forget_awaited(self) -> None:
        self._awaited = None

    def _on_rows_loaded(self) -> None:
        """Rows of a large list arrived: the paper the cursor was on before a sort may be
        among them; it gets the cursor again, without scrolling the list away from the top."""
        awaited = self._awaited
        if awaited is None:
            return
        if self.table.currentIndex().isValid():
            self._awaited = None  # the cursor moved meanwhile
            return
        row = self.model.loaded_row_of(awaited)
        if row < 0:
            if not self.model.loading:
                self._awaited = None
            return
        self._awaited = None
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        with self.reloading():
            self.table.selectionModel().setCurrentIndex(self.model.index(row, COL_CURSOR), flags)

    # -- where the cursor is ---------------------------------------------------------------
    def current_id(self) -> PaperId | None:
        """The id of the paper under the cursor, or None."""
        index = self.table.currentIndex()
        if not index.isValid() or not 0 <= index.row() < len(self.model.ids):
            return None
        return self.model.ids[index.row()]

    def current_row(self) -> int:
        """The row of the paper under the cursor, or -1."""
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def row_count(self) -> int:
        """How many papers are listed."""
        return len(self.model.ids)

    def targets(self) -> list[PaperId]:
        """The papers a triage key acts on: the selected ones (x), else the current one."""
        marked = self.model.marked_ids()
        if marked:
            return marked
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if len(rows) > 1:
            return [self.model.ids[r] for r in rows if r < len(self.model.ids)]
        current = self.current_id()
        return [current] if current is not None else []

    # -- moving it -------------------------------------------------------------------------
    def select_row(self, row: int) -> None:
        """Make a row current and selected, and scroll to it."""
        if not self.model.ids:
            self.table.selectionModel().clear()
            self.show_current()
            return
        row = max(0, min(len(self.model.ids) - 1, row))
        index = self.model.index(row, COL_CURSOR)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().setCurrentIndex(index, flags)
        # Scroll by a visible cell: QTableView.scrollTo ignores cells of hidden columns.
        self.table.scrollTo(
            self.model.index(row, COL_TITLE), QAbstractItemView.ScrollHint.EnsureVisible
        )

    def move_current(self, delta: int) -> None:
        """Move the cursor ``delta`` rows."""
        row = self.current_row()
        self.select_row(0 if row < 0 else row + delta)

    def toggle_mark(self, row: int) -> int:
        """Select or unselect a row for a bulk action; how many are selected now."""
        self.model.toggle_mark(row)
        return len(self.model.marked)

    # -- after a write ---------------------------------------------------------------------
    def apply(self, changes: Changes) -> None:
        """Bring the rows up to date and keep the cursor on the same paper, or near it."""
        if changes == VIEWS_ONLY:
            return  # saved views deleted, renamed or moved: no paper changed
        old_ids = self.model.ids.copy()  # 8 bytes an id, no int objects
        current = self.current_id()
        row = self.current_row()
        with self.reloading():
            self.model.refresh(changes.papers, library=changes.library)
        self._reselect(current, row, old_ids, changes)

    def _reselect(
        self, current: PaperId | None, row: int, old_ids: Sequence[int], changes: Changes
    ) -> None:
        ids = self.model.ids
        if not ids:
            self.select_row(0)
            return
        if self.prefer_returning and changes.papers:
            old = set(old_ids)
            returning = [i for i in ids if i in changes.papers and i not in old]
            if returning:
                self.select_row(self.model.row_of(returning[0]))
                return
        if current is not None:
            current_row = self.model.row_of(current)
            if current_row >= 0:
                self.select_row(current_row)
                return
        start = max(row, 0)
        # A triage write only moves the papers it changed; anything else is still listed.
        maybe_gone = None if changes.library or changes.annotations else changes.papers
        neighbours = itertools.chain(old_ids[start + 1 :], reversed(old_ids[:start]))
        for paper_id in neighbours:
            if maybe_gone is not None and paper_id not in maybe_gone:
                self.select_row(self.model.row_of(paper_id))
                return
            found = self.model.row_of(paper_id)
            if found >= 0:
                self.select_row(found)
                return
        self.select_row(min(start, len(ids) - 1))

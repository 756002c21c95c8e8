"""Sorting the paper list: each view keeps a sort of its own, remembered across restarts.

A sort is made with View → Sort by (or its chooser, Shift+S), a header click (which goes
through the first direction, the other one, then none) or a command, and it belongs to the
view it was made in: switching views shows each view in its own order. Search results keep
one sort of their own (``SEARCH``). After a sort the selected paper stays selected and in
sight. The list never sorts itself: the header only shows the indicator.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QMenu

from desktop.gui.models.paper_list import (
    COL_AUTHORS,
    COL_DIGESTS,
    COL_PUBLISHED,
    COL_TITLE,
    PaperListModel,
)
from desktop.gui.widgets.paper_table import PaperTable

SEARCH = "search"  # the sort of search results
# Sort key -> (column, what it is called, the direction it starts in: True is descending).
KEYS: dict[str, tuple[int, str, bool]] = {
    "title": (COL_TITLE, "title", False),
    "published": (COL_PUBLISHED, "date published", True),
    "authors": (COL_AUTHORS, "number of authors", True),
    "digests": (COL_DIGESTS, "number of digests", True),
}
_BY_COLUMN = {column: key for key, (column, _name, _first) in KEYS.items()}
_DIRECTIONS = {
    "title": ("A to Z", "Z to A"),
    "published": ("oldest first", "newest first"),
    "authors": ("fewest first", "most first"),
    "digests": ("fewest first", "most first"),
}


@dataclass(frozen=True)
class Sort:
    """A sort order: a key of ``KEYS`` and its direction."""

    key: str
    descending: bool

    def describe(self) -> str:
        """``title, A to Z``."""
        return f"{KEYS[self.key][1]}, {_DIRECTIONS[self.key][int(self.descending)]}"


class SortController:
    """The sort of each view, applied to the list model and shown on the header."""

    def __init__(
        self,
        model: PaperListModel,
        table: PaperTable,
        *,
        settings: QSettings | None,
        setting: str,
        changed: Callable[[], None],
    ) -> None:
        self.model = model
        self.table = table
        self.settings = settings
        self.setting = setting  # the settings key of the sorts of this library
        self.changed = changed  # a sort was made or cleared: menus, title and counts follow
        self.sorts: dict[str, Sort] = {}
        self.chooser: QMenu | None = None  # View → Sort by, opened by the keyboard too
        self.actions: dict[str, QAction] = {}  # sort key ("" for none) -> its menu action
        header = table.horizontalHeader()
        table.setSortingEnabled(False)  # the header shows the sort; this controller makes it
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.sectionClicked.connect(self._header_clicked)
        self._load()

    # -- which sort is whose ---------------------------------------------------------------
    def owner(self) -> str:
        """Whose sort the list shows: the view's, or the search results'."""
        return SEARCH if self.model.search_query is not None else self.model.view

    def current(self) -> Sort | None:
        """The sort of what the list shows (None: the view's own order, or the ranking)."""
        return self.sorts.get(self.owner())

    def prepare(self, owner: str) -> None:
        """Give the model the sort of ``owner`` before it loads (a view, or SEARCH)."""
        sort = self.sorts.get(owner)
        column = KEYS[sort.key][0] if sort else -1
        self.model.set_sort_order(column, bool(sort and sort.descending))
        self._show_indicator(sort)
        self.show_in_menu(sort)

    def describe(self) -> str:
        """The sort shown, for people: ``sorted by title, A to Z``, or an empty string."""
        sort = self.current()
        return f"sorted by {sort.describe()}" if sort else ""

    def short(self) -> str:
        """The sort shown in a few words (``by title``), or an empty string."""
        sort = self.current()
        return f"by {KEYS[sort.key][1]}" if sort else ""

    def use_menu(self, menu: QMenu, actions: dict[str, QAction]) -> None:
        """Show the sort in ``menu`` (View → Sort by): ``actions`` per sort key, "" for none."""
        self.chooser = menu
        self.actions = actions
        for action in actions.values():
            action.setCheckable(True)
        self.show_in_menu(self.current())

    def show_in_menu(self, sort: Sort | None) -> None:
        """Check the menu entry of ``sort`` (the one shown), with its direction."""
        for key, action in self.actions.items():
            action.setChecked(key == (sort.key if sort else ""))
            label, _tab, keys = action.text().partition("\t")
            base = label.split("  (")[0]
            if sort is not None and key == sort.key:
                base += f"  ({_DIRECTIONS[key][int(sort.descending)]})"
            action.setText(f"{base}\t{keys}" if keys else base)

    def open_chooser(self) -> None:
        """Open the Sort by menu at the current paper, its entry for the sort shown active."""
        if self.chooser is None:
            return
        index = self.table.currentIndex()
        pos = QPoint(24, 24)
        if index.isValid():
            pos = self.table.visualRect(self.model.index(index.row(), COL_TITLE)).center()
        sort = self.current()
        active = self.actions.get(sort.key if sort else "")
        if active is not None:
            self.chooser.setActiveAction(active)
        self.chooser.popup(self.table.viewport().mapToGlobal(pos))

    # -- making and clearing sorts ---------------------------------------------------------
    def choose(self, key: str) -> Sort:
        """Sort by ``key``: in its first direction, or the other one when already sorted so."""
        current = self.current()
        first = KEYS[key][2]
        descending = not current.descending if current and current.key == key else first
        sort = Sort(key, descending)
        self.apply(sort)
        return sort

    def clear(self) -> bool:
        """Back to the view's own order (the ranking, for search results); False when the
        list was not sorted."""
        if self.current() is None:
            return False
        self.apply(None)
        return True

    def apply(self, sort: Sort | None) -> None:
        """Sort what the list shows, keeping the selected paper selected and in sight."""
        owner = self.owner()
        if sort is None:
            self.sorts.pop(owner, None)
        else:
            self.sorts[owner] = sort
        column = KEYS[sort.key][0] if sort else -1
        order = (
            Qt.SortOrder.DescendingOrder
            if sort and sort.descending
            else Qt.SortOrder.AscendingOrder
        )
        self.model.sort(column, order)
        self._show_indicator(sort)
        index = self.table.currentIndex()
        if index.isValid():
            self.table.scrollTo(
                self.model.index(index.row(), COL_TITLE),
                QAbstractItemView.ScrollHint.PositionAtCenter,
            )
        self.save()
        self.show_in_menu(sort)
        self.changed()

    def _header_clicked(self, column: int) -> None:
        key = _BY_COLUMN.get(column)
        if key is None:
            return
        current = self.current()
        if current is not None and current.key == key and current.descending != KEYS[key][2]:
            self.apply(None)  # the third click on a column clears its sort
        else:
            self.choose(key)

    def _show_indicator(self, sort: Sort | None) -> None:
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        if sort is None:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        else:
            order = Qt.SortOrder.DescendingOrder if sort.descending else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(KEYS[sort.key][0], order)
        header.blockSignals(False)

    # -- remembering -----------------------------------------------------------------------
    def save(self) -> None:
        """Remember every view's sort in the settings."""
        if self.settings is not None:
            data = {owner: [s.key, s.descending] for owner, s in self.sorts.items()}
            self.settings.setValue(self.setting, json.dumps(data, sort_keys=True))

    def _load(self) -> None:
        if self.settings is None:
            return
        try:
            data = json.loads(str(self.settings.value(self.setting, "{}")))
        except ValueError:
            return
        if not isinstance(data, dict):
            return
        for owner, value in data.items():
            if (
                isinstance(value, list)
                and len(value) == 2
                and value[0] in KEYS
                and isinstance(value[1], bool)
            ):
                self.sorts[str(owner)] = Sort(value[0], value[1])

    def adopt_legacy(self, view: str, column: int, descending: bool) -> None:
        """Take the one sort of an older version as the sort of ``view`` (where it was seen)."""
        key = _BY_COLUMN.get(column)
        if key is not None and view not in self.sorts:
            self.sorts[view] = Sort(key, descending)

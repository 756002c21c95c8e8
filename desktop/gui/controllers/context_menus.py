"""Context menus: the paper list's, the sidebar's (a tag, a saved view), and opening the
focused pane's menu by keyboard (Shift+F10, the Menu key). Menus are built from the
commands' actions."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QListView, QMenu, QTextBrowser

from desktop.gui.commands import COMMANDS
from desktop.gui.controllers.paper_list import PaperListController
from desktop.gui.models.paper_list import COL_TITLE
from desktop.gui.models.sidebar import ViewRole

SAVED_VIEW_COMMANDS = (
    "rename-saved-view",
    "move-saved-view-up",
    "move-saved-view-down",
    "delete-saved-view",
)


class ContextMenus:
    """Builds and opens the context menus of the list, the sidebar and the detail pane."""

    def __init__(
        self,
        papers: PaperListController,
        sidebar: QListView,
        browser: QTextBrowser,
        actions: Mapping[str, QAction],
        *,
        view: Callable[[], str],
        set_view: Callable[[str], object],
    ) -> None:
        self.papers = papers
        self.table = papers.table
        self.sidebar = sidebar
        self.browser = browser
        self.actions = actions
        self.view = view  # the view shown
        self.set_view = set_view
        self.menu_tag: str | None = None  # the tag right-clicked in the sidebar
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self.list_menu)
        sidebar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        sidebar.customContextMenuRequested.connect(self.sidebar_menu)

    def list_menu(self, pos: QPoint) -> None:
        """Open the list's menu at ``pos``, on the paper there."""
        index = self.table.indexAt(pos)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row()):
            self.papers.select_row(index.row())
        menu = self.build_list_menu()
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def show_for_focus(self) -> None:
        """The focused pane's menu: the detail pane's at its caret, the sidebar's at its
        entry, else the list's at the current paper."""
        if self.browser.hasFocus():
            rect = self.browser.cursorRect()
            self.browser.customContextMenuRequested.emit(rect.bottomLeft())
            return
        if self.sidebar.hasFocus():
            rect = self.sidebar.visualRect(self.sidebar.currentIndex())
            self.sidebar_menu(rect.center())
            return
        row = self.papers.current_row()
        pos = QPoint(8, 8)
        if row >= 0:
            pos = self.table.visualRect(self.papers.model.index(row, COL_TITLE)).center()
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.list_menu(pos)

    def build_list_menu(self) -> QMenu:
        """The paper list's context menu, built from the commands."""
        menu = QMenu(self.table)
        for name, cmd in COMMANDS.items():
            if cmd.context_menu:
                if name in ("queue-move-up", "toggle-select"):
                    menu.addSeparator()
                menu.addAction(self.actions[name])
        return menu

    def sidebar_menu(self, pos: QPoint) -> None:
        """Open the sidebar's menu for the entry at ``pos`` (a tag or a saved view)."""
        menu = self.build_sidebar_menu(pos)
        if menu is not None:
            menu.exec(self.sidebar.viewport().mapToGlobal(pos))
            self.menu_tag = None

    def build_sidebar_menu(self, pos: QPoint) -> QMenu | None:
        """The sidebar's context menu for the entry under ``pos`` (None elsewhere)."""
        index = self.sidebar.indexAt(pos)
        view = str(index.data(ViewRole) or "") if index.isValid() else ""
        names: tuple[str, ...]
        if view.startswith("saved:"):
            # The saved view is shown first: its commands act on the saved view shown.
            if view != self.view():
                self.set_view(view)
            names = SAVED_VIEW_COMMANDS
        elif view.startswith("tag:"):
            self.menu_tag = view.split(":", 1)[1]
            names = ("rename-tag", "delete-tag")
        else:
            return None
        menu = QMenu(self.sidebar)
        for name in names:
            menu.addAction(self.actions[name])
        return menu

    def picked_tag(self) -> str | None:
        """The tag to rename or delete: the one right-clicked (once), else the current tag
        view."""
        if self.menu_tag:
            picked, self.menu_tag = self.menu_tag, None
            return picked
        index = self.sidebar.currentIndex()
        view = str(index.data(ViewRole) or "") if index.isValid() else ""
        if not view.startswith("tag:"):
            view = self.view()
        return view.split(":", 1)[1] if view.startswith("tag:") else None

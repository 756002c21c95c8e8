"""The commands as Qt actions: one ``QAction`` per command with the keymap's keys as its
shortcuts, the menus (with submenus such as View → Sort by) and the toolbar built from them,
and the labels that change (undo and redo name what they undo)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar, QWidget

from desktop.core.library import Library
from desktop.gui.commands import COMMANDS, MENUS
from desktop.gui.icons import icon
from desktop.gui.keymap import keys_for, menu_key_text, qt_sequence

SEPARATE_BEFORE = frozenset(
    {"go-inbox", "queue-move-up", "toggle-select", "quit", "escape", "sort-menu", "scheme-system"}
)
TOOLBAR_GROUPS = ("undo", "import-files", "command-palette")  # a separator before each


class CommandActions:
    """Every command's action, keyed by command name."""

    def __init__(
        self,
        window: QMainWindow,
        list_widget: QWidget,
        keymap: Mapping[str, str],
        run: Callable[[str], None],
    ) -> None:
        self.keymap = keymap
        self.by_name: dict[str, QAction] = {}
        for name, cmd in COMMANDS.items():
            action = QAction(window)
            self.set_text(action, name, cmd.label)
            action.setObjectName(name)
            action.setStatusTip(cmd.doc)
            action.setToolTip(self.tooltip(name))
            if cmd.icon:
                action.setIcon(icon(cmd.icon))
            action.setShortcuts([QKeySequence(qt_sequence(k)) for k in keys_for(name, keymap)])
            if cmd.scope == "list":
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                list_widget.addAction(action)
            else:
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
                window.addAction(action)
            action.triggered.connect(lambda _checked=False, n=name: run(n))
            self.by_name[name] = action

    def set_text(self, action: QAction, name: str, label: str) -> None:
        """Label an action; menus show its key as typed (``s``, not Qt's ``S``)."""
        key = self.key_text(name)
        action.setText(f"{label}\t{key}" if key else label)
        action.setIconText(label.replace("&", "").rstrip("…").rstrip("."))  # toolbar: no key

    def key_text(self, name: str) -> str:
        """The first key of a command as a menu shows it, or an empty string."""
        keys = keys_for(name, self.keymap)
        return menu_key_text(keys[0]) if keys else ""

    def tooltip(self, name: str) -> str:
        """What a command does, and its key."""
        cmd = COMMANDS[name]
        keys = keys_for(name, self.keymap)
        return f"{cmd.doc} ({keys[0].replace(',', ' then ')})" if keys else cmd.doc

    def build_menus(self, window: QMainWindow) -> dict[str, QMenu]:
        """The menu bar, in MENUS order; the submenus made, by title."""
        menus = {title: window.menuBar().addMenu(f"&{title}") for title in MENUS}
        submenus: dict[str, QMenu] = {}
        for name, cmd in COMMANDS.items():
            if name in SEPARATE_BEFORE:
                menus[cmd.menu].addSeparator()
            if cmd.submenu is None:
                menus[cmd.menu].addAction(self.by_name[name])
                continue
            if cmd.submenu not in submenus:
                submenus[cmd.submenu] = menus[cmd.menu].addMenu(cmd.submenu)
            submenus[cmd.submenu].addAction(self.by_name[name])
        return submenus

    def build_toolbar(self, window: QMainWindow) -> QToolBar:
        """The main toolbar: the commands marked for it, labels beside their icons."""
        toolbar = QToolBar("Main", window)
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for name, cmd in COMMANDS.items():
            if cmd.toolbar:
                if name in TOOLBAR_GROUPS:
                    toolbar.addSeparator()
                toolbar.addAction(self.by_name[name])
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        return toolbar

    def update(self, library: Library, has_paper: bool) -> None:
        """Enable paper commands when a paper is current; name what undo and redo undo."""
        for name, action in self.by_name.items():
            if COMMANDS[name].needs_paper:
                action.setEnabled(has_paper)
        labels = {"undo": library.history.undo_label(), "redo": library.history.redo_label()}
        for name, label in labels.items():
            action = self.by_name[name]
            action.setEnabled(label is not None)
            title = name.capitalize()
            self.set_text(action, name, f"{title} {label}" if label else title)

"""Ctrl+K: every command, fuzzy-filtered as you type, with its key; Enter runs it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.keymap import display_key, keys_for

if TYPE_CHECKING:
    from desktop.gui.commands.registry import Command

PALETTE_STEPS = {
    Qt.Key.Key_Down: 1,
    Qt.Key.Key_Up: -1,
    Qt.Key.Key_PageDown: 8,
    Qt.Key.Key_PageUp: -8,
}


def fuzzy_score(query: str, text: str) -> int | None:
    """How well ``query`` matches ``text`` as a subsequence (higher is better), or None.

    Consecutive letters and letters at the start of words score more.
    """
    query = query.casefold().replace(" ", "")
    text = text.casefold()
    if not query:
        return 0
    score = 0
    pos = 0
    previous = -2
    for char in query:
        found = text.find(char, pos)
        if found < 0:
            return None
        score += 1
        if found == previous + 1:
            score += 3
        if found == 0 or not text[found - 1].isalnum():
            score += 4
        previous = found
        pos = found + 1
    return score * 100 - len(text)


def rank_commands(query: str, commands: Sequence[Command]) -> list[Command]:
    """Commands matching ``query`` by label, name or description, best first."""
    scored = []
    for n, cmd in enumerate(commands):
        scores = [
            s
            for s in (
                fuzzy_score(query, cmd.label),
                fuzzy_score(query, cmd.name),
                None if fuzzy_score(query, cmd.doc) is None else -10_000,
            )
            if s is not None
        ]
        if scores:
            scored.append((-max(scores), n, cmd))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [cmd for _, _, cmd in scored]


class CommandPalette(QDialog):
    """A small filter-as-you-type list of commands; ``chosen`` holds the command run."""

    def __init__(
        self,
        commands: Sequence[Command],
        keymap: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.commands = list(commands)
        self.keymap = keymap
        self.setWindowTitle("Command palette")
        self.setModal(True)
        self.resize(720, 460)
        self.chosen: str | None = None
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Type a command…")
        self.filter.setClearButtonEnabled(True)
        self.list = QTreeWidget(self)
        self.list.setColumnCount(3)
        self.list.setHeaderLabels(["Command", "Key", "What it does"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setColumnWidth(0, 200)
        self.list.setColumnWidth(1, 110)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        self.filter.textChanged.connect(self._update)
        self.filter.installEventFilter(self)
        self.list.itemActivated.connect(lambda *_: self.accept_current())
        self.list.itemClicked.connect(lambda *_: self.accept_current())
        self._update("")

    def _update(self, text: str) -> None:
        self.list.clear()
        for cmd in rank_commands(text, self.commands):
            keys = ", ".join(display_key(k) for k in keys_for(cmd.name, self.keymap))
            item = QTreeWidgetItem([cmd.label, keys, cmd.doc])
            item.setData(0, Qt.ItemDataRole.UserRole, cmd.name)
            item.setToolTip(2, cmd.doc)
            self.list.addTopLevelItem(item)
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)

    def visible_commands(self) -> list[str]:
        """Names of the commands listed, in order."""
        items = [self.list.topLevelItem(n) for n in range(self.list.topLevelItemCount())]
        return [str(item.data(0, Qt.ItemDataRole.UserRole)) for item in items if item is not None]

    def accept_current(self) -> None:
        """Close and remember the highlighted command."""
        item = self.list.currentItem()
        if item is None:
            return
        self.chosen = item.data(0, Qt.ItemDataRole.UserRole)
        self.accept()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.filter and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in PALETTE_STEPS:  # Qt.Key values
                count = self.list.topLevelItemCount()
                if count:
                    item = self.list.currentItem()
                    row = self.list.indexOfTopLevelItem(item) if item is not None else 0
                    row = max(0, min(count - 1, row + PALETTE_STEPS[Qt.Key(key)]))
                    target = self.list.topLevelItem(row)
                    if target is not None:
                        self.list.setCurrentItem(target)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept_current()
                return True
        return super().eventFilter(watched, event)

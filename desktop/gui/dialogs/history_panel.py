"""The History panel: every action kept in the library's history, newest first.

Each line gives the time, what was done and to which paper. Enter shows that paper; ``u``
undoes the chosen action (refused with the reason when a later action changed its paper);
Esc closes. Undone actions and those that can no longer be undone are listed greyed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop.core.history import HistoryEntry
from desktop.core.library import Library
from desktop.gui.plain_text import plain_tooltip

EntryRole = Qt.ItemDataRole.UserRole + 1
GREY = QColor("#8a8f98")


def local_time(stamp: str) -> str:
    """A stored UTC time as local ``Wed 2 Dec 10:05``."""
    try:
        moment = dt.datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return stamp
    return f"{moment:%a} {moment.day} {moment:%b %H:%M}"


def entry_text(entry: HistoryEntry) -> str:
    """One line of the panel."""
    text = f"{local_time(entry.done_at)}   {entry.describe()}"
    if entry.refused:
        text += f"   (cannot be undone: {entry.refused})"
    elif entry.undone:
        text += "   (undone)"
    elif not entry.available:
        text += "   (made before a restart; cannot be undone)"
    return text


class HistoryPanel(QDialog):
    """Lists the history; ``show_paper(id)`` is called on Enter, ``undo(entry)`` on u."""

    def __init__(
        self,
        library: Library,
        show_paper: Callable[[int], None],
        undo: Callable[[HistoryEntry], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("history-panel")
        self.setWindowTitle("History")
        self.resize(720, 520)
        self.library = library
        self._show_paper = show_paper
        self._undo = undo
        intro = QLabel(
            "What you did, newest first (kept across restarts). Enter shows the paper, "
            "u undoes the action, Esc closes.",
            self,
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("history-list")
        self.list.setUniformItemSizes(True)
        self.list.itemActivated.connect(lambda _item: self.show_entry())
        self.list.installEventFilter(self)
        self.message = QLabel("", self)
        self.message.setObjectName("history-message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list)
        layout.addWidget(self.message)
        self.reload()
        self.list.setFocus()

    def reload(self) -> None:
        """Read the history again, keeping the chosen row."""
        row = max(self.list.currentRow(), 0)
        self.list.clear()
        for entry in self.library.history.entries():
            item = QListWidgetItem(entry_text(entry))
            item.setData(EntryRole, entry)
            item.setToolTip(plain_tooltip(entry.describe()) or "")
            if entry.undone or not entry.available:
                item.setForeground(GREY)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(min(row, self.list.count() - 1))
        else:
            self.message.setText("Nothing done yet.")

    def current_entry(self) -> HistoryEntry | None:
        """The chosen action, or None."""
        item = self.list.currentItem()
        value = item.data(EntryRole) if item is not None else None
        return value if isinstance(value, HistoryEntry) else None

    def show_entry(self) -> None:
        """Show the chosen action's paper and close the panel."""
        entry = self.current_entry()
        if entry is None:
            return
        if entry.paper_id is None or self.library.papers.get(entry.paper_id) is None:
            self.message.setText("That paper is no longer in the library.")
            return
        self.accept()
        self._show_paper(entry.paper_id)

    def undo_entry(self) -> None:
        """Undo the chosen action; what happened is said below the list."""
        entry = self.current_entry()
        if entry is None:
            return
        self.message.setText(self._undo(entry))
        self.reload()

    def eventFilter(self, watched: object, event: object) -> bool:
        if (
            watched is self.list
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_U
            and not event.modifiers()
        ):
            self.undo_entry()
            return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

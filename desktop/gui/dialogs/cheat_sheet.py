"""The ? sheet: every key and what it does, rendered from the keymap."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)


class CheatSheet(QDialog):
    """A read-only table of (keys, what they do) rows; Esc or ? closes it."""

    def __init__(self, key_rows: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(620, 640)
        intro = QLabel(
            "Digest Desk is made for the keyboard. The triage keys act on the current paper, "
            "or on every paper you selected with x.",
            self,
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        self.table = QTreeWidget(self)
        self.table.setHeaderLabels(["Key", "What it does"])
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        bold = QFont(self.font())
        bold.setBold(True)
        for keys, doc in key_rows:
            item = QTreeWidgetItem([keys, doc])
            item.setFont(0, bold)
            self.table.addTopLevelItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        QShortcut(QKeySequence("?"), self, self.reject)

    def rows(self) -> list[tuple[str, str]]:
        """The (keys, description) rows shown."""
        items = [self.table.topLevelItem(n) for n in range(self.table.topLevelItemCount())]
        return [(item.text(0), item.text(1)) for item in items if item is not None]

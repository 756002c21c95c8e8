"""Asking for a saved view's name: when saving a search, and when renaming a view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class SavedViewNameDialog(QDialog):
    """One line for a name, with the query it is for shown as plain text."""

    def __init__(
        self, title: str, query: str, name: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("saved-view-name")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(f"Name of the view for the search “{query}”:", self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.line = QLineEdit(name, self)
        self.line.setObjectName("saved-view-name-line")
        self.line.selectAll()
        layout.addWidget(self.line)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def name(self) -> str:
        """The name typed, white space folded."""
        return " ".join(self.line.text().split())

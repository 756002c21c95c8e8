"""One line for a name under a plain-text prompt, with OK and Cancel: renaming a tag, naming a
saved view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class NameDialog(QDialog):
    """Asks for a name; the prompt (which may quote imported text) is shown as plain text."""

    def __init__(
        self, title: str, prompt: str, name: str, line_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(prompt, self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.line = QLineEdit(name, self)
        self.line.setObjectName(line_name)
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

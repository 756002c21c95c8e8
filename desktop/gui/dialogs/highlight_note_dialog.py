"""A small dialog to edit the note of one highlight (Ctrl+Enter saves, Esc cancels)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.models import HIGHLIGHT_COLORS, Highlight


class NoteEdit(QPlainTextEdit):
    """A plain-text editor where Ctrl+Enter accepts the dialog it is in."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            dialog = self.window()
            if isinstance(dialog, QDialog):
                dialog.accept()
                return
        super().keyPressEvent(event)


class HighlightNoteDialog(QDialog):
    """Shows the highlight's quote (plain text) and edits its note."""

    def __init__(self, highlight: Highlight, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.highlight = highlight
        label = HIGHLIGHT_COLORS.get(highlight.color, highlight.color)
        self.setWindowTitle(f"Note on a {label} highlight")
        self.resize(480, 260)
        layout = QVBoxLayout(self)
        quote = QLabel(self)
        quote.setTextFormat(Qt.TextFormat.PlainText)
        quote.setWordWrap(True)
        shown = " ".join(highlight.quote.split())
        quote.setText(f"“{shown[:400]}{'…' if len(shown) > 400 else ''}”")
        layout.addWidget(quote)
        self.editor = NoteEdit(self)
        self.editor.setObjectName("highlight-note-editor")
        self.editor.setPlainText(highlight.note)
        self.editor.setPlaceholderText("Why this passage matters…")
        self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)
        layout.addWidget(self.editor)
        hint = QLabel("Ctrl+Enter saves · Esc cancels · an empty note removes it", self)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(hint)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.editor.setFocus()

    def text(self) -> str:
        """The note as typed."""
        return self.editor.toPlainText()

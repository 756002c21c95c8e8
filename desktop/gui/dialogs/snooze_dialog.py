"""The snooze chooser (z): Enter takes the chosen preset (Up and Down choose), or a time
typed in: ``z Enter`` snoozes until tomorrow, ``z 3d Enter`` for three days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.snooze_time import PRESETS, SnoozeTimeError, SnoozeUntil, parse_when

HINT = (
    "Up and Down choose, or type: 3d, 2w, 5h, fri, 2026-12-24, 2026-12-24 14:30. "
    "Enter snoozes, Esc cancels."
)
PresetRole = Qt.ItemDataRole.UserRole + 1


class SnoozeDialog(QDialog):
    """Asks when papers return; ``chosen`` is set when the dialog is accepted.

    The keyboard stays in the field: Up and Down choose a preset, Enter with nothing typed
    takes it; what is typed is read by ``parse_when`` when Enter is pressed, and a time that
    cannot be read is said in the dialog, which stays open.
    """

    def __init__(
        self,
        count: int,
        now: Callable[[], dt.datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("snooze-dialog")
        self.setWindowTitle("Snooze")
        self.now = now
        self.chosen: SnoozeUntil | None = None
        papers = "this paper" if count == 1 else f"these {count} papers"
        title = QLabel(f"Snooze {papers}: out of the Inbox until…", self)
        title.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        self.presets = QListWidget(self)
        self.presets.setObjectName("snooze-presets")
        self.presets.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for _key, label, text in PRESETS:
            when = parse_when(text, now())
            item = QListWidgetItem(f"{label}   ({when.describe()})")
            item.setData(PresetRole, text)
            self.presets.addItem(item)
        self.presets.setCurrentRow(0)
        self.presets.setFixedHeight(self.presets.sizeHintForRow(0) * (len(PRESETS) + 1))
        self.presets.itemClicked.connect(lambda item: self._choose(self._preset(item)))
        layout.addWidget(self.presets)
        self.field = QLineEdit(self)
        self.field.setObjectName("snooze-when")
        self.field.setPlaceholderText("tomorrow, 3d, next week, mon, 2026-12-24 …")
        self.field.textChanged.connect(self._preview)
        self.field.returnPressed.connect(self._accept_typed)
        self.field.installEventFilter(self)
        layout.addWidget(self.field)
        self.message = QLabel(HINT, self)
        self.message.setObjectName("snooze-message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.field.setFocus()

    def eventFilter(self, watched: object, event: object) -> bool:
        if (
            watched is self.field
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
        ):
            step = -1 if event.key() == Qt.Key.Key_Up else 1
            row = max(0, min(self.presets.count() - 1, self.presets.currentRow() + step))
            self.presets.setCurrentRow(row)
            return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    def _preset(self, item: QListWidgetItem | None) -> SnoozeUntil:
        text = str(item.data(PresetRole)) if item is not None else PRESETS[0][2]
        return parse_when(text, self.now())

    def _preview(self, text: str) -> None:
        if not text.strip():
            self.message.setText(HINT)
            return
        try:
            self.message.setText("Snooze " + parse_when(text, self.now()).describe())
        except SnoozeTimeError as exc:
            self.message.setText(str(exc))

    def _accept_typed(self) -> None:
        if not self.field.text().strip():
            self._choose(self._preset(self.presets.currentItem()))
            return
        try:
            when = parse_when(self.field.text(), self.now())
        except SnoozeTimeError as exc:
            self.message.setText(str(exc))
            return
        self._choose(when)

    def _choose(self, when: SnoozeUntil) -> None:
        self.chosen = when
        self.accept()

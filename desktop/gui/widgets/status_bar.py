"""The main window's status bar: a message longer than its room is elided in the middle, never
clipped, and the whole of it (with the messages before it) is in the tooltip and the
accessible description.

``QStatusBar`` draws its message clipped at the permanent widgets (the counts, at 800×600 a
search's message loses its end, "Esc restores the view"). This bar draws the same text with
``…`` in the middle when it does not fit, so both ends show; hovering the bar shows the whole
message and the last few before it, which also stay there after a message timed out.
"""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QSizeGrip, QStatusBar, QStyle, QStyleOption, QWidget

from desktop.gui.plain_text import plain_tooltip

RECENT = 5  # messages kept for the tooltip, the current one included


class StatusBar(QStatusBar):
    """A status bar whose message is elided in the middle when too long, whole in the
    tooltip (with the recent ones) and the accessible description."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("status-bar")
        self._recent: deque[str] = deque(maxlen=RECENT)
        self.messageChanged.connect(self._message_changed)

    # -- what is shown -----------------------------------------------------------------------
    def recent(self) -> list[str]:
        """The last messages shown, newest first (the current one, if any, is the first)."""
        return list(reversed(self._recent))

    def message_rect(self) -> QRect:
        """Where the message is drawn: from the left edge to the permanent widgets (or the
        size grip), as QStatusBar lays it out."""
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        left, right = 6, self.width() - 12
        for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if not child.isVisible():
                continue  # hidden widgets, and the temporary ones while a message shows
            if rtl:
                left = max(left, child.x() + child.width() + 2)
            else:
                right = min(right, child.x() - 2)
        return QRect(left, 0, max(0, right - left), self.height())

    def shown_message(self) -> str:
        """The message as drawn: whole when it fits, else with ``…`` in its middle."""
        message = self.currentMessage()
        if not message:
            return ""
        width = self.message_rect().width()
        return self.fontMetrics().elidedText(message, Qt.TextElideMode.ElideMiddle, width)

    def is_elided(self) -> bool:
        """True when the current message does not fit and is shown shortened."""
        return self.shown_message() != self.currentMessage()

    # -- hints -------------------------------------------------------------------------------
    def _message_changed(self, message: str) -> None:
        if message and (not self._recent or self._recent[-1] != message):
            self._recent.append(message)
        self._update_hints()

    def _update_hints(self) -> None:
        """The whole message in the accessible description; it and the ones before it in
        the tooltip."""
        current = self.currentMessage()
        self.setAccessibleDescription(current)
        earlier = [m for m in self.recent() if m != current]
        lines = [current, ""] if current else []
        lines += ["Earlier:", *earlier] if earlier else []
        text = "\n".join(lines).strip()
        self.setToolTip(plain_tooltip(text) or "")  # a search's query may hold <b>

    # -- Qt overrides ------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_hints()

    def paintEvent(self, event: QPaintEvent) -> None:
        """QStatusBar's painting (panel, frames of the visible widgets), with the message
        elided in the middle instead of clipped at its end."""
        if not self.currentMessage():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        style = self.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option, painter, self)
        for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if child.isVisible() and not isinstance(child, QSizeGrip):
                frame = QStyleOption()
                frame.rect = child.geometry().adjusted(-2, -1, 2, 1)
                frame.palette = self.palette()
                style.drawPrimitive(
                    QStyle.PrimitiveElement.PE_FrameStatusBarItem, frame, painter, child
                )
        painter.setPen(self.palette().windowText().color())
        align = (
            Qt.AlignmentFlag.AlignLeading
            | Qt.AlignmentFlag.AlignVCenter
            | Qt.TextFlag.TextSingleLine  # type: ignore[operator]
        )
        painter.drawText(self.message_rect(), int(align), self.shown_message())
        painter.end()

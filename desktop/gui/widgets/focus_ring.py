"""A visible frame around the pane that has the keyboard: the sidebar, the paper list or the
detail pane (the search field draws its own focus border). The ring is one small widget,
masked to its border, moved onto the focused pane; each pane also carries a ``keyboardFocus``
property saying whether it has the keyboard (tests and style sheets read it)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QRegion
from PySide6.QtWidgets import QApplication, QWidget

from desktop.gui import theme

WIDTH = 2
FOCUS_PROPERTY = "keyboardFocus"


class FocusRing(QWidget):
    """Draws a ``WIDTH``-pixel frame in the theme's focus colour around the focused pane."""

    def __init__(self, panes: Sequence[QWidget], *, framed: Sequence[QWidget]) -> None:
        super().__init__(framed[0])
        self.panes = list(panes)  # every pane that can hold the keyboard
        self.framed = list(framed)  # the panes the ring is drawn around
        self.pane: QWidget | None = None  # the pane with the keyboard
        self.setObjectName("focus-ring")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.color = theme.current().color("field_focus")
        self.hide()
        for pane in self.panes:
            pane.setProperty(FOCUS_PROPERTY, False)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def restyle(self, t: theme.Theme) -> None:
        """Take the focus colour of theme ``t``."""
        self.color = QColor(t.field_focus)
        self.update()

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or new.window() is not self.panes[0].window():
            return  # the keyboard went to a dialog or another app: the ring stays
        pane = next((p for p in self.panes if p is new or p.isAncestorOf(new)), None)
        self.follow(pane)

    def follow(self, pane: QWidget | None) -> None:
        """Mark ``pane`` as the one with the keyboard and frame it (None: no pane has it)."""
        if self.pane is not None:
            self.pane.removeEventFilter(self)
            self.pane.setProperty(FOCUS_PROPERTY, False)
        self.pane = pane
        if pane is None:
            self.hide()
            return
        pane.setProperty(FOCUS_PROPERTY, True)
        if pane not in self.framed:
            self.hide()
            return
        pane.installEventFilter(self)
        self.setParent(pane)
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        if self.pane is None:
            return
        rect = self.pane.rect()
        self.setGeometry(rect)
        outer = QRegion(0, 0, rect.width(), rect.height())
        inner = QRegion(WIDTH, WIDTH, rect.width() - 2 * WIDTH, rect.height() - 2 * WIDTH)
        self.setMask(outer.subtracted(inner))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.pane and event.type() == QEvent.Type.Resize:
            self._place()
        return super().eventFilter(watched, event)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.color)
        painter.end()

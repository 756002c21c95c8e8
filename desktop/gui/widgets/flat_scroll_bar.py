"""Scroll bars of the three panes, drawn flat: solid rectangles in the palette's colours.

Fusion paints a scroll bar's groove and handle with gradients. Qt's raster engine fills a
gradient one scan line at a time and, past 96 lines, hands the lines to its thread pool and
waits for them: at every `j` the detail pane's scroll bar is repainted (its range changes
with the paper) and that wait was about a third of the key's paint time. Solid fills take
the engine's direct path. The geometry (what a click or a drag hits) is still the style's
own, so the bar behaves exactly as Fusion's; only the drawing differs.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QScrollBar,
    QStyle,
    QStyleOption,
    QStyleOptionSlider,
    QWidget,
)

INSET = 3  # pixels between the handle and the bar's long edges
HANDLE_MIX = 0.55  # how far the resting handle goes from Mid towards the placeholder colour
CC = QStyle.ComplexControl.CC_ScrollBar
SC = QStyle.SubControl
ROLE = QPalette.ColorRole
ARROWS = (
    (SC.SC_ScrollBarSubLine, QStyle.PrimitiveElement.PE_IndicatorArrowUp,
     QStyle.PrimitiveElement.PE_IndicatorArrowLeft),
    (SC.SC_ScrollBarAddLine, QStyle.PrimitiveElement.PE_IndicatorArrowDown,
     QStyle.PrimitiveElement.PE_IndicatorArrowRight),
)  # fmt: skip


def mix(a: QColor, b: QColor, share: float) -> QColor:
    """The colour ``share`` of the way from ``a`` to ``b``."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * share),
        round(a.green() + (b.green() - a.green()) * share),
        round(a.blue() + (b.blue() - a.blue()) * share),
    )


class FlatScrollBar(QScrollBar):
    """A scroll bar with the style's geometry and a flat look (see the module's docstring)."""

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)  # the handle darkens under the mouse
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # every pixel is painted

    def handle_rect(self, opt: QStyleOptionSlider | None = None) -> QRect:
        """Where the handle is drawn (the style's slider, inset from the long edges)."""
        opt = opt or self._option()
        rect = self.style().subControlRect(CC, opt, SC.SC_ScrollBarSlider, self)
        if self.orientation() == Qt.Orientation.Vertical:
            return rect.adjusted(INSET, 1, -INSET, -1)
        return rect.adjusted(1, INSET, -1, -INSET)

    def handle_color(self, opt: QStyleOptionSlider | None = None) -> QColor:
        """The handle's colour: between the palette's Mid and its placeholder text at rest
        (3:1 against the groove, as WCAG asks of a control), the placeholder colour itself
        under the mouse or while dragged."""
        palette = self.palette()
        strong = palette.color(ROLE.PlaceholderText)
        opt = opt or self._option()
        hot = bool(opt.activeSubControls & SC.SC_ScrollBarSlider) and bool(
            opt.state & (QStyle.StateFlag.State_MouseOver | QStyle.StateFlag.State_Sunken)
        )
        if hot or self.isSliderDown():
            return strong
        return mix(palette.color(ROLE.Mid), strong, HANDLE_MIX)

    def _option(self) -> QStyleOptionSlider:
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        return opt

    def paintEvent(self, event: QPaintEvent) -> None:
        opt = self._option()  # once a paint: the handle's place and colour both read it
        painter = QPainter(self)
        painter.fillRect(event.rect(), self.palette().color(ROLE.Base))
        if self.maximum() > self.minimum() and self.isEnabled():
            painter.fillRect(self.handle_rect(opt), self.handle_color(opt))
        vertical = self.orientation() == Qt.Orientation.Vertical
        for control, up, left in ARROWS:
            rect = self.style().subControlRect(CC, opt, control, self)
            if rect.isEmpty():
                continue
            arrow = QStyleOption()
            arrow.initFrom(self)
            arrow.rect = rect.adjusted(2, 2, -2, -2)
            self.style().drawPrimitive(up if vertical else left, arrow, painter, self)
        painter.end()


def use_flat_scroll_bars(area: QAbstractScrollArea) -> None:
    """Give ``area`` flat vertical and horizontal scroll bars (policies are kept)."""
    area.setVerticalScrollBar(FlatScrollBar(Qt.Orientation.Vertical, area))
    area.setHorizontalScrollBar(FlatScrollBar(Qt.Orientation.Horizontal, area))

"""The Progress view: papers arriving and archived per day over the last 90 days, the open
papers (Inbox and queue) over time, and the queue's age, drawn with QPainter.

The figures come from ``desktop.core.progress`` (its docstring says what they can and cannot
tell). One day is picked at a time: hovering over a chart or Left/Right (Home/End, PgUp/PgDown
a week) picks it, and its numbers show under the charts and as the chart's tooltip.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop.core.progress import DayFigures, Progress

ARRIVED = QColor("#3b82f6")
ARCHIVED = QColor("#16a34a")
READ = QColor("#f59e0b")
OPEN = QColor("#7c3aed")
GRID = QColor("#e5e7eb")
TEXT = QColor("#4b5563")
PICKED = QColor("#111827")
MARGIN_LEFT = 44
MARGIN_RIGHT = 12


def day_text(figures: DayFigures) -> str:
    """One day's numbers as shown on hover."""
    day = dt.date.fromisoformat(figures.day)
    return (
        f"{day:%a %d %b %Y}: {figures.arrived} arrived, {figures.read} read, "
        f"{figures.archived} archived; {figures.open} open at the end of the day"
    )


def _nice_top(value: int) -> int:
    """A round number at least ``value`` for the top of an axis."""
    top = max(1, value)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top <= step * 4:
            return -(-top // step) * step
    return top


class DayChart(QWidget):
    """Two charts over the same days: arrivals above the axis and archived papers below it
    (read papers as dots), then the open papers as a line. One day is picked at a time."""

    picked_changed = Signal(int)

    def __init__(self, days: list[DayFigures], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days = days
        self.picked = len(days) - 1
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(560, 320)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Papers per day and open papers")
        self._update_tooltip()

    def set_days(self, days: list[DayFigures]) -> None:
        """Show these days (the figures arrived), the last one picked."""
        self.days = days
        self.picked = len(days) - 1
        self._update_tooltip()
        self.update()
        self.picked_changed.emit(self.picked)

    # -- picking a day -----------------------------------------------------------------------
    def pick(self, index: int) -> None:
        """Pick the day at ``index`` (clamped to the days shown)."""
        if not self.days:
            return
        index = max(0, min(len(self.days) - 1, index))
        if index != self.picked:
            self.picked = index
            self._update_tooltip()
            self.update()
            self.picked_changed.emit(index)

    def picked_day(self) -> DayFigures | None:
        """The figures of the picked day."""
        return self.days[self.picked] if self.days else None

    def _update_tooltip(self) -> None:
        day = self.picked_day()
        self.setToolTip(day_text(day) if day else "")

    def day_at(self, x: float) -> int:
        """The index of the day under x."""
        width = self._plot_width()
        if not self.days or width <= 0:
            return 0
        return int((x - MARGIN_LEFT) / width * len(self.days))

    def day_center(self, index: int) -> float:
        """The x of the middle of day ``index``."""
        slot = self._plot_width() / max(1, len(self.days))
        return MARGIN_LEFT + slot * (index + 0.5)

    def _plot_width(self) -> float:
        return float(self.width() - MARGIN_LEFT - MARGIN_RIGHT)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Hovering picks the day under the pointer (its numbers show under the chart)."""
        x = event.position().x()
        if MARGIN_LEFT <= x <= self.width() - MARGIN_RIGHT:
            self.pick(self.day_at(x))
        super().mouseMoveEvent(event)

    def event(self, event: QEvent) -> bool:
        """A tooltip (the pointer resting) shows the numbers of the day under the pointer."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            self.pick(self.day_at(event.pos().x()))
            QToolTip.showText(event.globalPos(), self.toolTip(), self)
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Left/Right a day, PgUp/PgDown a week, Home/End the first and last day."""
        steps = {
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_PageUp: -7,
            Qt.Key.Key_PageDown: 7,
        }
        key = Qt.Key(event.key())
        if key in steps:
            self.pick(self.picked + steps[key])
        elif key == Qt.Key.Key_Home:
            self.pick(0)
        elif key == Qt.Key.Key_End:
            self.pick(len(self.days) - 1)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Repaint to show the focus frame."""
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        """Repaint to hide the focus frame."""
        self.update()
        super().focusOutEvent(event)

    # -- drawing -----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the per-day bars, the open line and the picked day."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        height = self.height()
        per_day = QRect(0, 8, self.width(), int(height * 0.58) - 8)
        open_area = QRect(0, per_day.bottom() + 28, self.width(), height - per_day.bottom() - 48)
        self._draw_per_day(painter, per_day)
        self._draw_open(painter, open_area)
        self._draw_picked(painter)
        self._draw_dates(painter, height - 16)
        if self.hasFocus():
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
        painter.end()

    def _label(self, painter: QPainter, x: int, y: int, text: str, right: bool = False) -> None:
        painter.setPen(TEXT)
        metrics = painter.fontMetrics()
        width = metrics.horizontalAdvance(text)
        painter.drawText(QPoint(x - width if right else x, y), text)

    def _draw_per_day(self, painter: QPainter, area: QRect) -> None:
        top_up = _nice_top(max((d.arrived for d in self.days), default=0))
        top_down = _nice_top(max((max(d.archived, d.read) for d in self.days), default=0))
        axis = area.top() + area.height() * top_up / (top_up + top_down)
        scale = area.height() / (top_up + top_down)
        slot = self._plot_width() / max(1, len(self.days))
        bar = max(1.0, slot * 0.7)
        painter.setPen(QPen(GRID, 1))
        painter.drawLine(QPointF(MARGIN_LEFT, axis), QPointF(self.width() - MARGIN_RIGHT, axis))
        self._label(painter, MARGIN_LEFT - 6, area.top() + 10, str(top_up), right=True)
        self._label(painter, MARGIN_LEFT - 6, area.bottom(), str(top_down), right=True)
        self._label(painter, MARGIN_LEFT + 4, area.top() + 10, "arrived")
        self._label(painter, MARGIN_LEFT + 4, area.bottom(), "archived (dots: read)")
        painter.setPen(Qt.PenStyle.NoPen)
        for n, day in enumerate(self.days):
            x = self.day_center(n) - bar / 2
            if day.arrived:
                painter.setBrush(ARRIVED)
                painter.drawRect(QRectF(x, axis - day.arrived * scale, bar, day.arrived * scale))
            if day.archived:
                painter.setBrush(ARCHIVED)
                painter.drawRect(QRectF(x, axis, bar, day.archived * scale))
        painter.setBrush(READ)
        for n, day in enumerate(self.days):
            if day.read:
                painter.drawEllipse(QPointF(self.day_center(n), axis + day.read * scale), 2.5, 2.5)

    def _draw_open(self, painter: QPainter, area: QRect) -> None:
        top = _nice_top(max((d.open for d in self.days), default=0))
        bottom = area.bottom()

        def y(value: int) -> float:
            return bottom - value / top * area.height()

        painter.setPen(QPen(GRID, 1))
        painter.drawLine(QPointF(MARGIN_LEFT, bottom), QPointF(self.width() - MARGIN_RIGHT, bottom))
        self._label(painter, MARGIN_LEFT - 6, area.top() + 10, str(top), right=True)
        self._label(painter, MARGIN_LEFT - 6, bottom, "0", right=True)
        self._label(painter, MARGIN_LEFT + 4, area.top() + 10, "open: Inbox and queue")
        if not self.days:
            return
        path = QPainterPath(QPointF(self.day_center(0), y(self.days[0].open)))
        for n, day in enumerate(self.days[1:], start=1):
            path.lineTo(self.day_center(n), y(day.open))
        painter.setPen(QPen(OPEN, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)

    def _draw_picked(self, painter: QPainter) -> None:
        if not self.days:
            return
        x = self.day_center(self.picked)
        pen = QPen(PICKED, 1, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(QPointF(x, 4), QPointF(x, self.height() - 28))

    def _draw_dates(self, painter: QPainter, y: int) -> None:
        if not self.days:
            return
        for n in (0, len(self.days) // 2, len(self.days) - 1):
            day = dt.date.fromisoformat(self.days[n].day)
            text = f"{day:%d %b}"
            width = painter.fontMetrics().horizontalAdvance(text)
            x = int(self.day_center(n) - width / 2)
            x = max(MARGIN_LEFT, min(self.width() - MARGIN_RIGHT - width, x))
            self._label(painter, x, y + 10, text)


def queue_age_text(figures: Progress) -> str:
    """The queue's age in a sentence (and how many papers count from their arrival)."""
    age = figures.queue_age
    if not age.papers or age.oldest_days is None or age.median_days is None:
        return "The queue is empty."
    text = (
        f"The queue: {age.papers} papers; the oldest was queued {age.oldest_days:g} days ago, "
        f"half were queued more than {age.median_days:g} days ago."
    )
    if age.from_arrival:
        text += (
            f" {age.from_arrival} of them were queued before queue times were stored: "
            "they count from their arrival."
        )
    return text


class QueueAgeBar(QWidget):
    """The queued papers by how long ago they were queued, as one stacked bar with a legend."""

    COLORS = ("#bbf7d0", "#fde68a", "#fdba74", "#fca5a5")

    def __init__(self, figures: Progress | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buckets: list[tuple[str, int]] = []
        self.setMinimumHeight(46)
        if figures is not None:
            self.set_figures(figures)

    def set_figures(self, figures: Progress) -> None:
        """Show the queue's age buckets of these figures."""
        self.buckets = figures.queue_age.buckets
        self.setToolTip(
            "; ".join(f"{label}: {count}" for label, count in self.buckets)
            + " (days since each paper was queued)"
        )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the stacked bar and its legend."""
        painter = QPainter(self)
        total = sum(count for _label, count in self.buckets)
        width = self.width() - MARGIN_LEFT - MARGIN_RIGHT
        x = float(MARGIN_LEFT)
        painter.setPen(Qt.PenStyle.NoPen)
        for (_label, count), color in zip(self.buckets, self.COLORS, strict=False):
            if total and count:
                part = width * count / total
                painter.setBrush(QColor(color))
                painter.drawRect(QRectF(x, 4, part, 16))
                x += part
        if not total:
            painter.setBrush(GRID)
            painter.drawRect(QRectF(MARGIN_LEFT, 4, width, 16))
        x = float(MARGIN_LEFT)
        for (label, count), color in zip(self.buckets, self.COLORS, strict=False):
            painter.setBrush(QColor(color))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRect(QRectF(x, 28, 10, 10))
            painter.setPen(TEXT)
            text = f"{label}: {count}"
            painter.drawText(QPointF(x + 14, 38), text)
            x += 28 + painter.fontMetrics().horizontalAdvance(text)
        painter.end()


class ProgressDialog(QDialog):
    """The Progress view: the day chart, the picked day's numbers and the queue's age.

    Opened with no figures, it says they are being computed (in the background: see
    controllers/progress_worker.py) until :meth:`show_figures` gives them.
    """

    COMPUTING = "Computing the figures\u2026"

    def __init__(self, figures: Progress | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figures = figures
        self.setWindowTitle("Progress")
        self.resize(760, 600)
        self.summary = QLabel(self.COMPUTING, self)
        self.summary.setObjectName("progress-summary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.chart = DayChart([], self)
        self.day_label = QLabel(self)
        self.day_label.setTextFormat(Qt.TextFormat.PlainText)
        self.day_label.setObjectName("progress-day")
        self.queue_label = QLabel("", self)
        self.queue_label.setTextFormat(Qt.TextFormat.PlainText)
        self.queue_label.setWordWrap(True)
        self.queue_bar = QueueAgeBar(None, self)
        hint = QLabel(
            "Hover over the charts, or press Left/Right (PgUp/PgDown a week), for a day's "
            "numbers. Archived is the triage that takes a paper out of the Inbox for good.",
            self,
        )
        hint.setTextFormat(Qt.TextFormat.PlainText)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #6b7280")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.day_label)
        layout.addWidget(self.queue_label)
        layout.addWidget(self.queue_bar)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.chart.picked_changed.connect(self._show_day)
        self.chart.setFocus()
        if figures is not None:
            self.show_figures(figures)

    @property
    def computing(self) -> bool:
        """True until the figures arrived (or failed)."""
        return self.figures is None and self.summary.text() == self.COMPUTING

    def show_figures(self, figures: Progress) -> None:
        """Fill the view with the figures (they arrive from the worker thread's signal)."""
        self.figures = figures
        totals = figures.totals()
        self.summary.setText(
            f"Last {len(figures.days)} days: {totals['arrived']} papers arrived, "
            f"{totals['read']} read, {totals['archived']} archived. Now: {figures.inbox} in "
            f"the Inbox, {figures.queue} in the queue."
        )
        self.queue_label.setText(queue_age_text(figures))
        self.queue_bar.set_figures(figures)
        self.chart.set_days(figures.days)
        self._show_day(self.chart.picked)

    def show_error(self, message: str) -> None:
        """Say that the figures could not be computed."""
        self.summary.setText(f"The figures could not be computed: {message}")

    def _show_day(self, _index: int) -> None:
        day = self.chart.picked_day()
        if day is not None:
            self.day_label.setText(day_text(day))
        elif self.figures is not None:
            self.day_label.setText("No days to show.")

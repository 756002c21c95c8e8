"""The Highlights view: every highlight in the library, filterable by colour and searchable."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.library import Library
from desktop.core.markdown_plain import markdown_one_line
from desktop.core.models import HIGHLIGHT_COLORS, Highlight
from desktop.gui.highlight_colors import highlight_bg, orphan_bg

COL_COLOR, COL_QUOTE, COL_NOTE, COL_PAPER = range(4)
SEARCH_DELAY_MS = 150
IdRole = Qt.ItemDataRole.UserRole + 1


def literal_tooltip(text: str) -> str:
    """A tooltip showing imported text literally (Qt reads tooltips that look like HTML as HTML)."""
    body = html.escape(text, quote=False).replace("\n", "<br>")
    return f"<p style='white-space:pre-wrap'>{body}</p>"


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class HighlightsView(QDialog):
    """Lists highlights (quote, colour, note, paper); Enter opens the paper they belong to."""

    def __init__(
        self,
        library: Library,
        on_open: Callable[[Highlight], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.on_open = on_open
        self.shown: list[Highlight] = []
        self.setWindowTitle("Highlights")
        self.setObjectName("highlights-view")
        self.resize(900, 560)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("highlights-search")
        self.search.setPlaceholderText(
            "Search quotes, notes and paper titles   (1–5 colour, 0 all, Alt+digit types it)"
        )
        self.search.setClearButtonEnabled(True)
        self.color = QComboBox(self)
        self.color.setObjectName("highlights-color")
        self.color.addItem("All colours", None)
        for n, (name, label) in enumerate(HIGHLIGHT_COLORS.items(), start=1):
            self.color.addItem(f"{n}  {label} ({name})", name)
        row.addWidget(self.search, 1)
        row.addWidget(self.color)
        layout.addLayout(row)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("highlights-list")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setHeaderLabels(["Colour", "Quote", "Note", "Paper"])
        header = self.tree.header()
        header.setSectionResizeMode(COL_QUOTE, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(COL_COLOR, 110)
        header.resizeSection(COL_NOTE, 200)
        header.resizeSection(COL_PAPER, 220)
        header.setStretchLastSection(False)
        layout.addWidget(self.tree, 1)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.status)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.color.currentIndexChanged.connect(lambda _i: self.reload())
        self.tree.itemActivated.connect(lambda item, _col: self._open(item))
        self.search.installEventFilter(self)
        self.tree.installEventFilter(self)
        self.reload()
        self.search.setFocus()

    def set_color(self, color: str | None) -> None:
        """Show only one palette colour (None: every colour)."""
        self.color.setCurrentIndex(max(self.color.findData(color), 0))

    def reload(self) -> None:
        """Query the library with the current filter and search text."""
        self._timer.stop()
        color = self.color.currentData()
        query = self.search.text().strip() or None
        self.shown = self.library.highlights.search(color=color, query=query)
        titles = {
            p.id: f"{p.title}  (archived)" if p.archived else p.title
            for p in self.library.papers.many(
                list(dict.fromkeys(h.paper_id for h in self.shown)), with_sightings=False
            )
        }
        self.tree.clear()
        items = []
        for h in self.shown:
            label = "orphaned" if h.orphaned else HIGHLIGHT_COLORS.get(h.color, h.color)
            item = QTreeWidgetItem(
                [
                    label,
                    _one_line(h.quote),
                    markdown_one_line(h.note, 160),
                    titles.get(h.paper_id, ""),
                ]
            )
            item.setData(COL_COLOR, IdRole, int(h.id))
            bg = orphan_bg() if h.orphaned else highlight_bg(h.color)
            item.setBackground(COL_COLOR, QColor(bg))
            item.setToolTip(COL_QUOTE, literal_tooltip(h.quote[:2000]))
            items.append(item)
        self.tree.addTopLevelItems(items)
        if items:
            self.tree.setCurrentItem(items[0])
        total = sum(self.library.highlights.counts().values())
        if items:
            self.status.setText(
                f"{len(items)} of {total} highlights   ·   Enter opens the paper   ·   "
                "1–5 keep a colour, 0 all (Alt+digit types one)   ·   Esc closes"
            )
        else:
            self.status.setText(self.empty_message(color, query, total))

    def empty_message(self, color: str | None, query: str | None, total: int) -> str:
        """What the review says when nothing is listed, naming the filter that hid it all."""
        if total == 0:
            return "No highlights yet: select text in a paper and press h (or 1–5)."
        kind = f" in {color} ({HIGHLIGHT_COLORS.get(color, color)})" if color else ""
        words = f" matches “{query}”" if query else ""
        hint = "0 shows every colour" if color else "clear the search to see all"
        return f"No highlight{kind}{words}   ·   {hint}   ·   {total} highlights in all"

    def current(self) -> Highlight | None:
        """The highlight under the cursor."""
        item = self.tree.currentItem()
        row = self.tree.indexOfTopLevelItem(item) if item is not None else -1
        return self.shown[row] if 0 <= row < len(self.shown) else None

    def _open(self, _item: QTreeWidgetItem | None = None) -> None:
        h = self.current()
        if h is not None:
            self.accept()
            self.on_open(h)

    def _color_key(self, event: QKeyEvent) -> bool:
        """1–5 keep one colour and 0 shows all, wherever the keyboard is; True if handled."""
        text = event.text()
        if text in {"1", "2", "3", "4", "5"}:
            self.set_color(list(HIGHLIGHT_COLORS)[int(text) - 1])
            return True
        if text == "0":
            self.set_color(None)
            return True
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            digit = Qt.Key.Key_0.value <= event.key() <= Qt.Key.Key_9.value
            if digit and event.modifiers() & Qt.KeyboardModifier.AltModifier:
                self.search.insert(chr(event.key()))  # Alt+digit types the digit
                return True
            if not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier and self._color_key(
                event
            ):
                return True
            if event.key() == Qt.Key.Key_Down:
                self.tree.setFocus()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._timer.stop()
                self.reload()
                self._open()
                return True
        if watched is self.tree and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if self._color_key(event):
                return True
            if event.text() == "/":
                self.search.setFocus()
                return True
        return super().eventFilter(watched, event)

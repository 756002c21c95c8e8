"""The paper list widget: a compact table, with a two-line title cell for search results."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from desktop.gui.item_painting import draw_item_in_row
from desktop.gui.paper_list_model import COL_TITLE, SnippetRole

ROW_HEIGHT = 30
SEARCH_ROW_HEIGHT = 52

Index = QModelIndex | QPersistentModelIndex


def snippet_markers() -> tuple[str, str]:
    """The start and end markers the core search puts around matched words."""
    try:
        from desktop.core.search import index as search_index
    except ImportError:
        return ("\x02", "\x03")
    start = getattr(search_index, "MARK_START", None) or getattr(search_index, "HIT_START", None)
    end = getattr(search_index, "MARK_END", None) or getattr(search_index, "HIT_END", None)
    return (str(start or "\x02"), str(end or "\x03"))


def split_marked(snippet: str, markers: tuple[str, str] | None = None) -> list[tuple[str, bool]]:
    """A snippet as (text, matched) runs, markers removed; plain text throughout."""
    start, end = markers or snippet_markers()
    runs: list[tuple[str, bool]] = []
    rest = " ".join(snippet.split())
    while rest:
        at = rest.find(start)
        if at < 0:
            runs.append((rest, False))
            break
        if at:
            runs.append((rest[:at], False))
        rest = rest[at + len(start) :]
        stop = rest.find(end)
        if stop < 0:
            runs.append((rest, True))
            break
        runs.append((rest[:stop], True))
        rest = rest[stop + len(end) :]
    return [(text, hit) for text, hit in runs if text]


class TitleDelegate(QStyledItemDelegate):
    """In search mode, draws the title with the matching snippet under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search_mode = False

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        snippet = index.data(SnippetRole) if self.search_mode else None
        if not snippet:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title_rect = QRect(opt.rect)
        title_rect.setHeight(opt.rect.height() // 2 + 2)
        opt.rect = title_rect
        draw_item_in_row(self, painter, option, index, opt)
        self._paint_snippet(painter, option, str(snippet))

    def _paint_snippet(self, painter: QPainter, option: QStyleOptionViewItem, snippet: str) -> None:
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        plain_color = (
            option.palette.color(QPalette.ColorRole.HighlightedText)
            if selected
            else QColor("#5b6472")
        )
        font = QFont(option.font)
        font.setPointSizeF(font.pointSizeF() * 0.92)
        bold = QFont(font)
        bold.setBold(True)
        rect = QRect(option.rect)
        rect.setTop(option.rect.top() + option.rect.height() // 2)
        rect.adjust(60, 0, -6, -4)
        x = rect.left()
        for text, hit in split_marked(snippet):
            use = bold if hit else font
            metrics = QFontMetrics(use)
            room = rect.right() - x
            if room <= 8:
                break
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
            painter.setFont(use)
            painter.setPen(plain_color if not hit or selected else QColor("#1d4ed8"))
            painter.drawText(
                QRect(x, rect.top(), room, rect.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                shown,
            )
            x += metrics.horizontalAdvance(shown)
            if shown != text:
                break
        painter.restore()


class PaperTable(QTableView):
    """The list of papers: whole-row selection, no grid, fixed row height."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.setCornerButtonEnabled(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setIconSize(QSize(46, 14))
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(ROW_HEIGHT)
        horizontal = self.horizontalHeader()
        horizontal.setHighlightSections(False)
        horizontal.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # The Python delegate is only installed for search results: plain rows paint in C++.
        self.title_delegate = TitleDelegate(self)
        self.title_delegate.search_mode = True

    def set_search_mode(self, on: bool) -> None:
        """Taller rows with snippets for search results; compact rows otherwise."""
        self.setItemDelegateForColumn(COL_TITLE, self.title_delegate if on else None)
        self.verticalHeader().setDefaultSectionSize(SEARCH_ROW_HEIGHT if on else ROW_HEIGHT)
        self.viewport().update()

    def sizeHint(self) -> QSize:
        return QSize(600, 400)

    def keyboardSearch(self, search: str) -> Any:
        """Typing letters never jumps around the list: letters are commands here."""
        return None

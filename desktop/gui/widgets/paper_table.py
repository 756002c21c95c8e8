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

from desktop.core.search.results import split_marked
from desktop.gui.models.paper_list import COL_TITLE, SnippetRole
from desktop.gui.widgets.item_painting import draw_item_in_row

ROW_HEIGHT = 30
SEARCH_ROW_HEIGHT = 52

Index = QModelIndex | QPersistentModelIndex


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
        for text, hit in split_marked(" ".join(snippet.split())):
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
        # Off: the view's own C++ delegate paints (None is what Qt takes to remove ours).
        self.setItemDelegateForColumn(COL_TITLE, self.title_delegate if on else None)  # type: ignore[arg-type]
        self.verticalHeader().setDefaultSectionSize(SEARCH_ROW_HEIGHT if on else ROW_HEIGHT)
        self.viewport().update()

    def sizeHint(self) -> QSize:
        return QSize(600, 400)

    def keyboardSearch(self, search: str) -> Any:
        """Typing letters never jumps around the list: letters are commands here."""
        return None

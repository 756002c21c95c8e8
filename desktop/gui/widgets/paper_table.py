"""The paper list widget: a table whose title takes the width, in up to two lines.

The title column stretches over all the width the other columns leave; when the list is too
narrow for the title to show about 60 characters in its two lines, the other columns step
aside (Digests first, then Authors, then Published; the detail pane shows them all). Search
results add a line under the title for the snippet.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette, QResizeEvent
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
from desktop.gui import theme
from desktop.gui.models.paper_list import (
    BADGE_SIZE,
    COL_AUTHORS,
    COL_CURSOR,
    COL_DIGESTS,
    COL_PUBLISHED,
    COL_TITLE,
    SnippetRole,
)
from desktop.gui.widgets.flat_scroll_bar import use_flat_scroll_bars
from desktop.gui.widgets.item_painting import draw_item_in_row

TITLE_LINES = 2
# Room for 60 characters in two lines of bold text, with the slack word wrapping leaves.
TITLE_MIN_CHARS_PER_LINE = 40
# The other columns, in the order they give way to the title when the list is narrow.
YIELDING_COLUMNS = (COL_DIGESTS, COL_AUTHORS, COL_PUBLISHED)
# What each column must fit: its header and its widest usual value.
COLUMN_SAMPLES = {
    COL_PUBLISHED: ("Published", "Sep 30, 2024"),
    COL_AUTHORS: ("Authors", "168"),
    COL_DIGESTS: ("Digests", "12"),
}

Index = QModelIndex | QPersistentModelIndex


class TitleDelegate(QStyledItemDelegate):
    """In search mode, draws the title with the matching snippet under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search_mode = False
        self.title_height = 0  # the height of the title's lines; the snippet goes below

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        snippet = index.data(SnippetRole) if self.search_mode else None
        if not snippet:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title_rect = QRect(opt.rect)
        title_rect.setHeight(min(self.title_height, opt.rect.height()))
        opt.rect = title_rect
        draw_item_in_row(self, painter, option, index, opt)
        self._paint_snippet(painter, option, str(snippet))

    def _paint_snippet(self, painter: QPainter, option: QStyleOptionViewItem, snippet: str) -> None:
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        plain_color = (
            option.palette.color(QPalette.ColorRole.HighlightedText)
            if selected
            else theme.current().color("muted")
        )
        font = QFont(option.font)
        font.setPointSizeF(font.pointSizeF() * 0.92)
        bold = QFont(font)
        bold.setBold(True)
        rect = QRect(option.rect)
        rect.setTop(option.rect.top() + min(self.title_height, option.rect.height()) - 2)
        rect.adjust(BADGE_SIZE[0] + 10, 0, -6, -4)
        x = rect.left()
        for text, hit in split_marked(" ".join(snippet.split())):
            use = bold if hit else font
            metrics = QFontMetrics(use)
            room = rect.right() - x
            if room <= 8:
                break
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
            painter.setFont(use)
            painter.setPen(plain_color if not hit or selected else theme.current().color("hit"))
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
    """The list of papers: whole-row selection, no grid, rows of two title lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        use_flat_scroll_bars(self)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        # Titles wrap; the view's own C++ delegate elides the last line that fits.
        self.setWordWrap(True)
        self.setTabKeyNavigation(False)
        self.setCornerButtonEnabled(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setIconSize(QSize(*BADGE_SIZE))
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        horizontal = self.horizontalHeader()
        horizontal.setHighlightSections(False)
        horizontal.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # The Python delegate is only installed for search results: plain rows paint in C++.
        self.title_delegate = TitleDelegate(self)
        self.title_delegate.search_mode = True
        self.search_mode = False
        self.column_widths: dict[int, int] = {}  # the width each yielding column wants
        self._fitting = False
        self._update_row_height()

    # -- sizes -------------------------------------------------------------------------------
    def title_font(self) -> QFont:
        """The widest font a title is drawn in (unread titles are bold)."""
        font = QFont(self.font())
        font.setBold(True)
        return font

    def title_line_height(self) -> int:
        """The height of one line of a title."""
        return QFontMetrics(self.title_font()).lineSpacing()

    def row_height(self) -> int:
        """Two title lines (and, for search results, the snippet line) with some air."""
        title = TITLE_LINES * self.title_line_height() + 8
        if not self.search_mode:
            return title
        snippet = QFont(self.font())
        snippet.setPointSizeF(snippet.pointSizeF() * 0.92)
        return title + QFontMetrics(snippet).lineSpacing() + 4

    def title_min_width(self) -> int:
        """The title column's narrowest width before other columns give way."""
        text = QFontMetrics(self.title_font()).averageCharWidth() * TITLE_MIN_CHARS_PER_LINE
        return self.iconSize().width() + text + 16

    def _update_row_height(self) -> None:
        self.title_delegate.title_height = TITLE_LINES * self.title_line_height() + 8
        self.verticalHeader().setDefaultSectionSize(self.row_height())

    def set_up_columns(self) -> None:
        """Size the columns from the font, the title stretching (call after setModel)."""
        header = self.horizontalHeader()
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        metrics = QFontMetrics(self.font())
        for col, samples in COLUMN_SAMPLES.items():
            # Room for the text margins and the sort indicator.
            width = max(metrics.horizontalAdvance(t) for t in samples) + 30
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.column_widths[col] = width
            header.resizeSection(col, width)
        self.setColumnHidden(COL_CURSOR, True)
        header.sectionResized.connect(self._on_section_resized)
        self.fit_columns()

    def _on_section_resized(self, col: int, _old: int, new: int) -> None:
        if not self._fitting and col in self.column_widths and new > 0:
            self.column_widths[col] = new  # the user dragged it: keep that width

    def fit_columns(self) -> None:
        """Show the other columns that leave the title its minimum width, hide the rest."""
        if not self.column_widths:
            return
        room = self.viewport().width() - self.title_min_width()
        shown: list[int] = []
        # The most useful column (last in YIELDING_COLUMNS) gets room first.
        for col in reversed(YIELDING_COLUMNS):
            if self.column_widths[col] <= room:
                room -= self.column_widths[col]
                shown.append(col)
            else:
                break
        self._fitting = True
        try:
            for col in YIELDING_COLUMNS:
                hide = col not in shown
                if self.isColumnHidden(col) != hide:
                    self.setColumnHidden(col, hide)
                    if not hide:
                        self.horizontalHeader().resizeSection(col, self.column_widths[col])
        finally:
            self._fitting = False

    def set_search_mode(self, on: bool) -> None:
        """Taller rows with snippets for search results; title-only rows otherwise."""
        self.search_mode = on
        # Off: the view's own C++ delegate paints (None is what Qt takes to remove ours).
        self.setItemDelegateForColumn(COL_TITLE, self.title_delegate if on else None)  # type: ignore[arg-type]
        self._update_row_height()
        self.viewport().update()

    # -- Qt events ---------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._update_row_height()
            self.fit_columns()

    def sizeHint(self) -> QSize:
        return QSize(600, 400)

    def keyboardSearch(self, search: str) -> Any:
        """Typing letters never jumps around the list: letters are commands here."""
        return None

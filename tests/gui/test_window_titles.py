"""Titles are the content: at 800×600, 1280×800 and 1920×1080 every title shows at least 60
characters (or all of it), measured from the view's own geometry and the font's metrics the
way Qt lays the cell out, with a screenshot of each size kept beside the numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFont, QFontMetrics, QIcon, QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.gui.app import apply_style
from desktop.gui.main_window import MainWindow
from desktop.gui.models.paper_list import (
    COL_AUTHORS,
    COL_DIGESTS,
    COL_PUBLISHED,
    COL_TITLE,
    PaperRole,
)
from tests.gui.conftest import press

MIN_CHARS = 60
SIZES = [(800, 600), (1280, 800), (1920, 1080)]


def shown_window(qtbot: QtBot, library: Library, size: tuple[int, int]) -> MainWindow:
    """A window that starts at ``size`` (as on a first start with no saved panes)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_style(app)
    win = MainWindow(library, None)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    QApplication.processEvents()
    return win


def title_text_rect(win: MainWindow, row: int, height: int | None = None) -> tuple[int, int, QFont]:
    """Width and height Qt gives the title's text in a row, and the font it is drawn in."""
    table = win.list
    index = win.model.index(row, COL_TITLE)
    rect = table.visualRect(index)
    if height is not None:
        rect.setHeight(height)
    opt = QStyleOptionViewItem()
    opt.initFrom(table)
    opt.rect = rect
    font = index.data(Qt.ItemDataRole.FontRole)
    opt.font = font if isinstance(font, QFont) else table.font()
    opt.text = str(index.data())
    opt.icon = QIcon(index.data(Qt.ItemDataRole.DecorationRole))
    opt.decorationSize = table.iconSize()
    opt.features = (
        QStyleOptionViewItem.ViewItemFeature.HasDisplay
        | QStyleOptionViewItem.ViewItemFeature.HasDecoration
        | QStyleOptionViewItem.ViewItemFeature.WrapText
    )
    opt.displayAlignment = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    style = table.style()
    text = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, table)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    return text.width() - 2 * margin, text.height(), QFont(opt.font)


def visible_characters(title: str, width: int, height: int, font: QFont) -> tuple[int, int]:
    """How many characters of ``title`` show in a word-wrapped cell (the last line that fits
    elided, as Qt's style draws it), and in how many lines."""
    metrics = QFontMetrics(font)
    layout = QTextLayout(title, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    lines: list[tuple[int, int]] = []
    used = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        if used + line.height() > height:
            break
        used += line.height()
        lines.append((line.textStart(), line.textLength()))
    layout.endLayout()
    if not lines:
        return 0, 0
    start, length = lines[-1]
    shown = start + length
    if shown < len(title):  # more text follows: the last line is elided
        elided = metrics.elidedText(title[start:], Qt.TextElideMode.ElideRight, width)
        shown = start + max(len(elided) - 1, 0)
    return shown, len(lines)


def measure(win: MainWindow, height: int | None = None) -> tuple[int, int, int]:
    """Over every row of the list: the fewest title characters shown beyond what is needed
    (60, or the whole of a shorter title), the narrowest title text width in pixels, and
    the fewest characters shown of a title longer than 60."""
    worst = 10**9
    narrowest = 10**9
    fewest_long = 10**9
    for row in range(win.model.rowCount()):
        width, cell_height, font = title_text_rect(win, row, height)
        title = win.model.index(row, COL_TITLE).data()
        shown, lines = visible_characters(title, width, cell_height, font)
        assert lines >= 2 or shown == len(title), f"row {row} has room for {lines} line(s)"
        worst = min(worst, shown - min(MIN_CHARS, len(title)))
        narrowest = min(narrowest, width)
        if len(title) > MIN_CHARS:
            fewest_long = min(fewest_long, shown)
    return worst, narrowest, fewest_long


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_title_shows_sixty_characters(
    qtbot: QtBot, seeded: Library, size: tuple[int, int], tmp_path: Path
) -> None:
    win = shown_window(qtbot, seeded, size)
    try:
        for view in ("inbox", "all"):
            win.set_view(view)
            QApplication.processEvents()
            assert win.model.rowCount() > 100
            shortfall, narrowest, fewest = measure(win)
            print(
                f"{size[0]}x{size[1]} {view}: narrowest title text {narrowest} px, "
                f"fewest characters shown of a title longer than {MIN_CHARS}: {fewest}"
            )
            assert shortfall >= 0, f"a title shows {-shortfall} characters too few"
        shot = tmp_path / f"window-{size[0]}x{size[1]}.png"
        assert win.grab().save(str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        win.close()


def test_the_title_takes_the_width_and_columns_give_way(qtbot: QtBot, seeded: Library) -> None:
    win = shown_window(qtbot, seeded, (1920, 1080))
    try:
        table = win.list
        header = table.horizontalHeader()
        others = (COL_PUBLISHED, COL_AUTHORS, COL_DIGESTS)
        assert not any(table.isColumnHidden(c) for c in others)
        used = sum(header.sectionSize(c) for c in others)
        # The title has all the width the other columns do not use.
        assert header.sectionSize(COL_TITLE) == table.viewport().width() - used
        assert header.sectionSize(COL_TITLE) > 2 * used
        win.resize(800, 600)
        QApplication.processEvents()
        # Narrowed after start (the sidebar keeps its width): columns step aside, Digests
        # first, and the titles still show 60 characters.
        assert table.isColumnHidden(COL_DIGESTS)
        shortfall, _, _ = measure(win)
        assert shortfall >= 0
        win.resize(1280, 800)
        QApplication.processEvents()
        assert not table.isColumnHidden(COL_PUBLISHED)
    finally:
        win.close()


def test_search_results_show_two_title_lines_and_the_snippet(qtbot: QtBot, seeded: Library) -> None:
    win = shown_window(qtbot, seeded, (800, 600))
    try:
        win.list.setFocus()
        press(qtbot, "/")
        qtbot.keyClicks(win.search_field, "efficient")
        win.search.run()
        QApplication.processEvents()
        assert win.model.search_query == "efficient" and win.model.rowCount() > 3
        title_height = win.list.title_delegate.title_height
        row_height = win.list.rowHeight(0)
        line = QFontMetrics(win.list.font()).lineSpacing()
        assert row_height >= title_height + line  # a line for the snippet under the title
        shortfall, _, _ = measure(win, height=title_height)
        assert shortfall >= 0
    finally:
        win.close()


def test_archived_papers_are_marked_in_every_list(
    qtbot: QtBot, seeded: Library, settings: QSettings
) -> None:
    paper_id = seeded.views.ids("inbox")[0]
    seeded.triage.set_archived([paper_id], True)
    win = shown_window(qtbot, seeded, (1280, 800))
    try:
        other = seeded.views.ids("inbox")[0]
        title = seeded.papers.get(paper_id).title
        for show in ("all", "digest", "search"):
            if show == "search":
                win.search_field.setText(" ".join(title.split()[:3]))
                win.search.run()
            elif show == "digest":
                digest = seeded.papers.get(paper_id).sightings[0]
                win.set_view(f"digest:{digest.digest_id}")
            else:
                win.set_view("all")
            QApplication.processEvents()
            row = win.model.row_of(paper_id)
            assert row >= 0, show
            index = win.model.index(row, COL_TITLE)
            assert index.data(PaperRole).archived
            state = index.data(Qt.ItemDataRole.AccessibleDescriptionRole)
            assert "archived" in state.split(", ")
            assert "Archived" in index.data(Qt.ItemDataRole.ToolTipRole)
            badge = index.data(Qt.ItemDataRole.DecorationRole).toImage()
            plain_row = win.model.row_of(other)
            if plain_row >= 0:
                plain = win.model.index(plain_row, COL_TITLE)
                if not plain.data(PaperRole).starred and not plain.data(PaperRole).queued:
                    assert badge != plain.data(Qt.ItemDataRole.DecorationRole).toImage()
            # The mark is drawn: the badge has ink where the archive icon goes.
            assert any(
                badge.pixelColor(x, y).alpha() > 0
                for x in range(badge.width() // 2, badge.width())
                for y in range(badge.height() // 2)
            )
    finally:
        win.close()

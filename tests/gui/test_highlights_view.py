"""The Highlights view: every highlight, filtered by colour and text; Enter opens the paper."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.gui.dialogs.highlights_view import (
    COL_COLOR,
    COL_NOTE,
    COL_PAPER,
    COL_QUOTE,
    HighlightsView,
)
from desktop.gui.main_window import MainWindow
from desktop.gui.models.sidebar import ViewRole
from tests.gui.conftest import press


def rows(view: HighlightsView) -> list[tuple[str, str, str, str]]:
    out = []
    for n in range(view.tree.topLevelItemCount()):
        item = view.tree.topLevelItem(n)
        out.append(tuple(item.text(c) for c in (COL_COLOR, COL_QUOTE, COL_NOTE, COL_PAPER)))
    return out  # type: ignore[return-value]


def test_highlights_view_filters_by_colour_and_text_and_opens_the_paper(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    lib = win.library
    inbox = lib.views.ids("inbox")
    papers = {p.id: p for p in lib.papers.many(inbox[:3], with_sightings=False)}
    made = []
    for n, (paper_id, color, note) in enumerate(
        [(inbox[0], "red", "doubtful claim"), (inbox[1], "green", ""), (inbox[2], "red", "")]
    ):
        abstract = papers[paper_id].abstract
        made.append(lib.highlights.add(paper_id, "abstract", n, n + 20, color, note))
        assert made[-1].quote == abstract[n : n + 20]
    win.set_view("archive")  # the papers are not in this view: Enter must still find them
    press(qtbot, "g,h")
    view = win.last_dialog
    assert isinstance(view, HighlightsView) and view.isVisible()
    assert len(rows(view)) == 3
    assert rows(view)[0] == (
        "doubt",
        " ".join(made[0].quote.split()),
        "doubtful claim",
        papers[inbox[0]].title,
    )
    # Colour filter: 4 in the list is red ("doubt"); 0 shows every colour again.
    view.tree.setFocus()
    qtbot.keyClick(view.tree, Qt.Key.Key_4)
    assert [r[0] for r in rows(view)] == ["doubt", "doubt"]
    qtbot.keyClick(view.tree, Qt.Key.Key_0)
    assert len(rows(view)) == 3
    # Search: the quote, the note or the paper title.
    view.search.setFocus()
    qtbot.keyClicks(view.search, "doubtful")
    view.reload()
    assert [r[2] for r in rows(view)] == ["doubtful claim"]
    view.search.clear()
    view.set_color("green")
    assert [r[0] for r in rows(view)] == ["method"]
    # Enter opens the paper, with the highlight selected.
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert not view.isVisible()
    assert win.current_id() == inbox[1]
    assert win.annotations.selected == made[1].id
    assert fresh.highlights.get(made[1].id) is not None


def test_highlights_view_shows_orphaned_highlights(qtbot: QtBot, win: MainWindow) -> None:
    text = "A Paper On Things\n\nThe quick brown fox jumps over the lazy dog today.\n"
    result = win.library.importer.import_text(text, "one")
    paper_id = result.new_ids[0]
    win.library.highlights.add_by_quote(paper_id, "brown fox", "blue")
    win.library.importer.import_text(text.replace("brown fox", "red cat"), "two")
    press(qtbot, "g,h")
    view = win.last_dialog
    assert rows(view) == [("orphaned", "brown fox", "", "A Paper On Things")]


def test_hostile_quotes_show_literally_in_the_list_and_tooltips(
    qtbot: QtBot, win: MainWindow
) -> None:
    text = "Hostile <b>Title</b>\n\nSee <img src=x onerror=alert(1)> here & there.\n"
    paper_id = win.library.importer.import_text(text, "hostile").new_ids[0]
    win.library.highlights.add_by_quote(paper_id, "<img src=x onerror=alert(1)> here & there")
    press(qtbot, "g,h")
    view = win.last_dialog
    (row,) = rows(view)
    assert row[1] == "<img src=x onerror=alert(1)> here & there"
    assert row[3] == "Hostile <b>Title</b>"
    tip = view.tree.topLevelItem(0).toolTip(COL_QUOTE)
    assert "&lt;img src=x" in tip and "<img" not in tip


def test_the_sidebar_entry_counts_highlights_and_enter_opens_the_view(
    qtbot: QtBot, win: MainWindow
) -> None:
    from desktop.gui.models.sidebar import HIGHLIGHTS, TotalRole

    paper_id = win.current_id()
    win.library.highlights.add(paper_id, "abstract", 0, 10, "red")
    win.library.highlights.add(paper_id, "abstract", 12, 20, "blue")
    win.refresh_counts()  # do not wait for the debounce timer
    row = win.sidebar_model.row_of(HIGHLIGHTS)
    assert row >= 0
    assert win.sidebar_model.index(row, 0).data(TotalRole) == 2
    icon = win.sidebar_model.index(row, 0).data(Qt.ItemDataRole.DecorationRole).toImage()
    assert any(icon.pixelColor(x, y).alpha() for x in range(32) for y in range(32))
    # Passing over the entry with the keyboard keeps the list; Enter opens the view.
    press(qtbot, "g,d")
    win.sidebar.setCurrentIndex(win.sidebar_model.index(row, 0))
    assert win.view == "inbox"
    qtbot.keyClick(win.sidebar, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(win.last_dialog, HighlightsView))
    view = win.last_dialog
    assert view.isVisible() and len(rows(view)) == 2
    view.reject()
    assert win.sidebar.currentIndex().data(ViewRole) == "inbox"

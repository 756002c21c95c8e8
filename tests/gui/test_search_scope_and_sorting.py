"""Search that says where it looked, Esc back to the view, "did you mean", the focus ring and
per-view sorting, all driven by keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.gui import theme
from desktop.gui.main_window import MainWindow
from desktop.gui.models.paper_list import COL_TITLE
from desktop.gui.widgets.focus_ring import FOCUS_PROPERTY, WIDTH, holder_of
from tests.gui.conftest import open_window, press


def search(qtbot: QtBot, win: MainWindow, text: str) -> None:
    """Type a search and wait for its results."""
    press(qtbot, "/")
    qtbot.keyClicks(win.search_field, text)
    qtbot.waitUntil(lambda: win.model.search_query == text, timeout=3000)


# -- scope -----------------------------------------------------------------------------------
def test_a_library_search_says_so_and_the_sidebar_highlights_no_view(
    qtbot: QtBot, win: MainWindow
) -> None:
    win.library.triage.set_archived(win.library.index.search("graph").ids[:2], True)
    assert win.search_bar.scope_button.text() == "Whole library"
    search(qtbot, win, "graph")
    assert win.windowTitle() == "Digest Desk — Search in the whole library: graph"
    assert " in the whole library" in win.counts_label.text()
    assert "in the whole library for “graph”" in win.statusBar().currentMessage()
    assert not win.sidebar.currentIndex().isValid(), "the results are not the Inbox's"
    assert not win.sidebar.selectionModel().selectedIndexes()
    assert set(win.model.ids) - set(win.library.views.ids("inbox")), "archived ones too"


def test_ctrl_shift_f_searches_only_the_view_shown(qtbot: QtBot, win: MainWindow) -> None:
    archived = win.library.index.search("graph").ids[:2]
    win.library.triage.set_archived(archived, True)
    search(qtbot, win, "graph")
    everywhere = list(win.model.ids)
    press(qtbot, "Ctrl+Shift+F")  # from the search field: the results are searched again
    assert win.search.scope == "view"
    assert win.search_bar.scope_button.isChecked()
    assert win.search_bar.scope_button.text() == "Only Inbox"
    inbox = set(win.library.views.ids("inbox"))
    assert win.model.ids and set(win.model.ids) <= inbox
    assert set(win.model.ids) == set(everywhere) & inbox
    assert win.windowTitle() == "Digest Desk — Search in Inbox: graph"
    assert f"{len(win.model.ids)} results in Inbox" in win.counts_label.text()
    row = win.sidebar_model.row_of("inbox")
    assert win.sidebar.currentIndex().row() == row, "the view searched stays highlighted"
    press(qtbot, "Ctrl+Shift+F")
    assert win.search.scope == "library" and win.model.ids == everywhere


def test_in_view_typed_in_the_query_limits_it_to_the_view(qtbot: QtBot, win: MainWindow) -> None:
    press(qtbot, "g,e")
    win.library.triage.set_archived(win.library.index.search("graph").ids[:3], True)
    search(qtbot, win, "graph in:view")
    assert win.model.ids and set(win.model.ids) <= set(win.library.views.ids("archive"))
    assert win.search.where == "Archive"
    assert win.search.searched == "graph in:archive"


def test_the_scope_is_remembered(qtbot: QtBot, seeded: Library, settings: QSettings) -> None:
    first = open_window(qtbot, seeded, settings)
    press(qtbot, "Ctrl+Shift+F")
    first.close()
    second = open_window(qtbot, seeded, settings)
    assert second.search.scope == "view"
    assert second.search_bar.scope_button.text() == "Only Inbox"
    second.close()


# -- Esc -------------------------------------------------------------------------------------
def test_esc_restores_the_view_its_count_and_the_paper_selected_before(
    qtbot: QtBot, win: MainWindow
) -> None:
    press(qtbot, "j j j")
    before, count = win.current_id(), len(win.model.ids)
    search(qtbot, win, "graph")
    win.list.setFocus()
    press(qtbot, "j j")
    press(qtbot, "/")
    press(qtbot, "Esc")
    assert win.model.search_query is None and win.view == "inbox"
    assert win.current_id() == before
    assert win.counts_label.text().startswith(f"{count} in Inbox")
    assert win.statusBar().currentMessage() == f"Back to Inbox: {count} papers listed"
    assert win.sidebar.currentIndex().row() == win.sidebar_model.row_of("inbox")
    assert win.list.hasFocus()


def test_esc_after_archiving_the_paper_in_the_results_lands_on_its_row(
    qtbot: QtBot, win: MainWindow
) -> None:
    press(qtbot, "j j")
    before = win.current_id()
    search(qtbot, win, f'"{win.library.papers.get(before).title}"')  # type: ignore[union-attr]
    win.list.setFocus()
    assert win.current_id() == before
    press(qtbot, "e Esc")
    assert win.model.search_query is None and win.current_row() == 2


# -- did you mean ----------------------------------------------------------------------------
def test_did_you_mean_is_a_link_and_a_key(qtbot: QtBot, win: MainWindow) -> None:
    search(qtbot, win, "grpah")
    assert win.search.suggestion == "graph"
    label = win.search_bar.suggestion
    assert label.isVisible() and "graph" in label.text() and "Ctrl+Shift+D" in label.text()
    press(qtbot, "Ctrl+Shift+D")
    assert win.model.search_query == "graph" and win.search_field.text() == "graph"
    assert win.model.ids and not label.isVisible()
    press(qtbot, "Esc")
    search(qtbot, win, "grpah")
    label.linkActivated.emit("suggestion")  # a click on the link
    assert win.model.search_query == "graph"


def test_did_you_mean_in_a_view_scope_drops_the_scope(qtbot: QtBot, win: MainWindow) -> None:
    press(qtbot, "Ctrl+Shift+F")
    search(qtbot, win, "grpah")
    assert win.search.suggestion == "graph"
    press(qtbot, "Ctrl+Shift+D")
    assert win.search_field.text() == "graph" and win.search.searched == "graph in:inbox"


def test_taking_a_suggestion_with_none_says_so(qtbot: QtBot, win: MainWindow) -> None:
    press(qtbot, "Ctrl+Shift+D")
    assert "No suggestion" in win.statusBar().currentMessage()


# -- focus -----------------------------------------------------------------------------------
def test_the_focused_pane_is_framed_in_both_themes(qtbot: QtBot, win: MainWindow) -> None:
    ring = win.focus_ring
    QApplication.processEvents()
    assert win.list.hasFocus() and ring.pane is win.list
    holder = holder_of(win.list)
    assert ring.isVisible() and ring.parent() is holder and ring.geometry() == holder.rect()
    inset = win.list.geometry()
    assert (inset.x(), inset.y()) == (WIDTH, WIDTH), "the ring never overlaps the pane"
    assert inset.width() == holder.width() - 2 * WIDTH
    assert win.list.property(FOCUS_PROPERTY) is True
    press(qtbot, "g,d")
    assert ring.pane is win.sidebar and ring.parent() is holder_of(win.sidebar)
    assert win.sidebar.property(FOCUS_PROPERTY) and not win.list.property(FOCUS_PROPERTY)
    press(qtbot, "/")
    assert ring.pane is win.search_field and not ring.isVisible(), "the field frames itself"
    assert ":focus" in win.search_field.styleSheet()
    press(qtbot, "Esc v")
    assert ring.pane is win.detail and ring.isVisible()
    for scheme in ("light", "dark"):
        win.set_color_scheme(scheme)
        t = theme.current()
        # WCAG 1.4.11: a focus indicator needs 3:1 against what is next to it.
        for background in (t.base, t.sidebar_bg, t.window):
            assert theme.contrast(ring.color, background) >= 3, (scheme, background)
        assert t.field_focus in win.search_field.styleSheet()
    win.set_color_scheme("light")


# -- sorting ---------------------------------------------------------------------------------
def open_sort_menu(qtbot: QtBot, win: MainWindow) -> QMenu:
    press(qtbot, "Shift+S")
    menu = win.sorting.chooser
    assert menu is not None
    qtbot.waitUntil(menu.isVisible)
    return menu


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_shift_s_chooses_a_sort_that_belongs_to_its_view(
    qtbot: QtBot, win: MainWindow, seeded: Library
) -> None:
    press(qtbot, "j j")
    chosen = win.current_id()
    menu = open_sort_menu(qtbot, win)
    qtbot.keyClick(menu, Qt.Key.Key_T)  # &Title
    assert win.model.ids == seeded.views.ids("inbox", sort="title")
    assert win.current_id() == chosen, "the selected paper stays selected"
    rect = win.list.visualRect(win.model.index(win.current_row(), COL_TITLE))
    assert win.list.viewport().rect().intersects(rect), "and in sight"
    assert "sorted by title, A to Z" in win.windowTitle()
    assert win.actions_by_name["sort-by-title"].isChecked()
    press(qtbot, "g,s")
    assert win.model.sort_column == -1, "Starred keeps its own order"
    assert not win.actions_by_name["sort-by-title"].isChecked()
    press(qtbot, "g,i")
    assert win.model.ids == seeded.views.ids("inbox", sort="title")
    menu = open_sort_menu(qtbot, win)
    qtbot.keyClick(menu, Qt.Key.Key_T)  # again: Z to A
    assert win.model.ids == seeded.views.ids("inbox", sort="title", descending=True)
    menu = open_sort_menu(qtbot, win)
    qtbot.keyClick(menu, Qt.Key.Key_V)  # the &view's own order
    assert win.model.ids == seeded.views.ids("inbox")
    assert "sorted" not in win.windowTitle()


def test_sorts_are_remembered_per_view(qtbot: QtBot, seeded: Library, settings: QSettings) -> None:
    first = open_window(qtbot, seeded, settings)
    first.run_command("sort-by-published")
    press(qtbot, "g,s")
    first.run_command("sort-by-title")
    first.close()
    second = open_window(qtbot, seeded, settings)
    assert second.view == "starred" and second.model.ids == seeded.views.ids(
        "starred", sort="title"
    )
    press(qtbot, "g,i")
    assert second.model.ids == seeded.views.ids("inbox", sort="published", descending=True)
    second.close()


def test_a_header_click_sorts_then_reverses_then_clears(qtbot: QtBot, win: MainWindow) -> None:
    header = win.list.horizontalHeader()
    for expected in (("title", False), ("title", True), None):
        header.sectionClicked.emit(COL_TITLE)
        sort = win.sorting.current()
        assert (sort and (sort.key, sort.descending)) == expected
    assert header.sortIndicatorSection() == -1


def test_moving_in_a_sorted_queue_goes_back_to_queue_order(
    qtbot: QtBot, win: MainWindow, seeded: Library
) -> None:
    press(qtbot, "l j l j l j l")
    press(qtbot, "g,l")
    queue = seeded.views.ids("queue")
    win.run_command("sort-by-title")
    paper = win.model.ids[-1]
    win.select_row(len(win.model.ids) - 1)
    press(qtbot, "Alt+Up")
    assert win.model.sort_column == -1, "the move is made, and shown, in queue order"
    assert "Back in queue order" in win.statusBar().currentMessage()
    place = queue.index(paper)
    expected = list(queue)
    if place > 0:
        expected[place - 1], expected[place] = expected[place], expected[place - 1]
    assert seeded.views.ids("queue") == expected
    assert win.current_id() == paper


def test_search_results_keep_a_sort_of_their_own(qtbot: QtBot, win: MainWindow) -> None:
    search(qtbot, win, "graph")
    ranked = list(win.model.ids)
    win.run_command("sort-by-published")
    dates = [win.library.papers.get(i).published or "" for i in win.model.ids]  # type: ignore[union-attr]
    assert dates == sorted(dates, reverse=True) and set(win.model.ids) == set(ranked)
    assert "by date published" in win.counts_label.text()
    press(qtbot, "Esc")
    assert win.model.sort_column == -1, "the Inbox was not sorted"
    search(qtbot, win, "graph")
    assert win.model.ids != ranked, "a new search keeps the results' sort"
    win.run_command("sort-clear")
    assert win.model.ids == ranked


def test_the_one_sort_of_an_older_version_becomes_the_restored_views(
    qtbot: QtBot, seeded: Library, settings: QSettings
) -> None:
    first = open_window(qtbot, seeded, settings)
    press(qtbot, "g,a")
    key = first.stored.key
    first.close()
    settings.setValue(key("sort-column"), COL_TITLE)
    settings.setValue(key("sort-descending"), "true")
    settings.remove(key("sorts"))
    second = open_window(qtbot, seeded, settings)
    assert second.view == "all"
    assert second.model.ids == seeded.views.ids("all", sort="title", descending=True)
    press(qtbot, "g,i")
    assert second.model.sort_column == -1
    second.close()
    assert settings.value(key("sort-column")) is None, "kept per view from now on"


def test_picking_the_inbox_in_the_sidebar_during_a_library_search_shows_it(
    qtbot: QtBot, win: MainWindow
) -> None:
    search(qtbot, win, "graph")
    win.list.setFocus()
    press(qtbot, "g,d")
    press(qtbot, "Down")  # from no entry to the first: the Inbox
    assert win.model.search_query is None and win.view == "inbox"
    assert win.sidebar.currentIndex().row() == win.sidebar_model.row_of("inbox")


def test_in_all_papers_the_scope_button_never_says_only(qtbot: QtBot, win: MainWindow) -> None:
    win.set_view("all")
    press(qtbot, "/")
    press(qtbot, "Ctrl+Shift+F")
    assert win.search.scope == "view"
    # All papers is the whole library: the button does not claim a limit.
    assert win.search_bar.scope_button.text() == "Whole library"
    assert not win.search_bar.scope_button.isChecked()


def test_a_typed_tag_scope_keeps_the_case_typed_and_matches_any_case(
    qtbot: QtBot, win: MainWindow
) -> None:
    graph = win.library.index.search("graph").ids
    win.library.tags.add(graph[:3], "ml")
    search(qtbot, win, "graph in:tag:ML")
    assert sorted(win.model.ids) == sorted(graph[:3]), "the tag matches whatever its case"
    assert win.search.where == "#ML"
    assert win.windowTitle() == "Digest Desk — Search in #ML: graph in:tag:ML"
    assert "3 results in #ML for “graph in:tag:ML”" in win.statusBar().currentMessage()
    assert "#ml" not in win.counts_label.text()
    press(qtbot, "Esc")
    search(qtbot, win, "graph IN:Tag:Ml")  # the kind in any case; the name as typed
    assert win.search.where == "#Ml" and sorted(win.model.ids) == sorted(graph[:3])

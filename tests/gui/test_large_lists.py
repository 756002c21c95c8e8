"""A large list shows its first rows at once and reads the rest in steps (the window is made
small here, so the seeded library counts as large): the rows end up as the whole list, the
cursor stays on its paper through a sort, and writes meanwhile leave the list right."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.gui.main_window import MainWindow
from desktop.gui.models import paper_list


@pytest.fixture(autouse=True)
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paper_list, "FIRST_ROWS", 10)
    monkeypatch.setattr(paper_list, "MORE_ROWS", 25)


def test_the_rest_of_a_large_list_follows_in_steps(qtbot: QtBot, win: MainWindow) -> None:
    whole = win.library.views.ids("all")
    assert len(whole) > 60
    win.run_command("go-all")
    assert win.model.rowCount() == 10 and win.model.loading
    qtbot.waitUntil(lambda: not win.model.loading)
    assert win.model.ids == whole
    assert f"{len(whole)} in All papers" in win.counts_label.text()


def test_a_sort_keeps_the_cursor_on_its_paper_once_its_row_is_read(
    qtbot: QtBot, win: MainWindow
) -> None:
    win.run_command("go-all")
    qtbot.waitUntil(lambda: not win.model.loading)
    win.paper_list.select_row(3)
    paper = win.current_id()
    win.list.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: not win.model.loading)
    assert win.model.ids == win.library.views.ids("all", sort="title")
    assert win.current_id() == paper


def test_what_needs_every_row_reads_the_rest_first(qtbot: QtBot, win: MainWindow) -> None:
    whole = win.library.views.ids("all")
    win.run_command("go-all")
    assert win.model.loading
    assert win.listed_ids() == whole and not win.model.loading
    win.run_command("go-inbox")
    last = win.library.views.ids("inbox")[-1]
    assert win.model.row_of(last) == len(win.library.views.ids("inbox")) - 1


def test_a_write_while_the_rest_is_read_leaves_the_list_right(
    qtbot: QtBot, win: MainWindow
) -> None:
    win.run_command("go-inbox")
    assert win.model.loading
    first = win.current_id()
    assert first is not None
    win.run_command("archive")
    qtbot.waitUntil(lambda: not win.model.loading)
    assert win.model.ids == win.library.views.ids("inbox")
    assert first not in win.model.ids


def test_rows_found_by_the_row_map_are_those_a_scan_finds(qtbot: QtBot, win: MainWindow) -> None:
    win.run_command("go-all")
    qtbot.waitUntil(lambda: not win.model.loading)
    ids = list(win.model.ids)
    wanted = [*ids, max(ids) + 5, -1, 0]
    expected = [ids.index(i) if i in ids else -1 for i in wanted]
    # The first lookups scan; the ones after go through the map (paper_list.SCANS_BEFORE_MAP).
    assert [win.model.row_of(i) for i in wanted] == expected
    assert win.model._row_of is not None  # noqa: SLF001 - the map was made
    win.model._remove_rows([0, 1])  # noqa: SLF001 - rows leave: the map is made again
    assert [win.model.row_of(i) for i in ids[:4]] == [-1, -1, 0, 1]

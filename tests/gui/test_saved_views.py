"""Saved views and rules in the window, driven by keys and checked against the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.gui.dialogs.import_dialog import ImportResultDialog
from desktop.gui.dialogs.rules_dialog import RulesDialog
from desktop.gui.dialogs.saved_view_dialog import SavedViewNameDialog
from desktop.gui.main_window import MainWindow
from desktop.gui.models.sidebar import TotalRole, UnreadRole, ViewRole
from tests.gui.conftest import open_window, press


def sidebar_entry(win: MainWindow, key: str) -> tuple[str, int, int]:
    """(label, unread, total) of a sidebar row."""
    model = win.sidebar_model
    row = model.row_of(key)
    assert row >= 0, f"{key} is not in the sidebar"
    index = model.index(row, 0)
    assert index.data(ViewRole) == key
    return str(index.data()), int(index.data(UnreadRole)), int(index.data(TotalRole))


def name_dialog(qtbot: QtBot, win: MainWindow) -> SavedViewNameDialog:
    dialog = win.last_dialog
    assert isinstance(dialog, SavedViewNameDialog) and dialog.isVisible()
    qtbot.waitUntil(dialog.isActiveWindow)  # the keys go to the dialog, as for a person
    return dialog


def back_to_window(qtbot: QtBot, win: MainWindow) -> None:
    """The window is active again after a dialog closed (the offscreen platform leaves
    activating it to us, as a window manager would)."""
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)


def answer(qtbot: QtBot, win: MainWindow, dialog: SavedViewNameDialog, name: str) -> None:
    """Type a name over the proposed one and press Enter; the window is active again."""
    dialog.line.selectAll()
    qtbot.keyClicks(dialog.line, name)
    qtbot.keyClick(dialog.line, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    back_to_window(qtbot, win)


def save_search(qtbot: QtBot, win: MainWindow, query: str, name: str) -> None:
    """Type a search, press Ctrl+S in the search field, type the name, Enter."""
    press(qtbot, "/")
    qtbot.keyClicks(win.search_field, query)
    assert win.search_field.hasFocus()
    press(qtbot, "Ctrl+S")  # in the search field, before the search even ran
    dialog = name_dialog(qtbot, win)
    assert dialog.line.text() == query
    answer(qtbot, win, dialog, name)


def test_save_a_search_as_a_view_and_go_back_to_it_by_keys(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    save_search(qtbot, win, "diffusion", "Diffusion")
    (view,) = fresh.saved_views.all()
    assert (view.name, view.query) == ("Diffusion", "diffusion")
    expected = fresh.views.ids(view.key)
    assert expected and set(expected) == set(fresh.index.search("diffusion", limit=None).ids)
    # the window shows the new view, listed in the sidebar under its heading
    assert win.view == view.key and win.model.ids == expected
    assert win.windowTitle() == "Digest Desk — Diffusion"
    header = win.sidebar_model.row_of(view.key) - 1
    assert win.sidebar_model.entries[header].label == "Saved views"
    assert sidebar_entry(win, view.key) == ("Diffusion", len(expected), len(expected))
    press(qtbot, "g,i")
    assert win.view == "inbox"
    press(qtbot, "g,1")
    assert win.view == view.key and win.model.ids == expected
    press(qtbot, "g,2")
    assert win.view == view.key and "No saved view 2" in win.statusBar().currentMessage()


def test_sidebar_counts_follow_a_triage_key(qtbot: QtBot, win: MainWindow, fresh: Library) -> None:
    save_search(qtbot, win, "graph is:unread", "Unread graphs")
    (view,) = fresh.saved_views.all()
    before = len(fresh.views.ids(view.key))
    assert sidebar_entry(win, view.key)[1:] == (before, before)
    win.list.setFocus()
    first = win.current_id()
    press(qtbot, "m")  # read: it leaves the view, and the count follows
    assert fresh.papers.get(first).is_read  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: sidebar_entry(win, view.key)[1:] == (before - 1, before - 1))
    assert first not in win.model.ids
    press(qtbot, "u")
    qtbot.waitUntil(lambda: sidebar_entry(win, view.key)[1] == before)


def test_rename_move_and_delete_by_keys(
    qtbot: QtBot, win: MainWindow, fresh: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_search(qtbot, win, "diffusion", "One")
    save_search(qtbot, win, "graph", "Two")
    win.list.setFocus()
    press(qtbot, "Shift+F2")  # the view shown: Two
    answer(qtbot, win, name_dialog(qtbot, win), "Graphs")
    assert [v.name for v in fresh.saved_views.all()] == ["One", "Graphs"]
    press(qtbot, "Alt+Shift+Up")
    assert [v.name for v in fresh.saved_views.all()] == ["Graphs", "One"]
    graphs = fresh.saved_views.get("Graphs")
    assert win.sidebar_model.row_of(graphs.key) < win.sidebar_model.row_of(
        fresh.saved_views.get("One").key
    )
    press(qtbot, "g,i g,1")
    assert win.view == graphs.key
    asked: list[str] = []
    monkeypatch.setattr(win, "confirm", lambda q: asked.append(q) or True)
    focus = QApplication.focusWidget()
    assert focus is not None
    qtbot.keyClick(
        focus,
        Qt.Key.Key_Delete,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert asked and "Graphs" in asked[0]
    assert [v.name for v in fresh.saved_views.all()] == ["One"]
    assert win.view == "inbox" and win.sidebar_model.row_of(graphs.key) == -1
    # u brings the view back, in its place; redo deletes it again, leaving it if shown
    press(qtbot, "u")
    assert [v.name for v in fresh.saved_views.all()] == ["Graphs", "One"]
    win.refresh_counts()
    assert sidebar_entry(win, graphs.key)[0] == "Graphs"
    press(qtbot, "g,1")
    assert win.view == graphs.key
    press(qtbot, "Ctrl+Shift+Z")
    assert [v.name for v in fresh.saved_views.all()] == ["One"]
    assert win.view == "inbox"
    press(qtbot, "u u u")  # the delete, the move, the rename
    assert [v.name for v in fresh.saved_views.all()] == ["One", "Two"]


def test_a_view_whose_query_no_longer_parses_stays_and_says_why(
    qtbot: QtBot, win: MainWindow
) -> None:
    view = win.library.saved_views.add("Old", "graph")
    win.library.db.execute("UPDATE saved_views SET query = 'is:snoozy' WHERE id = ?", [view.id])
    win.library.db.conn.commit()
    win.refresh_counts()
    label, unread, total = sidebar_entry(win, view.key)
    assert label == "Old (cannot run)" and (unread, total) == (0, 0)
    tip = win.sidebar_model.index(win.sidebar_model.row_of(view.key), 0).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert "no longer parses: is: takes" in tip
    press(qtbot, "g,1")
    assert win.view == view.key and win.model.ids == []
    assert "cannot run" in win.statusBar().currentMessage()


def rules_dialog(qtbot: QtBot, win: MainWindow) -> RulesDialog:
    press(qtbot, "Ctrl+Shift+R")
    dialog = win.last_dialog
    assert isinstance(dialog, RulesDialog) and dialog.isVisible()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_rules_dialog_adds_tries_and_applies_a_mute_by_keys(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    dialog = rules_dialog(qtbot, win)
    qtbot.keyClick(dialog.list, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert dialog.name.hasFocus()
    qtbot.keyClicks(dialog.name, "no diffusion")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)
    assert dialog.query.hasFocus()
    qtbot.keyClicks(dialog.query, "diffusion")
    dialog.count_query()  # normally once typing pauses
    matched = len(fresh.index.search("diffusion", limit=None).ids)
    assert dialog.query_count.text() == f"matches {matched} papers in the library now"
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)  # no action yet: refused, said why
    assert "at least one action" in dialog.status.text() and not fresh.rules.all()
    for _ in range(4):  # Tab: the count label takes no focus; star, queue, archive, mute
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.checks["mute"].hasFocus()
    qtbot.keyClick(dialog.checks["mute"], Qt.Key.Key_Space)
    assert dialog.checks["mute"].isChecked()
    qtbot.keyClick(dialog.checks["mute"], Qt.Key.Key_Return)  # the default button adds it
    (rule,) = fresh.rules.all()
    assert (rule.name, rule.query, rule.actions) == ("no diffusion", "diffusion", ("mute",))
    assert dialog.list.hasFocus() and dialog.list.count() == 1
    qtbot.keyClick(dialog.list, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert dialog.status.text() == f"{matched} papers match; applying it would change {matched}."
    assert fresh.views.counts()["archive"].total == 0
    qtbot.keyClick(dialog.list, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert fresh.views.counts()["archive"].total == matched
    assert "muted" in dialog.status.text()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    back_to_window(qtbot, win)
    # the detail pane of a muted paper says which rule muted it
    muted = fresh.views.ids("archive")[0]
    press(qtbot, "g,e")
    win.list.setFocus()
    win.select_row(win.model.row_of(muted))
    assert "Archived: muted by rule 'no diffusion'" in win.detail.plain_text()
    press(qtbot, "u")  # applying the rule was one step
    assert fresh.views.counts()["archive"].total == 0


def test_rules_dialog_turns_off_and_deletes_by_keys(qtbot: QtBot, win: MainWindow) -> None:
    win.library.rules.add("a", "graph", ["star"])
    win.library.rules.add("b", "diffusion", ["queue"])
    dialog = rules_dialog(qtbot, win)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert dialog.list.hasFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Space)
    assert not win.library.rules.get("a").enabled and "(off)" in dialog.list.item(0).text()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Delete)
    assert [r.name for r in win.library.rules.all()] == ["a"]
    assert dialog.status.text() == "Deleted rule “b”"


def test_an_import_reports_the_rules_and_u_undoes_them(
    qtbot: QtBot, win: MainWindow, fresh: Library, tmp_path: Path
) -> None:
    win.library.rules.add("planets", "exoplanet", ["tag", "star"], tag="planets")
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "d.txt").write_text(
        "Exoplanet atmospheres seen by a new telescope\n\nWe observe exoplanet spectra.\n\n\n"
        "Cooking with lasers\n\nA study of lasers in kitchens.\n",
        encoding="utf-8",
    )
    win.ask_paths = lambda folder_wanted: [str(folder)]
    press(qtbot, "Ctrl+Shift+I")
    qtbot.waitUntil(lambda: win.import_job is None, timeout=20000)
    dialog = win.last_dialog
    assert isinstance(dialog, ImportResultDialog)
    assert dict(dialog.lines())["d.txt"] == "2 new papers. rule 'planets': 1 tagged, 1 starred."
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    back_to_window(qtbot, win)
    (planet,) = fresh.views.ids("starred")
    assert fresh.tags.of_paper(planet) == ["planets"]
    assert win.library.history.undo_label() == "rules on import"
    win.list.setFocus()
    press(qtbot, "u")
    assert win.statusBar().currentMessage().startswith("Undone: rules on import")
    assert fresh.views.ids("starred") == [] and fresh.tags.of_paper(planet) == []
    assert fresh.papers.get(planet) is not None  # the paper itself stays


def test_the_first_count_matches_the_saved_views_texts_on_a_worker(
    qtbot: QtBot, seeded: Library, settings: QSettings
) -> None:
    import threading

    from desktop.core.search.index import SearchIndex

    views = [
        seeded.saved_views.add("Graphs", "graph"),
        seeded.saved_views.add("Unread diffusion", "diffusion is:unread"),
        seeded.saved_views.add("Unread", "is:unread"),
    ]
    seeded.selection._matches.clear()  # noqa: SLF001 - as after a fresh open
    seeded.saved_views._members.clear()  # noqa: SLF001
    asked_from: list[str] = []
    matching = SearchIndex.matching_array

    def spy(self: SearchIndex, text: object) -> object:
        asked_from.append(threading.current_thread().name)
        return matching(self, text)  # type: ignore[arg-type]

    SearchIndex.matching_array = spy  # type: ignore[method-assign]
    try:
        win = open_window(qtbot, seeded, settings)
        qtbot.waitUntil(lambda: asked_from.count("text-match") == 2, timeout=10_000)
        qtbot.waitUntil(lambda: win.shown_view._matcher is None)  # noqa: SLF001
        for view in views:
            members = seeded.views.ids(view.key)
            unread = [p for p in seeded.papers.many(members) if not p.is_read]
            assert members and sidebar_entry(win, view.key)[1:] == (len(unread), len(members))
        # The two texts were matched on the worker only: the window's thread asked nothing.
        assert "MainThread" not in asked_from
        win.close()
    finally:
        SearchIndex.matching_array = matching  # type: ignore[method-assign]


def test_a_library_in_memory_counts_its_saved_views_at_once(
    qtbot: QtBot, settings: QSettings
) -> None:
    from desktop.core.search.query import parse_strict
    from desktop.gui.controllers.text_match_worker import match_in_background

    library = Library.in_memory()
    library.importer.import_text(
        "Graph networks for planning\n\nGraph networks plan routes for robots over maps.\n", "p"
    )
    view = library.saved_views.add("Graphs", "graph")
    text = parse_strict("graph").text
    assert text is not None
    # No second connection can read a library in memory: the window counts it itself.
    assert match_in_background(library, [text], lambda found: None) is None
    win = open_window(qtbot, library, settings)
    qtbot.waitUntil(lambda: sidebar_entry(win, view.key)[2] == 1)
    win.close()
    library.close()

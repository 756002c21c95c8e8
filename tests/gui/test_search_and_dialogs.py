"""Search as you type, the command palette, the cheat sheet and pasting a digest."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.gui.commands import COMMANDS
from desktop.gui.dialogs.cheat_sheet import CheatSheet
from desktop.gui.dialogs.command_palette import CommandPalette, fuzzy_score, rank_commands
from desktop.gui.dialogs.import_dialog import PasteDialog
from desktop.gui.keymap import DEFAULT_KEYMAP, bound_commands
from desktop.gui.main_window import MainWindow
from desktop.gui.models.paper_list import SnippetRole
from tests.gui.conftest import press


def test_search_as_you_type_shows_ranked_results_and_esc_restores(
    qtbot: QtBot, win: MainWindow
) -> None:
    press(qtbot, "j j")
    before = win.current_id()
    press(qtbot, "/")
    qtbot.keyClicks(win.search_field, "DiskGNN")
    qtbot.waitUntil(lambda: win.model.search_query == "DiskGNN", timeout=3000)
    expected = win.library.index.search("DiskGNN", limit=200).ids
    assert win.model.ids == expected and expected
    assert win.windowTitle() == "Digest Desk — Search in the whole library: DiskGNN"
    assert win.current_id() == expected[0]
    snippet = win.model.index(0, 0).data(SnippetRole)
    assert snippet and "\x02" in snippet
    assert win.search_field.hasFocus(), "typing keeps the cursor in the search field"
    press(qtbot, "Esc")
    assert win.model.search_query is None
    assert win.model.ids == win.library.views.ids("inbox")
    assert win.current_id() == before, "Esc brings back the paper selected before"
    assert win.windowTitle() == "Digest Desk — Inbox"
    assert win.counts_label.text().startswith(f"{len(win.model.ids)} in Inbox")
    assert win.list.hasFocus()


def test_triage_keys_work_on_search_results(qtbot: QtBot, win: MainWindow, fresh: Library) -> None:
    press(qtbot, "/")
    qtbot.keyClicks(win.search_field, "graph")
    qtbot.waitUntil(lambda: win.model.search_query == "graph", timeout=3000)
    press(qtbot, "Down")  # from the search field, Down moves in the results
    target = win.current_id()
    assert target == win.model.ids[1]
    win.list.setFocus()
    press(qtbot, "s")
    starred = win.current_id()
    assert starred == target
    assert starred is not None and fresh.papers.get(starred).starred  # type: ignore[union-attr]
    assert win.model.search_query == "graph", "results stay while triaging"


def test_command_palette_filters_fuzzily_shows_keys_and_runs(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    first = win.current_id()
    press(qtbot, "Ctrl+K")
    palette = win.last_dialog
    assert isinstance(palette, CommandPalette) and palette.isVisible()
    assert set(palette.visible_commands()) == set(COMMANDS)
    qtbot.keyClicks(palette.filter, "tgstr")
    assert palette.visible_commands()[0] == "toggle-star"
    assert palette.list.topLevelItem(0).text(1) == "s"
    press(qtbot, "Return", palette.filter)
    qtbot.waitUntil(lambda: fresh.views.ids("starred") == [first])


def test_fuzzy_ranking() -> None:
    assert fuzzy_score("arc", "Archive") is not None
    assert fuzzy_score("xyz", "Archive") is None
    assert rank_commands("undo", list(COMMANDS.values()))[0].name == "undo"
    assert rank_commands("", list(COMMANDS.values()))[0].name == next(iter(COMMANDS))


def test_cheat_sheet_lists_every_bound_command(qtbot: QtBot, win: MainWindow) -> None:
    press(qtbot, "?")
    sheet = win.last_dialog
    assert isinstance(sheet, CheatSheet) and sheet.isVisible()
    rows = sheet.rows()
    assert len(rows) == len(bound_commands())
    assert ("j / Down", COMMANDS["next-paper"].doc) in rows
    assert ("g then i", COMMANDS["go-inbox"].doc) in rows
    assert len(DEFAULT_KEYMAP) > len(rows)


def test_ctrl_v_in_the_list_previews_then_imports_a_pasted_digest(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    text = (
        "A Brand New Paper About Pasting\n\n"
        "We study how researchers paste digests into desktop apps and find it works.\n\n"
        "Another Fresh Paper on Clipboards\n\n"
        "Clipboards are examined in depth, with many experiments on real text.\n"
    )
    QApplication.clipboard().setText(text)
    press(qtbot, "Ctrl+V")
    dialog = win.last_dialog
    assert isinstance(dialog, PasteDialog) and dialog.isVisible()
    assert dialog.preview.entries == 2 and dialog.preview.new_papers == 2
    assert "Found 2 papers: 2 new" in dialog.summary.text()
    assert fresh.papers.count() == 286, "nothing is stored before confirming"
    dialog.import_button.click()
    assert fresh.papers.count() == 288
    assert win.view.startswith("digest:")
    assert [p.title for p in fresh.papers.many(win.model.ids)] == [
        "A Brand New Paper About Pasting",
        "Another Fresh Paper on Clipboards",
    ]
    assert fresh.digests.all()[-1].name.startswith("Pasted ")


def test_ctrl_v_in_the_search_field_pastes_text(qtbot: QtBot, win: MainWindow) -> None:
    QApplication.clipboard().setText("gnn")
    press(qtbot, "/ Ctrl+V")
    assert win.search_field.text() == "gnn"
    assert not isinstance(win.last_dialog, PasteDialog)


def test_cancelled_paste_stores_nothing(qtbot: QtBot, win: MainWindow, fresh: Library) -> None:
    QApplication.clipboard().setText("Some Paper Title Here\n\nAn abstract long enough to count.\n")
    win.run_command("paste-digest")
    dialog = win.last_dialog
    assert isinstance(dialog, PasteDialog)
    dialog.reject()
    assert fresh.papers.count() == 286


def test_enter_in_the_search_field_opens_the_result_and_returns_to_the_list(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    press(qtbot, "/")
    qtbot.keyClicks(win.search_field, "DiskGNN")
    qtbot.waitUntil(lambda: win.model.search_query == "DiskGNN", timeout=3000)
    press(qtbot, "Return")
    first = win.model.ids[0]
    assert fresh.papers.get(first).is_read  # type: ignore[union-attr]
    assert win.list.hasFocus()


def test_esc_goes_back_to_the_paper_the_search_started_from(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    press(qtbot, "j j j")
    start = win.current_id()
    hits = fresh.index.search("DiskGNN", limit=5).ids
    fresh.triage.set_archived([hits[0]], True)  # the result is not in the Inbox
    win.run_command("reload")
    press(qtbot, "/")
    qtbot.keyClicks(win.search_field, "DiskGNN")
    qtbot.waitUntil(lambda: win.model.search_query == "DiskGNN", timeout=3000)
    assert win.current_id() == hits[0]
    press(qtbot, "Esc")
    assert win.view == "inbox" and win.current_id() == start

"""Snooze, catching up and the lasting history, driven by keys in the main window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.core.snooze_time import parse_when
from desktop.gui.dialogs.history_panel import HistoryPanel
from desktop.gui.dialogs.snooze_dialog import SnoozeDialog
from desktop.gui.main_window import MainWindow
from desktop.gui.models.paper_list import COL_PUBLISHED
from tests.gui.conftest import open_window, press

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.moment = NOW

    def __call__(self) -> dt.datetime:
        return self.moment


@pytest.fixture
def clock(seeded: Library) -> Clock:
    fake = Clock()
    seeded.clock = fake
    return fake


@pytest.fixture
def questions(win: MainWindow, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The questions the window asks; every one is answered yes."""
    asked: list[str] = []

    def confirm(question: str) -> bool:
        asked.append(question)
        return True

    monkeypatch.setattr(win, "confirm", confirm)
    return asked


def back_to(qtbot: QtBot, win: MainWindow) -> None:
    """The offscreen platform activates no window when a dialog closes: do it by hand."""
    with qtbot.waitActive(win):
        win.activateWindow()
    qtbot.waitUntil(win.list.hasFocus, timeout=2000)


def snooze_dialog(win: MainWindow) -> SnoozeDialog:
    dialog = win.last_dialog
    assert isinstance(dialog, SnoozeDialog) and dialog.isVisible()
    return dialog


def test_z_snoozes_until_tomorrow_and_the_snoozed_view_lists_the_return(
    qtbot: QtBot, win: MainWindow, clock: Clock
) -> None:
    inbox = win.library.views.ids("inbox")
    press(qtbot, "j")
    target = win.current_id()
    assert target == inbox[1]
    press(qtbot, "z")
    dialog = snooze_dialog(win)
    qtbot.waitUntil(dialog.field.hasFocus, timeout=2000)
    press(qtbot, "Return", dialog.field)  # nothing typed: the first preset, tomorrow
    assert not dialog.isVisible()
    back_to(qtbot, win)
    assert target not in win.model.ids
    assert win.current_id() == inbox[2]  # the next paper took its place
    assert win.library.views.ids("snoozed") == [target]
    assert "Snoozed until" in win.statusBar().currentMessage()
    press(qtbot, "g,z")
    assert win.view == "snoozed" and win.model.ids == [target]
    assert win.model.headerData(COL_PUBLISHED, Qt.Orientation.Horizontal) == "Returns"
    returns = win.model.index(0, COL_PUBLISHED).data()
    assert returns == win.model.return_label(target) and returns.endswith(("08:00", ":00"))
    win.refresh_counts()
    row = win.sidebar_model.row_of("snoozed")
    assert row >= 0 and win.sidebar_model.entries[row].total == 1
    # u undoes the snooze.
    press(qtbot, "g,i u")
    assert win.library.views.ids("snoozed") == []
    assert target in win.model.ids


def test_a_typed_time_is_read_and_a_bad_one_is_said(
    qtbot: QtBot, win: MainWindow, clock: Clock
) -> None:
    target = win.current_id()
    press(qtbot, "z")
    dialog = snooze_dialog(win)
    qtbot.keyClicks(dialog.field, "someday")
    press(qtbot, "Return", dialog.field)
    assert dialog.isVisible() and "cannot read 'someday'" in dialog.message.text()
    dialog.field.clear()
    qtbot.keyClicks(dialog.field, "3d")
    assert dialog.message.text().startswith("Snooze until ")
    press(qtbot, "Return", dialog.field)
    assert not dialog.isVisible()
    back_to(qtbot, win)
    snooze = win.library.snoozes.get(target or 0)
    assert snooze is not None and snooze.until is not None
    assert snooze.until.astimezone().date() == (NOW.astimezone() + dt.timedelta(days=3)).date()
    # Down Down Enter takes the third preset, next week; Esc snoozes nothing.
    second = win.current_id()
    press(qtbot, "z")
    dialog = snooze_dialog(win)
    press(qtbot, "Down Down Up Down Return", dialog.field)
    back_to(qtbot, win)
    snooze = win.library.snoozes.get(second or 0)
    assert snooze is not None and snooze.until is not None
    assert snooze.until.astimezone().weekday() == 0  # a Monday
    press(qtbot, "z")
    press(qtbot, "Esc", snooze_dialog(win).field)
    assert len(win.library.views.ids("snoozed")) == 2


def test_a_snoozed_paper_returns_on_top_while_the_app_runs_and_shift_z_unsnoozes(
    qtbot: QtBot, win: MainWindow, clock: Clock
) -> None:
    inbox = win.library.views.ids("inbox")
    win.library.snoozes.snooze([inbox[10]], parse_when("5h", clock()))
    win.library.snoozes.snooze([inbox[11]], parse_when("2w", clock()))
    assert inbox[10] not in win.model.ids
    clock.moment = NOW + dt.timedelta(hours=6)
    win.snooze_waker.wake()  # what the timer does once a minute
    assert win.model.ids[0] == inbox[10]
    assert not win.library.papers.get(inbox[10]).is_read  # type: ignore[union-attr]
    press(qtbot, "g,z")
    assert win.model.ids == [inbox[11]]
    press(qtbot, "Shift+Z")
    assert win.model.ids == []
    assert inbox[11] in win.library.views.ids("inbox")


def test_mark_above_and_mark_view_read_ask_with_the_count_and_undo(
    qtbot: QtBot, win: MainWindow, questions: list[str]
) -> None:
    inbox = win.library.views.ids("inbox")
    press(qtbot, "j j j Shift+K")
    assert questions == ["Mark the 3 unread papers above as read?"]
    assert all(win.library.papers.get(i).is_read for i in inbox[:3])  # type: ignore[union-attr]
    assert not win.library.papers.get(inbox[3]).is_read  # type: ignore[union-attr]
    press(qtbot, "u")
    assert not any(win.library.papers.get(i).is_read for i in inbox[:3])  # type: ignore[union-attr]
    press(qtbot, "Shift+M")
    assert questions[-1] == f"Mark the {len(inbox)} unread papers in this list as read?"
    assert win.library.views.counts()["inbox"].unread == 0
    press(qtbot, "u")
    assert win.library.views.counts()["inbox"].unread == len(inbox)


def test_shift_u_shows_only_the_unread_papers_of_the_view(qtbot: QtBot, win: MainWindow) -> None:
    inbox = win.library.views.ids("inbox")
    win.library.triage.set_read(inbox[:5])
    press(qtbot, "Shift+U")
    assert win.model.ids == inbox[5:]
    assert win.windowTitle().endswith("(unread only)")
    press(qtbot, "g,a")
    assert len(win.model.ids) == win.library.views.counts()["all"].unread
    press(qtbot, "g,i Shift+U")
    assert win.model.ids == inbox


def test_history_panel_lists_actions_enter_shows_the_paper_and_u_undoes(
    qtbot: QtBot, win: MainWindow
) -> None:
    inbox = win.library.views.ids("inbox")
    press(qtbot, "s j j m")
    press(qtbot, "g,a")  # elsewhere, to see Enter bring the paper back
    press(qtbot, "Ctrl+H")
    panel = win.last_dialog
    assert isinstance(panel, HistoryPanel) and panel.isVisible()
    texts = [panel.list.item(n).text() for n in range(panel.list.count())]
    first = win.library.papers.get(inbox[0])
    third = win.library.papers.get(inbox[2])
    assert first is not None and third is not None
    assert "mark read" in texts[0] and third.title in texts[0]
    assert "star" in texts[1] and first.title in texts[1]
    # u on the older entry: it touched another paper, so it is undone out of order.
    press(qtbot, "Down u", panel.list)
    assert not win.library.papers.get(inbox[0]).starred  # type: ignore[union-attr]
    assert win.library.papers.get(inbox[2]).is_read  # type: ignore[union-attr]
    assert "Undone: star" in panel.message.text()
    assert "(undone)" in panel.list.item(1).text()
    press(qtbot, "Up Return", panel.list)
    assert not panel.isVisible()
    back_to(qtbot, win)
    assert win.current_id() == inbox[2]


def test_history_panel_refuses_an_undo_whose_paper_changed_later(
    qtbot: QtBot, win: MainWindow
) -> None:
    title = win.library.papers.get(win.current_id() or 0).title  # type: ignore[union-attr]
    press(qtbot, "s m")  # star, then read, the same paper
    press(qtbot, "Ctrl+H")
    panel = win.last_dialog
    assert isinstance(panel, HistoryPanel)
    press(qtbot, "Down u", panel.list)
    message = panel.message.text()
    assert message.startswith("Cannot undo \u201cstar\u201d") and title in message
    assert "mark read" in message and "undo that first" in message
    assert win.library.papers.get(win.current_id() or 0).starred  # type: ignore[union-attr]
    press(qtbot, "Esc", panel.list)
    assert not panel.isVisible()


def test_undo_after_a_restart_and_an_import_undone_after_confirming(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings, tmp_path: Path
) -> None:
    library = Library.open(seeded_dir, backups=False)
    win = open_window(qtbot, library, settings)
    target = win.current_id()
    press(qtbot, "s")
    text = "\n\n\n".join(
        f"Window import {n}\n\nAn abstract for window import number {n}, long enough to count."
        for n in range(2)
    )
    library.importer.import_text(text + "\n", "pasted digest")
    win.close()
    library.close()
    # The app starts again: the import and the star are still undoable, newest first.
    again = Library.open(seeded_dir, backups=False)
    win = open_window(qtbot, again, settings)
    asked: list[str] = []
    win.confirm = lambda question: asked.append(question) or True  # type: ignore[method-assign]
    assert win.actions_by_name["undo"].text().split("\t")[0] == "Undo import pasted digest"
    count = again.papers.count()
    press(qtbot, "u")
    assert asked == ["Undo \u201cimport pasted digest\u201d? It removes the 2 papers it added."]
    assert again.papers.count() == count - 2
    press(qtbot, "u")
    assert not again.papers.get(target or 0).starred  # type: ignore[union-attr]
    win.close()
    again.close()

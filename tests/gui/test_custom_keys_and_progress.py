"""Your own keys in the window (keys, ? sheet, palette, menus, tooltips) and the Progress view,
driven by keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPointF, QSettings, Qt
from PySide6.QtGui import QKeySequence, QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.gui import app
from desktop.gui.commands import COMMANDS
from desktop.gui.dialogs.cheat_sheet import CheatSheet
from desktop.gui.dialogs.command_palette import CommandPalette
from desktop.gui.dialogs.progress_view import ProgressDialog, day_text
from desktop.gui.keymap import DEFAULT_KEYMAP, qt_sequence
from desktop.gui.keymap.catalogue import command_docs
from desktop.gui.keymap.presets import PRESETS
from desktop.gui.keymap.user_keys import keymap_path, preset_keymap
from desktop.gui.main_window import MainWindow
from tests.gui.conftest import press

KEYS_FILE = """\
preset = "vim"

[keys]
"w" = "toggle-star"       # w stars
"s" = "archive"           # s archives
"m" = "archve"            # a typo: m keeps its default
"""


def custom_window(qtbot: QtBot, data_dir: Path, settings: QSettings) -> MainWindow:
    path = keymap_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(KEYS_FILE, encoding="utf-8")
    win = app.create_main_window(data_dir, settings)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitActive(win):
        win.activateWindow()
    win.list.setFocus()
    return win


def test_a_keymap_file_drives_the_window_and_its_broken_line_is_said(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings
) -> None:
    win = custom_window(qtbot, seeded_dir, settings)
    lib = win.library
    assert win.statusBar().currentMessage() == (
        "keys.toml: line 6: unknown command 'archve' for m (did you mean 'archive'?); the key "
        "keeps its preset binding"
    )
    mark = win.statusBar().findChild(QLabel, "keymap-problems")
    assert mark is not None and mark.text() == "keys.toml: 1 problem"
    assert mark.toolTip().startswith("line 6: unknown command 'archve' for m")
    first = win.current_id()
    assert first is not None
    press(qtbot, "w")
    paper = lib.papers.get(first)
    assert paper is not None and paper.starred
    press(qtbot, "m")  # the broken line fell back to the default: m marks read
    paper = lib.papers.get(first)
    assert paper is not None and paper.is_read
    press(qtbot, "s")  # archives, and the Inbox moves on
    paper = lib.papers.get(first)
    assert paper is not None and paper.archived and win.current_id() != first
    second = win.current_id()
    QApplication.clipboard().setText("")
    press(qtbot, "y,y")  # the Vim preset's keys are there too: y then y copies the link
    assert QApplication.clipboard().text().startswith("https://arxiv.org/")
    press(qtbot, "u")
    assert win.current_id() == first and not lib.papers.get(first).archived  # type: ignore[union-attr]
    assert second != first

    # The ? sheet, the palette, the menus and the tooltips show the keys in effect.
    press(qtbot, "?")
    sheet = win.last_dialog
    assert isinstance(sheet, CheatSheet)
    rows = dict((doc, keys) for keys, doc in sheet.rows())
    assert rows["Star or unstar the paper."] == "w"
    assert rows["Archive the paper (done); in the Archive view, bring it back."] == "e / s"
    assert (
        rows["Redo the last undone action, showing the paper it changed."]
        == "Ctrl+Shift+Z / Ctrl+R"
    )
    assert rows["Mark the paper read or unread."] == "m"
    sheet.reject()
    win.list.setFocus()
    press(qtbot, "Ctrl+K")
    palette = win.last_dialog
    assert isinstance(palette, CommandPalette)
    palette.filter.setText("star")
    item = palette.list.topLevelItem(0)
    assert item is not None and item.text(0) == "Star" and item.text(1) == "w"
    palette.reject()
    star = win.actions_by_name["toggle-star"]
    assert star.shortcuts() == [QKeySequence("W")]
    assert star.toolTip() == "Star or unstar the paper. (w)"
    assert win.actions_by_name["archive"].shortcuts() == [QKeySequence("E"), QKeySequence("S")]
    win.close()


def test_the_gmail_preset_undoes_with_z_snoozes_with_b_and_the_sheet_says_so(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings
) -> None:
    path = keymap_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('preset = "gmail"\n', encoding="utf-8")
    win = app.create_main_window(seeded_dir, settings)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitActive(win):
        win.activateWindow()
    win.list.setFocus()
    press(qtbot, "?")
    sheet = win.last_dialog
    assert isinstance(sheet, CheatSheet)
    rows = {doc: keys for keys, doc in sheet.rows()}
    assert rows[COMMANDS["snooze"].doc] == "b"
    assert rows[COMMANDS["undo"].doc] == "z / Ctrl+Z"
    assert rows[COMMANDS["open-in-browser"].doc] == "Shift+O"
    sheet.reject()
    win.list.setFocus()
    first = win.current_id()
    assert first is not None
    press(qtbot, "y")  # archives, as in Gmail
    assert win.library.papers.get(first).archived  # type: ignore[union-attr]
    press(qtbot, "z")  # undoes, as in Gmail
    assert not win.library.papers.get(first).archived  # type: ignore[union-attr]
    win.close()


def test_the_cli_catalogue_is_the_command_registry() -> None:
    """`digest-desk keys` knows the commands without Qt; here they are checked against the
    registry the app uses."""
    docs = command_docs()
    assert set(docs) == set(COMMANDS)
    for name, doc in docs.items():
        # the colour commands are registered in a loop: the source has no docstring for them
        assert doc == COMMANDS[name].doc or (
            doc == "" and name.startswith(("color-", "go-saved-view-"))
        ), name


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_key_is_a_qt_key_sequence(name: str) -> None:
    seen: dict[str, str] = {}
    for key in preset_keymap(name):
        sequence = QKeySequence(qt_sequence(key))
        assert sequence.count() == len(key.split(",")) and not sequence.isEmpty(), key
        text = sequence.toString(QKeySequence.SequenceFormat.PortableText)
        assert text not in seen, f"{key} and {seen.get(text)} are the same key"
        seen[text] = key


def test_without_a_keymap_file_the_window_has_the_default_keys(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings
) -> None:
    assert not keymap_path().exists()
    win = app.create_main_window(seeded_dir, settings)
    qtbot.addWidget(win)
    assert dict(win.keymap) == DEFAULT_KEYMAP
    assert win.statusBar().currentMessage() == ""
    assert win.statusBar().findChild(QLabel, "keymap-problems") is None
    win.close()


def test_the_progress_view_by_keys_and_hover(qtbot: QtBot, win: MainWindow, fresh: Library) -> None:
    win.list.setFocus()
    press(qtbot, "e e m")  # two archived today, and the next one marked read
    press(qtbot, "l")  # and one queued
    press(qtbot, "g,p")
    view = win.last_dialog
    assert isinstance(view, ProgressDialog) and view.isVisible()
    # the figures are computed on a worker thread; the view says so until they come
    assert view.computing or view.figures is not None
    qtbot.waitUntil(lambda: view.figures is not None)
    assert not view.computing and view.summary.text().startswith("Last 90 days:")
    chart = view.chart
    qtbot.waitUntil(lambda: QApplication.focusWidget() is chart)
    assert view.figures is not None
    days = view.figures.days
    assert len(days) == 90
    total = fresh.papers.count()
    today = days[-1]
    # The seeds were imported today (the session's template): every paper arrived today.
    assert (today.arrived, today.archived, today.read, today.open) == (total, 2, 1, total - 2)
    assert view.figures.inbox == total - 3 and view.figures.queue == 1
    assert view.day_label.text() == day_text(today) and chart.toolTip() == day_text(today)
    assert f"{total} arrived, 1 read, 2 archived; {total - 2} open" in view.day_label.text()
    qtbot.keyClick(chart, Qt.Key.Key_Left)
    assert chart.picked == 88 and view.day_label.text() == day_text(days[88])
    assert "0 arrived, 0 read, 0 archived; 0 open" in view.day_label.text()
    qtbot.keyClick(chart, Qt.Key.Key_PageUp)
    assert chart.picked == 81
    qtbot.keyClick(chart, Qt.Key.Key_Home)
    assert chart.picked == 0
    qtbot.keyClick(chart, Qt.Key.Key_Left)
    assert chart.picked == 0
    qtbot.keyClick(chart, Qt.Key.Key_End)
    assert chart.picked == 89
    # Hovering picks the day under the pointer.
    # (qtbot.mouseMove sends no move without a button on the offscreen platform; this is the
    # event a pointer moving over the chart makes.)
    local = QPointF(chart.day_center(30), chart.height() / 2)
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        local,
        QPointF(chart.mapToGlobal(local.toPoint())),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(chart, move)
    assert chart.picked == 30
    assert view.day_label.text() == day_text(days[30]) == chart.toolTip()
    assert view.queue_label.text().startswith("The queue: 1 papers; the oldest was queued 0 days")
    assert view.queue_bar.toolTip().startswith("under a week: 1; 1–4 weeks: 0;")
    image = view.grab()
    assert not image.isNull() and image.width() > 500
    qtbot.keyClick(chart, Qt.Key.Key_Escape)
    assert not view.isVisible()


def test_the_progress_figures_are_computed_off_the_gui_thread(
    qtbot: QtBot, win: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker computes on its own thread and connection; the view shows "computing…"
    until the figures arrive on the GUI thread."""
    import threading

    from desktop.core import progress as core_progress
    from desktop.gui.controllers import progress_worker

    release = threading.Event()
    threads: list[str] = []
    real = core_progress.progress

    def slow(db: object, *args: object, **kwargs: object) -> core_progress.Progress:
        threads.append(threading.current_thread().name)
        release.wait(5)
        return real(db, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(progress_worker, "progress", slow)
    shown_on: list[str] = []
    show = ProgressDialog.show_figures

    def show_figures(self: ProgressDialog, figures: core_progress.Progress) -> None:
        shown_on.append(threading.current_thread().name)
        show(self, figures)

    monkeypatch.setattr(ProgressDialog, "show_figures", show_figures)
    win.list.setFocus()
    press(qtbot, "g,p")
    view = win.last_dialog
    assert isinstance(view, ProgressDialog)
    qtbot.waitUntil(lambda: threads == ["progress"])
    assert view.computing and view.summary.text() == ProgressDialog.COMPUTING
    assert view.chart.days == [] and view.queue_label.text() == ""
    release.set()
    qtbot.waitUntil(lambda: view.figures is not None)
    assert len(view.chart.days) == 90 and view.queue_label.text()
    assert shown_on == [threading.main_thread().name]  # the widgets, on the GUI thread only
    view.reject()

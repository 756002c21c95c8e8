"""GUI fixtures: a main window on the seeded library, and a helper that presses keys."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.gui.app import apply_style
from desktop.gui.gui_thread_gc import GuiThreadCollector, collect_on_gui_thread
from desktop.gui.main_window import MainWindow
from tests.conftest import SEEDS, TODAY

KEYS = {
    "Down": Qt.Key.Key_Down,
    "Up": Qt.Key.Key_Up,
    "Return": Qt.Key.Key_Return,
    "Esc": Qt.Key.Key_Escape,
    "Space": Qt.Key.Key_Space,
    "/": Qt.Key.Key_Slash,
    "?": Qt.Key.Key_Question,
    "Menu": Qt.Key.Key_Menu,
}
MODS = {
    "Ctrl": Qt.KeyboardModifier.ControlModifier,
    "Shift": Qt.KeyboardModifier.ShiftModifier,
    "Alt": Qt.KeyboardModifier.AltModifier,
}


def press(qtbot: QtBot, keys: str, widget: QWidget | None = None) -> None:
    """Press keys as the keymap writes them, e.g. ``"j j Ctrl+Shift+Z g,i"``, one by one."""
    for chord in keys.split():
        for step in chord.split(","):
            *mods, key = step.split("+")
            modifier = Qt.KeyboardModifier.NoModifier
            for m in mods:
                modifier |= MODS[m]
            code = KEYS.get(key) or getattr(Qt.Key, f"Key_{key.upper()}")
            target = widget or QApplication.focusWidget()
            assert target is not None, "no widget has keyboard focus"
            qtbot.keyClick(target, code, modifier)


@pytest.fixture(autouse=True)
def _collect_on_gui_thread(qapp: QApplication) -> Iterator[None]:
    """Cyclic garbage is collected on this (the GUI) thread only, as in the app
    (gui_thread_gc.py); after the test, all of it, before automatic collection is back on for
    the tests that follow (a worker thread collecting a test's widgets would crash)."""
    collect_on_gui_thread(qapp)
    yield
    for collector in qapp.findChildren(GuiThreadCollector):  # (make_application's too)
        collector.stop()
        collector.setParent(None)
    gc.collect()
    gc.enable()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """A settings file of its own for each test."""
    return QSettings(str(tmp_path / "gui-state.ini"), QSettings.Format.IniFormat)


def open_window(qtbot: QtBot, library: Library, settings: QSettings | None) -> MainWindow:
    """Show a main window on ``library`` and make it active so shortcuts fire."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_style(app)
    win = MainWindow(library, settings)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitActive(win):
        win.activateWindow()
    return win


@pytest.fixture
def win(qtbot: QtBot, seeded: Library, settings: QSettings) -> Iterator[MainWindow]:
    """A shown, active main window on the seeded library."""
    window = open_window(qtbot, seeded, settings)
    yield window
    window.close()


@pytest.fixture
def fresh(seeded_dir: Path) -> Iterator[Library]:
    """A second connection to the seeded library, to check what the window wrote."""
    library = Library.open(seeded_dir, backups=False)
    library.today = lambda: TODAY
    yield library
    library.close()


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds imported once per test session (indexing them is the slow part)."""
    data = tmp_path_factory.mktemp("seeded-template") / "data"
    with Library.open(data) as library:
        library.today = lambda: TODAY
        library.importer.record_history = False  # tests start with an empty undo history
        assert all(r.ok for r in library.importer.import_paths([SEEDS]))
    return data


@pytest.fixture
def seeded_dir(_seeded_template: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded library for one test."""
    target = tmp_path / "data"
    shutil.copytree(_seeded_template, target)
    return target

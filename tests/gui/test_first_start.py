"""The first start: a hint with the keys to begin with says the papers are samples (File has
the command that removes them) and goes once used, for good; the status bar never shows the
file path of a backup."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop.core import backup
from desktop.core.library import Library
from desktop.core.seeds import seed_if_empty
from desktop.gui import app, background
from desktop.gui.status_text import backup_failed, without_paths
from desktop.gui.widgets.first_start_hint import SETTING
from desktop.gui.widgets.focus_ring import holder_of
from tests.gui.conftest import open_window, press


@pytest.fixture
def first_start(tmp_path: Path) -> Iterator[Library]:
    """A library as the first start leaves it: the samples seeded."""
    library = Library.open(tmp_path / "fresh", backups=False)
    seed_if_empty(library)
    yield library
    library.close()


def test_the_hint_shows_on_the_first_start_and_goes_once_used(
    qtbot: QtBot, first_start: Library, settings: QSettings
) -> None:
    win = open_window(qtbot, first_start, settings)
    hint = win.first_hint
    assert hint is not None and hint.isVisible()
    text = hint.label.text()
    for words in ("j / k move", "e archives", "l keeps it to read later", "? shows every key"):
        assert words in text
    assert "These are samples: File → Remove the sample digests… removes them." in text
    assert win.action("remove-samples").text().startswith("Remove the sample digests…")
    assert hint.geometry().bottom() < holder_of(win.list).geometry().top()  # above the list
    press(qtbot, "j k")
    assert hint.isVisible()  # moving is not using it yet
    press(qtbot, "e")
    assert not hint.isVisible()
    assert str(settings.value(SETTING)) == "done"
    win.close()
    again = open_window(qtbot, first_start, settings)
    assert again.first_hint is None
    again.close()


def test_got_it_hides_the_hint(qtbot: QtBot, first_start: Library, settings: QSettings) -> None:
    win = open_window(qtbot, first_start, settings)
    assert win.first_hint is not None
    win.first_hint.button.click()
    assert not win.first_hint.isVisible()
    assert str(settings.value(SETTING)) == "done"
    win.close()


def test_no_hint_on_a_library_without_samples(
    qtbot: QtBot, seeded: Library, settings: QSettings
) -> None:
    win = open_window(qtbot, seeded, settings)
    assert win.first_hint is None
    win.close()


def test_paths_never_reach_the_status_bar() -> None:
    assert without_paths("disk full writing /home/ann/.local/share/x/backups/a.sqlite3") == (
        "disk full writing …"
    )
    assert without_paths("cannot open 'C:\\Users\\ann\\b.sqlite3'") == "cannot open '…'"
    assert without_paths("see https://example.org/a/b") == "see https://example.org/a/b"
    assert "/" not in backup_failed("[Errno 28] No space left on device: '/data/backups/x'")


def test_the_daily_backup_message_has_no_path(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings
) -> None:
    win = app.create_main_window(seeded_dir, settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: backup.latest_backup(seeded_dir) is not None, timeout=15000)
    qtbot.waitUntil(lambda: not background.busy(), timeout=15000)
    qtbot.waitUntil(lambda: "Daily backup taken" in win.statusBar().currentMessage())
    message = win.statusBar().currentMessage()
    assert str(seeded_dir) not in message and ".sqlite3" not in message
    win.close()

"""Saving a long note in the window returns before the search index is written: the index
update runs on the background writer's thread, and search finds the note once it is done."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.core.search.index_writer import _WriterIndex
from desktop.gui import app
from desktop.gui.widgets.annotation_layer import rendered_part
from tests.gui.conftest import press


def test_a_1mb_note_saved_in_the_window_is_indexed_off_the_gui_thread(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, opened = threading.Event(), threading.Event()
    threads: list[threading.Thread] = []
    original = _WriterIndex.sync

    def held(index: _WriterIndex, ids: Any, *, merge: bool = True) -> int:
        threads.append(threading.current_thread())
        entered.set()
        assert opened.wait(30)
        return original(index, ids, merge=merge)

    monkeypatch.setattr(_WriterIndex, "sync", held)
    win = app.create_main_window(seeded_dir, settings)  # as the app opens it
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitActive(win):
        win.activateWindow()
    paper_id = win.current_id()
    press(qtbot, "n")
    note = " ".join(f"term{(i * 7919) % 4000}" for i in range(120_000)) + " okapimarker"
    assert len(note) > 1_000_000
    win.annotations.note_editor.setPlainText(note)
    assert win.annotations.save_note()  # returned while the index write is held
    assert entered.wait(10) and not opened.is_set()
    assert threads[0] is not threading.main_thread()
    assert win.library.notes.get(paper_id) == note
    qtbot.wait(20)  # the event loop runs on meanwhile
    opened.set()
    assert win.library.index.wait_idle(30)
    press(qtbot, "Esc /")
    qtbot.keyClicks(win.search_field, "okapimarker")
    qtbot.waitUntil(lambda: win.model.search_query == "okapimarker", timeout=5000)
    assert list(win.model.ids) == [paper_id]
    win.close()


def test_the_pane_renders_the_start_of_a_long_note_and_says_how_much_more_there_is(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings
) -> None:
    win = app.create_main_window(seeded_dir, settings)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitActive(win):
        win.activateWindow()
    paper_id = win.current_id()
    assert paper_id is not None
    paragraphs = [f"Paragraph {n} about anteaters." for n in range(40_000)]
    note = "\n\n".join(paragraphs)
    win.library.notes.set(paper_id, note)
    text = win.detail.plain_text()
    assert "Paragraph 0 about anteaters." in text
    assert "Paragraph 39999" not in text
    shown = rendered_part(note)
    assert note.startswith(shown) and shown.endswith("anteaters.")  # cut between paragraphs
    assert f"… and {len(note) - len(shown):,} more characters of this note" in text
    press(qtbot, "n")  # the editor holds all of it
    assert win.annotations.note_editor.toPlainText() == note
    win.close()


def test_a_short_note_is_rendered_whole() -> None:
    assert rendered_part("short **note**") == "short **note**"
    assert rendered_part("x" * 50, limit=10) == "x" * 10  # no break to cut at
    assert rendered_part("aaaa bbbb cccc", limit=11) == "aaaa bbbb"


def test_a_saved_view_counts_a_long_note_once_the_index_wrote_it(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings
) -> None:
    with Library.open(seeded_dir, backups=False) as lib:
        view = lib.saved_views.add("Okapis", "okapicount")
        paper_id = lib.views.ids("all")[5]
    win = app.create_main_window(seeded_dir, settings)
    qtbot.addWidget(win)
    win.show()
    model = win.sidebar_model

    def total() -> int:
        return model.entries[model.row_of(view.key)].total

    qtbot.waitUntil(lambda: win.counts is not None)
    assert total() == 0
    note = " ".join(f"term{(i * 7919) % 4000}" for i in range(20_000)) + " okapicount"
    win.library.notes.set(paper_id, note)  # long: counted from the index once it is written
    assert win.library.index.wait_idle(30)
    qtbot.waitUntil(lambda: total() == 1, timeout=5000)  # the writer's commit recounts
    win.close()

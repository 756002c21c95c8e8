"""Related papers are looked up on a worker thread (controllers/related_worker.py); an answer
for a paper no longer shown is dropped; a library in memory looks them up at once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.core.search.index import SearchIndex
from tests.gui.conftest import open_window


@pytest.fixture
def related_on(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The threads related papers were looked up on."""
    names: list[str] = []
    real = SearchIndex.related

    def spy(self: SearchIndex, *args: Any, **kwargs: Any) -> Any:
        names.append(threading.current_thread().name)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SearchIndex, "related", spy)
    return names


def test_related_papers_come_from_the_worker(
    qtbot: QtBot, seeded: Library, settings: QSettings, related_on: list[str]
) -> None:
    win = open_window(qtbot, seeded, settings)
    qtbot.waitUntil(lambda: win.detail.related is not None, timeout=10_000)
    first = win.detail.paper
    assert first is not None and win.detail.related
    expected = [
        int(h.id) for h in seeded.index.related(first.id, limit=10).hits if h.id != first.id
    ][:8]
    assert [p.id for p in win.detail.related] == expected
    assert "related" in related_on and related_on.count("MainThread") == 1  # (expected)
    assert "Looking for related papers" not in win.detail.document().toPlainText()
    win.run_command("next-paper")
    assert win.detail.related is None  # asked again for the new paper
    qtbot.waitUntil(lambda: win.detail.related is not None, timeout=10_000)
    win.close()


def test_an_answer_for_a_paper_no_longer_shown_is_dropped(
    qtbot: QtBot, seeded: Library, settings: QSettings
) -> None:
    win = open_window(qtbot, seeded, settings)
    qtbot.waitUntil(lambda: win.detail.related is not None, timeout=10_000)
    shown = win.detail.related
    assert win.detail.paper is not None
    other = next(i for i in seeded.views.ids("all") if i != win.detail.paper.id)
    win.detail._related_found(win.detail._related_serial, other, [other])  # noqa: SLF001
    win.detail._related_found(-1, win.detail.paper.id, [other])  # noqa: SLF001 - overtaken
    assert win.detail.related == shown
    win.close()


def test_a_library_in_memory_looks_related_papers_up_at_once(
    qtbot: QtBot, settings: QSettings, related_on: list[str]
) -> None:
    library = Library.in_memory()
    library.importer.import_text(
        "Graph networks for planning\n\nGraph networks plan routes for robots over maps.\n\n\n"
        "Graph networks for routing\n\nGraph networks route parcels over road maps.\n",
        "p",
    )
    win = open_window(qtbot, library, settings)
    qtbot.waitUntil(lambda: win.detail.related is not None, timeout=10_000)
    assert related_on and set(related_on) == {"MainThread"}
    win.close()
    library.close()

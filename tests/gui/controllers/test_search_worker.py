"""Searches while typing run on the search worker's thread: typing never waits for a query."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.core.search.ranker import Engine
from desktop.core.search.reader import IndexReader
from desktop.core.search.results import SearchResults
from desktop.gui.controllers import search_worker
from desktop.gui.main_window import MainWindow
from tests.gui.conftest import press

SLOW_S = 1.5


class SlowReader(IndexReader):
    """A reader that takes SLOW_S seconds over queries starting with "slow", and notes the
    thread each query ran on."""

    threads: list[str] = []

    def search(
        self, text: str, *, limit: int | None = 100, cancel: Callable[[], bool] | None = None
    ) -> SearchResults:
        SlowReader.threads.append(threading.current_thread().name)
        if text.startswith("slow"):
            time.sleep(SLOW_S)  # not interruptible: the cancel is seen after it
        return super().search(text, limit=limit, cancel=cancel)


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> None:
    SlowReader.threads = []
    monkeypatch.setattr(search_worker, "IndexReader", SlowReader)


def test_a_slow_query_does_not_freeze_typing_and_its_stale_results_never_show(
    qtbot: QtBot, slow: None, win: MainWindow
) -> None:
    shown: list[str | None] = []
    win.search.papers.model.modelReset.connect(lambda: shown.append(win.model.search_query))
    press(qtbot, "/")
    qtbot.keyClicks(win.search_field, "slowly")
    started = time.monotonic()
    win.search.start()  # what the debounce timer calls
    assert time.monotonic() - started < 0.5, "the query runs on the worker, not here"
    win.search_field.selectAll()
    qtbot.keyClicks(win.search_field, "DiskGNN")  # typed while "slowly" is searched
    assert win.search_field.text() == "DiskGNN"
    qtbot.waitUntil(lambda: win.model.search_query == "DiskGNN", timeout=SLOW_S * 1000 + 4000)
    assert win.model.ids == win.library.index.search("DiskGNN", limit=200).ids
    qtbot.wait(int(SLOW_S * 1000) + 300)  # the overtaken query has finished by now
    assert "slowly" not in shown and win.model.search_query == "DiskGNN"
    assert set(SlowReader.threads) == {"search"}


def test_enter_right_after_typing_opens_the_first_result(
    qtbot: QtBot, slow: None, win: MainWindow
) -> None:
    press(qtbot, "/")
    qtbot.keyClicks(win.search_field, "DiskGNN")
    press(qtbot, "Return")  # before the debounce fired, or while the worker searches
    expected = win.library.index.search("DiskGNN", limit=200).ids
    assert win.model.search_query == "DiskGNN" and win.current_id() == expected[0]
    assert win.library.papers.get(expected[0]).is_read  # type: ignore[union-attr]


def test_clearing_the_field_drops_a_query_still_running(
    qtbot: QtBot, slow: None, win: MainWindow
) -> None:
    inbox = win.library.views.ids("inbox")
    press(qtbot, "/")
    qtbot.keyClicks(win.search_field, "slowly")
    win.search.start()
    win.search_field.clear()
    qtbot.wait(int(SLOW_S * 1000) + 500)
    assert win.model.search_query is None and win.model.ids == inbox


def test_the_worker_stops_with_the_window(qtbot: QtBot, win: MainWindow) -> None:
    worker = win.search.worker
    assert worker is not None
    thread = worker._thread  # noqa: SLF001 - the test checks the thread really ends
    win.close()
    thread.join(3)
    assert not thread.is_alive()


def test_typing_cancels_a_running_query_mid_way_and_its_results_never_show(
    qtbot: QtBot, win: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    step = 0.2
    lookups: list[float] = []
    original = Engine.postings

    def postings(engine: Engine, fieldname: str, text: str) -> Any:
        found = original(engine, fieldname, text)  # the engine looks at its cancel first
        if text.startswith("slow"):
            lookups.append(time.monotonic())
            time.sleep(step)  # six words in five fields: six seconds in all
        return found

    monkeypatch.setattr(Engine, "postings", postings)
    worker = win.search.worker
    assert worker is not None
    shown: list[str | None] = []
    win.search.papers.model.modelReset.connect(lambda: shown.append(win.model.search_query))
    press(qtbot, "/")
    qtbot.keyClicks(win.search_field, "slowa slowb slowc slowd slowe slowf")
    win.search.start()
    qtbot.waitUntil(lambda: len(lookups) >= 2, timeout=5000)  # running on the worker
    win.search_field.selectAll()
    qtbot.keyClick(win.search_field, "D")  # the text changes: the running query stops
    edited = time.monotonic()
    qtbot.waitUntil(lambda: worker.cancelled == 1, timeout=3000)
    assert [t for t in lookups if t > edited + 0.01] == []  # no lookup after the edit
    assert time.monotonic() - edited < 6 * 5 * step / 2  # long before it would have ended
    qtbot.keyClicks(win.search_field, "iskGNN")
    qtbot.waitUntil(lambda: win.model.search_query == "DiskGNN", timeout=3000)
    assert win.model.ids == win.library.index.search("DiskGNN", limit=200).ids
    assert not any(q and q.startswith("slow") for q in shown)

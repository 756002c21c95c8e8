"""A large library's first count runs on a worker (controllers/first_count_worker.py): the
window's thread counts nothing, stays responsive meanwhile, says how far the count is, and
the counts that arrive are the library's, also when a write overtook the count."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.core.saved_views import SavedViews
from desktop.core.search.index import SearchIndex
from desktop.core.view_counts import ViewCounts
from desktop.gui.controllers import first_count_worker
from desktop.gui.main_window import MainWindow
from tests.gui.conftest import open_window
from tests.gui.test_saved_views import sidebar_entry

QUERIES = ["graph", "diffusion is:unread", "is:unread", "-is:archived agents"]


@pytest.fixture(autouse=True)
def _every_library_is_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(first_count_worker, "WORKER_MIN_PAPERS", 0)


@pytest.fixture
def viewed(seeded: Library) -> Library:
    inbox = seeded.views.ids("inbox")
    seeded.triage.set_read(inbox[::3])
    for n, query in enumerate(QUERIES):
        seeded.saved_views.add(f"view {n}", query)
    seeded.history.clear()
    # As after a fresh open: nothing counted, nothing matched.
    seeded.selection._matches.clear()  # noqa: SLF001
    seeded.saved_views._members.clear()  # noqa: SLF001
    seeded.view_counts._forget()  # noqa: SLF001
    return seeded


@pytest.fixture
def counted_on(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The threads the counting code ran on."""
    names: list[str] = []
    for owner, name in (
        (ViewCounts, "_count_views"),
        (SavedViews, "_count"),
        (SearchIndex, "matching_array"),
    ):
        real = getattr(owner, name)

        def wrapped(*args: Any, _real: Callable[..., Any] = real, **kwargs: Any) -> Any:
            names.append(threading.current_thread().name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapped)
    return names


def expected_counts(win: MainWindow) -> dict[str, tuple[int, int]]:
    """(unread, total) of every view, counted from scratch on another connection."""
    assert win.library.data_dir is not None
    with Library.open(win.library.data_dir, backups=False) as other:
        views = {v: (c.unread, c.total) for v, c in other.views.counts().items()}
        saved = {k: (c.unread, c.total) for k, c in other.saved_views.counts().items()}
        digests = {f"digest:{d}": (c.unread, c.total) for d, c in other.digests.counts().items()}
    return {**views, **saved, **digests}


def shown_counts(win: MainWindow, keys: list[str]) -> dict[str, tuple[int, int]]:
    return {key: sidebar_entry(win, key)[1:] for key in keys}


def counted(win: MainWindow) -> bool:
    view = win.shown_view
    return view._first_count is None and view.counts is not None  # noqa: SLF001


def test_the_first_count_runs_on_a_worker_and_arrives_in_the_sidebar(
    qtbot: QtBot, viewed: Library, settings: QSettings, counted_on: list[str]
) -> None:
    win = open_window(qtbot, viewed, settings)
    qtbot.waitUntil(lambda: counted(win), timeout=20_000)
    assert "first-count" in counted_on and "MainThread" not in counted_on
    expected = expected_counts(win)  # (another library, counting on this thread)
    assert shown_counts(win, list(expected)) == expected
    assert "unread of" in win.counts_label.text()
    before = len(counted_on)
    win.library.triage.set_read(win.library.views.ids("inbox", unread_only=True)[:1])
    win.shown_view.refresh_counts()
    assert len(counted_on) == before  # after a key, per write: nothing counted from scratch
    assert shown_counts(win, list(expected)) == expected_counts(win)
    win.close()


def test_the_window_answers_keys_while_the_worker_counts(
    qtbot: QtBot, viewed: Library, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real = first_count_worker.count_elsewhere
    started: list[int] = []

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.append(1)
        kwargs["progress"](0, len(QUERIES) + 1)
        assert release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(first_count_worker, "count_elsewhere", slow)
    win = open_window(qtbot, viewed, settings)
    qtbot.waitUntil(lambda: bool(started), timeout=10_000)
    qtbot.waitUntil(lambda: "counting… 0 of 5" in win.counts_label.text())
    first = win.current_id()
    win.run_command("next-paper")  # the window's thread is free while the worker counts
    assert win.current_id() != first and win.detail.paper is not None
    assert win.detail.paper.id == win.current_id()
    release.set()
    qtbot.waitUntil(lambda: counted(win), timeout=20_000)
    expected = expected_counts(win)
    assert shown_counts(win, list(expected)) == expected
    assert "counting" not in win.counts_label.text()
    win.close()


def test_a_write_during_the_count_makes_the_worker_count_again(
    qtbot: QtBot, viewed: Library, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real = first_count_worker.count_elsewhere
    runs: list[int] = []

    def held(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        found = real(*args, **kwargs)
        if len(runs) == 1:
            assert release.wait(20)  # the window writes meanwhile
        return found

    monkeypatch.setattr(first_count_worker, "count_elsewhere", held)
    win = open_window(qtbot, viewed, settings)
    qtbot.waitUntil(lambda: bool(runs), timeout=10_000)
    win.library.triage.set_read(win.library.views.ids("inbox", unread_only=True)[:3])
    win.shown_view.refresh_counts()  # as the debounced refresh after the key
    assert win.shown_view.counts is None  # nothing counted here meanwhile
    release.set()
    qtbot.waitUntil(lambda: counted(win), timeout=20_000)
    assert len(runs) == 2  # the first count was overtaken: counted again on the worker
    expected = expected_counts(win)
    assert shown_counts(win, list(expected)) == expected
    win.close()


def test_closing_the_window_cancels_the_count(
    qtbot: QtBot, viewed: Library, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real = first_count_worker.count_elsewhere
    workers: list[first_count_worker.FirstCountWorker] = []
    outcome: list[BaseException | None] = []

    def held(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(20)
        try:
            found = real(*args, **kwargs)
        except BaseException as exc:
            outcome.append(exc)
            raise
        outcome.append(None)
        return found

    monkeypatch.setattr(first_count_worker, "count_elsewhere", held)
    real_start = first_count_worker.FirstCountWorker.start

    def keep(self: first_count_worker.FirstCountWorker) -> None:
        workers.append(self)
        real_start(self)

    monkeypatch.setattr(first_count_worker.FirstCountWorker, "start", keep)
    win = open_window(qtbot, viewed, settings)
    qtbot.waitUntil(lambda: bool(workers), timeout=10_000)
    win.close()
    release.set()
    assert workers[0].done.wait(20)
    assert isinstance(outcome[0], first_count_worker.CountCancelledError)

"""A running search stops mid-way when its caller cancels it, on the index and on the SQLite
fallback alike, and a search that is never cancelled answers as before."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

import pytest

from desktop.core.library import Library
from desktop.core.search import index as index_module
from desktop.core.search import ranker
from desktop.core.search.errors import SearchCancelledError
from desktop.core.search.ranker import Engine

SLOW_QUERY = "slowa slowb slowc slowd slowe slowf"  # 6 words x 5 fields: 30 slow lookups
STEP_S = 0.1


@pytest.fixture
def slow_lookups(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Each term lookup of a word starting "slow" takes STEP_S (a query of such words takes
    seconds); returns the times at which the lookups started."""
    started: list[float] = []
    original = Engine.postings

    def postings(engine: Engine, fieldname: str, text: str) -> Any:
        found = original(engine, fieldname, text)  # the engine looks at its cancel first
        if text.startswith("slow"):
            started.append(time.monotonic())
            time.sleep(STEP_S)
        return found

    monkeypatch.setattr(Engine, "postings", postings)
    return started


def test_a_slow_query_stops_at_its_next_check_once_cancelled(
    seeded: Library, slow_lookups: list[float]
) -> None:
    stop = threading.Event()
    timer = threading.Timer(0.35, stop.set)
    timer.start()
    began = time.monotonic()
    with pytest.raises(SearchCancelledError):
        seeded.index.search(SLOW_QUERY, cancel=stop.is_set)
    timer.join()
    ended = time.monotonic()
    assert ended - began < 30 * STEP_S / 2, "the query did not run to its end"
    cancelled_at = began + 0.35
    assert len([t for t in slow_lookups if t > cancelled_at]) == 0  # no lookup after it
    assert ended - cancelled_at < STEP_S + 0.5
    # The index is untouched and the next search answers.
    assert seeded.index.usable
    assert seeded.index.search("DiskGNN").hits


def test_a_query_cancelled_before_it_starts_does_no_work(
    seeded: Library, slow_lookups: list[float]
) -> None:
    with pytest.raises(SearchCancelledError):
        seeded.index.search(SLOW_QUERY, cancel=lambda: True)
    assert slow_lookups == []


def test_a_search_never_cancelled_answers_as_without_a_cancel(seeded: Library) -> None:
    for query in ("DiskGNN", '"video generation"', "graph* -neural", "tag:none OR diffusion"):
        plain = seeded.index.search(query, limit=50)
        asked = seeded.index.search(query, limit=50, cancel=lambda: False)
        assert asked.ids == plain.ids and asked.notice == plain.notice


def test_the_sqlite_fallback_is_interrupted_too(
    seeded: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded.index.mark_broken("a test: searches answer from SQLite")
    monkeypatch.setattr(index_module, "SQL_CANCEL_STEPS", 10)
    interrupted: list[str] = []
    original = index_module.search_fallback

    def fallback(*args: Any) -> None:
        try:
            original(*args)
        except sqlite3.OperationalError as exc:
            interrupted.append(str(exc))
            raise

    monkeypatch.setattr(index_module, "search_fallback", fallback)
    calls = 0

    def cancel() -> bool:
        nonlocal calls
        calls += 1
        return calls > 3  # SQLite's fourth look stops the scan

    with pytest.raises(SearchCancelledError):
        seeded.index.search("graph", limit=None, cancel=cancel)
    assert interrupted == ["interrupted"]
    # The connection is left as it was: later statements are not interrupted.
    assert seeded.index.search("graph", limit=None).fallback
    assert seeded.db.execute("SELECT COUNT(*) FROM papers").fetchone()[0] > 0


def test_prefix_walks_look_at_the_cancel_as_they_go(
    seeded: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranker, "CANCEL_EVERY", 1)
    looks = 0

    def cancel() -> bool:
        nonlocal looks
        looks += 1
        return looks > 40

    with pytest.raises(SearchCancelledError):
        seeded.index.search(" ".join(f"{c}*" for c in "abcdefghijklmnop"), cancel=cancel)
    assert looks == 41  # it stopped at the first look that said so

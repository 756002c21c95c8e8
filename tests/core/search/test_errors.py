"""The search error boundary: index damage is rebuilt once; a bug is never taken for damage."""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from whoosh.index import EmptyIndexError

from desktop.core.library import Library
from desktop.core.search.errors import STRICT_ENV, is_index_damage, raised_reading_whoosh_files
from desktop.core.search.ranker import Engine
from tests.conftest import SEEDS, TODAY


@pytest.fixture
def library() -> Iterator[Library]:
    lib = Library.in_memory()
    lib.today = lambda: TODAY
    assert all(r.ok for r in lib.importer.import_paths([SEEDS]))
    yield lib
    lib.close()


def _fail_once(monkeypatch: pytest.MonkeyPatch, name: str, exc: BaseException) -> list[int]:
    """Make ``Engine.<name>`` raise ``exc`` on its first call; returns the call counter."""
    calls = [0]
    real: Callable[..., Any] = getattr(Engine, name)

    def failing(self: Engine, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 1:
            raise exc
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Engine, name, failing)
    return calls


@pytest.mark.parametrize(
    "damage",
    [OSError(5, "Input/output error"), struct.error("unpack requires 4 bytes"), EmptyIndexError()],
    ids=["OSError", "struct.error", "whoosh EmptyIndexError"],
)
def test_index_damage_in_a_search_rebuilds_once_and_answers(
    library: Library, monkeypatch: pytest.MonkeyPatch, damage: Exception
) -> None:
    expected = library.index.search("graph sampling")
    assert expected.hits
    before = library.index.rebuilds
    _fail_once(monkeypatch, "top", damage)
    found = library.index.search("graph sampling")
    assert library.index.rebuilds == before + 1
    assert found.ids == expected.ids and found.error is None
    assert library.index.usable
    assert library.index.search("graph sampling").ids == expected.ids
    assert library.index.rebuilds == before + 1


def test_a_bug_in_the_ranker_raises_in_strict_mode_and_rebuilds_nothing(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = library.index.rebuilds
    _fail_once(monkeypatch, "top", TypeError("unsupported operand"))
    with pytest.raises(TypeError, match="unsupported operand"):
        library.index.search("graph sampling")
    assert library.index.rebuilds == before
    assert library.index.usable


def test_a_bug_in_the_ranker_is_reported_in_the_app_and_never_raises(
    library: Library, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(STRICT_ENV, raising=False)
    expected = library.index.search("graph sampling").ids
    before = library.index.rebuilds
    _fail_once(monkeypatch, "top", TypeError("unsupported operand"))
    with caplog.at_level(logging.ERROR):
        found = library.index.search("graph sampling")
    assert found.hits == [] and not found.fallback
    assert found.error == "Search failed: internal error (TypeError); see the log for details."
    assert found.notice is not None and found.error in found.notice
    assert any(r.exc_info and r.exc_info[0] is TypeError for r in caplog.records)
    assert library.index.rebuilds == before  # no rebuild: it could not help
    assert library.index.usable
    assert library.index.search("graph sampling").ids == expected  # the next search works


@pytest.mark.parametrize("exc", [AttributeError("renamed"), KeyError("x"), ValueError("bad")])
def test_other_bugs_are_not_damage_either(
    library: Library, monkeypatch: pytest.MonkeyPatch, exc: Exception
) -> None:
    monkeypatch.delenv(STRICT_ENV, raising=False)
    before = library.index.rebuilds
    _fail_once(monkeypatch, "evaluate", exc)
    found = library.index.search("graph")
    assert found.error is not None and type(exc).__name__ in found.error
    assert library.index.rebuilds == before


def test_related_papers_have_the_same_boundary(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    (pid,) = library.db.execute("SELECT id FROM papers ORDER BY id LIMIT 1").fetchone()
    expected = library.index.related(pid).ids
    assert expected
    before = library.index.rebuilds
    _fail_once(monkeypatch, "top_terms", TypeError("bug"))
    with pytest.raises(TypeError):
        library.index.related(pid)
    monkeypatch.delenv(STRICT_ENV)
    _fail_once(monkeypatch, "top_terms", TypeError("bug"))
    found = library.index.related(pid)
    assert found.error is not None and not found.hits
    assert library.index.rebuilds == before
    _fail_once(monkeypatch, "top_terms", OSError(5, "Input/output error"))
    found = library.index.related(pid)
    assert library.index.rebuilds == before + 1
    assert found.fallback  # "being rebuilt" for this call; the next one answers
    assert library.index.related(pid).ids == expected


def test_errors_raised_inside_whoosh_reading_files_are_told_from_ours() -> None:
    from whoosh.util.varints import read_varint

    with pytest.raises(TypeError) as theirs:
        read_varint(lambda n: b"")  # what an emptied index file gives Whoosh
    assert raised_reading_whoosh_files(theirs.value)
    with pytest.raises(TypeError) as ours:
        ord(b"")  # noqa: B018 - raised in this file, not in Whoosh
    assert not raised_reading_whoosh_files(ours.value)
    assert is_index_damage(theirs.value) and not is_index_damage(ours.value)
    assert is_index_damage(OSError(28, "No space left on device"))


def test_query_limits_reach_the_results(library: Library) -> None:
    graph = library.index.search("graph", limit=None).ids
    assert graph
    found = library.index.search(
        " OR ".join(["graph"] + [f"zz{i}" for i in range(499)]), limit=None
    )
    assert set(found.ids) == set(graph)  # the OR kept its first 64 alternatives, graph among them
    assert found.notice is not None and "at most 64 terms" in found.notice
    assert library.index.search(" " * 1000 + "graph", limit=None).ids == graph
    assert library.index.search("graph" + " " * 1000 + "-graph").ids == []

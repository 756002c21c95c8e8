"""IdRuns: ascending ids as runs, against a list and a frozenset of the same ids."""

from __future__ import annotations

import json
import pickle
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.id_runs import IdRuns
from desktop.core.importing import import_writer
from desktop.core.library import Library
from desktop.core.models import Changes, ImportResult, PaperId

# Steps between ascending ids: mostly 1 (a run goes on), sometimes a gap.
steps = st.lists(st.sampled_from([1, 1, 1, 2, 3, 10]), max_size=60)


@st.composite
def ascending(draw: st.DrawFn) -> list[int]:
    """Strictly ascending ids with gaps, from a start that may be negative."""
    start = draw(st.integers(min_value=-50, max_value=50))
    out: list[int] = []
    for step in draw(steps):
        out.append(start if not out else out[-1] + step)
    return out


def built(ids: list[int]) -> IdRuns[int]:
    runs: IdRuns[int] = IdRuns()
    for i in ids:
        runs.append(i)
    return runs


@given(ascending())
def test_it_reads_as_the_list_of_its_ids(ids: list[int]) -> None:
    runs = built(ids)
    assert len(runs) == len(ids) and bool(runs) == bool(ids)
    assert list(runs) == ids and list(reversed(runs)) == ids[::-1] and sorted(runs) == ids
    for at in range(-len(ids), len(ids)):
        assert runs[at] == ids[at]
    for outside in (len(ids), -len(ids) - 1):
        with pytest.raises(IndexError):
            runs[outside]
    low, high = (ids[0], ids[-1]) if ids else (0, 0)
    for value in range(low - 3, high + 4):
        assert (value in runs) == (value in ids)
        assert runs.count(value) == ids.count(value)
        if value in ids:
            assert runs.index(value) == ids.index(value)
        else:
            with pytest.raises(ValueError, match="not in IdRuns"):
                runs.index(value)
    assert "3" not in runs and None not in runs
    # As many runs as breaks in the ids, plus one.
    assert runs.run_count == (
        sum(b != a + 1 for a, b in zip(ids, ids[1:], strict=False)) + 1 if ids else 0
    )


@given(ascending(), st.integers(-70, 70), st.integers(-70, 70), st.sampled_from([None, 1, 2, -1]))
def test_its_slices_are_the_lists(ids: list[int], lo: int, hi: int, step: int | None) -> None:
    runs = built(ids)
    part = runs[lo:hi:step]
    assert list(part) == ids[lo:hi:step]
    if step is None or step > 0:
        assert isinstance(part, IdRuns)


@given(ascending())
def test_it_equals_and_hashes_as_its_frozenset(ids: list[int]) -> None:
    runs = built(ids)
    assert runs == ids and ids == runs  # as the list new_ids used to be
    assert runs == frozenset(ids) and frozenset(ids) == runs and runs == set(ids)
    assert hash(runs) == hash(frozenset(ids))
    assert runs == IdRuns(ids) and runs == IdRuns.from_runs(runs.runs())
    assert runs != [*ids, 10**6] and runs != frozenset([*ids, 10**6])
    if ids:
        assert runs != ids[1:] and runs != frozenset(ids[1:]) and runs != IdRuns(ids[1:])
        assert runs != list(reversed(ids)) or len(ids) == 1
    assert runs != tuple(ids)  # only a list compares by its ids
    assert pickle.loads(pickle.dumps(runs)) == runs


@given(ascending(), ascending())
def test_union_both_ways(a: list[int], b: list[int]) -> None:
    left, right = built(a), built(b)
    union = frozenset(a) | frozenset(b)
    both = left | right
    assert isinstance(both, IdRuns) and both == union and list(both) == sorted(union)
    assert right | left == both
    for mixed in (left | frozenset(b), frozenset(b) | left, set(b) | left):
        assert mixed == union
        assert isinstance(mixed, frozenset if b else IdRuns)
    assert left.union(right, frozenset(b)) == union
    # An empty side gives the other as it is.
    empty: IdRuns[int] = IdRuns()
    assert (left | frozenset()) is left and (frozenset() | left) is left
    assert (empty | right) is (right if b else empty) and (left | empty) is left
    held = frozenset(b)
    if held:
        assert (empty | held) is held and (held | empty) is held


@given(ascending(), ascending())
def test_the_other_set_operations(a: list[int], b: list[int]) -> None:
    left, right = built(a), built(b)
    sa, sb = frozenset(a), frozenset(b)
    assert left & right == sa & sb and left - right == sa - sb and left ^ right == sa ^ sb
    assert isinstance(left & right, IdRuns)
    assert (left <= right) == (sa <= sb) and (left < sb) == (sa < sb)
    assert left.isdisjoint(right) == sa.isdisjoint(sb)


def test_ids_must_be_appended_ascending() -> None:
    runs = IdRuns([1, 2, 3, 7])
    for wrong in (7, 5, 0):
        with pytest.raises(ValueError, match="ascending"):
            runs.append(wrong)
    with pytest.raises(ValueError, match="ascending"):
        IdRuns([3, 1])
    with pytest.raises(ValueError, match="ascending"):
        runs.extend(range(6, 9))
    assert runs == [1, 2, 3, 7]  # a refused id leaves the ids as they were
    runs.extend(range(8, 20))
    runs.extend(IdRuns([25, 26]))
    runs.extend([27, 30])
    assert list(runs.runs()) == [(1, 4), (7, 20), (25, 28), (30, 31)]
    assert repr(runs) == "IdRuns.from_runs([(1, 4), (7, 20), (25, 28), (30, 31)])"
    runs.add_run(31, 40)  # joins the last run
    runs.add_run(50, 50)  # no ids
    with pytest.raises(ValueError, match="ascending"):
        runs.add_run(35, 60)
    assert list(runs.runs()) == [(1, 4), (7, 20), (25, 28), (30, 40)]


def test_a_million_contiguous_ids_take_a_few_hundred_bytes() -> None:
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        runs: IdRuns[int] = IdRuns()
        for i in range(1, 1_000_001):
            runs.append(i)
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(runs) == 1_000_000 and runs[-1] == 1_000_000 and runs.run_count == 1
    assert after - before < 1024
    assert sys.getsizeof(runs) < 1024  # the object and its arrays
    assert runs | IdRuns(range(1_000_001, 2_000_001)) == IdRuns(range(1, 2_000_001))


def test_changes_combine_runs_and_frozensets() -> None:
    new = IdRuns([PaperId(i) for i in range(10, 20)])
    more = IdRuns([PaperId(i) for i in range(20, 25)])
    edited = frozenset({PaperId(3)})
    joined = Changes.union([Changes(new, library=True), Changes(more), Changes()])
    assert isinstance(joined.papers, IdRuns) and list(joined.papers.runs()) == [(10, 25)]
    assert joined == Changes(frozenset(range(10, 25)), library=True)  # type: ignore[arg-type]
    mixed = Changes(edited, annotations=True) | Changes(new)
    assert mixed.papers == {3, *range(10, 20)} and mixed.annotations
    assert hash(Changes(new)) == hash(Changes(frozenset(new)))


def test_an_import_results_changed_ids() -> None:
    result = ImportResult("x")
    assert result.changed_ids() == frozenset()
    result.new_ids.extend([PaperId(5), PaperId(6)])
    assert result.changed_ids() is result.new_ids  # no copy of the new ids
    result.updated_ids.append(PaperId(2))
    assert result.changed_ids() == frozenset({2, 5, 6})
    assert "new_ids" not in json.dumps(result.to_json())


def snapshot_line(n: int, abstract: str = "We study a problem at length") -> str:
    return json.dumps(
        {
            "id": f"2402.{n:05d}",
            "submitter": "A. Submitter",
            "authors": "Ada Lovelace and Alan Turing",
            "title": f"Run-length paper number {n} about sparse identifiers",
            "categories": "cs.DS",
            "abstract": f"{abstract}, paper {n}, with results.",
            "versions": [{"version": "v1"}],
            "update_date": "2024-02-01",
        }
    )


def write_snapshot(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_snapshot_import_holds_its_new_ids_as_one_run(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_writer, "SNAPSHOT_BATCH", 100)  # ids from many batches
    lib.importer.import_text(
        "An earlier paper, first in the library\n\nIts abstract, long enough to be taken for "
        "one on its own without any metadata around it at all.\n",
        "earlier",
    )
    heard: list[Changes] = []
    lib.subscribe(heard.append)
    path = write_snapshot(
        tmp_path / "arxiv-metadata-oai-snapshot.json", [snapshot_line(n) for n in range(1, 1001)]
    )
    (result,) = lib.importer.import_paths([path])
    assert result.status == "imported" and result.new_papers == 1000
    stored = [r[0] for r in lib.db.execute("SELECT id FROM papers ORDER BY id").fetchall()]
    assert isinstance(result.new_ids, IdRuns) and result.new_ids.run_count == 1
    assert result.new_ids == stored[1:] and result.new_ids[0] == stored[1]
    (changes,) = heard
    assert changes.library and changes.papers is result.new_ids  # not copied into a set

    # Updated papers (a new abstract) join the new ones in a frozenset.
    heard.clear()
    revised = [snapshot_line(n, "We revisit the problem") for n in range(1, 4)]
    path2 = write_snapshot(
        tmp_path / "arxiv-metadata-oai-snapshot-2.json",
        revised + [snapshot_line(n) for n in range(1001, 1011)],
    )
    result2, changes2 = lib.importer.import_snapshot(path2)
    assert result2.updated_ids == stored[1:4] and len(result2.new_ids) == 10
    assert list(result2.new_ids.runs()) == [(stored[-1] + 1, stored[-1] + 11)]
    assert isinstance(changes2.papers, frozenset)
    assert changes2.papers == {*stored[1:4], *result2.new_ids}

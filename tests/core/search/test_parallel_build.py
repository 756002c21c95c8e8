"""The parallel index build: worker processes write exactly the index one process writes, and
a worker killed mid-build leaves a usable library whose index is built again."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from desktop.core.library import DB_FILE, Library
from desktop.core.search import index as search_index
from desktop.core.search.documents import INDEX_NAME
from desktop.core.search.index import RebuildCancelledError, build_index
from desktop.core.search.parallel_build import IndexBuildError
from tests.core.search.test_whoosh_segments import contents
from tests.perf.gen_digests import write_snapshot

PAPERS = 2000
SEGMENT = 500  # four segments, two per worker


@pytest.fixture(scope="module")
def library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library of PAPERS generated papers, some with notes, tags and highlights."""
    root = tmp_path_factory.mktemp("parallel")
    snapshot = write_snapshot(root / "snapshot.jsonl", PAPERS, seed=5).path
    data_dir = root / "library"
    with Library.open(data_dir, backups=False) as lib:
        lib.unsubscribe(lib.index.on_changes)
        result, _changes = lib.importer.import_snapshot(snapshot)
        assert result.new_papers == PAPERS
        ids = lib.views.ids("all")
        for n, pid in enumerate(ids[::97]):
            lib.notes.set(pid, f"note {n} on sparse attention and graph sampling")
        lib.tags.add(ids[5::301], "reading group")
        paper = lib.papers.get(ids[1234])
        assert paper is not None
        lib.highlights.add(ids[1234], "abstract", 0, 20, color="green")
    return data_dir


def segment_sizes(path: Path) -> list[int]:
    ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
    try:
        with ix.reader() as reader:
            return [segment.doc_count_all() for segment, _offset in reader.leaf_readers()]
    finally:
        ix.close()


def index_contents(path: Path) -> dict[str, Any]:
    ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
    try:
        return contents(ix)
    finally:
        ix.close()


@pytest.fixture(scope="module")
def one_process(
    library_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[int], dict[str, Any]]:
    """The segment sizes and contents of the index one process writes of ``library_dir``
    (built once: the tests below compare against it, and reading it all takes seconds)."""
    one = tmp_path_factory.mktemp("one-process") / "index"
    assert build_index(library_dir / DB_FILE, one, workers=1, segment_docs=SEGMENT) == PAPERS
    return segment_sizes(one), index_contents(one)


def test_worker_processes_write_exactly_what_one_process_writes(
    library_dir: Path,
    one_process: tuple[list[int], dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = library_dir / DB_FILE

    calls: list[int] = []
    real = search_index.write_segments

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr(search_index, "write_segments", spy)
    seen: list[tuple[int, int]] = []
    many = tmp_path / "many"
    built = build_index(
        db,
        many,
        lambda done, total, _label: seen.append((done, total)),
        workers=2,
        segment_docs=SEGMENT,
    )
    assert built == PAPERS and calls == [2]
    one_sizes, theirs = one_process
    assert one_sizes == segment_sizes(many) == [SEGMENT] * (PAPERS // SEGMENT)
    ours = index_contents(many)
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key] == theirs[key], key
    assert any(key.startswith("tag:") for key in ours)
    assert any(key.startswith("note:") for key in ours)
    assert any(key.startswith("color:") for key in ours)
    # Progress rose to the total, and the writers' temporary folders are gone.
    assert seen[-1] == (PAPERS, PAPERS)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)
    assert not [p for p in os.listdir(many) if p.startswith(".")]
    assert multiprocessing.active_children() == []


def test_a_worker_killed_mid_build_leaves_a_usable_library_and_a_rebuildable_index(
    library_dir: Path, one_process: tuple[list[int], dict[str, Any]], tmp_path: Path
) -> None:
    data_dir = tmp_path / "library"
    shutil.copytree(library_dir, data_dir)
    killed: list[int] = []

    def kill_a_worker(done: int, _total: int, _label: str) -> None:
        if done > 0 and not killed:
            worker = multiprocessing.active_children()[0]
            assert worker.exitcode is None  # still writing its segments
            os.kill(worker.pid or 0, signal.SIGKILL)
            killed.append(worker.pid or 0)

    with pytest.raises(IndexBuildError, match="killed by signal SIGKILL"):
        Library.build_search_index(data_dir, kill_a_worker, workers=2, segment_docs=SEGMENT)
    assert killed and multiprocessing.active_children() == []

    # The library opens and works; the index, left empty, is to be built again.
    with Library.open(data_dir, backups=False, defer_index_rebuild=True) as lib:
        assert lib.index.needs_rebuild
        assert lib.papers.count() == PAPERS
        found = lib.index.search("attention")
        assert found.hits and found.fallback
        lib.triage.set_starred(lib.views.ids("all")[:3])
        assert len(lib.views.ids("starred")) == 3
    assert Library.build_search_index(data_dir, workers=2, segment_docs=SEGMENT) == PAPERS
    with Library.open(data_dir, backups=False, defer_index_rebuild=True) as lib:
        assert not lib.index.needs_rebuild and lib.index.usable
        assert not lib.index.search("attention").fallback
    # What one process writes of this library: starring papers changed nothing indexed.
    assert index_contents(data_dir / "index") == one_process[1]


def test_a_cancelled_parallel_build_stops_the_workers(library_dir: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "library"
    shutil.copytree(library_dir, data_dir)
    with pytest.raises(RebuildCancelledError):
        Library.build_search_index(
            data_dir,
            cancel=lambda: bool(multiprocessing.active_children()),
            workers=2,
            segment_docs=SEGMENT,
        )
    assert multiprocessing.active_children() == []
    with Library.open(data_dir, backups=False, defer_index_rebuild=True) as lib:
        assert lib.index.needs_rebuild and lib.papers.count() == PAPERS

"""The first count made on a connection of its own (core/first_count.py) is the count the
library would make, is kept only when nothing was written since it was asked, and the
counts after it move write by write; text matches are kept as sorted id arrays (IdSet)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from desktop.core.first_count import CountCancelledError, FirstCount, count_elsewhere
from desktop.core.id_set import IdSet
from desktop.core.library import DB_FILE, Library
from desktop.core.search.index import INDEX_DIR

QUERIES = ["graph", "diffusion is:unread", "is:unread", "is:starred model", "-is:archived agents"]


def count_of(lib: Library) -> FirstCount:
    """The first count, made on another thread as the window makes it."""
    assert lib.data_dir is not None
    stamp = lib.count_stamp()
    out: list[FirstCount] = []
    worker = threading.Thread(
        target=lambda: out.append(
            count_elsewhere(lib.data_dir / DB_FILE, lib.data_dir / INDEX_DIR, stamp)  # type: ignore[operator]
        )
    )
    worker.start()
    worker.join()
    return out[0]


def sidebar(lib: Library) -> tuple[object, ...]:
    return (lib.views.counts(), lib.digests.counts(), lib.saved_views.counts())


@pytest.fixture
def viewed(seeded_dir: Path) -> Library:
    with Library.open(seeded_dir, backups=False) as lib:
        inbox = lib.views.ids("inbox")
        lib.triage.set_read(inbox[::3])
        lib.triage.set_starred(inbox[::5])
        lib.triage.set_archived(inbox[1::7])
        for n, query in enumerate(QUERIES):
            lib.saved_views.add(f"view {n}", query)
    return Library.open(seeded_dir, backups=False)  # a fresh open: nothing counted yet


def test_the_worker_counts_what_the_library_counts(viewed: Library, seeded_dir: Path) -> None:
    counted = count_of(viewed)
    assert viewed.adopt_first_count(counted)
    queries_before = viewed.selection.index_queries
    recounts = (viewed.view_counts.recounts, viewed.saved_views.recounts)
    adopted = sidebar(viewed)
    # Nothing was counted again here: the index was not asked, no view counted from scratch.
    assert viewed.selection.index_queries == queries_before
    assert (viewed.view_counts.recounts, viewed.saved_views.recounts) == recounts
    with Library.open(seeded_dir, backups=False) as other:
        assert sidebar(other) == adopted  # counted on its own thread, from scratch
    assert adopted[2] and all(c.total for c in adopted[2].values())
    viewed.close()


def test_the_counts_after_an_adopted_count_move_per_write(
    viewed: Library, seeded_dir: Path
) -> None:
    assert viewed.adopt_first_count(count_of(viewed))
    inbox = viewed.views.ids("inbox")
    unread = [p for p in inbox if p in set(viewed.views.unread_among(inbox))]
    recounts = viewed.view_counts.recounts
    viewed.triage.set_read(unread[:2])
    viewed.triage.set_archived(inbox[:1])
    now = sidebar(viewed)
    assert viewed.view_counts.recounts == recounts  # per write, from the adopted state bytes
    with Library.open(seeded_dir, backups=False) as other:
        assert sidebar(other) == now
    viewed.close()


def test_a_count_overtaken_by_a_write_is_not_kept(viewed: Library, seeded_dir: Path) -> None:
    counted = count_of(viewed)
    assert viewed.triage.set_read(viewed.views.ids("inbox", unread_only=True)[:1]).read
    assert not viewed.adopt_first_count(counted)
    counted = count_of(viewed)
    with Library.open(seeded_dir, backups=False) as other:  # another connection commits
        other.triage.set_starred(other.views.ids("inbox", unread_only=True)[:1])
    assert not viewed.adopt_first_count(counted)
    assert viewed.adopt_first_count(count_of(viewed))
    viewed.close()


def test_the_count_is_cancelled_between_steps(viewed: Library) -> None:
    assert viewed.data_dir is not None
    steps: list[tuple[int, int]] = []
    with pytest.raises(CountCancelledError):
        count_elsewhere(
            viewed.data_dir / DB_FILE,
            viewed.data_dir / INDEX_DIR,
            viewed.count_stamp(),
            progress=lambda done, total: steps.append((done, total)),
            cancel=lambda: len(steps) >= 2,
        )
    assert steps == [(0, len(QUERIES) + 1), (1, len(QUERIES) + 1)]
    viewed.close()


def test_progress_names_every_step(viewed: Library) -> None:
    assert viewed.data_dir is not None
    steps: list[tuple[int, int]] = []
    count_elsewhere(
        viewed.data_dir / DB_FILE,
        viewed.data_dir / INDEX_DIR,
        viewed.count_stamp(),
        progress=lambda done, total: steps.append((done, total)),
    )
    total = len(QUERIES) + 1
    assert [d for d, _ in steps] == list(range(total + 1)) and {t for _, t in steps} == {total}
    viewed.close()


def test_text_matches_are_kept_as_sorted_arrays(viewed: Library) -> None:
    viewed.saved_views.counts()
    cached = viewed.selection.cached()
    assert cached
    for _text, _generation, ids in cached:
        assert isinstance(ids, IdSet) and ids.array.dtype == np.int32  # ids all fit
        assert list(ids) == sorted(set(ids))
    viewed.close()


def test_id_set_is_a_set() -> None:
    ids = IdSet([5, 3, 9, 3])
    assert list(ids) == [3, 5, 9] and len(ids) == 3
    assert 5 in ids and np.int64(9) in ids and 4 not in ids and "5" not in ids
    assert 0 not in IdSet([]) and len(IdSet(np.array([], dtype=np.int64))) == 0
    assert ids == {3, 5, 9} and ids != {3, 5} and ids == IdSet(np.array([9, 5, 3]))
    changed = ids.with_changes(gone=[5, 7], added=[1, 9])
    assert list(changed) == [1, 3, 9] and list(ids) == [3, 5, 9]

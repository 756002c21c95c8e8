"""Each paper's digest count (``papers.digest_count``, migration m012) is its number of
sightings after every write that adds or takes sightings, and the digests sort reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.core import store
from desktop.core.library import Library
from tests.core.test_saved_views import PAPERS, digest


def stored_counts(lib: Library) -> dict[int, int]:
    """Every paper's kept count."""
    return dict(lib.db.execute("SELECT id, digest_count FROM papers").fetchall())


def true_counts(lib: Library) -> dict[int, int]:
    """Every paper's number of sightings, counted."""
    return dict(
        lib.db.execute(
            "SELECT p.id, (SELECT COUNT(*) FROM sightings s WHERE s.paper_id = p.id) FROM papers p"
        ).fetchall()
    )


def assert_right(lib: Library) -> dict[int, int]:
    counts = stored_counts(lib)
    assert counts == true_counts(lib)
    return counts


def test_the_count_is_right_after_import(seeded: Library) -> None:
    counts = assert_right(seeded)
    assert max(counts.values()) > 1  # the seeds share papers between digests
    assert min(counts.values()) == 1


def test_importing_a_known_paper_again_counts_its_new_digest(lib: Library) -> None:
    assert lib.importer.import_text(digest(PAPERS), "d1").ok
    assert set(assert_right(lib).values()) == {1}
    assert lib.importer.import_text(digest(PAPERS[:1]) + "\n", "d2").ok
    counts = assert_right(lib)
    assert sorted(counts.values())[-1] == 2


def test_deleting_papers_and_undo_keep_the_count(seeded: Library) -> None:
    shared = [pid for pid, n in stored_counts(seeded).items() if n > 1]
    before = assert_right(seeded)
    seeded.removal.delete_papers(shared[:2])
    assert_right(seeded)
    seeded.history.undo()
    assert assert_right(seeded) == before
    seeded.history.redo()
    assert_right(seeded)


def test_removing_a_digest_and_undo_keep_the_count(seeded: Library) -> None:
    target = seeded.digests.all()[0]
    before = assert_right(seeded)
    in_target = seeded.views.ids(f"digest:{target.id}")
    seeded.removal.remove_digests([target.id])
    after = assert_right(seeded)
    survivors = [pid for pid in in_target if pid in after]
    assert survivors and all(after[pid] == before[pid] - 1 for pid in survivors)
    seeded.history.undo()
    assert assert_right(seeded) == before
    seeded.history.redo()
    assert_right(seeded)
    seeded.history.undo()
    assert assert_right(seeded) == before


def test_keeping_the_papers_of_a_removed_digest_lowers_their_count(seeded: Library) -> None:
    target = seeded.digests.all()[0]
    before = assert_right(seeded)
    in_target = seeded.views.ids(f"digest:{target.id}")
    seeded.removal.remove_digests([target.id], keep_papers=True)
    after = assert_right(seeded)
    assert all(after[pid] == before[pid] - 1 for pid in in_target)
    seeded.history.undo()
    assert assert_right(seeded) == before


def test_m012_fills_the_count_of_an_existing_library(tmp_path: Path) -> None:
    data = tmp_path / "old"
    data.mkdir()
    db = store.connect(data / "library.sqlite3")
    store.migrations.apply(db, stop_before="m012_digest_count")
    for n in (1, 2, 3):
        db.execute(
            "INSERT INTO papers (id, title, title_key, abstract, added_at, updated_at) "
            "VALUES (?, ?, ?, 'An abstract.', '2026-01-01', '2026-01-01')",
            [n, f"Paper {n}", f"paper {n}"],
        )
    for d in (1, 2):
        db.execute(
            "INSERT INTO digests (id, name, sha256, imported_at) VALUES (?, ?, ?, '2026-01-01')",
            [d, f"d{d}", f"sha{d}"],
        )
    sightings: list[tuple[Any, ...]] = [(1, 1, 0), (1, 2, 0), (2, 1, 1)]  # paper 3 in none
    db.conn.executemany(
        "INSERT INTO sightings (paper_id, digest_id, position, line) VALUES (?, ?, ?, 0)",
        sightings,
    )
    db.conn.commit()
    db.close()
    with Library.open(data, backups=False) as library:
        assert stored_counts(library) == {1: 2, 2: 1, 3: 0}
        assert library.views.ids("all", sort="digests", descending=True) == [1, 2, 3]
        assert library.views.ids("all", sort="digests") == [3, 2, 1]


def test_the_digests_sort_reads_its_index(seeded: Library) -> None:
    assert seeded.views.pageable("all", "digests") and seeded.views.pageable("inbox", "digests")
    sql = (
        "EXPLAIN QUERY PLAN SELECT p.id FROM papers p INDEXED BY papers_sort_digests WHERE 1 "
        "ORDER BY p.digest_count DESC, p.id DESC LIMIT 10"
    )
    plan = " ".join(str(r[-1]) for r in seeded.db.execute(sql))
    assert "papers_sort_digests" in plan and "TEMP B-TREE" not in plan
    top = seeded.views.ids("all", sort="digests", descending=True, limit=5)
    counts = stored_counts(seeded)
    assert counts[top[0]] == max(counts.values())

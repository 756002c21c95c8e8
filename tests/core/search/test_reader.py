"""The read-only index reader the GUI's search worker uses on a thread of its own."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from desktop.core.library import DB_FILE, Library
from desktop.core.search.index import INDEX_DIR
from desktop.core.search.reader import IndexReader

_WORKER = ThreadPoolExecutor(max_workers=1)


def _in_thread(fn):  # type: ignore[no-untyped-def]
    """Run ``fn`` on the one worker thread of this module (a reader stays on its thread)."""
    return _WORKER.submit(fn).result(timeout=30)


def test_the_reader_answers_like_the_library_from_another_thread(
    seeded: Library, seeded_dir: Path
) -> None:
    reader_box: dict[str, IndexReader] = {}

    def search(text: str) -> list[int]:
        if "r" not in reader_box:
            reader_box["r"] = IndexReader(seeded_dir / DB_FILE, seeded_dir / INDEX_DIR)
        return reader_box["r"].search(text, limit=20).ids

    for query in ("DiskGNN", "graph neural", "is:unread diffusion", '"language model"'):
        assert _in_thread(lambda q=query: search(q)) == seeded.index.search(query, limit=20).ids
    # A note written through the library is found by the reader: it reads the new generation.
    paper = seeded.views.ids("inbox")[3]
    seeded.notes.set(paper, "zanzibarite crystals")
    assert _in_thread(lambda: search("zanzibarite")) == [paper]
    # Triage state is read from SQLite by the reader too (WAL: it sees committed writes).
    seeded.triage.set_read([paper], True)
    assert _in_thread(lambda: search("zanzibarite is:unread")) == []
    _in_thread(lambda: reader_box["r"].close())


def test_a_damaged_index_is_reported_not_repaired_and_answered_from_sqlite(
    seeded: Library, seeded_dir: Path
) -> None:
    expected = seeded.index.search("DiskGNN", limit=20).ids
    seeded.index.close()
    for path in (seeded_dir / INDEX_DIR).iterdir():
        if path.is_file() and not path.name.endswith(("WRITELOCK", ".stamp")):
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    before = sorted(p.name for p in (seeded_dir / INDEX_DIR).iterdir())

    def run() -> tuple[list[int], bool, bool]:
        reader = IndexReader(seeded_dir / DB_FILE, seeded_dir / INDEX_DIR)
        try:
            results = reader.search("DiskGNN", limit=20)
            return results.ids, results.fallback, reader.damage_seen
        finally:
            reader.close()

    ids, fallback, damage_seen = _in_thread(run)
    assert damage_seen and fallback
    assert set(expected) <= set(ids)  # the LIKE scan finds the same papers (maybe more)
    assert sorted(p.name for p in (seeded_dir / INDEX_DIR).iterdir()) == before  # untouched


def test_a_missing_index_answers_from_sqlite(seeded: Library, seeded_dir: Path) -> None:
    reader = IndexReader(seeded_dir / DB_FILE, seeded_dir / "no-index-here")
    try:
        results = reader.search("DiskGNN", limit=5)
        assert results.fallback and results.ids
        assert not reader.damage_seen
    finally:
        reader.close()

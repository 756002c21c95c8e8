"""Importing the arXiv metadata snapshot: streamed in batches, one digest, all or nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from desktop.core import store
from desktop.core.importing import import_writer, snapshot_workers
from desktop.core.library import Library


def snapshot_line(n: int) -> str:
    return json.dumps(
        {
            "id": f"2401.{n:05d}",
            "submitter": "A. Submitter",
            "authors": f"Ada Lovelace, Alan Turing and Grace Hopper{n}",
            "title": f"Streaming snapshot paper number {n} on graph learning",
            "comments": "10 pages",
            "journal-ref": None,
            "categories": "cs.LG stat.ML",
            "abstract": f"  We study problem {n} of graph learning at length, with results.\n",
            "versions": [{"version": "v1"}, {"version": "v2"}],
            "update_date": "2024-01-15",
        }
    )


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "arxiv-metadata-oai-snapshot.json"
    lines = [snapshot_line(n) for n in range(1, 1201)]
    lines.insert(10, "this line is not JSON")
    lines.append(snapshot_line(7))  # the same id again
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_snapshot_imports_in_batches_as_one_digest(
    lib: Library, snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_writer, "SNAPSHOT_BATCH", 100)  # many batches
    lib.importer.import_text(  # a paper seen earlier by title only gets its id
        "Streaming snapshot paper number 3 on graph learning\n\nAn abstract copied from a "
        "listing earlier, long enough to be believed as one on its own without metadata.\n",
        "earlier",
    )
    (result,) = lib.importer.import_paths([snapshot])
    assert result.status == "imported" and result.format == "arxiv-snapshot"
    assert result.new_papers == 1199 and result.entries >= 1200
    assert result.skipped_blocks >= 1
    assert lib.papers.count() == 1200
    paper = lib.papers.get(lib.papers.by_arxiv_id("2401.00003"))  # type: ignore[arg-type]
    assert paper is not None and paper.arxiv_version == 2
    assert paper.authors == ("Ada Lovelace", "Alan Turing", "Grace Hopper3")
    assert paper.categories == ("cs.LG", "stat.ML") and len(paper.sightings) == 2
    digest = lib.digests.all()[-1]
    assert (digest.format, digest.new_papers) == ("arxiv-snapshot", 1199)
    (again,) = lib.importer.import_paths([snapshot])
    assert again.status == "unchanged"
    assert lib.index.search("graph learning", limit=None).ids  # indexed after the commit


def test_a_cancelled_snapshot_keeps_nothing(
    lib: Library, snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_writer, "SNAPSHOT_BATCH", 100)
    calls = iter(range(10**6))
    (result,) = lib.importer.import_paths([snapshot], cancel=lambda: next(calls) > 3)
    assert result.status == "cancelled"
    assert lib.papers.count() == 0 and lib.digests.all() == []


def test_a_json_document_is_not_taken_for_a_snapshot(tmp_path: Path) -> None:
    one = tmp_path / "settings.json"
    one.write_text('{\n  "a": 1\n}\n', encoding="utf-8")
    lines = tmp_path / "papers.json"
    lines.write_text(snapshot_line(1) + "\n" + snapshot_line(2) + "\n", encoding="utf-8")
    assert not import_writer.is_snapshot_file(one)
    assert import_writer.is_snapshot_file(lines)


def test_rules_run_on_a_snapshots_new_papers_in_batches_with_the_report(
    lib: Library, snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_writer, "SNAPSHOT_BATCH", 100)
    lib.rules.match_batch = 250  # the new papers are matched in several batches
    lib.rules.add("sevens", "title:7 OR title:77", ["tag", "star"], tag="sevens")
    lib.rules.add("no 1000s", "title:1000 OR title:1001", ["mute"])
    (result,) = lib.importer.import_paths([snapshot])
    assert result.status == "imported"
    assert result.rules == ["rule 'sevens': 2 tagged, 2 starred", "rule 'no 1000s': 2 muted"]
    assert result.rule_run is not None
    muted = lib.papers.by_arxiv_id("2401.01000")
    assert muted is not None and lib.rules.muted_reason(muted) == "muted by rule 'no 1000s'"
    assert lib.rules.record_import_undo([result])
    lib.history.undo()  # the rules, one step for the whole file
    assert lib.rules.muted_reason(muted) is None
    assert lib.db.execute("SELECT COUNT(*) FROM papers WHERE starred = 1").fetchone()[0] == 0
    assert lib.papers.count() == 1200  # the papers stay


def test_a_snapshot_that_fails_keeps_none_of_its_rules_effects(
    lib: Library, snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib.rules.add("all", "graph", ["star"])

    def broken(*_args: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(lib.importer, "_record_counts", broken)
    (result,) = lib.importer.import_paths([snapshot])
    assert result.status == "failed"
    assert lib.papers.count() == 0
    assert lib.db.execute("SELECT COUNT(*) FROM rule_runs").fetchone()[0] == 0


def test_the_checkpoint_follows_a_snapshots_commit_and_the_setting_comes_back(
    lib: Library, snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = lib.db.conn
    (before,) = conn.execute("PRAGMA wal_autocheckpoint").fetchone()
    assert before > 0
    seen: list[tuple[str, int]] = []
    real = lib.importer._write_entries  # noqa: SLF001 - the setting seen while it writes

    def spy(*args: object) -> None:
        seen.append(("during", conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]))
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(lib.importer, "_write_entries", spy)
    monkeypatch.setattr(import_writer, "SNAPSHOT_BATCH", 100)
    calls = iter(range(10**6))
    (result,) = lib.importer.import_paths([snapshot], cancel=lambda: next(calls) > 3)
    assert result.status == "cancelled"
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone() == (before,)
    (result,) = lib.importer.import_paths([snapshot])
    assert result.status == "imported"
    assert seen and set(seen) == {("during", 0)}  # not inside the commit
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone() == (before,)
    busy, frames, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and frames == done  # the snapshot's frames are in the database already


def test_the_sort_indexes_are_built_again_with_a_small_cache_and_it_comes_back(
    lib: Library, snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's sorter holds up to the cache size of keys: the rebuild's is kept small (the
    import's peak memory no longer grows with the file), and the import's comes back; the
    sorter has a helper thread a reader while it runs, none after."""
    from collections.abc import Iterator
    from contextlib import contextmanager

    conn = lib.db.conn
    (before,) = conn.execute("PRAGMA cache_size").fetchone()
    (threads,) = conn.execute("PRAGMA threads").fetchone()
    seen: list[int] = []
    helpers: list[int] = []
    real = import_writer.ImportWriter._rebuild_settings  # noqa: SLF001 - the settings inside

    @contextmanager
    def spy(self: import_writer.ImportWriter) -> Iterator[None]:
        with real(self):
            seen.append(conn.execute("PRAGMA cache_size").fetchone()[0])
            helpers.append(conn.execute("PRAGMA threads").fetchone()[0])
            yield
        seen.append(conn.execute("PRAGMA cache_size").fetchone()[0])
        helpers.append(conn.execute("PRAGMA threads").fetchone()[0])

    monkeypatch.setattr(import_writer.ImportWriter, "_rebuild_settings", spy)
    monkeypatch.setattr(import_writer, "SNAPSHOT_BATCH", 10)
    monkeypatch.setattr(import_writer, "DEFER_INDEXES_MIN_PAPERS", 0)
    # Read by the workers a small range at a time, so that the bytes read are known at the
    # first batch (the import decides there whether to build the indexes again at the end).
    monkeypatch.setattr(snapshot_workers, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(snapshot_workers, "RANGE_BYTES", 4096)
    lib.importer.snapshot_readers = 1
    (result,) = lib.importer.import_paths([snapshot])
    assert result.status == "imported"
    assert seen == [-import_writer.REBUILD_CACHE_KIB, -import_writer.IMPORT_CACHE_KIB]
    # One helper, as this SQLite allows (a build may cap the threads at none).
    (one,) = sqlite3.connect(":memory:").execute("PRAGMA threads = 1").fetchone()
    assert helpers == [one, threads]
    assert conn.execute("PRAGMA cache_size").fetchone() == (before,)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert set(store.SCATTERED_INDEXES) <= names


def _papers(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return conn.execute(
        "SELECT id, title, title_key, abstract, arxiv_id, arxiv_version, authors, categories, "
        "digest_count FROM papers ORDER BY id"
    ).fetchall()


def _journal_modes_seen(lib: Library, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The journal mode each batch of rows is written in (a spy on _write_rows)."""
    conn = lib.db.conn
    seen: list[str] = []
    real = lib.importer._write_rows  # noqa: SLF001 - the mode seen while it writes

    def spy(*args: object) -> None:
        seen.append(conn.execute("PRAGMA journal_mode").fetchone()[0])
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(lib.importer, "_write_rows", spy)
    monkeypatch.setattr(import_writer, "SNAPSHOT_BATCH", 100)
    return seen


def test_a_large_snapshot_is_written_with_a_rollback_journal_when_alone_then_wal_again(
    tmp_path: Path, snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same library either way; WAL mode after the import, no journal file left."""
    with Library.open(tmp_path / "wal", backups=False) as plain:
        monkeypatch.setattr(import_writer, "ROLLBACK_JOURNAL_MIN_BYTES", None)
        wal_seen = _journal_modes_seen(plain, monkeypatch)
        (result,) = plain.importer.import_paths([snapshot])
        assert result.status == "imported" and set(wal_seen) == {"wal"}
        expected = _papers(plain.db.conn)
    monkeypatch.setattr(import_writer, "ROLLBACK_JOURNAL_MIN_BYTES", 0)
    with Library.open(tmp_path / "alone", backups=False) as lib:
        seen = _journal_modes_seen(lib, monkeypatch)
        (result,) = lib.importer.import_paths([snapshot])
        assert result.status == "imported" and result.new_papers == 1200
        assert seen and set(seen) == {"delete"}
        assert lib.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert _papers(lib.db.conn) == expected
        assert lib.index.search("graph learning", limit=None).ids
    assert not (tmp_path / "alone" / "library.sqlite3-journal").exists()


def test_a_snapshot_stays_in_wal_mode_while_another_connection_has_the_library(
    tmp_path: Path, snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_writer, "ROLLBACK_JOURNAL_MIN_BYTES", 0)
    with Library.open(tmp_path / "lib", backups=False) as lib:
        other = sqlite3.connect(tmp_path / "lib" / "library.sqlite3")  # the app's window, say
        try:
            assert other.execute("SELECT COUNT(*) FROM papers").fetchone() == (0,)
            seen = _journal_modes_seen(lib, monkeypatch)
            (result,) = lib.importer.import_paths([snapshot])
            assert result.status == "imported" and set(seen) == {"wal"}
            assert other.execute("SELECT COUNT(*) FROM papers").fetchone() == (1200,)
        finally:
            other.close()


def test_a_cancelled_or_failed_snapshot_in_a_rollback_journal_keeps_nothing_and_wal_comes_back(
    tmp_path: Path, snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_writer, "ROLLBACK_JOURNAL_MIN_BYTES", 0)
    with Library.open(tmp_path / "lib", backups=False) as lib:
        lib.importer.import_text(  # something held before, kept
            "Streaming snapshot paper number 3 on graph learning\n\nAn abstract copied from a "
            "listing earlier, long enough to be believed as one on its own without metadata.\n",
            "earlier",
        )
        before = _papers(lib.db.conn)
        seen = _journal_modes_seen(lib, monkeypatch)
        calls = iter(range(10**6))
        (result,) = lib.importer.import_paths([snapshot], cancel=lambda: next(calls) > 3)
        assert result.status == "cancelled" and set(seen) == {"delete"}
        assert lib.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert _papers(lib.db.conn) == before

        def broken(*_args: object) -> None:
            raise OSError("disk gone")

        monkeypatch.setattr(lib.importer, "_record_counts", broken)
        (result,) = lib.importer.import_paths([snapshot])
        assert result.status == "failed"
        assert lib.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert _papers(lib.db.conn) == before
    assert not (tmp_path / "lib" / "library.sqlite3-journal").exists()


def _digests(lib: Library) -> list[tuple[object, ...]]:
    return lib.db.execute(
        "SELECT name, source_path, sha256, removed_at IS NOT NULL FROM digests ORDER BY id"
    ).fetchall()


def test_a_new_snapshot_is_hashed_while_it_imports_and_stored_under_its_sha256(
    lib: Library, snapshot: Path
) -> None:
    (result,) = lib.importer.import_paths([snapshot])
    assert result.status == "imported"
    assert _digests(lib) == [(snapshot.name, str(snapshot), import_writer.file_sha256(snapshot), 0)]


def test_the_same_bytes_under_another_path_are_unchanged_and_leave_nothing(
    lib: Library, snapshot: Path, tmp_path: Path
) -> None:
    """Hashed while they import (no digest came from that path), found unchanged at the
    end: the import rolls back, as it would not have started had the hash come first."""
    (first,) = lib.importer.import_paths([snapshot])
    assert first.status == "imported"
    before = (_digests(lib), _papers(lib.db.conn))
    moved = tmp_path / "elsewhere" / "renamed.jsonl"
    moved.parent.mkdir()
    moved.write_bytes(snapshot.read_bytes())
    (again,) = lib.importer.import_paths([moved])
    assert (again.status, again.format, again.new_papers) == ("unchanged", "arxiv-snapshot", 0)
    assert (_digests(lib), _papers(lib.db.conn)) == before


def test_a_removed_snapshot_imported_again_from_another_path_comes_back(
    lib: Library, snapshot: Path, tmp_path: Path
) -> None:
    (first,) = lib.importer.import_paths([snapshot])
    assert first.digest_id is not None
    lib.removal.remove_digests([first.digest_id])
    assert lib.papers.count() == 0
    moved = tmp_path / "copy.jsonl"
    moved.write_bytes(snapshot.read_bytes())
    (again,) = lib.importer.import_paths([moved])
    assert again.status == "imported" and again.new_papers == 1200
    # The removed digest of the same bytes went (its hash is unique), the new one holds it.
    assert _digests(lib) == [(moved.name, str(moved), import_writer.file_sha256(snapshot), 0)]


def test_a_snapshot_whose_hash_cannot_be_read_keeps_nothing(
    lib: Library, snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable(_path: Path) -> str:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(import_writer, "file_sha256", unreadable)
    (result,) = lib.importer.import_paths([snapshot])
    assert result.status == "failed" and "Input/output error" in (result.error or "")
    assert lib.papers.count() == 0 and _digests(lib) == []

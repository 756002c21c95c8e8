"""The store: migrations, dedupe, idempotent and atomic imports, triage state and undo."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.core import store
from desktop.core.library import DB_FILE, Library
from desktop.core.models import Changes
from tests.conftest import SEEDS, TODAY


def _snapshot(lib: Library) -> list[tuple]:
    tables = ["papers", "digests", "sightings"]
    return [tuple(lib.db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()) for t in tables]


def test_seed_import_counts(lib: Library) -> None:
    results = lib.importer.import_paths([SEEDS])
    assert [r.entries for r in results] == [22, 119, 57, 116]
    assert sum(r.new_papers for r in results) == 286
    assert lib.papers.count() == 286
    assert lib.stats()["sightings"] == 314
    assert all(r.status == "imported" for r in results)


def test_reimport_is_a_noop(seeded: Library) -> None:
    before = _snapshot(seeded)
    results = seeded.importer.import_paths([SEEDS])
    assert [r.status for r in results] == ["unchanged"] * 4
    assert _snapshot(seeded) == before


def test_pragmas_and_migrations(seeded: Library) -> None:
    assert seeded.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert seeded.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert seeded.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.pending_migrations(seeded.db) == []
    assert store.known_migration_names()[0] == "m001_papers_digests_sightings"


def test_a_new_library_has_16k_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    with Library.open(tmp_path / "new", backups=False) as lib:
        assert lib.db.execute("PRAGMA page_size").fetchone()[0] == store.PAGE_SIZE == 16384
    old = tmp_path / "old"
    old.mkdir()
    conn = sqlite3.connect(old / DB_FILE)
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("VACUUM")  # an empty file of 4 KiB pages, as libraries were created before
    conn.close()
    with Library.open(old, backups=False) as lib:
        lib.today = lambda: TODAY
        assert all(r.ok for r in lib.importer.import_paths([SEEDS]))
    with Library.open(old, backups=False) as lib:
        assert lib.db.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert lib.papers.count() == 286


def test_duplicate_titles_fold_case_space_and_punctuation(lib: Library) -> None:
    abstract = "An abstract that is long enough to be an abstract. " * 3
    lib.importer.import_text(f"A Study of Things\n{abstract}", "a")
    result = lib.importer.import_text(f"a  study of things. \n{abstract}", "b")
    assert (result.new_papers, result.known_papers) == (0, 1)
    assert lib.papers.count() == 1
    paper = lib.papers.get(lib.views.ids("all")[0])
    assert paper is not None and paper.digest_names == ["a", "b"]


def test_changed_abstract_replaces_text_bumps_version_keeps_state(lib: Library) -> None:
    lib.importer.import_text("Paper One\nThe first version of the abstract.", "a")
    (pid,) = lib.views.ids("all")
    lib.triage.set_starred([pid])
    lib.triage.set_read([pid])
    result = lib.importer.import_text("Paper One\nThe second version of the abstract.", "b")
    assert result.updated_papers == 1 and result.updated_ids == [pid]
    paper = lib.papers.get(pid)
    assert paper is not None
    assert paper.abstract == "The second version of the abstract."
    assert paper.version == 2
    assert paper.starred and paper.is_read


def test_metadata_is_filled_in_by_a_later_richer_digest(lib: Library) -> None:
    lib.importer.import_text("Paper One\nAbstract text here.", "compact")
    lib.importer.import_text(
        "Paper One\n\nAbstract text here.\n\n  • 4 authors\n·\nMay 8, 2024 3", "page"
    )
    paper = lib.papers.get(lib.views.ids("all")[0])
    assert paper is not None
    assert (paper.authors_count, paper.published, paper.upvotes, paper.version) == (
        4,
        "2024-05-08",
        3,
        1,
    )


def _fail_sighting(lib: Library, digest_name: str, position: int, how: str = "ABORT") -> None:
    """Make the sightings insert of one entry of one digest fail, as a disk error would.

    ``ABORT`` fails that statement; ``ROLLBACK`` makes SQLite give up the whole transaction, as
    it may on some full-disk and I/O errors.
    """
    lib.db.execute(
        "CREATE TEMP TRIGGER fail_sighting BEFORE INSERT ON main.sightings "
        f"WHEN NEW.position = {int(position)} AND (SELECT name FROM digests "
        f"WHERE id = NEW.digest_id) = '{digest_name}' "
        f"BEGIN SELECT RAISE({how}, 'disk I/O error'); END"
    )


def test_each_file_is_all_or_nothing(lib: Library) -> None:
    lib.importer.import_paths([next(SEEDS.glob("000_*"))])
    before = _snapshot(lib)
    second = next(SEEDS.glob("001_*"))
    _fail_sighting(lib, second.name, 30)
    result = lib.importer.import_paths([second])[0]
    assert result.status == "failed"
    assert "disk I/O error" in (result.error or "")
    assert "nothing from it was kept" in (result.error or "")
    assert _snapshot(lib) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"just some words and nothing else", "no papers"),
        (b"", "no papers"),
        (b"Title\n\x81\x8d\x8f\x90 bad", "neither UTF-8"),
    ],
)
def test_bad_files_store_nothing(
    lib: Library, tmp_path: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    before = _snapshot(lib)
    (result,) = lib.importer.import_paths([bad])
    assert result.status == "failed" and message in (result.error or "")
    assert _snapshot(lib) == before


def test_oversized_and_missing_files(lib: Library, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(51 * 1024 * 1024)
    missing = tmp_path / "missing.txt"
    results = lib.importer.import_paths([big, missing])
    assert [r.status for r in results] == ["failed", "failed"]
    assert "MiB" in (results[0].error or "")
    assert results[1].error == "no such file"
    assert lib.papers.count() == 0


def test_windows_1252_is_decoded_with_a_warning(lib: Library, tmp_path: Path) -> None:
    path = tmp_path / "cp.txt"
    path.write_bytes(
        "Caf\u00e9 \u2013 r\u00e9sum\u00e9s\nAn abstract with \u201cquotes\u201d.".encode("cp1252")
    )
    (result,) = lib.importer.import_paths([path])
    assert result.status == "imported" and result.warnings
    paper = lib.papers.get(lib.views.ids("all")[0])
    assert paper is not None and paper.title == "Caf\u00e9 \u2013 r\u00e9sum\u00e9s"


def test_bad_file_in_folder_does_not_stop_the_others(lib: Library, seed_copy: Path) -> None:
    (seed_copy / "zz_binary.txt").write_bytes(b"\x00" * 100)
    results = lib.importer.import_paths([seed_copy])
    assert [r.status for r in results] == ["imported"] * 4 + ["failed"]
    assert lib.papers.count() == 286


def test_views_and_inbox_order(seeded: Library) -> None:
    inbox = seeded.views.ids("inbox")
    assert inbox == sorted(inbox) and len(inbox) == 286
    first = seeded.papers.get(inbox[0])
    assert first is not None and first.title.startswith("DiskGNN")
    seeded.triage.set_queued(inbox[:3])
    seeded.triage.set_archived([inbox[3]])
    seeded.triage.set_starred([inbox[4], inbox[3]])
    assert seeded.views.ids("queue") == inbox[:3]
    assert seeded.views.ids("archive") == [inbox[3]]
    assert seeded.views.ids("starred") == sorted([inbox[3], inbox[4]])
    assert len(seeded.views.ids("inbox")) == 282
    digest = seeded.digests.all()[1]
    assert len(seeded.views.ids(f"digest:{digest.id}")) == 119
    counts = seeded.views.counts()
    assert (counts["queue"].total, counts["archive"].total, counts["all"].total) == (3, 1, 286)


def test_read_state_and_read_at(seeded: Library) -> None:
    pid = seeded.views.ids("inbox")[0]
    seeded.triage.set_read([pid])
    paper = seeded.papers.get(pid)
    assert paper is not None and paper.is_read and paper.read_at
    seeded.triage.set_read([pid], False)
    paper = seeded.papers.get(pid)
    assert paper is not None and not paper.is_read and paper.read_at is None
    assert seeded.views.counts()["all"].unread == 286


def test_archive_takes_paper_out_of_queue_and_undo_restores(seeded: Library) -> None:
    ids = seeded.views.ids("inbox")[:2]
    seeded.triage.set_queued(ids)
    seeded.triage.set_archived([ids[0]])
    assert seeded.views.ids("queue") == [ids[1]]
    seeded.history.undo()
    assert seeded.views.ids("queue") == ids


def test_queue_reorder_and_undo_redo(seeded: Library) -> None:
    ids = seeded.views.ids("inbox")[:4]
    seeded.triage.set_queued(ids)
    seeded.triage.move_in_queue(ids[3], -2)
    assert seeded.views.ids("queue") == [ids[0], ids[3], ids[1], ids[2]]
    seeded.triage.move_in_queue(ids[0], -1)  # already first: nothing happens
    assert seeded.views.ids("queue") == [ids[0], ids[3], ids[1], ids[2]]
    seeded.triage.move_in_queue(ids[0], 10)
    assert seeded.views.ids("queue") == [ids[3], ids[1], ids[2], ids[0]]
    assert seeded.history.undo() is not None
    assert seeded.views.ids("queue") == [ids[0], ids[3], ids[1], ids[2]]
    seeded.history.undo()
    assert seeded.views.ids("queue") == ids
    seeded.history.redo()
    seeded.history.redo()
    assert seeded.views.ids("queue") == [ids[3], ids[1], ids[2], ids[0]]


def test_bulk_toggle_and_multi_level_undo(seeded: Library) -> None:
    ids = seeded.views.ids("inbox")[:5]
    seeded.triage.toggle("starred", ids)
    seeded.triage.toggle("read", ids[:2])
    assert len(seeded.views.ids("starred")) == 5
    assert seeded.views.counts()["all"].unread == 284
    label, changes = seeded.history.undo() or ("", Changes())
    assert label == "mark read" and set(changes.papers) == set(ids[:2])
    seeded.history.undo()
    assert seeded.views.ids("starred") == []
    assert seeded.history.undo() is None
    seeded.history.redo()
    assert len(seeded.views.ids("starred")) == 5


def test_writes_report_changes_to_listeners(seeded: Library) -> None:
    seen: list[Changes] = []
    seeded.subscribe(seen.append)
    pid = seeded.views.ids("inbox")[0]
    seeded.triage.set_starred([pid])
    seeded.triage.set_starred([pid])  # no change: no event
    assert seen == [Changes(frozenset({pid}), membership=True)]


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "library.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(store.StoreError):
        Library.open(data)
    assert (data / "library.sqlite3").read_bytes() == b"this is not sqlite" * 100


def test_preview_does_not_write(seeded: Library) -> None:
    text = next(SEEDS.glob("002_*")).read_text(encoding="utf-8")
    before = _snapshot(seeded)
    preview = seeded.importer.preview_text(text + "\n\nBrand New Paper\nIts abstract.")
    assert (preview.entries, preview.new_papers) == (58, 1)
    assert _snapshot(seeded) == before
    assert TODAY.year == 2026


def _hot_journal(path: Path) -> None:
    """Leave ``path`` as a process killed inside a rollback-journal transaction leaves it:
    pages overwritten in the file, their old content in a hot ``-journal``."""
    import subprocess
    import sys

    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=DELETE'); c.execute('PRAGMA cache_size=2')\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute(\"UPDATE t SET x = 'changed ' || x\")\n"
        "os._exit(9)\n"
    )
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [(f"row {n} " + "x" * 500,) for n in range(2000)])
    conn.commit()
    conn.close()
    subprocess.run([sys.executable, "-c", script, str(path)], check=False)
    assert Path(f"{path}-journal").stat().st_size > 0


def test_a_read_only_open_refuses_a_hot_rollback_journal_and_a_writer_rolls_it_back(
    tmp_path: Path,
) -> None:
    """A read-only open would fall back to ``immutable=1`` and read the half-written file."""
    path = tmp_path / DB_FILE
    _hot_journal(path)
    with pytest.raises(store.ReadOnlyLibraryError, match="-journal holds changes"):
        store.open_read_only(path)
    conn = sqlite3.connect(path)  # a connection that may write rolls it back first
    try:
        rows = conn.execute("SELECT COUNT(*), SUM(x LIKE 'changed%') FROM t").fetchone()
        assert rows == (2000, 0)
    finally:
        conn.close()
    assert not Path(f"{path}-journal").exists()
    store.open_read_only(path).close()


def test_the_rollback_journal_is_only_taken_alone_and_outside_a_transaction(
    tmp_path: Path,
) -> None:
    with Library.open(tmp_path / "lib", backups=False) as lib:
        conn = lib.db.conn
        conn.execute("BEGIN")
        with store.rollback_journal_if_alone(conn) as alone:
            assert not alone
        conn.execute("ROLLBACK")
        other = sqlite3.connect(tmp_path / "lib" / DB_FILE)
        other.execute("SELECT 1 FROM papers").fetchall()
        with store.rollback_journal_if_alone(conn) as alone:
            assert not alone and conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        other.close()
        with pytest.raises(RuntimeError), store.rollback_journal_if_alone(conn) as alone:
            assert alone and conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM papers")
            raise RuntimeError("the block fails with its transaction open")
        assert not conn.in_transaction
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_library_locked_by_a_long_rollback_journal_write_is_busy_not_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What another process meets while a large snapshot import holds the library in a
    rollback journal: the open, the integrity check and a command say it is busy; none of
    them calls it damaged or records a problem, and the check stays due."""
    import subprocess
    import sys

    from desktop.cli import main
    from desktop.core import integrity

    data = tmp_path / "lib"
    with Library.open(data, backups=False) as lib:
        lib.importer.import_paths([SEEDS])
    integrity.run_check(data)  # a clean check recorded
    monkeypatch.setattr(integrity, "check_due", lambda *_a, **_k: True)
    script = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=DELETE')\n"
        "c.execute('BEGIN EXCLUSIVE')\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(data / DB_FILE)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        monkeypatch.setattr(store, "BUSY_TIMEOUT_SECONDS", 0.2)
        record = integrity.read_record(data)
        with pytest.raises(store.LibraryBusyError, match="is busy"):
            store.connect(data / DB_FILE)
        assert integrity.run_check(data) == []
        assert integrity.read_record(data) == record  # nothing learnt, nothing recorded
        assert main(["--data-dir", str(data), "stats"]) != 0
        err = capsys.readouterr().err
        assert "is busy" in err and "damaged" not in err
        assert integrity.read_record(data).get("problems") in (None, [])
    finally:
        holder.kill()
        holder.wait()
    with Library.open(data, backups=False) as lib:  # once it is done, all is well
        assert lib.papers.count() == 286
        assert lib.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)

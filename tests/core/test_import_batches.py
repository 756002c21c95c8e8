"""Group commit of a folder import: several files per transaction, each file all or nothing.

A file that fails rolls back alone (its savepoint), a transaction SQLite gives up is replayed,
a failed commit reports its files failed, cancel and errors keep the files already done, and
listeners hear the whole import once, only after it is committed. Whatever the batches, the
library is exactly what importing the files one by one makes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.importing import digest_file as importer
from desktop.core.importing import import_writer as import_writer_module
from desktop.core.importing.digest_file import read_digest_file, strip_controls, utf8_has_controls
from desktop.core.library import DB_FILE, Library
from desktop.core.models import Changes
from tests.conftest import SEEDS, TODAY
from tests.perf.gen_digests import build_corpus, write_corpus

TABLES = ("papers", "digests", "sightings", "highlights")
NOW = "2026-11-22T10:00:00+00:00"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """One timestamp for every write, so that whole databases can be compared row for row."""
    monkeypatch.setattr(import_writer_module, "now_iso", lambda: NOW)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated digests of all three layouts with repeats, a revised copy of two, an exact
    duplicate, and files that are refused or hold no papers."""
    out = tmp_path_factory.mktemp("batch-digests")
    paths = write_corpus(build_corpus(900, seed=5), out)
    for path in paths[:2]:
        revised = path.read_text("utf-8").replace(" the ", " THE ", 2)
        (out / f"{path.stem}_revised.txt").write_text(revised, "utf-8")
    (out / "zz_duplicate.txt").write_bytes(paths[1].read_bytes())
    (out / "zz_binary.txt").write_bytes(b"\x00\x01" * 40)
    (out / "zz_words.txt").write_text("just some words", "utf-8")
    return out


@pytest.fixture(scope="module")
def folder_one_by_one(
    folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, list[Any]], list[Any]]:
    """The library and results of importing ``folder``'s files one per call (built once)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(import_writer_module, "now_iso", lambda: NOW)
        return _one_by_one(tmp_path_factory.mktemp("one-by-one"), sorted(folder.iterdir()))


def _open(tmp_path: Path, name: str = "data") -> Library:
    lib = Library.open(tmp_path / name, backups=False)
    lib.today = lambda: TODAY
    return lib


def _tables(conn: sqlite3.Connection) -> dict[str, list[Any]]:
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}


def _on_disk(lib: Library) -> dict[str, list[Any]]:
    """What another process would see: the committed database only."""
    assert lib.data_dir is not None
    conn = sqlite3.connect(lib.data_dir / DB_FILE)
    try:
        return _tables(conn)
    finally:
        conn.close()


def _one_by_one(tmp_path: Path, paths: list[Path]) -> tuple[dict[str, list[Any]], list[Any]]:
    """The library and results of importing ``paths`` one file per call (one transaction)."""
    with _open(tmp_path, "one-by-one") as lib:
        results = [lib.importer.import_paths([p])[0].to_json() for p in paths]
        return _tables(lib.db.conn), results


class _FailingConnection:
    """The real connection, except that the statements ``fails(sql)`` picks raise ``error``."""

    def __init__(self, conn: sqlite3.Connection, fails: Callable[[str], bool], error: str):
        self._conn = conn
        self._fails = fails
        self._error = error

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def execute(self, sql: str, *args: Any) -> Any:
        if self._fails(sql):
            raise sqlite3.OperationalError(self._error)
        return self._conn.execute(sql, *args)


def _commits(lib: Library, statement: str = "COMMIT") -> list[str]:
    """The ``statement``s (COMMIT, BEGIN IMMEDIATE) the library runs from now on."""
    seen: list[str] = []
    lib.db.conn.set_trace_callback(
        lambda sql: seen.append(sql) if sql.strip().upper() == statement else None
    )
    return seen


@pytest.mark.parametrize(("files", "seconds"), [(200, 60.0), (3, 60.0), (1, 60.0), (200, 0.0)])
def test_batches_make_the_library_one_by_one_imports_make(
    tmp_path: Path,
    folder: Path,
    folder_one_by_one: tuple[dict[str, list[Any]], list[Any]],
    files: int,
    seconds: float,
) -> None:
    paths = sorted(folder.iterdir())
    expected, expected_results = folder_one_by_one
    with _open(tmp_path) as lib:
        lib.importer.batch_files, lib.importer.batch_seconds = files, seconds
        commits = _commits(lib)
        results = lib.importer.import_paths([folder])
        assert [r.to_json() for r in results] == expected_results
        assert _tables(lib.db.conn) == expected
        assert _on_disk(lib) == expected
        stored = sum(r.status == "imported" for r in results)
        assert stored == len(paths) - 3  # the duplicate is unchanged, two files are refused
        if seconds == 0.0:  # committed after every file that stored something
            assert len(commits) == stored
        else:
            assert len(commits) == -(-stored // files)
        # Importing the same files again changes nothing.
        again = lib.importer.import_paths([folder])
        assert [r.status for r in again] == [
            "failed" if r.status == "failed" else "unchanged" for r in results
        ]
        assert _tables(lib.db.conn) == expected


def _fail_sighting(lib: Library, digest_name: str, how: str = "ABORT") -> None:
    """Make the 30th sightings insert of one digest fail, as a disk error would.

    ``ABORT`` fails that statement; ``ROLLBACK`` makes SQLite give up the whole transaction, as
    it may on some full-disk and I/O errors.
    """
    lib.db.execute(
        "CREATE TEMP TRIGGER fail_sighting BEFORE INSERT ON main.sightings "
        f"WHEN NEW.position = 30 AND (SELECT name FROM digests WHERE id = NEW.digest_id) "
        f"= '{digest_name}' BEGIN SELECT RAISE({how}, 'disk I/O error'); END"
    )


@pytest.mark.parametrize("how", ["ABORT", "ROLLBACK"])
def test_a_file_failing_mid_batch_keeps_the_others_and_nothing_of_it(
    tmp_path: Path, seed_copy: Path, how: str
) -> None:
    paths = sorted(seed_copy.iterdir())
    failing = paths[2]
    expected, _ = _one_by_one(tmp_path, [p for p in paths if p != failing])
    heard: list[Changes] = []
    with _open(tmp_path) as lib:
        lib.subscribe(heard.append)
        begins = _commits(lib, "BEGIN IMMEDIATE")
        _fail_sighting(lib, failing.name, how)
        results = lib.importer.import_paths([seed_copy])
        assert [r.status for r in results] == ["imported", "imported", "failed", "imported"]
        assert "disk I/O error" in (results[2].error or "")
        assert "nothing from it was kept" in (results[2].error or "")
        assert _on_disk(lib) == expected
        # ROLLBACK lost the first two files' writes too: they were stored again.
        assert len(begins) == (1 if how == "ABORT" else 2)
        assert len(heard) == 1
        assert heard[0].papers == frozenset(i for r in results for i in r.new_ids)
        assert all(r.new_papers == len(r.new_ids) > 0 for r in results if r.ok)


def test_a_file_that_cannot_be_undone_alone_undoes_the_batch_which_is_stored_again(
    tmp_path: Path, seed_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = sorted(seed_copy.iterdir())
    expected, _ = _one_by_one(tmp_path, [paths[0], paths[1], paths[3]])
    with _open(tmp_path) as lib:
        begins = _commits(lib, "BEGIN IMMEDIATE")
        _fail_sighting(lib, paths[2].name)
        conn = lib.db.conn
        # Undoing a file's savepoint fails.
        failing = _FailingConnection(
            conn, lambda sql: sql.startswith("ROLLBACK TO SAVEPOINT"), "disk I/O error"
        )
        monkeypatch.setattr(lib.db, "conn", failing)
        results = lib.importer.import_paths([seed_copy])
        monkeypatch.setattr(lib.db, "conn", conn)
        assert [r.status for r in results] == ["imported", "imported", "failed", "imported"]
        assert len(begins) == 2  # the whole batch was rolled back, then stored again
        assert _on_disk(lib) == expected


def test_a_failed_commit_reports_the_batch_failed_and_keeps_nothing_of_it(
    tmp_path: Path, seed_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = sorted(seed_copy.iterdir())
    expected, _ = _one_by_one(tmp_path, paths[:2])
    heard: list[Changes] = []
    with _open(tmp_path) as lib:
        lib.importer.batch_files = 2
        lib.subscribe(heard.append)
        conn = lib.db.conn
        commits: list[str] = []

        def second_commit(sql: str) -> bool:
            if sql == "COMMIT":
                commits.append(sql)
            return sql == "COMMIT" and len(commits) == 2

        # The second COMMIT fails like a full disk.
        failing = _FailingConnection(conn, second_commit, "database or disk is full")
        monkeypatch.setattr(lib.db, "conn", failing)
        results = lib.importer.import_paths([seed_copy])
        monkeypatch.setattr(lib.db, "conn", conn)
        assert [r.status for r in results] == ["imported", "imported", "failed", "failed"]
        assert all("disk is full" in (r.error or "") for r in results[2:])
        assert not conn.in_transaction
        assert _on_disk(lib) == expected
        assert heard[0].papers == frozenset(i for r in results[:2] for i in r.new_ids)
        # Once the disk has room again, the failed files import completely.
        again = lib.importer.import_paths([seed_copy])
        assert [r.status for r in again] == ["unchanged", "unchanged", "imported", "imported"]


def test_a_single_import_whose_commit_fails_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _open(tmp_path) as lib:
        before = _on_disk(lib)
        conn = lib.db.conn
        failing = _FailingConnection(conn, lambda sql: sql == "COMMIT", "database or disk is full")
        monkeypatch.setattr(lib.db, "conn", failing)
        result = lib.importer.import_text(
            "A Pasted Paper\nIts abstract, long enough to count.", "paste"
        )
        monkeypatch.setattr(lib.db, "conn", conn)
        assert result.status == "failed" and "disk is full" in (result.error or "")
        assert not conn.in_transaction
        assert _tables(conn) == before == _on_disk(lib)


def test_cancel_mid_batch_commits_the_files_done(tmp_path: Path, seed_copy: Path) -> None:
    paths = sorted(seed_copy.iterdir())
    expected, _ = _one_by_one(tmp_path, paths[:2])
    heard: list[Changes] = []
    seen_progress: list[int] = []
    with _open(tmp_path) as lib:
        lib.subscribe(heard.append)
        commits = _commits(lib)
        results = lib.importer.import_paths(
            [seed_copy],
            progress=lambda done, total, name: seen_progress.append(done),
            cancel=lambda: len(seen_progress) > 2,
        )
        assert [r.status for r in results] == ["imported", "imported", "cancelled", "cancelled"]
        assert len(commits) == 1
        assert _on_disk(lib) == expected
        assert len(heard) == 1 and heard[0].library
        assert seen_progress == [0, 1, 2, 3, 4]


def test_an_error_out_of_the_loop_keeps_the_files_done(tmp_path: Path, seed_copy: Path) -> None:
    paths = sorted(seed_copy.iterdir())
    expected, _ = _one_by_one(tmp_path, paths[:2])
    heard: list[Changes] = []

    def progress(done: int, total: int, name: str) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with _open(tmp_path) as lib:
        lib.subscribe(heard.append)
        with pytest.raises(KeyboardInterrupt):
            lib.importer.import_paths([seed_copy], progress=progress)
        assert not lib.db.conn.in_transaction
        assert _on_disk(lib) == expected
        assert len(heard) == 1


def test_listeners_hear_the_import_once_after_it_is_committed(tmp_path: Path, folder: Path) -> None:
    heard: list[dict[str, list[Any]]] = []
    with _open(tmp_path) as lib:
        lib.importer.batch_files = 4
        lib.subscribe(lambda changes: heard.append(_on_disk(lib)))
        lib.importer.import_paths([folder])
        assert heard == [_tables(lib.db.conn)]


def test_a_batch_leaves_the_connection_settings_as_they_were(tmp_path: Path) -> None:
    with _open(tmp_path) as lib:
        pragmas = ("synchronous", "cache_size")
        before = [lib.db.execute(f"PRAGMA {p}").fetchone()[0] for p in pragmas]
        lib.importer.import_paths([SEEDS])
        after = [lib.db.execute(f"PRAGMA {p}").fetchone()[0] for p in pragmas]
        assert after == before == [2, before[1]]  # synchronous=FULL


def test_inside_a_callers_transaction_files_are_savepoints_of_it(tmp_path: Path) -> None:
    paths = sorted(SEEDS.iterdir())
    expected, _ = _one_by_one(tmp_path, paths)
    with _open(tmp_path) as lib:
        with lib.db.atomic():
            results = lib.importer.import_paths([SEEDS])
            assert lib.db.conn.in_transaction
        assert all(r.status == "imported" for r in results)
        assert _on_disk(lib) == expected


def test_single_imports_are_still_one_transaction_each(tmp_path: Path) -> None:
    with _open(tmp_path) as lib:
        commits = _commits(lib)
        for path in sorted(SEEDS.iterdir()):
            lib.importer.import_source(read_digest_file(path))
        lib.importer.import_text("A Pasted Paper\nIts abstract, long enough to count.", "paste")
        assert len(commits) == 5


def test_a_batch_holds_the_write_lock_until_it_commits(tmp_path: Path) -> None:
    """Another writer (the window, on its own connection) waits for the batch: at most about
    import_batch_seconds, since its busy timeout is 30 s; here it is 1 ms, to see the lock."""
    with _open(tmp_path) as lib:
        lib.importer.import_paths([next(SEEDS.glob("000_*"))])
        assert lib.data_dir is not None
        writer = sqlite3.connect(lib.data_dir / DB_FILE, timeout=0.001, isolation_level=None)
        locked: list[bool] = []

        def progress(done: int, total: int, name: str) -> None:
            if done == 2:  # the first file is stored, the batch is open
                try:
                    writer.execute("UPDATE papers SET starred = 1 WHERE id = 1")
                    locked.append(False)
                except sqlite3.OperationalError as exc:
                    locked.append("locked" in str(exc))

        try:
            results = lib.importer.import_paths(sorted(SEEDS.iterdir()), progress=progress)
            assert [r.status for r in results] == ["unchanged"] + ["imported"] * 3
            assert locked == [True]
            writer.execute("UPDATE papers SET starred = 1 WHERE id = 1")  # free again
        finally:
            writer.close()


def test_two_imports_of_one_folder_at_once_store_each_file_once(
    tmp_path: Path, folder: Path, folder_one_by_one: tuple[dict[str, list[Any]], list[Any]]
) -> None:
    """Two connections (the window's background import and `digest-desk import`, say) import
    the same folder at the same time: neither fails, and each file is stored exactly once."""
    paths = sorted(folder.iterdir())
    expected, expected_results = folder_one_by_one
    _open(tmp_path).close()  # create the library before the threads open it
    outcomes: list[list[str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with _open(tmp_path) as lib:
                lib.importer.batch_files = 2
                outcomes.append([r.status for r in lib.importer.import_paths([folder])])
        except BaseException as exc:  # noqa: BLE001 - any failure of the thread is reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    wanted = [r["status"] for r in expected_results]
    for n, status in enumerate(wanted):
        got = sorted(outcome[n] for outcome in outcomes)
        if status == "imported":
            assert got == ["imported", "unchanged"], paths[n].name
        else:
            assert got == [status, status], paths[n].name
    with _open(tmp_path) as lib:
        tables = _tables(lib.db.conn)
    # Which connection stored which file decides the ids; the content is the same.
    assert len(tables["papers"]) == len(expected["papers"])
    assert sorted(r[1:] for r in tables["papers"]) == sorted(r[1:] for r in expected["papers"])
    assert len(tables["sightings"]) == len(expected["sightings"])


@settings(max_examples=400, deadline=None)
@given(st.text(st.characters(blacklist_categories=["Cs"]), max_size=40))
def test_utf8_control_check_agrees_with_strip_controls(text: str) -> None:
    assert utf8_has_controls(text.encode("utf-8")) == (strip_controls(text) != text)


def test_utf8_control_check_on_every_control() -> None:
    for code in [*range(0, 0x20), *range(0x7F, 0xA1), 0xB7, 0x2022]:
        text = f"a{chr(code)}b"
        assert utf8_has_controls(text.encode("utf-8")) == (strip_controls(text) != text), code


class _GrownSince(type(Path())):  # type: ignore[misc]
    """A path whose stat() reports the size it had before something appended to it."""

    def stat(self, *args: Any, **kwargs: Any) -> Any:
        real = super().stat(*args, **kwargs)
        fields = list(real)
        fields[6] = 10  # st_size
        return type(real)(fields)


def test_a_file_that_grew_since_its_size_was_seen_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "grown.txt"
    data = next(SEEDS.glob("000_*")).read_bytes()
    path.write_bytes(data)
    assert read_digest_file(_GrownSince(path)).text == read_digest_file(path).text
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", len(data) - 1)
    with pytest.raises(importer.ImportRefusedError, match="are refused"):
        read_digest_file(_GrownSince(path))

"""The fast snapshot import gives what the plain one gave: the same entries from each record
(against the reader as it was, tests/core/importing/reference_snapshot.py), the same entries
read by worker processes as in one, and the same rows in the library with the indexes built
after the inserts as with them kept all along."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core import store
from desktop.core.importing import arxiv_snapshot, import_writer, snapshot_rows, snapshot_workers
from desktop.core.importing.arxiv_fields import day_month_year
from desktop.core.importing.arxiv_snapshot import (
    SnapshotStats,
    iter_snapshot_entries,
    record_entry,
)
from desktop.core.importing.import_writer import json_names
from desktop.core.importing.snapshot_rows import Chunk, row_entry
from desktop.core.importing.snapshot_workers import iter_snapshot_entries_parallel
from desktop.core.importing.textnorm import OTHER_SPACE, fold_space
from desktop.core.library import Library
from desktop.core.models import ImportResult
from tests.conftest import TODAY
from tests.core.importing import reference_snapshot


def record(n: int, **fields: Any) -> dict[str, Any]:
    """A plain snapshot record, as the real file has them, with ``fields`` changed."""
    base: dict[str, Any] = {
        "id": f"2401.{n:05d}",
        "submitter": "Ada Lovelace",
        "authors": "Ada Lovelace, Alan Turing and Grace Hopper",
        "title": f"A Study of Graph\n  Learning Number {n}",
        "comments": "12 pages, 3 figures",
        "journal-ref": None,
        "doi": None,
        "categories": "cs.LG stat.ML",
        "abstract": f"  We study problem {n} of graph learning at length,\nwith results.\n",
        "versions": [{"version": "v1", "created": "Mon, 1 Jan 2024 10:00:00 GMT"}],
        "update_date": "2024-01-02",
        "authors_parsed": [
            ["Lovelace", "Ada", ""],
            ["Turing", "Alan", ""],
            ["Hopper", "Grace", ""],
        ],
    }
    base.update(fields)
    return base


# Records that take every path of the reader: TeX accents, odd spaces, many versions, a
# withdrawn paper, names the JSON encoder must escape, dates it must not guess, broken fields.
TRICKY: list[Any] = [
    record(1),
    record(
        2,
        title="Strings on the Bo\\\"otes Brane: Sa\\v{s}a's \\emph{View}",
        authors="C. Bal\\'azs, E. L. Berger",
        authors_parsed=[["Bal\\'azs", "C.", ""], ["Berger", "E. L.", "Jr"]],
        abstract="  The \\'etude of $\\alpha$-stable laws\n  and\tTeX \\ss.\n",
    ),
    record(
        3,
        versions=[
            {"version": "v1", "created": "Tue, 2 Jan 2024 18:00:00 GMT"},
            {"version": "v3", "created": "Thu, 3 Oct 2024 12:00:00 GMT"},
            {"version": "v2", "created": "Mon, 8 Apr 2024 09:30:00 GMT"},
        ],
    ),
    record(
        4,
        comments="This paper has been withdrawn by the author",
        abstract="  This paper has been withdrawn by the author due to an error.\n",
        versions=[
            {"version": "v1", "created": "Wed, 3 Jan 2024 10:00:00 GMT"},
            {"version": "v2", "created": "Fri, 5 Jan 2024 10:00:00 GMT"},
        ],
    ),
    record(5, authors_parsed=[["O'Brien", 'Seán "Jack"', ""], ["Back\\slash", "B.", ""]]),
    record(6, authors_parsed=[["Lee", "", ""], ["", "", ""], ["Kim", "J.", "III"], ["Solo"]]),
    record(7, authors_parsed=[["A", "B", ""], 5, ["x", None, ""], {"a": 1}, [], "abc"]),
    record(8, authors_parsed=[[" Spaced ", "  Name", ""], ["Tab\there", "Non\u00a0break", ""]]),
    record(9, authors_parsed=None, authors="A. Smith (MIT), B. Jones and C. Doe et al"),
    record(10, versions=[{"version": "v1", "created": "Mon,  2 Apr 2007 19:18:42 GMT"}]),
    record(11, versions=[{"version": "v1", "created": "2 Apr 07"}], update_date="2007-04-03"),
    record(12, versions=[{"version": "v1", "created": "Mon, 31 Feb 2007 19:18:42 GMT"}]),
    record(13, versions=[{"version": "v1", "created": "Mon, 2 Xyz 2007 3 Jan 2008 GMT"}]),
    record(14, versions=[{"version": "v1", "created": "Mon2, 2 Apr 2007 19:18:42 GMT"}]),
    record(15, versions=[{"version": "v1", "created": "Mon, ٢ Apr 2007 19:18:42 GMT"}]),
    record(16, versions=[], update_date="2024-13-45x"),
    record(17, versions="v1", update_date=20240102),
    record(18, categories="cs.LG cs.LG bad_code math.AG  q-bio.NC"),
    record(19, categories=["cs.LG"], submitter="  Some\n One  ", comments=""),
    record(20, title="12345"),
    record(21, title=""),
    record(22, id="not an id"),
    record(23, id="hep-th/9901001v2", title="Old\u2028Style  Id", abstract=None),
    record(24, abstract="A\u00a0non-breaking\u3000space and\r\nCRLF line ends."),
    record(25, title="x" * 500),
    record(26, **{"journal-ref": "Phys.Rev.D76:013009,2007", "authors": None}),
    record(1, title="A Study of Graph Learning Number 1, revised"),  # the same id again
    record(27, title="A Study of Graph\n  Learning Number 3"),  # another id, a known title
    record(28, title="Daily Papers"),
    ["not", "an", "object"],
    record(29, authors_parsed=[["Müller", "Jürgen", ""], ["Tanaka", "Yuki", ""]]),
    record(30, title="Control\x07character and \x00 nul"),
]


def snapshot_lines() -> list[str]:
    lines = [json.dumps(r, ensure_ascii=n % 2 == 0) for n, r in enumerate(TRICKY)]
    lines.insert(3, "not json at all")
    lines.insert(5, "")
    lines.insert(7, "\ufeff" + json.dumps(record(40)))
    lines.insert(9, "[" * 100_000 + "]" * 100_000)  # nested too deeply
    return lines


@pytest.fixture
def tricky(tmp_path: Path) -> Path:
    path = tmp_path / "tricky.jsonl"
    path.write_text("\n".join(snapshot_lines()) + "\n", encoding="utf-8")
    return path


def test_each_record_gives_the_entry_the_old_reader_gave() -> None:
    for n, rec in enumerate(TRICKY):
        assert record_entry(rec, n, n) == reference_snapshot.record_entry(rec, n, n), rec


_names = st.lists(
    st.lists(st.one_of(st.text(max_size=12), st.none(), st.integers()), max_size=4), max_size=5
)


@settings(max_examples=300, deadline=None)
@given(parsed=_names, title=st.text(max_size=40), abstract=st.text(max_size=80))
def test_any_record_gives_the_entry_the_old_reader_gave(
    parsed: list[Any], title: str, abstract: str
) -> None:
    rec = record(1, authors_parsed=parsed, title=title or "t", abstract=abstract)
    assert record_entry(rec, 1, 1) == reference_snapshot.record_entry(rec, 1, 1)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_fold_space_folds_as_split_and_join(text: str) -> None:
    assert fold_space(text) == " ".join(text.split())
    wrapped = "  " + text.replace(" ", "\n") + "\n"
    assert fold_space(wrapped) == " ".join(wrapped.split())


# Words, every kind of whitespace and a control character that is not whitespace (\x01 fails
# isprintable but stays a word's part): the wrapped text's fast path must tell them apart.
_SPACED = st.text(
    alphabet=st.sampled_from(["a", "é", " ", "\n", "\x01", *OTHER_SPACE]), max_size=30
)


@settings(max_examples=500, deadline=None)
@given(_SPACED)
def test_wrapped_text_folds_as_split_and_join(text: str) -> None:
    for wrapped in (text, "  " + text + "\n", "x\n" + text + "\ny"):
        assert fold_space(wrapped) == " ".join(wrapped.split())


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(max_size=8), max_size=5))
def test_json_names_is_the_json_of_the_list(names: list[str]) -> None:
    assert json_names(tuple(names)) == json.dumps(names, ensure_ascii=False)


_stamp = st.builds(
    lambda day, month, year, rest: f"Mon, {day} {month} {year} {rest}",
    st.sampled_from(["1", "01", "31", "29", "٢", "123", "x"]),
    st.sampled_from(["Jan", "Feb", "jan", "Xyz", "Ma1", "Sept", "Déc"]),
    st.sampled_from(["2007", "07", "1991", "٢٠٠٧", "20071"]),
    st.text(max_size=14),
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(_stamp, st.text(max_size=30)))
def test_created_dates_are_read_as_the_pattern_reads_them(text: str) -> None:
    assert arxiv_snapshot.created_date(text) == day_month_year(text)


def entries_and_skips(path: Path, **parallel: Any) -> tuple[list[Any], Any, Any]:
    stats = SnapshotStats()
    seen: list[tuple[int, int | None]] = []
    if parallel:
        found = list(
            iter_snapshot_entries_parallel(
                path, lambda d, t: seen.append((d, t)), stats, **parallel
            )
        )
    else:
        found = list(iter_snapshot_entries(path, lambda d, t: seen.append((d, t)), stats))
    return found, (stats.skipped, stats.reasons), seen[-1]


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The reader's ranges read by threads, so that what the test patches applies to them."""
    monkeypatch.setattr(
        snapshot_workers, "ProcessPoolExecutor", lambda max_workers, **_: ThreadPoolExecutor(2)
    )
    yield


@pytest.mark.parametrize("range_bytes", [1, 7, 64, 333, 4096, 1 << 20])
def test_ranges_read_apart_give_the_entries_read_in_one_pass(
    tricky: Path, threads: None, range_bytes: int
) -> None:
    assert entries_and_skips(tricky, workers=2, range_bytes=range_bytes) == entries_and_skips(
        tricky
    )


@pytest.mark.parametrize("range_bytes", [1, 50, 100, 150, 1000])
def test_over_long_lines_are_skipped_alike_across_ranges(
    tmp_path: Path, threads: None, monkeypatch: pytest.MonkeyPatch, range_bytes: int
) -> None:
    monkeypatch.setattr(arxiv_snapshot, "MAX_LINE_BYTES", 120)
    monkeypatch.setattr(snapshot_workers, "MAX_LINE_BYTES", 120)
    short = json.dumps({"id": "2401.00001", "title": "Short"})
    long = json.dumps({"id": "2401.00002", "title": "L" * 400})
    path = tmp_path / "long.jsonl"
    for text in (
        f"{short}\n{long}\n{short}\n",
        f"{long}\n{long}\n{short}",
        f"{short}\n{'x' * 120}\n{'y' * 121}\n{long}",
        "",
    ):
        path.write_text(text, encoding="utf-8")
        got = entries_and_skips(path, workers=3, range_bytes=range_bytes)
        assert got == entries_and_skips(path), text[:40]


def test_worker_processes_read_a_snapshot_as_one_process_does(tricky: Path) -> None:
    assert entries_and_skips(tricky, workers=2, range_bytes=256) == entries_and_skips(tricky)


def library_rows(lib: Library) -> dict[str, Any]:
    """Every row of papers, sightings and digests (import times left out), and the schema."""
    conn = lib.db.conn
    columns = [r[1] for r in conn.execute("PRAGMA table_info(papers)")]
    kept = [c for c in columns if c not in ("added_at", "updated_at")]
    return {
        "papers": conn.execute(f"SELECT {', '.join(kept)} FROM papers ORDER BY id").fetchall(),
        "sightings": conn.execute("SELECT * FROM sightings ORDER BY 1, 2").fetchall(),
        "digests": conn.execute(
            "SELECT id, name, sha256, layout, encoding, entries, new_papers, known_papers, "
            "updated_papers, skipped_blocks, format FROM digests ORDER BY id"
        ).fetchall(),
        "schema": conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
        ).fetchall(),
        "integrity": conn.execute("PRAGMA integrity_check").fetchall(),
    }


def imported(tmp_path: Path, snapshot: Path, name: str, *, fast: bool) -> dict[str, Any]:
    """A library with two digests and the snapshot imported, the plain way or the fast way."""
    with Library.open(tmp_path / name, backups=False) as lib:
        lib.today = lambda: TODAY
        lib.importer.import_text(  # a paper known by its title, which the snapshot gives an id
            "A Study of Graph Learning Number 3\n\nAn abstract copied from a listing earlier, "
            "long enough to be believed as one on its own without metadata.\n",
            "earlier",
        )
        lib.importer.import_text(  # a paper already known by its id
            "arXiv:2401.00005\nA Known Paper\n\nIts abstract, copied from a listing earlier, "
            "long enough to be believed as one on its own without metadata at all.\n",
            "by id",
        )
        lib.importer.snapshot_readers = 2 if fast else 0
        (result,) = lib.importer.import_paths([snapshot])
        assert result.status == "imported"
        return library_rows(lib)


def through_entries(
    self: import_writer.ImportWriter,
    digest_id: int,
    chunks: list[Chunk],
    stamp: str,
    result: ImportResult,
) -> None:
    """ImportWriter._write_rows the plain way: every batch stored as entries (the general
    path of digests), never the readers' rows as they are."""
    entries = [row_entry(r, lines, at) for part, lines, at in chunks for r in part]
    self._write_entries(digest_id, entries, stamp, result)  # noqa: SLF001


def test_the_fast_import_stores_the_rows_the_plain_one_stores(
    tmp_path: Path, tricky: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many batches; one record in every six a repeat of an earlier one (by id or by title).
    lines = snapshot_lines()
    big = [line for _ in range(3) for line in lines] + [
        json.dumps(record(100 + n)) for n in range(300)
    ]
    snapshot = tmp_path / "big.jsonl"
    snapshot.write_text("\n".join(big) + "\n", encoding="utf-8")
    monkeypatch.setattr(import_writer, "SNAPSHOT_BATCH", 16)
    monkeypatch.setattr(import_writer, "RECOUNT_AFTER_SNAPSHOT", False)  # the trigger counts
    # The plain way stores every batch as entries (the general path of digests), never the
    # readers' rows as they are.
    rows_path = import_writer.ImportWriter._write_rows  # noqa: SLF001 - put back below

    monkeypatch.setattr(import_writer.ImportWriter, "_write_rows", through_entries)
    plain = imported(tmp_path, snapshot, "plain", fast=False)
    monkeypatch.setattr(import_writer.ImportWriter, "_write_rows", rows_path)
    monkeypatch.setattr(import_writer, "RECOUNT_AFTER_SNAPSHOT", True)
    monkeypatch.setattr(import_writer, "DEFER_INDEXES_MIN_PAPERS", 0)
    monkeypatch.setattr(snapshot_workers, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(snapshot_workers, "RANGE_BYTES", 1000)
    dropped: list[str] = []
    real = store.rebuildable_indexes

    def spy(conn: sqlite3.Connection) -> list[tuple[str, str]]:
        found = real(conn)
        dropped.extend(name for name, _ in found)
        return found

    monkeypatch.setattr(store, "rebuildable_indexes", spy)
    fast = imported(tmp_path, snapshot, "fast", fast=True)
    assert sorted(dropped) == sorted(store.SCATTERED_INDEXES)  # built again after the inserts
    assert fast == plain
    assert len(plain["papers"]) > 300 and plain["integrity"] == [("ok",)]


def overlapping_imports(tmp_path: Path, name: str, *, recount: bool) -> dict[str, Any]:
    """Two snapshots that share papers (by id, by title) and repeat lines, the second into a
    library holding the first and a digest: the digest counts by trigger or by one recount."""
    first = tmp_path / "first.jsonl"
    if not first.exists():
        first.write_text("\n".join(json.dumps(record(n)) for n in range(1, 60)) + "\n")
        second = [record(n) for n in range(40, 120)]  # 40..59 known, by id
        second += [record(200, title=record(7)["title"], id="2401.90007")]  # a title, 2 ids
        second += [record(n) for n in (45, 100, 101)]  # repeats within the file
        (tmp_path / "second.jsonl").write_text("\n".join(json.dumps(r) for r in second) + "\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(import_writer, "RECOUNT_AFTER_SNAPSHOT", recount)
        patch.setattr(import_writer, "SNAPSHOT_BATCH", 7)
        with Library.open(tmp_path / name, backups=False) as lib:
            lib.today = lambda: TODAY
            lib.importer.snapshot_readers = 0
            lib.importer.import_text(
                "A Study of Graph Learning Number 110\n\nAn abstract copied from a listing, "
                "long enough to be believed as one on its own without metadata.\n",
                "earlier",
            )
            results = lib.importer.import_paths([first, tmp_path / "second.jsonl"])
            assert [r.status for r in results] == ["imported", "imported"]
            rows = library_rows(lib)
            rows["counted"] = lib.db.execute(
                "SELECT p.id FROM papers AS p WHERE p.digest_count != "
                "(SELECT COUNT(*) FROM sightings AS s WHERE s.paper_id = p.id)"
            ).fetchall()
            rows["twice"] = lib.db.execute(
                "SELECT COUNT(*) FROM papers WHERE digest_count = 2"
            ).fetchone()
            return rows


def test_digest_counts_set_after_a_snapshot_are_the_ones_the_trigger_sets(
    tmp_path: Path,
) -> None:
    by_trigger = overlapping_imports(tmp_path, "trigger", recount=False)
    recounted = overlapping_imports(tmp_path, "recount", recount=True)
    assert recounted == by_trigger
    assert by_trigger["counted"] == [] and by_trigger["twice"] == (21,)
    assert by_trigger["integrity"] == [("ok",)]


def read_in_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots read by range (threads), many batches, indexes dropped whenever they may be."""
    monkeypatch.setattr(
        snapshot_workers, "ProcessPoolExecutor", lambda max_workers, **_: ThreadPoolExecutor(2)
    )
    monkeypatch.setattr(snapshot_workers, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(snapshot_workers, "RANGE_BYTES", 2000)
    monkeypatch.setattr(import_writer, "SNAPSHOT_BATCH", 20)
    monkeypatch.setattr(import_writer, "DEFER_INDEXES_MIN_PAPERS", 0)


def test_indexes_dropped_for_a_bulk_import_come_back_when_it_fails_or_is_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = tmp_path / "s.jsonl"
    snapshot.write_text("\n".join(json.dumps(record(n)) for n in range(200)) + "\n")
    read_in_ranges(monkeypatch)
    with Library.open(tmp_path / "lib", backups=False) as lib:
        before = library_rows(lib)
        dropped: list[str] = []
        real = store.rebuildable_indexes

        def spy(conn: sqlite3.Connection) -> list[tuple[str, str]]:
            found = real(conn)
            dropped.extend(name for name, _ in found)
            return found

        monkeypatch.setattr(store, "rebuildable_indexes", spy)
        calls = iter(range(100))
        (result,) = lib.importer.import_paths([snapshot], cancel=lambda: next(calls) > 4)
        assert result.status == "cancelled"
        assert sorted(dropped) == sorted(store.SCATTERED_INDEXES)
        assert library_rows(lib) == before

        def broken(*_args: object) -> None:
            raise OSError("disk gone")

        monkeypatch.setattr(lib.importer, "_record_counts", broken)
        (result,) = lib.importer.import_paths([snapshot])
        assert result.status == "failed"
        assert library_rows(lib) == before
        monkeypatch.undo()
        read_in_ranges(monkeypatch)
        (result,) = lib.importer.import_paths([snapshot])
        assert result.status == "imported" and result.new_papers == 200
        assert library_rows(lib)["schema"] == before["schema"]


def test_a_small_import_into_a_large_library_keeps_its_indexes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_in_ranges(monkeypatch)
    first = tmp_path / "a.jsonl"
    first.write_text("\n".join(json.dumps(record(n)) for n in range(1, 401)) + "\n")
    second = tmp_path / "b.jsonl"
    second.write_text("\n".join(json.dumps(record(n)) for n in range(1000, 1050)) + "\n")
    dropped: list[int] = []
    real = store.rebuildable_indexes

    def spy(conn: sqlite3.Connection) -> list[tuple[str, str]]:
        dropped.append(1)
        return real(conn)

    monkeypatch.setattr(store, "rebuildable_indexes", spy)
    with Library.open(tmp_path / "lib", backups=False) as lib:
        lib.importer.import_paths([first])
        assert dropped == [1]  # 380 to come after the first 20, into a library of 20
        lib.importer.import_paths([second])
        assert dropped == [1]  # 30 to come, into a library of 420
        assert lib.papers.count() == 450


def test_rebuildable_indexes_are_the_sort_indexes_and_rebuild_the_same(tmp_path: Path) -> None:
    with Library.open(tmp_path / "lib", backups=False) as lib:
        conn = lib.db.conn
        schema = library_rows(lib)["schema"]
        found = store.rebuildable_indexes(conn)
        assert [name for name, _ in found] == list(store.SCATTERED_INDEXES)  # all exist
        assert store.rebuildable_indexes(conn, ("papers_arxiv_id", "no_such_index")) == []
        with conn:
            for name, _ in found:
                conn.execute(f'DROP INDEX "{name}"')
            for _, statement in found:
                conn.execute(statement)
        assert library_rows(lib)["schema"] == schema


def test_untraced_statements_skip_the_hook_which_comes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core import instance_lock

    turns: list[Path] = []
    monkeypatch.setattr(instance_lock, "pass_turn", turns.append)
    db = store.connect(tmp_path / "library.sqlite3")
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.execute("ROLLBACK")
        assert turns == [tmp_path]
        with store.untraced(db):
            db.conn.execute("BEGIN IMMEDIATE")
            db.conn.execute("ROLLBACK")
        assert turns == [tmp_path]
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.execute("ROLLBACK")
        assert turns == [tmp_path, tmp_path]
    finally:
        db.conn.close()


@given(st.lists(st.lists(st.sampled_from(["cs.LG", "stat.ML", 'a"b', "x\\y", "\x07"]))))
def test_json_categories_is_json_names_remembered(lists: list[list[str]]) -> None:
    for names in lists + lists:
        assert import_writer.json_categories(tuple(names)) == json_names(tuple(names))


def test_new_papers_under_disambiguated_keys_and_huge_numbers_store_as_the_plain_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of papers all new, some with a title another id holds (stored under a key made
    unique with the id), and integers too large for SQLite: the rows bound as they stand give
    the rows the general path of digests gives."""
    records = [record(n) for n in range(1, 121)]
    for n in range(39, 120, 40):  # the title of the paper before, under another id
        records[n] = record(n + 1, title=records[n - 1]["title"])
    records[33] = record(34, versions=[{"version": "v" + "9" * 30}])
    snapshot = tmp_path / "dup-titles.jsonl"
    snapshot.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    monkeypatch.setattr(import_writer, "SNAPSHOT_BATCH", 16)
    monkeypatch.setattr(import_writer, "RECOUNT_AFTER_SNAPSHOT", False)

    with monkeypatch.context() as patch:
        patch.setattr(import_writer.ImportWriter, "_write_rows", through_entries)
        plain = imported(tmp_path, snapshot, "plain", fast=False)
    paths: list[str] = []
    real_insert = vars(import_writer.ImportWriter)["_insert_new_rows"]

    def insert_new_rows(writer: Any, digest_id: int, chunks: Any, rows: Any, *a: Any) -> bool:
        conn = writer.ctx.db.conn
        (before,) = conn.execute("SELECT COALESCE(MAX(id), 0) FROM papers").fetchone()
        stored = real_insert(writer, digest_id, chunks, rows, *a)
        keys = [k for (k,) in conn.execute("SELECT title_key FROM papers WHERE id > ?", [before])]
        if not stored:
            assert keys == []  # the rows inserted before the one that failed are gone
            paths.append("general")
        else:
            as_read = keys == [r[snapshot_rows.TITLE_KEY] for r in rows]
            paths.append("as read" if as_read else "unique")
        return stored

    monkeypatch.setattr(import_writer.ImportWriter, "_insert_new_rows", insert_new_rows)
    monkeypatch.setattr(import_writer, "DEFER_INDEXES_MIN_PAPERS", 0)
    monkeypatch.setattr(import_writer, "RECOUNT_AFTER_SNAPSHOT", True)
    fast = imported(tmp_path, snapshot, "fast", fast=False)
    assert fast == plain
    # Every way a batch can go was taken: all new as they stand, new with some under a
    # unique key, and known papers (the two digests imported before) by the general path.
    assert {"as read", "unique", "general"} <= set(paths)
    keys = [r[2] for r in plain["papers"]]
    assert sum("#" in key for key in keys) == 3
    conn = sqlite3.connect(tmp_path / "fast" / "library.sqlite3")
    try:
        huge = conn.execute(
            "SELECT arxiv_id, arxiv_version FROM papers WHERE arxiv_id = '2401.00034'"
        ).fetchall()
    finally:
        conn.close()
    assert huge == [("2401.00034", None)]  # a version too large for SQLite


def json_line_values(raw: bytes, number: int, position: int) -> Any:
    """line_values as it read every line before orjson: decoded with replacement, stripped,
    the json module."""
    text = raw.decode("utf-8", errors="replace").strip().lstrip("\ufeff")
    if not text:
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return arxiv_snapshot.NOT_JSON
    except RecursionError:
        return "a line nested too deeply"
    return arxiv_snapshot.record_values(parsed, number, position)


EDGE_LINES = [
    *(json.dumps(r, ensure_ascii=n % 2 == 0).encode() for n, r in enumerate(TRICKY)),
    b"",
    b"   \r\n",
    b"\xef\xbb\xbf" + json.dumps(record(41)).encode(),  # a BOM
    json.dumps(record(42, title="Caf\u00e9 au lait")).encode("latin-1", "replace"),  # not UTF-8
    json.dumps(record(43)).encode().replace(b'"Ada Lovelace"', b'"Ada \xff Lovelace"'),
    json.dumps(record(44, comments=10**40, submitter=-(2**70))).encode(),  # over 64 bits
    json.dumps(record(45, comments=float("nan"), submitter=1e300)).encode(),
    json.dumps(record(46)).encode().replace(b'"12 pages', b'1e400, "x": "12 pages'),
    json.dumps(record(47, title="Lone \ud800 surrogate")).encode("utf-8", "surrogatepass"),
    json.dumps(record(48)).encode().replace(b'"12 pages', b'"\\ud800 12 pages'),
    json.dumps(record(49)).encode() + b"\x0c",  # whitespace JSON does not allow
    b"\x0c" + json.dumps(record(50)).encode(),
    json.dumps(record(51)).encode() + b" trailing",
    b"[" * 2000 + b"]" * 2000,
    b'{"id": ' + b"[" * 2000 + b"]" * 2000 + b"}",
    b"[1, 2, 3]",
    b'"just a string"',
    b"null",
    json.dumps(record(52)).encode()[:-1],  # cut short
    b'{"id": "2401.00053", "id": "2401.00054", "title": "Twice an id, the last one kept"}',
]


def test_each_line_gives_what_the_json_module_gave() -> None:
    for raw in EDGE_LINES:
        for line in (raw, raw + b"\n", raw + b"\r\n"):
            assert arxiv_snapshot.line_values(line, 3, 2) == json_line_values(line, 3, 2), line


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    fields=st.dictionaries(
        st.sampled_from(["authors", "submitter", "comments", "versions", "authors_parsed", "x"]),
        _json,
    ),
    ascii_only=st.booleans(),
)
def test_any_line_gives_what_the_json_module_gave(fields: dict[str, Any], ascii_only: bool) -> None:
    raw = json.dumps(record(1, **fields), ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert arxiv_snapshot.line_values(raw, 1, 1) == json_line_values(raw, 1, 1)


@settings(max_examples=300, deadline=None)
@given(
    held=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d", "a#1", "b#2", "e#4"]),
            st.sampled_from([None, "1", "2", "3", "9"]),
        ),
        max_size=5,
        unique_by=(lambda h: h[0], lambda h: h[1] or object()),
    ),
    batch=st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "3", "4", "5"]), st.sampled_from(["a", "b", "c", "e"])
        ),
        max_size=6,
    ),
)
def test_the_new_paper_insert_stores_what_match_keys_gives_new_papers(
    held: list[tuple[str, str | None]], batch: list[tuple[str, str]]
) -> None:
    """The snapshot's new-paper INSERT (identity.stored_key_sql) stores a batch whose
    entries match_keys makes all new papers, under match_keys' keys, and fails on a row of
    any other batch; deleting the rows it stored before that leaves the library as it was."""
    from desktop.core.importing.identity import match_keys

    with Library.in_memory() as lib:
        conn = lib.db.conn
        for n, (key, aid) in enumerate(held):
            conn.execute(
                "INSERT INTO papers (title, title_key, abstract, added_at, updated_at, arxiv_id) "
                "VALUES (?, ?, '', 'now', 'now', ?)",
                [f"title {n}", key, aid],
            )
        table = "SELECT id, title_key, arxiv_id FROM papers ORDER BY id"
        before = conn.execute(table).fetchall()
        ids: list[str | None] = [aid for aid, _ in batch]
        keys = [key for _, key in batch]
        matches = match_keys(lib.db, ids, keys)
        everything_new = all(m.paper is None and m.same_as is None for m in matches)
        blank = {"abstract": "", "authors": "[]", "categories": "[]"}
        rows = [
            tuple(
                {**blank, "title": key, "title_key": key, "arxiv_id": aid}.get(column)
                for column in snapshot_rows.NEW_PAPER_COLUMNS
            )
            for aid, key in batch
        ]
        first = len(before) + 1
        try:
            conn.executemany(import_writer.new_paper_insert("now"), rows)
        except sqlite3.IntegrityError:
            assert not everything_new
            conn.execute("DELETE FROM papers WHERE id >= ?", [first])
            assert conn.execute(table).fetchall() == before
        else:
            assert everything_new
            stored = conn.execute("SELECT title_key FROM papers WHERE id >= ?", [first])
            assert [k for (k,) in stored] == [m.title_key for m in matches]

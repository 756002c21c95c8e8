"""Full-text search over the library: ranking, filters, snippets, sync and recovery."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.library import Library
from desktop.core.models import Changes, PaperId
from desktop.core.search.documents import INDEX_NAME
from desktop.core.search.index import RebuildCancelledError, build_index
from desktop.core.search.query import parse_query
from desktop.core.search.results import MARK_END, MARK_START, split_marked, strip_marks
from tests.conftest import SEEDS, TODAY


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _titles(lib: Library, ids: list[PaperId]) -> dict[int, str]:
    return {p.id: p.title for p in lib.papers.many(ids, with_sightings=False)}


def _all(lib: Library) -> list[tuple[int, str, str]]:
    return [tuple(r) for r in lib.db.execute("SELECT id, title, abstract FROM papers")]


def _generation(lib: Library) -> int:
    return int(lib.index.generation)


@pytest.fixture(scope="module")
def memlib() -> Iterator[Library]:
    """One in-memory seeded library shared by the read-only tests of this module."""
    library = Library.in_memory()
    library.today = lambda: TODAY
    assert all(r.ok for r in library.importer.import_paths([SEEDS]))
    yield library
    library.close()


# -- the seeds are searchable ----------------------------------------------------------------
def test_diskgnn_finds_that_paper_first(seeded: Library) -> None:
    results = seeded.index.search("DiskGNN")
    assert results.hits
    assert results.hits[0].title.startswith("DiskGNN:")
    assert results.notice is None and not results.fallback


def test_a_title_phrase_finds_only_papers_whose_title_holds_it(memlib: Library) -> None:
    results = memlib.index.search('title:"video generation"', limit=None)
    expected = {pid for pid, title, _ in _all(memlib) if "video generation" in _norm(title)}
    assert expected
    assert set(results.ids) == expected


def test_a_phrase_matches_only_the_exact_words_in_order(memlib: Library) -> None:
    results = memlib.index.search('"large language models"', limit=None)
    texts = {pid: _norm(t + " . " + a) for pid, t, a in _all(memlib)}
    assert results.hits
    assert all("large language models" in texts[pid] for pid in results.ids)
    expected = {pid for pid, text in texts.items() if "large language models" in text}
    assert set(results.ids) == expected


def test_plain_words_must_all_match(memlib: Library) -> None:
    results = memlib.index.search("graph sampling", limit=None)
    assert results.hits
    for pid, title, abstract in _all(memlib):
        words = set(_norm(title + " " + abstract).split())
        assert (pid in results.ids) == ({"graph", "sampling"} <= words)


def test_title_matches_rank_above_abstract_matches(memlib: Library) -> None:
    results = memlib.index.search("diffusion", limit=None)
    in_title = ["diffusion" in _norm(h.title).split() for h in results.hits]
    assert sum(in_title) >= 3 and not all(in_title)
    # every paper with the word in its title comes before every abstract-only match
    assert in_title == sorted(in_title, reverse=True)


def test_or_not_minus_and_prefix(memlib: Library) -> None:
    texts = {pid: set(_norm(t + " " + a).split()) for pid, t, a in _all(memlib)}
    either = set(memlib.index.search("diskgnn OR moccasin", limit=None).ids)
    assert either == {p for p, w in texts.items() if {"diskgnn", "moccasin"} & w}
    assert len(either) == 2
    without = set(memlib.index.search("graph -neural", limit=None).ids)
    assert without == {p for p, w in texts.items() if "graph" in w and "neural" not in w}
    assert without == set(memlib.index.search("graph NOT neural", limit=None).ids)
    # Exclusions combine with a phrase exclusion and a state filter.
    memlib.triage.set_read(sorted(without)[::2])
    unread = set(memlib.index.search('is:unread graph -neural -"deep learning"', limit=None).ids)
    read = set(memlib.views.ids("all")) - set(memlib.index.search("is:unread", limit=None).ids)
    phrased = {p for p, t, a in _all(memlib) if " deep learning " in f" {_norm(t)} {_norm(a)} "}
    assert unread == without - read - phrased
    assert unread and phrased & without
    prefix = set(memlib.index.search("quantiz*", limit=None).ids)
    assert prefix == {p for p, w in texts.items() if any(x.startswith("quantiz") for x in w)}


def test_snippets_mark_the_matched_words(memlib: Library) -> None:
    hit = memlib.index.search("offline sampling").hits[0]
    parts = split_marked(hit.snippet)
    marked = {text.lower() for text, is_match in parts if is_match}
    assert marked == {"offline", "sampling"}
    assert "".join(text for text, _ in parts) == strip_marks(hit.snippet)
    assert MARK_START not in strip_marks(hit.snippet) and MARK_END not in strip_marks(hit.snippet)


def test_snippet_markers_in_imported_text_are_removed(lib: Library) -> None:
    lib.importer.import_text(
        f"Marker {MARK_START}Paper{MARK_END} Title\n\nAn abstract about zebras.", "m"
    )
    hit = lib.index.search("zebras").hits[0]
    assert [t for t, m in split_marked(hit.snippet) if m] == ["zebras"]


def test_no_match_offers_a_spelling_suggestion(memlib: Library) -> None:
    results = memlib.index.search("lnaguage")
    assert not results.hits
    assert results.suggestion == "language"
    assert memlib.index.search(results.suggestion).hits


def test_limit_caps_the_hits(memlib: Library) -> None:
    assert len(memlib.index.search("model", limit=3)) == 3
    assert len(memlib.index.search("model", limit=0)) == 0
    everything = memlib.index.search("model", limit=None)
    assert len(everything) > 100
    assert everything.ids[:3] == memlib.index.search("model", limit=3).ids


# -- filters and state -----------------------------------------------------------------------
def test_state_filters_combine_with_text(seeded: Library) -> None:
    graph = seeded.index.search("graph", limit=None).ids
    assert len(graph) >= 6
    seeded.triage.set_read(graph[:3])
    seeded.triage.set_starred([graph[1], graph[4]])
    seeded.triage.set_queued([graph[5]])
    seeded.triage.set_archived([graph[2]])
    assert seeded.index.search("graph is:read", limit=None).ids == graph[:3]
    assert seeded.index.search("graph is:unread", limit=None).ids == graph[3:]
    assert seeded.index.search("is:unread graph", limit=None).ids == graph[3:]
    assert seeded.index.search("graph -is:read", limit=None).ids == graph[3:]
    assert seeded.index.search("graph is:starred", limit=None).ids == [graph[1], graph[4]]
    assert seeded.index.search("graph is:starred is:read", limit=None).ids == [graph[1]]
    assert seeded.index.search("graph is:queued", limit=None).ids == [graph[5]]
    assert seeded.index.search("graph is:archived", limit=None).ids == [graph[2]]
    assert seeded.index.search("graph (is:archived OR is:queued)", limit=None).ids == [
        graph[2],
        graph[5],
    ]
    # a filter alone lists its papers
    assert set(seeded.index.search("is:starred", limit=None).ids) == {graph[1], graph[4]}


def test_state_changes_do_not_write_the_index(seeded: Library) -> None:
    before = _generation(seeded)
    seeded.triage.set_read([1, 2, 3])
    seeded.triage.set_starred([4])
    assert _generation(seeded) == before
    assert 4 in seeded.index.search("is:starred").ids


def test_date_and_digest_filters(memlib: Library) -> None:
    published = dict(memlib.db.execute("SELECT id, published FROM papers").fetchall())
    year = memlib.index.search("model year:2024", limit=None).ids
    assert year and all((published[i] or "").startswith("2024") for i in year)
    assert set(year) < set(memlib.index.search("model", limit=None).ids)
    after = memlib.index.search("model after:2024-06-01", limit=None).ids
    before = memlib.index.search("model before:2024-06-01", limit=None).ids
    assert after and before
    assert all(published[i] >= "2024-06-01" for i in after)
    assert all(published[i] < "2024-06-01" for i in before)
    digest = memlib.digests.all()[1]
    in_digest = set(memlib.views.ids(f"digest:{digest.id}"))
    found = memlib.index.search(f"model digest:{digest.name[:8]}", limit=None).ids
    assert found and set(found) <= in_digest
    assert set(memlib.index.search(f"digest:{digest.id}", limit=None).ids) >= in_digest


# -- malformed queries -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "plain"),
    [
        ('"graph neural', "graph neural"),
        ("(graph", "graph"),
        ("graph OR", "graph"),
        ("foo:graph", "foo graph"),
        ("NOT", ""),
    ],
)
def test_malformed_queries_answer_plain_words_with_a_notice(
    memlib: Library, query: str, plain: str
) -> None:
    results = memlib.index.search(query, limit=None)
    assert results.notice
    assert results.ids == memlib.index.search(plain, limit=None).ids


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.lists(
            st.sampled_from(
                [
                    "graph",
                    "model",
                    '"',
                    "(",
                    ")",
                    "OR",
                    "NOT",
                    "-",
                    "*",
                    "title:",
                    "is:read",
                    "tag:",
                    "year:2024",
                    "after:",
                    "x:",
                    "\\",
                    "%",
                    "_",
                ]
            ),
            max_size=10,
        ).map(" ".join),
    )
)
def test_any_string_returns_results_or_a_notice(memlib: Library, query: str) -> None:
    results = memlib.index.search(query, limit=5)
    assert len(results) <= 5
    assert len(set(results.ids)) == len(results.ids)
    if parse_query(query).degraded:
        assert results.notice  # a malformed query says what happened
    assert not results.fallback
    for hit in results.hits:
        assert strip_marks(hit.snippet) == "".join(t for t, _ in split_marked(hit.snippet))


# -- related ----------------------------------------------------------------------------------
def test_related_papers_exclude_the_paper_itself(memlib: Library) -> None:
    diffusion = memlib.index.search("title:diffusion", limit=None).ids
    results = memlib.index.related(diffusion[0])
    assert 0 < len(results) <= 10
    assert diffusion[0] not in results.ids
    # papers on the same subject come first
    assert sum(1 for i in results.ids[:5] if i in diffusion) >= 2


def test_related_of_an_unknown_paper_is_a_notice(memlib: Library) -> None:
    results = memlib.index.related(999_999)
    assert not results.hits and results.notice


# -- incremental indexing ------------------------------------------------------------------------
NEW_DIGEST = """Quokka Search: Indexing Marsupials at Scale

We index marsupial sightings with a new zorbification method.

Wombat Retrieval Is All You Need

A study of wombat retrieval with zorbification as baseline.
"""


def test_importing_writes_only_new_papers(seeded: Library) -> None:
    result = seeded.importer.import_text(NEW_DIGEST, "marsupials")
    assert result.new_papers == 2
    assert seeded.index.last_written == 2
    assert set(seeded.index.search("zorbification").ids) == set(result.new_ids)
    # The same digest with a trailing newline is the same digest: nothing is written again.
    again = seeded.importer.import_text(NEW_DIGEST + "\n", "marsupials again")
    assert again.status == "unchanged" and again.new_papers == 0
    assert seeded.index.last_written == 2
    # A different digest holding the same papers writes none of them to the index.
    other = seeded.importer.import_text("Daily Papers\n\n" + NEW_DIGEST, "marsupials, other copy")
    assert other.status == "imported" and other.new_papers == 0
    assert seeded.index.last_written == 0


def test_a_changed_abstract_is_reindexed(seeded: Library) -> None:
    seeded.importer.import_text(NEW_DIGEST, "marsupials")
    changed = NEW_DIGEST.replace("new zorbification method", "novel platypusification method")
    result = seeded.importer.import_text(changed, "marsupials v2")
    assert result.updated_papers == 1
    assert seeded.index.last_written == 1
    assert seeded.index.search("platypusification").ids == result.updated_ids
    assert result.updated_ids[0] not in seeded.index.search("zorbification").ids


def _annotation_tables(db: object) -> None:
    """The annotation tables, as their migration creates them (when it has not run)."""
    lib_db = db
    lib_db.execute(  # type: ignore[attr-defined]
        "CREATE TABLE IF NOT EXISTS notes (paper_id INTEGER PRIMARY KEY, body TEXT NOT NULL, "
        "updated_at TEXT NOT NULL)"
    )
    lib_db.execute(  # type: ignore[attr-defined]
        "CREATE TABLE IF NOT EXISTS highlights (id INTEGER PRIMARY KEY, paper_id INTEGER NOT "
        'NULL, field TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, quote TEXT '
        "NOT NULL, prefix TEXT NOT NULL DEFAULT '', suffix TEXT NOT NULL DEFAULT '', color TEXT "
        "NOT NULL DEFAULT 'yellow', note TEXT NOT NULL DEFAULT '', orphaned INTEGER NOT NULL "
        "DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
    )
    lib_db.execute(  # type: ignore[attr-defined]
        "CREATE TABLE IF NOT EXISTS tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"
    )
    lib_db.execute(  # type: ignore[attr-defined]
        "CREATE TABLE IF NOT EXISTS paper_tags (paper_id INTEGER NOT NULL, tag_id INTEGER NOT "
        "NULL, PRIMARY KEY (paper_id, tag_id))"
    )


def test_annotations_are_searchable_once_changed(seeded: Library) -> None:
    _annotation_tables(seeded.db)
    stamp = "2026-11-22T00:00:00+00:00"
    with seeded.db.atomic():
        seeded.db.execute(
            "INSERT INTO notes (paper_id, body, updated_at) VALUES (1, ?, ?)",
            ["revisit for dissertationish", stamp],
        )
        seeded.db.execute(
            'INSERT INTO highlights (paper_id, field, start, "end", quote, color, note, '
            "created_at, updated_at) VALUES (2, 'abstract', 0, 5, 'quoted words', 'red', "
            "'doubtful claim', ?, ?)",
            [stamp, stamp],
        )
        seeded.db.execute("INSERT INTO tags (id, name) VALUES (7, 'Reading Group')")
        seeded.db.execute("INSERT INTO paper_tags (paper_id, tag_id) VALUES (3, 7)")
    seeded.index.on_changes(
        Changes(frozenset({PaperId(1), PaperId(2), PaperId(3)}), annotations=True)
    )
    assert seeded.index.last_written == 3
    assert seeded.index.search("note:dissertationish").ids == [1]
    assert seeded.index.search("dissertationish").ids == [1]
    assert seeded.index.search("has:note").ids == [1]
    assert seeded.index.search("has:highlight").ids == [2]
    assert seeded.index.search("color:red").ids == [2]
    assert seeded.index.search("doubtful").ids == [2]
    assert seeded.index.search('tag:"reading group"').ids == [3]
    assert seeded.index.search("has:note DiskGNN").ids == [1]
    snippet = seeded.index.search("note:dissertationish").hits[0].snippet
    assert [t for t, m in split_marked(snippet) if m] == ["dissertationish"]
    # deleting the note takes it out of the index
    seeded.db.execute("DELETE FROM notes WHERE paper_id = 1")
    seeded.index.on_changes(Changes(frozenset({PaperId(1)}), annotations=True))
    assert seeded.index.search("note:dissertationish").ids == []


def test_annotation_written_without_the_index_is_reconciled_on_open(seeded_dir: Path) -> None:
    with Library.open(seeded_dir) as library:
        _annotation_tables(library.db)
        library.db.execute(
            "INSERT INTO notes (paper_id, body, updated_at) VALUES (5, 'crashworthy', 'x')"
        )
        library.db.conn.commit()
    with Library.open(seeded_dir) as library:
        assert library.index.search("note:crashworthy").ids == [5]


# -- crash between SQLite and the index, and recovery ------------------------------------------
def test_sqlite_writes_missed_by_the_index_are_reconciled_on_open(seeded_dir: Path) -> None:
    with Library.open(seeded_dir) as library:
        gone = library.index.search("DiskGNN").ids[0]
        with library.db.atomic():  # as if the app died before the index commit
            library.db.execute(
                "UPDATE papers SET abstract = 'now about kangaroos', version = version + 1 "
                "WHERE id = 2"
            )
            library.db.execute(
                "INSERT INTO papers (title, title_key, abstract, added_at, updated_at) "
                "VALUES ('Echidna Paper', 'echidna paper', 'spiny', 'x', 'x')"
            )
            library.db.execute("DELETE FROM papers WHERE id = ?", [gone])
    with Library.open(seeded_dir) as library:
        assert library.index.last_written == 2
        assert library.index.search("kangaroos").ids == [2]
        assert len(library.index.search("echidna").ids) == 1
        assert gone not in library.index.search("DiskGNN", limit=None).ids
        state = library.index.held_state()
        assert set(state) == {r[0] for r in library.db.execute("SELECT id FROM papers")}
        assert all(copies == 1 for _, _, copies in state.values())


def test_a_deferred_reconcile_leaves_the_comparison_to_another_connection(
    seeded_dir: Path,
) -> None:
    with Library.open(seeded_dir) as library:
        library.db.execute(  # as if the app died before the index commit
            "INSERT INTO papers (title, title_key, abstract, added_at, updated_at) "
            "VALUES ('Echidna Paper', 'echidna paper', 'spiny', 'x', 'x')"
        )
    stamp_file = seeded_dir / "index" / f"{INDEX_NAME}.stamp"
    with Library.open(seeded_dir, defer_index_reconcile=True) as library:
        index = library.index
        assert index.reconcile_due and index.usable and index.last_written == 0
        assert index.taken_stamp is not None and not stamp_file.exists()  # a crash: none left
        assert index.search("echidna").ids == []  # not compared yet: the index as it was
        assert index.search("DiskGNN").ids  # but it answers
        assert Library.reconcile_search_index(seeded_dir, index.taken_stamp) == 1
        assert not stamp_file.exists()  # the library that asked is still open
        index.checked_elsewhere()
        assert not index.reconcile_due
        assert len(index.search("echidna").ids) == 1
    assert stamp_file.exists()  # the close left one
    with Library.open(seeded_dir, defer_index_reconcile=True) as library:
        index = library.index
        assert Library.reconcile_search_index(seeded_dir, index.taken_stamp) == 0  # trusted
    with Library.open(seeded_dir) as library:
        assert library.index.last_written == 0


def test_a_check_without_a_stamp_compares_every_paper(seeded_dir: Path) -> None:
    with Library.open(seeded_dir) as library:
        library.db.execute(
            "UPDATE papers SET abstract = 'now about wombats', version = 9 WHERE id = 3"
        )
    (seeded_dir / "index" / f"{INDEX_NAME}.stamp").unlink()  # as after a crash
    with Library.open(seeded_dir, defer_index_reconcile=True) as library:
        index = library.index
        assert index.reconcile_due and index.taken_stamp is None
        assert Library.reconcile_search_index(seeded_dir, None) == 1
        index.checked_elsewhere()
        assert index.search("wombats").ids == [3]


def test_an_index_closed_before_its_check_puts_back_only_an_untouched_stamp(
    seeded_dir: Path,
) -> None:
    stamp_file = seeded_dir / "index" / f"{INDEX_NAME}.stamp"
    with Library.open(seeded_dir, defer_index_reconcile=True) as library:
        assert library.index.reconcile_due and not stamp_file.exists()
        library.triage.set_read([1])  # the index is not written: the stamp still holds
    assert stamp_file.exists()
    with Library.open(seeded_dir, defer_index_reconcile=True) as library:
        library.notes.set(2, "a note about numbats")  # the index is written
    assert not stamp_file.exists()  # so the next open compares every paper
    with Library.open(seeded_dir) as library:
        assert library.index.search("numbats").ids == [2]


def test_a_deleted_index_is_rebuilt_on_open(seeded_dir: Path) -> None:
    import shutil

    shutil.rmtree(seeded_dir / "index")
    with Library.open(seeded_dir) as library:
        assert library.index.usable
        assert library.index.search("DiskGNN").hits[0].title.startswith("DiskGNN")
        assert library.index.last_written == library.papers.count()
    assert any((seeded_dir / "index").glob("*.pst"))


def test_a_deferred_rebuild_answers_from_sqlite_until_built_on_another_thread(
    seeded_dir: Path,
) -> None:
    import shutil

    shutil.rmtree(seeded_dir / "index")
    with Library.open(seeded_dir, defer_index_rebuild=True) as library:
        index = library.index
        assert index.needs_rebuild and not index.usable
        answer = library.index.search("DiskGNN")
        assert answer.fallback and answer.hits[0].title.startswith("DiskGNN")
        library.notes.set(answer.hits[0].id, "about quokkas")  # written while it is built
        seen: list[tuple[int, int]] = []
        worker = threading.Thread(
            target=lambda: seen.append(
                (
                    Library.build_search_index(
                        seeded_dir, progress=lambda done, total, _label: seen.append((done, total))
                    ),
                    -1,
                )
            )
        )
        worker.start()
        worker.join()
        assert seen[-1] == (286, -1) and (286, 286) in seen
        index.open()
        assert index.usable and not index.needs_rebuild
        results = library.index.search("quokkas")
        assert not results.fallback and results.ids == [answer.hits[0].id]


def test_a_cancelled_rebuild_is_deferred_again(seeded_dir: Path) -> None:
    import shutil

    with Library.open(seeded_dir) as library:
        index = library.index
        index.close(stamp=False)
        shutil.rmtree(seeded_dir / "index")
        with pytest.raises(RebuildCancelledError):
            build_index(seeded_dir / "library.sqlite3", seeded_dir / "index", cancel=lambda: True)
        index.open(defer_rebuild=True)
        assert index.needs_rebuild  # an empty index of a library with papers
        assert library.index.search("DiskGNN").fallback
        index.open()  # not deferred: built at once
        assert index.usable and not library.index.search("DiskGNN").fallback


def test_a_corrupt_index_with_a_leftover_lock_is_rebuilt(seeded_dir: Path) -> None:
    index_dir = seeded_dir / "index"
    for path in index_dir.iterdir():
        path.write_bytes(b"\x00garbage\xff" * 7)
    (index_dir / f"{INDEX_NAME}_WRITELOCK").write_bytes(b"")  # a left-over lock file
    with Library.open(seeded_dir) as library:
        assert library.index.usable
        assert library.index.search("DiskGNN").hits[0].title.startswith("DiskGNN")
        assert library.papers.count() == 286  # user data untouched
        result = library.importer.import_text(NEW_DIGEST, "marsupials")
        assert set(library.index.search("zorbification").ids) == set(result.new_ids)


def test_a_truncated_table_of_contents_is_rebuilt(seeded_dir: Path) -> None:
    for toc in (seeded_dir / "index").glob("*.toc"):
        toc.write_bytes(toc.read_bytes()[:10])
    with Library.open(seeded_dir) as library:
        assert library.index.search("DiskGNN").hits[0].title.startswith("DiskGNN")
        assert library.index.usable


def test_a_broken_index_still_answers_from_sqlite(seeded: Library) -> None:
    seeded.index.mark_broken("simulated damage")
    results = seeded.index.search("DiskGNN")
    assert results.fallback and results.notice
    assert results.hits[0].title.startswith("DiskGNN")
    assert [t for t, m in split_marked(results.hits[0].snippet) if m][0] == "DiskGNN"
    both = seeded.index.search("graph neural is:unread", limit=None)
    texts = {pid: (t + " " + a).lower() for pid, t, a in _all(seeded)}
    assert both.ids and all("graph" in texts[i] and "neural" in texts[i] for i in both.ids)
    assert seeded.index.related(1).fallback
    assert seeded.index.rebuild() == 286
    assert seeded.index.usable
    assert not seeded.index.search("DiskGNN").fallback


def test_reindex_rebuilds_everything(seeded: Library) -> None:
    before = seeded.index.search("graph", limit=None).ids
    assert seeded.index.rebuild() == seeded.papers.count()
    assert seeded.index.search("graph", limit=None).ids == before


# -- two libraries on one data dir (the GUI's import worker) ------------------------------------
def test_a_second_library_in_another_thread_shares_the_index(seeded_dir: Path) -> None:
    main = Library.open(seeded_dir)
    assert not main.index.search("zorbification").hits
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Library.open(seeded_dir) as other:
                other.importer.import_text(NEW_DIGEST, "marsupials")
        except BaseException as exc:  # surfaced below
            errors.append(exc)
            raise

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert not errors
    assert len(main.index.search("zorbification").ids) == 2  # the searcher refreshed
    main.index.on_changes(Changes(frozenset(main.index.search("zorbification").ids), library=True))
    assert main.index.last_written == 0  # already indexed by the worker
    state = main.index.held_state()
    assert all(copies == 1 for _, _, copies in state.values())
    main.close()


# Long enough to be believed as an abstract without a digest's metadata around it.
LONG_ENOUGH = (
    "a study of how two writers share one library, with enough words in it to read as the "
    "abstract of a paper rather than as a short note or a heading."
)


def test_concurrent_writers_in_two_threads_do_not_fail(seeded_dir: Path) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with Library.open(seeded_dir) as other:
                for k in range(3):
                    other.importer.import_text(
                        f"Thread {n} paper {k} title\n\nThe abstract of ocelot{n}: {LONG_ENOUGH}",
                        f"t{n}{k}",
                    )
        except BaseException as exc:  # surfaced below
            errors.append(exc)
            raise

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with Library.open(seeded_dir) as library:
        assert library.index.last_written == 0  # both threads indexed their imports
        assert len(library.index.search("ocelot0").ids) == 3
        assert len(library.index.search("ocelot1").ids) == 3


def test_a_clean_close_lets_the_next_open_skip_the_reconcile(seeded_dir: Path) -> None:
    stamp = seeded_dir / "index" / f"{INDEX_NAME}.stamp"
    with Library.open(seeded_dir) as library:
        assert not stamp.exists()  # while open, a crash must leave no stamp behind
    assert stamp.exists()
    with Library.open(seeded_dir) as library:
        assert not stamp.exists()
        assert library.index.last_written == 0
        assert library.index.search("DiskGNN").hits[0].title.startswith("DiskGNN")
        # As if the app died after an SQLite commit, before the index commit and a clean close:
        library.db.execute(
            "UPDATE papers SET abstract = 'now about wombats', version = version + 1 WHERE id = 3"
        )
        library.db.conn.commit()
        library.index.close(stamp=False)  # no stamp written
    assert not stamp.exists()
    with Library.open(seeded_dir) as library:
        assert library.index.last_written == 1
        assert library.index.search("wombats").ids == [3]


def test_a_stamp_from_another_index_generation_is_not_trusted(seeded_dir: Path) -> None:
    with Library.open(seeded_dir):
        pass
    stamp = seeded_dir / "index" / f"{INDEX_NAME}.stamp"
    stamp.write_text('{"generation": -1}', encoding="utf-8")
    with Library.open(seeded_dir) as library:
        library.db.execute(
            "UPDATE papers SET abstract = 'now about quokkas', version = version + 1 WHERE id = 4"
        )
        library.db.conn.commit()
        library.index.close(stamp=False)
    stamp.write_text("not json", encoding="utf-8")
    with Library.open(seeded_dir) as library:
        assert library.index.search("quokkas").ids == [4]


@pytest.mark.parametrize(
    "text",
    [
        '"neural network"',
        '"neural networks" OR training',
        '"language models" -graph',
        'graph -"neural networks"',
        '(training -"deep learning") OR "graph neural"',
    ],
)
def test_a_limited_phrase_search_is_the_top_of_the_full_ranking(memlib: Library, text: str) -> None:
    full = [(h.id, h.score) for h in memlib.index.search(text, limit=None).hits]
    assert len(full) > 5
    for limit in (1, 3, len(full) - 1):
        assert [(h.id, h.score) for h in memlib.index.search(text, limit=limit).hits] == full[
            :limit
        ]


@pytest.mark.parametrize("text", ["neur*", "title:lear*", "learn* -graph"])
def test_a_limited_prefix_search_is_the_top_of_the_full_ranking(memlib: Library, text: str) -> None:
    full = [(h.id, h.score) for h in memlib.index.search(text, limit=None).hits]
    assert len(full) > 5
    for limit in (1, 3, len(full) - 1):
        assert [(h.id, h.score) for h in memlib.index.search(text, limit=limit).hits] == full[
            :limit
        ]


def test_a_write_made_without_the_index_open_is_indexed_at_the_next_open(seeded_dir) -> None:  # noqa: ANN001
    """A CLI command that does not search opens the library without its index; what it
    writes must still reach the index the next time it is opened (no stale clean stamp)."""
    from desktop.core import backup

    with Library.open(seeded_dir) as lib:  # a clean close leaves the stamp
        paper = lib.views.ids("all")[0]
    db, _ = backup.open_database(seeded_dir)
    quick = Library(db, seeded_dir)  # what `digest-desk note` does
    quick.notes.set(paper, "the word wombatification only lives in this note")
    quick.close()
    with Library.open(seeded_dir) as lib:
        assert lib.index.search("note:wombatification").ids == [paper]


def test_a_merge_folds_the_small_segments_and_never_a_large_one(
    seeded: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core.search import index as search_index

    monkeypatch.setattr(search_index, "SMALL_SEGMENT_DOCS", 20)  # the seeds' segment is large
    monkeypatch.setattr(search_index, "SMALL_SEGMENTS_KEPT", 3)

    def sizes() -> list[int]:
        leaves = seeded.index._get_searcher().reader().leaf_readers()  # noqa: SLF001
        return sorted(int(segment.doc_count_all()) for segment, _offset in leaves)

    (large,) = sizes()
    assert large > 20
    ids = seeded.views.ids("all")[:9]
    counts = []
    for n, pid in enumerate(ids):
        seeded.notes.set(pid, f"merge note {n} axolotl")  # each edit a segment, then merges
        after = sizes()
        assert after[-1] == large  # the large segment as it was
        counts.append(len(after) - 1)
    assert max(counts) == 4 and counts[:4] == [1, 2, 3, 4] and counts[4] == 1, counts
    assert sorted(seeded.index.search("axolotl", limit=None).ids) == sorted(ids)


def test_stale_papers_are_the_ones_the_documents_disagree_with(seeded_dir: Path) -> None:
    """The reconcile's comparison (numpy arrays) finds what comparing dicts found: a
    version bumped, an annotation written, a paper added and one deleted behind the index."""
    from desktop.core.search import index as index_module
    from desktop.core.search.documents import annotation_keys

    with Library.open(seeded_dir) as library:
        _annotation_tables(library.db)
        gone = library.index.search("DiskGNN").ids[0]
        with library.db.atomic():
            library.db.execute("UPDATE papers SET version = version + 1 WHERE id = 2")
            library.db.execute(
                "INSERT INTO notes (paper_id, body, updated_at) VALUES (5, 'unindexed', 'x')"
            )
            library.db.execute(
                "INSERT INTO papers (title, title_key, abstract, added_at, updated_at) "
                "VALUES ('Echidna Paper', 'echidna paper', 'spiny', 'x', 'x')"
            )
            library.db.execute("DELETE FROM papers WHERE id = ?", [gone])
        index = library.index
        sql = dict(library.db.execute("SELECT id, version FROM papers").fetchall())
        held = index.held_state()
        akeys = annotation_keys(library.db, set(sql))
        expected = sorted(
            [p for p, v in sql.items() if held.get(p) != (v, akeys.get(p, 0), 1)]
            + [p for p in held if p not in sql]
        )
        (echidna,) = library.db.execute("SELECT id FROM papers WHERE title_key = 'echidna paper'")
        assert expected == sorted([2, 5, echidna[0], gone])
        reader = index._get_searcher().reader()  # noqa: SLF001 - the searcher's own
        stale_papers = index_module._stale_papers  # noqa: SLF001 - the comparison itself
        count, stale = stale_papers(library.db, reader, index.access)
        assert (count, stale) == (len(sql), expected)


def test_columns_are_narrowed_only_when_their_values_fit() -> None:
    import numpy as np

    from desktop.core.search.index import _narrow

    for values, dtype in (
        ([1, 2, 0xFFFFFFFF], np.uint32),
        ([-5, 7, 2**31 - 1], np.int32),
        ([0, 2**32], np.int64),
        ([-1, 2**31], np.int64),
    ):
        narrowed = _narrow(np.array(values, dtype=np.int64))
        assert narrowed.dtype == dtype and narrowed.tolist() == values
    assert len(_narrow(np.zeros(0, dtype=np.int64))) == 0

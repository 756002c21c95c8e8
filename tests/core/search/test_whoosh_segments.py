"""The Whoosh seam: our fast writer and reads agree with Whoosh's own, and an incompatible
Whoosh is detected at open and served by Whoosh's public API instead."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import writing
from whoosh.codec import whoosh3

from desktop.core.library import Library
from desktop.core.search import whoosh_segments
from desktop.core.search.analysis import ANALYZER, analyze
from desktop.core.search.documents import (
    INDEX_NAME,
    TEXT_FIELDS,
    build_documents,
    index_fields,
    make_schema,
)
from desktop.core.search.whoosh_segments import (
    INLINE_LIMIT,
    FastAccess,
    FastSegmentWriter,
    PrivateRamStorage,
    WhooshAccess,
    _smallest_array,
    compatibility_problem,
    decoded_lengths,
    term_blocks,
)
from tests.conftest import SEEDS, TODAY

_TRICKY = st.sampled_from("ab AB.*-_'é4ıİ\u0307ß\n\t,")


@given(st.text(alphabet=_TRICKY | st.characters(), max_size=60))
@settings(max_examples=200, deadline=None)
def test_analyze_gives_the_terms_of_the_schema_analyzer(text: str) -> None:
    assert analyze(text) == [t.text for t in ANALYZER(text)]


def test_markdown_bold_words_are_words() -> None:
    assert analyze("**TransMLA** is q* and v1.5, of the_best") == [
        "transmla",
        "q",
        "v1.5",
        "the_best",
    ]


def seed_documents() -> list[dict[str, Any]]:
    """The index documents of the seed digests, one paper with a note and tags."""
    library = Library.in_memory()
    library.today = lambda: TODAY
    assert all(r.ok for r in library.importer.import_paths([SEEDS]))
    (pid,) = library.db.execute("SELECT id FROM papers ORDER BY id LIMIT 1").fetchone()
    library.notes.set(pid, "A **note** on graph sampling")
    library.tags.add([pid], "reading group")
    library.tags.add([pid], "gnn")
    ids = [r[0] for r in library.db.execute("SELECT id FROM papers ORDER BY id")]
    docs = [index_fields(d) for d in build_documents(library.db, ids).values()]
    library.close()
    return docs


# Postings per block in the tests of several blocks (BLOCK_LIMIT would need thousands of papers).
SMALL_BLOCKS = 256


def times(docs: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """``n`` copies of the documents as distinct papers (ids shifted per copy)."""
    step = max(d["docid"] for d in docs) + 1
    return [
        {**d, "pid": str(d["docid"] + k * step), "docid": d["docid"] + k * step}
        for k in range(n)
        for d in docs
    ]


@pytest.fixture(scope="module")
def documents() -> list[dict[str, Any]]:
    return seed_documents()


def build(
    docs: list[dict[str, Any]],
    fast: bool,
    *,
    steps: bool = False,
    optimize: bool = True,
    batch: int = 0,
) -> Any:
    """An in-memory index of ``docs``, written by our writer or by Whoosh's own.

    With ``steps``: three commits (a merge, then updates that delete older copies, then an
    optimize unless not ``optimize``), so merging and deletions are compared too. With
    ``batch``, our writer adds documents ``batch`` at a time (``add_documents``).
    """
    ix = PrivateRamStorage().create_index(make_schema(), indexname=INDEX_NAME)

    def writer() -> Any:
        if fast:
            return FastSegmentWriter(ix, TEXT_FIELDS)
        return writing.SegmentWriter(ix)

    def add(w: Any, some: list[dict[str, Any]]) -> None:
        if batch:
            for start in range(0, len(some), batch):
                w.add_documents(some[start : start + batch])
        else:
            for doc in some:
                w.add_document(**doc)

    if not steps:
        w = writer()
        add(w, docs)
        w.commit()
        return ix
    third = len(docs) // 3
    w = writer()
    add(w, docs[:third])
    w.commit()
    w = writer()
    add(w, docs[third:])
    for doc in docs[: third // 2]:
        w.update_document(**doc)
    w.commit(mergetype=writing.NO_MERGE)
    w = writer()
    for doc in docs[third // 2 : third]:
        w.update_document(**doc)
    w.commit(optimize=True) if optimize else w.commit(mergetype=writing.NO_MERGE)
    return ix


def contents(ix: Any) -> dict[str, Any]:
    """Everything a reader sees: terms with their statistics and postings, lengths, columns."""
    out: dict[str, Any] = {}
    with ix.reader() as reader:
        out["docs"] = (reader.doc_count(), reader.doc_count_all())
        for fieldname, btext in reader.all_terms():
            postings = reader.postings(fieldname, btext)
            items = []
            while postings.is_active():
                items.append((postings.id(), postings.weight(), postings.value()))
                postings.next()
            info = reader.term_info(fieldname, btext)
            out[f"{fieldname}:{btext!r}"] = (
                info.doc_frequency(),
                info.weight(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
                items,
            )
        for fieldname in TEXT_FIELDS | {"tag"}:
            out[f"length:{fieldname}"] = (
                reader.field_length(fieldname),
                [reader.doc_field_length(d, fieldname) for d in reader.all_doc_ids()],
            )
        for column in ("docid", "ver", "akey"):
            col = reader.column_reader(column)
            out[f"column:{column}"] = [col[d] for d in reader.all_doc_ids()]
    return out


# Whoosh's own writer is the slow part: each reference index is written once per module.
@pytest.fixture(scope="module")
def reference(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        "one commit": contents(build(documents, fast=False)),
        "merges and deletions": contents(build(documents, fast=False, steps=True)),
    }


@pytest.mark.parametrize("batch", [0, 1, 7, 10_000], ids=lambda b: f"batches of {b}")
@pytest.mark.parametrize("case", ["one commit", "merges and deletions"])
def test_fast_writer_writes_what_whoosh_writes(
    documents: list[dict[str, Any]],
    reference: dict[str, dict[str, Any]],
    case: str,
    batch: int,
) -> None:
    ours = contents(build(documents, fast=True, steps=case != "one commit", batch=batch))
    theirs = reference[case]
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key] == theirs[key], key
    assert any(key.startswith("tag:") for key in ours)


def test_fast_writer_writes_what_whoosh_writes_in_several_blocks(
    documents: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Blocks of SMALL_BLOCKS postings: the same code as BLOCK_LIMIT's, on fewer documents.
    monkeypatch.setattr(FastSegmentWriter, "block_limit", SMALL_BLOCKS)
    many = times(documents, 4)
    ix = build(many, fast=True, batch=100)
    with ix.reader() as reader:
        sizes = [len(ids) for ids, _w, _v in term_blocks(reader, "abstract", b"model")]
    assert len(sizes) > 1 and max(sizes) == SMALL_BLOCKS  # several full blocks
    ours = contents(ix)
    theirs = contents(build(many, fast=False))
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key] == theirs[key], key


@pytest.mark.parametrize("optimize", [True, False], ids=["merged", "with deletions"])
def test_fast_reads_equal_public_reads(documents: list[dict[str, Any]], optimize: bool) -> None:
    ix = build(documents, fast=True, steps=True, optimize=optimize)
    fast, public = FastAccess(), WhooshAccess()
    with ix.reader() as reader:
        assert reader.has_deletions() != optimize
        for segment, _offset in reader.leaf_readers():
            dead = set(public.deleted(segment))
            assert fast.deleted(segment) == sorted(dead)
            assert fast.numbers(segment, "docid") == public.numbers(segment, "docid")
            assert fast.lengths(segment, "abstract") == public.lengths(segment, "abstract")
            assert fast.number_array(segment, "docid").tolist() == public.numbers(segment, "docid")
            count = segment.doc_count_all()
            for access in (fast, public):
                codes = access.length_codes(segment, "abstract")
                assert decoded_lengths(codes, count) == public.lengths(segment, "abstract")
            for btext in (b"model", b"graph", b"sampling"):
                ids, weights = fast.postings(segment, "abstract", btext)
                live = [(d, w) for d, w in zip(ids, weights, strict=True) if d not in dead]
                theirs = public.postings(segment, "abstract", btext)
                assert live == list(zip(*theirs, strict=True))


@pytest.mark.parametrize("fast", [True, False], ids=["our blocks", "whoosh's blocks"])
def test_postings_of_several_blocks_read_as_arrays_equal_public_reads(
    documents: list[dict[str, Any]], fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Our blocks keep ids and weights as arrays (pickled as bytes), Whoosh's as tuples: both
    read back, block after block, as the public matcher gives them."""
    monkeypatch.setattr(FastSegmentWriter, "block_limit", SMALL_BLOCKS)
    ix = build(times(documents, 4), fast=fast)
    access, public = FastAccess(), WhooshAccess()
    with ix.reader() as reader:
        segment, _offset = next(iter(reader.leaf_readers()))
        if fast:
            blocks = list(term_blocks(segment, "abstract", b"model"))
            assert len(blocks) > 1
            # full blocks keep their weights (which differ) as an array
            assert any(isinstance(weights, array) for _ids, weights, _values in blocks)
        for btext in (b"model", b"graph", b"sampling", b"memory"):
            if ("abstract", btext) not in segment:
                continue
            ids, weights = access.postings(segment, "abstract", btext)
            assert ids.dtype == np.int64 and weights.dtype == np.float64
            assert list(zip(ids.tolist(), weights.tolist(), strict=True)) == list(
                zip(*public.postings(segment, "abstract", btext), strict=True)
            )


def test_a_rare_term_is_inlined_in_its_term_info_and_reads_as_a_block_does(
    documents: list[dict[str, Any]],
) -> None:
    ix = build(documents, fast=True)
    access, public = FastAccess(), WhooshAccess()
    with ix.reader() as reader:
        segment, _offset = next(iter(reader.leaf_readers()))
        by_count = {
            (field, btext): segment.doc_frequency(field, btext)
            for field, btext in segment.all_terms()
        }
        rare = [t for t, n in by_count.items() if n < INLINE_LIMIT]
        common = [t for t, n in by_count.items() if n >= INLINE_LIMIT]
        assert rare and common
        assert all(segment.term_info(*t).is_inlined() for t in rare)
        assert not any(segment.term_info(*t).is_inlined() for t in common)
        several = next(t for t in rare if by_count[t] > 1 and t[0] == "abstract")
        for field, btext in [several, ("pid", b"1"), common[0]]:
            ids, weights = access.postings(segment, field, btext)
            assert list(zip(ids.tolist(), weights.tolist(), strict=True)) == list(
                zip(*public.postings(segment, field, btext), strict=True)
            )
            blocks = list(term_blocks(segment, field, btext))
            assert [d for block_ids, _w, _v in blocks for d in block_ids] == ids.tolist()
            if field != "pid":  # values: the frequencies as Whoosh packs them, one per posting
                assert all(len(values) == 4 * len(b) for b, _w, values in blocks)


def test_smallest_array_holds_every_value() -> None:
    def smallest(values: list[int]) -> array:
        return _smallest_array(np.array(values, dtype=np.uint32))

    assert smallest([0, 255]).typecode == "B"
    assert smallest([3, 256]).typecode == "H"
    assert smallest([70000, 1]).typecode == "I"
    assert list(smallest([70000, 1])) == [70000, 1]
    assert list(smallest([2**32 - 1, 0])) == [2**32 - 1, 0]


def test_the_running_whoosh_is_compatible() -> None:
    compatibility_problem.cache_clear()
    assert compatibility_problem() is None


@pytest.fixture
def renamed_whoosh_internal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A Whoosh release that renamed ``W3TermInfo.inlined_postings`` (which the fast reads
    call) to ``postings_inline``, and its own caller with it: Whoosh itself still works."""
    original = whoosh3.W3TermInfo.inlined_postings
    reader = whoosh3.W3Codec.postings_reader
    monkeypatch.delattr(whoosh3.W3TermInfo, "inlined_postings")
    monkeypatch.setattr(whoosh3.W3TermInfo, "postings_inline", original, raising=False)

    def postings_reader(self: Any, dbfile: Any, terminfo: Any, *args: Any, **kw: Any) -> Any:
        if terminfo.is_inlined():  # Whoosh's own call, under the new name
            terminfo.inlined_postings = terminfo.postings_inline
        return reader(self, dbfile, terminfo, *args, **kw)

    monkeypatch.setattr(whoosh3.W3Codec, "postings_reader", postings_reader)
    compatibility_problem.cache_clear()
    monkeypatch.setattr("desktop.core.search.index._compatibility_logged", False)
    yield
    compatibility_problem.cache_clear()


def test_a_missing_private_name_is_named(renamed_whoosh_internal: None) -> None:
    problem = compatibility_problem()
    assert problem is not None
    assert "whoosh.codec.whoosh3.W3TermInfo.inlined_postings is missing" in problem
    assert isinstance(whoosh_segments.segment_access(), WhooshAccess)
    assert not whoosh_segments.segment_access().fast


def test_a_changed_signature_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def cached_reader(self: Any, name: str) -> None:
        return None

    monkeypatch.setattr(whoosh3.W3PerDocReader, "_cached_reader", cached_reader)
    compatibility_problem.cache_clear()
    try:
        problem = compatibility_problem()
        assert problem is not None and "_cached_reader takes no fieldname, column" in problem
    finally:
        compatibility_problem.cache_clear()


def test_a_private_path_that_misbehaves_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whoosh_segments, "load_numbers", lambda col: [0] * len(list(col)))
    compatibility_problem.cache_clear()
    try:
        problem = compatibility_problem()
        assert problem is not None and "disagree" in problem and "numbers" in problem
    finally:
        compatibility_problem.cache_clear()


def test_incompatible_whoosh_searches_exactly_through_the_slow_path(
    renamed_whoosh_internal: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    library = Library.open(tmp_path / "lib", backups=False)
    try:
        library.today = lambda: TODAY
        assert all(r.ok for r in library.importer.import_paths([SEEDS]))
        index = library.index
        assert index.notice is not None and "W3TermInfo.inlined_postings is missing" in index.notice
        assert "slower" in index.notice
        assert any("inlined_postings is missing" in r.getMessage() for r in caplog.records)
        assert index.usable and not index.needs_rebuild
        slow = {q: library.index.search(q, limit=None).ids for q in QUERIES}
        assert index.rebuilds == 1  # the first build of a new library, and no other
        library.close()
        library = Library.open(tmp_path / "lib", backups=False)
        assert library.index.rebuilds == 0  # reopened as it was: no rebuild loop
        assert library.index.usable
        assert {q: library.index.search(q, limit=None).ids for q in QUERIES} == slow
    finally:
        library.close()
    monkeypatch.undo()  # the real Whoosh again: the fast paths give the same results
    compatibility_problem.cache_clear()
    reference_lib = Library.open(tmp_path / "fast", backups=False)
    try:
        reference_lib.today = lambda: TODAY
        assert all(r.ok for r in reference_lib.importer.import_paths([SEEDS]))
        assert reference_lib.index.notice is None
        fast = {q: reference_lib.index.search(q, limit=None).ids for q in QUERIES}
    finally:
        reference_lib.close()
    assert slow == fast
    assert all(slow[q] for q in QUERIES)


QUERIES = ["graph", "graph sampling", '"language models"', "diffus*", "model -video"]


def test_segments_never_share_a_name_when_random_was_seeded() -> None:
    """Whoosh names segments with the global random module; a seeded one (hypothesis seeds it
    before every example) gave every new segment the same name, so that one segment's files
    overwrote another's and merges failed. The seam draws names from fresh entropy and leaves
    the caller's random state alone."""
    import random

    from whoosh.util import random_name

    from desktop.core.search.whoosh_segments import unique_segment_names

    names = []
    for _ in range(3):
        random.seed(1)
        with unique_segment_names():
            names.append(random_name(16))
        after = random.random()
        random.seed(1)
        assert after == random.random()  # the seeded sequence goes on as if nothing happened
    assert len(set(names)) == 3


def test_a_window_s_open_leaves_the_check_to_the_first_read(
    renamed_whoosh_internal: None, tmp_path: Any
) -> None:
    """With ``defer_index_reconcile`` (how a window opens) the check is not on the open's
    path; the first search makes it, and an incompatible Whoosh is still told and worked
    around there."""
    library = Library.open(tmp_path / "lib", backups=False)
    try:
        library.today = lambda: TODAY
        assert all(r.ok for r in library.importer.import_paths([SEEDS]))
    finally:
        library.close()
    compatibility_problem.cache_clear()
    library = Library.open(tmp_path / "lib", backups=False, defer_index_reconcile=True)
    try:
        assert compatibility_problem.cache_info().currsize == 0, "checked at open"
        assert library.index.search("graph", limit=None).ids
        assert compatibility_problem.cache_info().currsize == 1
        notice = library.index.notice
        assert notice is not None and "inlined_postings is missing" in notice
    finally:
        library.close()
        compatibility_problem.cache_clear()


def test_fast_term_lookups_equal_whooshs_on_disk(seeded: Library) -> None:
    """Every term of every segment of a library's index on disk (read with ``os.pread``)
    has the term info Whoosh's lookup gives, and terms it lacks are None."""
    import io

    _ = seeded.importer.import_text(
        "Quokka Search: Indexing Marsupials at Scale\n\nWe index marsupial sightings with a "
        "zorbification method and a graph of burrows, at length and with results.\n",
        "extra.txt",
    )
    seeded.index.wait_idle()
    engine = seeded.index.engine()
    assert len(engine.leaves) > 1
    fast, public = FastAccess(), WhooshAccess()
    checked = 0
    for segment, _offset in engine.leaves:
        assert type(segment._terms._tindex.dbfile.file) is io.BufferedReader  # noqa: SLF001
        for fieldname, btext in segment.all_terms():
            ours, theirs = (a.term_info(segment, fieldname, btext) for a in (fast, public))
            assert ours is not None and theirs is not None
            assert (ours.weight(), ours.doc_frequency()) == (
                theirs.weight(),
                theirs.doc_frequency(),
            )
            whole = ours.parsed()
            assert (whole.min_id(), whole.max_id(), whole.max_weight(), whole.is_inlined()) == (
                theirs.min_id(),
                theirs.max_id(),
                theirs.max_weight(),
                theirs.is_inlined(),
            )
            assert fast.postings(segment, fieldname, btext, ours)[0].tolist() == (
                fast.postings(segment, fieldname, btext)[0].tolist()
            )
            checked += 1
        for fieldname, btext in (("abstract", b"nosuchwordanywhere"), ("nofield", b"graph")):
            assert fast.term_info(segment, fieldname, btext) is None
            assert public.term_info(segment, fieldname, btext) is None
    assert checked > 1000

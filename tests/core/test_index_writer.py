"""The fast index writer and query engine agree with Whoosh's own writer and matchers."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query, scoring, writing

from desktop.core.library import Library
from desktop.core.search.index import (
    ANALYZER,
    INDEX_NAME,
    TEXT_FIELDS,
    _index_doc,
    _RamStorage,
    build_documents,
    make_schema,
)
from desktop.core.search.index_writer import FastSegmentWriter, analyze, term_blocks
from desktop.core.search.ranker import Engine
from tests.conftest import SEEDS, TODAY

_TRICKY = st.sampled_from("ab AB.*-_'é4ıİ\u0307ß\n\t,")


@given(st.text(alphabet=_TRICKY | st.characters(), max_size=60))
@settings(max_examples=400, deadline=None)
def test_analyze_gives_the_terms_of_the_schema_analyzer(text: str) -> None:
    assert analyze(text) == [t.text for t in ANALYZER(text)]


def test_markdown_bold_words_are_words() -> None:
    assert analyze("**TransMLA** is q* and v1.5, of the_best") == [
        "transmla",
        "q",
        "v1.5",
        "the_best",
    ]


@pytest.fixture(scope="module")
def documents() -> Iterator[list[dict[str, Any]]]:
    library = Library.in_memory()
    library.today = lambda: TODAY
    assert all(r.ok for r in library.importer.import_paths([SEEDS]))
    (pid,) = library.db.execute("SELECT id FROM papers ORDER BY id LIMIT 1").fetchone()
    library.notes.set(pid, "A **note** on graph sampling")
    library.tags.add([pid], "reading group")
    library.tags.add([pid], "gnn")
    ids = [r[0] for r in library.db.execute("SELECT id FROM papers ORDER BY id")]
    docs = [_index_doc(d) for d in build_documents(library.db, ids).values()]
    library.close()
    yield docs


def _build(
    docs: list[dict[str, Any]], fast: bool, *, steps: bool = False, optimize: bool = True
) -> Any:
    """An in-memory index of ``docs``, written by our writer or by Whoosh's own.

    With ``steps``: three commits (a merge, then updates that delete older copies, then an
    optimize unless not ``optimize``), so merging and deletions are compared too.
    """
    ix = _RamStorage().create_index(make_schema(), indexname=INDEX_NAME)  # own temp folder

    def writer() -> Any:
        if fast:
            return FastSegmentWriter(ix, TEXT_FIELDS)
        return writing.SegmentWriter(ix)

    if not steps:
        w = writer()
        for doc in docs:
            w.add_document(**doc)
        w.commit()
        return ix
    third = len(docs) // 3
    w = writer()
    for doc in docs[:third]:
        w.add_document(**doc)
    w.commit()
    w = writer()
    for doc in docs[third:]:
        w.add_document(**doc)
    for doc in docs[: third // 2]:
        w.update_document(**doc)
    w.commit(mergetype=writing.NO_MERGE)
    w = writer()
    for doc in docs[third // 2 : third]:
        w.update_document(**doc)
    w.commit(optimize=True) if optimize else w.commit(mergetype=writing.NO_MERGE)
    return ix


def _contents(ix: Any) -> dict[str, Any]:
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


@pytest.mark.parametrize("steps", [False, True], ids=["one commit", "merges and deletions"])
def test_fast_writer_writes_what_whoosh_writes(
    documents: list[dict[str, Any]], steps: bool
) -> None:
    ours = _contents(_build(documents, fast=True, steps=steps))
    theirs = _contents(_build(documents, fast=False, steps=steps))
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key] == theirs[key], key
    assert any(key.startswith("tag:") for key in ours)


def test_posting_blocks_are_larger_than_whoosh_blocks(documents: list[dict[str, Any]]) -> None:
    ix = _build(documents * 3, fast=True)
    with ix.reader() as reader:
        sizes = [len(ids) for ids, _w, _v in term_blocks(reader, "abstract", b"model")]
    assert sizes and max(sizes) > 128


QUERIES = [
    query.Term("abstract", "graph"),
    query.Or([query.Term("title", "graph", boost=3.0), query.Term("abstract", "graph")]),
    query.And([query.Term("abstract", "graph"), query.Term("abstract", "sampling")]),
    query.And([query.Term("abstract", "language"), query.Not(query.Term("title", "models"))]),
    query.Or([query.Prefix("abstract", "diffus"), query.Term("tag", "gnn")]),
    query.And(
        [
            query.Or([query.Term("title", "model"), query.Term("abstract", "model")]),
            query.Or([query.Term("note", "graph"), query.Term("abstract", "training")]),
        ]
    ),
    query.Term("has", "tag"),
]


@pytest.mark.parametrize("optimize", [True, False], ids=["merged", "with deletions"])
@pytest.mark.parametrize("q", QUERIES, ids=[str(q) for q in QUERIES])
def test_engine_ranks_as_whoosh_ranks(
    documents: list[dict[str, Any]], q: Any, optimize: bool
) -> None:
    ix = _build(documents, fast=False, steps=True, optimize=optimize)
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        assert searcher.reader().has_deletions() != optimize
        theirs = {d: s for d, s in searcher.search(q, limit=None).items()}
        ours = Engine(searcher, lambda ids: {}).top(q, None)
    assert theirs
    assert {d for d, _ in ours} == set(theirs)
    for doc, score in ours:
        assert math.isclose(score, theirs[doc], rel_tol=1e-6), doc
    # best first, ties by document number
    assert ours == sorted(ours, key=lambda pair: (-pair[1], pair[0]))

"""The ranker evaluates our query trees with Whoosh's BM25F scores, within a work budget."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query, scoring

from desktop.core.search import ranker
from desktop.core.search.query import And, Node, Not, Or, Phrase, Word
from desktop.core.search.ranker import Engine
from desktop.core.search.whoosh_segments import FastAccess, WhooshAccess
from tests.core.search.test_whoosh_segments import build, seed_documents


def _default(word: str) -> query.Query:
    """What a plain word means, as Whoosh would say it."""
    return query.Or(
        [
            query.Term("title", word, boost=3.0),
            query.Term("abstract", word),
            query.Term("note", word),
            query.Term("highlight", word),
            query.Term("tag", word),
        ]
    )


# (our tree, the same query in Whoosh's terms)
CASES: list[tuple[Node, query.Query]] = [
    (Word("graph", "abstract"), query.Term("abstract", "graph")),
    (Word("graph"), _default("graph")),
    (
        And((Word("graph", "abstract"), Word("sampling", "abstract"))),
        query.And([query.Term("abstract", "graph"), query.Term("abstract", "sampling")]),
    ),
    (
        And((Word("language", "abstract"), Not(Word("models", "title")))),
        query.And([query.Term("abstract", "language"), query.Not(query.Term("title", "models"))]),
    ),
    (
        Or((Word("diffus", "abstract", prefix=True), Word("gnn", "tag"))),
        query.Or([query.Prefix("abstract", "diffus"), query.Term("tag", "gnn")]),
    ),
    (
        And((Word("model"), Or((Word("graph", "note"), Word("training", "abstract"))))),
        query.And(
            [
                _default("model"),
                query.Or([query.Term("note", "graph"), query.Term("abstract", "training")]),
            ]
        ),
    ),
    (Word("tag", "has"), query.Term("has", "tag")),
]


@pytest.fixture(scope="module", params=[True, False], ids=["merged", "with deletions"])
def index(request: pytest.FixtureRequest) -> Iterator[Any]:
    yield build(seed_documents(), fast=False, steps=True, optimize=request.param)


@pytest.mark.parametrize("access", [FastAccess, WhooshAccess], ids=["fast", "public"])
@pytest.mark.parametrize("case", CASES, ids=[repr(c[0]) for c in CASES])
def test_engine_ranks_as_whoosh_ranks(
    index: Any, case: tuple[Node, query.Query], access: type[WhooshAccess]
) -> None:
    node, theirs_q = case
    with index.searcher(weighting=scoring.BM25F()) as searcher:
        theirs = {d: s for d, s in searcher.search(theirs_q, limit=None).items()}
        ours = Engine(searcher, lambda ids: {}, access()).top(node, None)
    assert theirs
    assert {d for d, _ in ours} == set(theirs)
    for doc, score in ours:
        assert math.isclose(score, theirs[doc], rel_tol=1e-6), doc
    # best first, ties by document number
    assert ours == sorted(ours, key=lambda pair: (-pair[1], pair[0]))


def _texts(docs: dict[int, dict[str, str]]) -> Any:
    return lambda ids: {i: docs[i] for i in ids if i in docs}


def test_a_prefix_expands_to_a_bounded_number_of_words(
    index: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with index.searcher(weighting=scoring.BM25F()) as searcher:
        engine = Engine(searcher, lambda ids: {}, FastAccess())
        full = engine.top(Word("m", "abstract", prefix=True), None)
        words = sum(1 for _ in searcher.reader().iter_prefix("abstract", "m"))
        assert engine.notices == [] and words > 4
        monkeypatch.setattr(ranker, "PREFIX_WORDS", 4)
        engine.new_query()
        capped = engine.top(Word("m", "abstract", prefix=True), None)
        assert engine.notices == [
            "m*: more words start so than a search takes; only the first 4 of each "
            "(alphabetically) were searched."
        ]
        assert 0 < len(capped) < len(full)
        first = sorted(t.decode() for t, _ in searcher.reader().iter_prefix("abstract", "m"))[:4]
        exact = engine.top(Or(tuple(Word(w, "abstract") for w in first)), None)
        assert capped == exact  # exactly the first four words, scored as an Or of them


def test_a_query_spends_its_prefix_budget_then_leaves_prefixes_out(
    index: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranker, "QUERY_PREFIX_WORDS", 3)
    monkeypatch.setattr(ranker, "PREFIX_WORDS", 3)
    with index.searcher(weighting=scoring.BM25F()) as searcher:
        engine = Engine(searcher, lambda ids: {}, FastAccess())
        node = And((Word("m", "abstract", prefix=True), Word("s", "abstract", prefix=True)))
        found = engine.top(node, None)
        alone = engine.top(Word("m", "abstract", prefix=True), None)
    assert "s*: left out, as a search expands prefixes to at most 3 words in all." in (
        engine.notices
    )
    assert {d for d, _ in found} == {d for d, _ in alone}  # left out, not "matches nothing"


def test_phrase_checks_are_bounded_and_keep_the_best_candidates(
    index: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = {
        n: {"abstract": "model " * (n % 5 + 2) + ("big model data" if n % 3 == 0 else "")}
        for n in range(1, 2000)
    }
    with index.searcher(weighting=scoring.BM25F()) as searcher:
        engine = Engine(searcher, _texts(docs), FastAccess())
        phrase = Phrase("model model", "abstract")
        full = engine.top(phrase, 10)
        assert engine.notices == []
        monkeypatch.setattr(ranker, "PHRASE_CHECKS", 5)
        engine.new_query()
        capped = engine.top(phrase, 10)
    assert engine.notices and "5 best-ranked candidate papers" in engine.notices[0]
    assert capped == full[: len(capped)]  # what was checked is exact, best first


def test_a_repeated_word_in_a_phrase_needs_as_many_occurrences(index: Any) -> None:
    with index.searcher(weighting=scoring.BM25F()) as searcher:
        engine = Engine(searcher, lambda ids: {}, FastAccess())
        many = " ".join(["model"] * 40)
        node = engine.evaluate(Phrase(many, "abstract"), exact=False)
    assert node is not None and not node.mask.any()  # no abstract says "model" 40 times


_WORDS = ["graph", "model", "sampling", "language", "models", "training", "data", "gnn", "m"]
_FIELDS = [None, "title", "abstract", "note", "tag"]


def _trees() -> st.SearchStrategy[Node]:
    words = st.builds(
        Word,
        st.sampled_from(_WORDS),
        st.sampled_from(_FIELDS),
        prefix=st.booleans(),
    )
    phrases = st.builds(
        Phrase,
        st.lists(st.sampled_from(_WORDS[:7]), min_size=2, max_size=3).map(" ".join),
        st.sampled_from(_FIELDS[:3]),
    )
    leaves = st.one_of(words, phrases)
    return st.recursive(
        leaves,
        lambda kids: st.one_of(
            st.builds(lambda c: Not(c), kids),
            st.lists(kids, min_size=2, max_size=3).map(lambda c: And(tuple(c))),
            st.lists(kids, min_size=2, max_size=3).map(lambda c: Or(tuple(c))),
        ),
        max_leaves=5,
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(node=_trees(), checks=st.sampled_from([2, 7, 3000]))
def test_matching_without_scores_is_the_scored_evaluations_mask(
    index: Any, monkeypatch: pytest.MonkeyPatch, node: Node, checks: int
) -> None:
    """Counting (matching) skips the scores of everything but phrases, and keeps no reads:
    the documents are exactly those of the scored, exact evaluation, phrase budget included
    (its best candidates are checked, so phrases are still scored)."""
    monkeypatch.setattr(ranker, "PHRASE_CHECKS", checks)
    with index.searcher(weighting=scoring.BM25F()) as searcher:
        reader = searcher.reader()
        docs = {
            int(pid): {"abstract": "model graph language models sampling data " * (n % 3)}
            for n, pid in enumerate(reader.column_reader("docid", translate=False))
        }
        engine = Engine(searcher, _texts(docs), FastAccess())
        engine.new_query()
        scored = engine.evaluate(node, exact=True)
        expected = (
            np.zeros(engine.total, dtype=bool) if scored is None else scored.mask & engine.live
        )
        notices = engine.notices
        engine.new_query()
        got = engine.matching(node)
        assert engine._postings == {} and engine._prefixes == {}  # noqa: SLF001 - nothing kept
        assert engine.notices == notices
    assert np.array_equal(got, expected)


def test_document_ids_are_kept_as_int32_and_read_back_as_the_columns(index: Any) -> None:
    with index.searcher(weighting=scoring.BM25F()) as searcher:
        engine = Engine(searcher, lambda ids: {}, FastAccess())
        public = WhooshAccess()
        expected = [pid for segment, _ in engine.leaves for pid in public.numbers(segment, "docid")]
        assert engine.docids.dtype == np.int32 and engine.docids.tolist() == expected
        live = np.flatnonzero(engine.live)
        mask = engine.docs_for_pids(engine.docids[live].tolist())
        assert np.array_equal(np.flatnonzero(mask), live)

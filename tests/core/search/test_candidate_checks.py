"""Filters and exclusions asked of the best candidates give the answer of full masks."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.library import Library
from desktop.core.search import candidate_checks
from desktop.core.search.query import Node, parse_query
from tests.perf.gen_digests import build_corpus, write_corpus

QUERIES = [
    "is:unread model",
    "is:read model",
    "is:starred model",
    "is:queued training",
    "-is:read graph",
    "is:unread -memory model",
    "attention -memory",
    "model -training -graph",
    "language -models",
    "model -model",
    '"large language" -efficient',
    'is:unread "language models" -"efficient inference"',
    "is:archived OR is:starred attention",
    "(is:read OR is:queued) diffus*",
    "quant* -quantization is:unread",
]


def _filters(query: str) -> Node:
    found = parse_query(query).filters
    assert found is not None
    return found


def _text(query: str) -> Node:
    found = parse_query(query).text
    assert found is not None
    return found


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """1,500 generated papers, a third of them read, some starred, queued or archived."""
    folder: Path = tmp_path_factory.mktemp("digests")
    write_corpus(build_corpus(1_500, seed=11), folder)
    lib = Library.in_memory()
    assert all(r.ok for r in lib.importer.import_paths([folder]))
    ids = lib.views.ids("all")
    rng = random.Random(5)
    lib.triage.set_read(rng.sample(ids, len(ids) // 3))
    lib.triage.set_starred(rng.sample(ids, 40))
    lib.triage.set_queued(rng.sample(ids, 25))
    lib.triage.set_archived(rng.sample(ids, 60))
    yield lib
    lib.close()


@pytest.mark.parametrize("query", QUERIES)
def test_the_top_is_the_top_of_the_full_ranking(
    library: Library, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = library.index.search(query, limit=None).ids
    assert everything or query == "model -model", f"{query!r} finds nothing to compare"
    for limit in (1, 7, 20, 100):
        walked = library.index.search(query, limit=limit).ids
        assert walked == everything[:limit], (query, limit)
    # The same with the checks answering from their full masks at once.
    monkeypatch.setattr(candidate_checks, "FILTER_CAP", 0)
    monkeypatch.setattr(candidate_checks, "EXCLUSION_CAP", 0)
    for limit in (1, 20):
        assert library.index.search(query, limit=limit).ids == everything[:limit], (query, limit)


def test_a_check_that_keeps_few_candidates_lists_its_papers_instead(library: Library) -> None:
    engine = library.index.engine()
    docs = engine.docs_for_pids(library.views.ids("all")).nonzero()[0]
    check = candidate_checks.FilterCheck(library.db, _filters("is:queued"), engine)
    batch = docs[: candidate_checks.SAMPLE]
    answer = check.accept(batch)
    assert check.asked == len(batch) and not check.listed
    assert check.accept(docs[len(batch) :]).sum() + answer.sum() == 25
    assert check.listed  # few passed: the full mask answered the rest


def test_a_check_stops_asking_at_its_cap(library: Library) -> None:
    engine = library.index.engine()
    docs = engine.docs_for_pids(library.views.ids("all")).nonzero()[0]
    check = candidate_checks.ExclusionCheck(library.db, _text("memory"), engine, cap=100)
    first = check.accept(docs[:100])
    assert check.asked == 100 and not check.listed
    rest = check.accept(docs[100:])
    assert check.listed and check.asked == 100
    assert list(first) + list(rest) == list(check.mask()[docs])

"""The matcher rules use on an import's new papers agrees with the search index exactly."""

from __future__ import annotations

import pytest

from desktop.core.library import Library
from desktop.core.search.doc_match import DocMatcher
from desktop.core.search.query import parse_strict

QUERIES = [
    "graph",
    "graph neural",
    "language models",
    '"large language models"',
    '"language large"',
    "diffus*",
    "quant* -model",
    "title:diffusion",
    "abstract:memory",
    'title:"neural networks"',
    "attention -memory",
    "cache OR retrieval",
    "(agent OR agents) planning",
    "tag:robots",
    "tag:rob*",
    "robots",
    'tag:"to read"',
    "color:green",
    "has:note",
    "has:highlight -has:tag",
    "note:surprising",
    "highlight:benchmark",
    "the",
    "the graph",
    "-graph",
    "-graph -model",
    "NOT (video OR image)",
    "v1.5",
    "llm*",
]


@pytest.fixture
def annotated(seeded: Library) -> Library:
    ids = seeded.views.ids("all")
    seeded.tags.add(ids[:5], "robots")
    seeded.tags.add(ids[3:9], "to read")
    seeded.notes.set(ids[10], "A surprising result about graphs.")
    paper = seeded.papers.get(ids[12])
    assert paper is not None
    end = min(30, len(paper.abstract))
    seeded.highlights.add(ids[12], "abstract", 0, end, color="green", note="benchmark here")
    return seeded


@pytest.mark.parametrize("query", QUERIES)
def test_matches_what_the_index_matches(annotated: Library, query: str) -> None:
    parsed = parse_strict(query)
    assert parsed.text is not None
    ids = annotated.views.ids("all")
    from_index = annotated.index.matching_ids(parsed.text)
    assert from_index is not None
    assert DocMatcher(annotated.db, ids).matching(parsed.text) == set(from_index)


def test_the_queries_above_are_not_trivial(annotated: Library) -> None:
    """Most of them match some papers and not all (an empty answer proves little)."""
    ids = annotated.views.ids("all")
    matcher = DocMatcher(annotated.db, ids)
    sizes = {q: len(matcher.matching(parse_strict(q).text)) for q in QUERIES}  # type: ignore[arg-type]
    telling = [q for q, n in sizes.items() if 0 < n < len(ids)]
    assert len(telling) >= len(QUERIES) - 4, sizes
    assert sizes["the"] == 0 and sizes["tag:robots"] == 5 and sizes["has:note"] == 1

"""The ``in:`` filter: a search limited to one view (the GUI's "this view" scope)."""

from __future__ import annotations

import pytest

from desktop.core.library import Library
from desktop.core.search.query import Filter, QuerySyntaxError, Word, parse_query, parse_strict


@pytest.mark.parametrize(
    ("written", "view"),
    [
        ("in:inbox", "inbox"),
        ("in:Queue", "queue"),
        ("in:archive", "archive"),
        ("in:digest:12", "digest:12"),
        ("in:tag:ML", "tag:ML"),
        ("IN:snoozed", "snoozed"),
    ],
)
def test_in_names_a_view(written: str, view: str) -> None:
    parsed = parse_query(f"graph {written}")
    assert parsed.text == Word("graph")
    assert parsed.filters == Filter("in", view)
    assert parsed.notices == []


@pytest.mark.parametrize("bad", ["in:nowhere", "in:digest:x", "in:tag:", "in:saved:3"])
def test_an_unknown_view_is_refused_strictly_and_degrades_with_a_notice(bad: str) -> None:
    with pytest.raises(QuerySyntaxError, match="in: takes inbox"):
        parse_strict(f"graph {bad}")
    assert "in: takes inbox" in parse_query(f"graph {bad}").notices[0]


def test_a_degraded_query_keeps_its_scope() -> None:
    parsed = parse_query('graph "neural in:queue')
    assert parsed.degraded
    assert parsed.filters == Filter("in", "queue")
    assert "queue" not in parsed.words and "in" not in parsed.words


def test_search_in_a_view_finds_only_that_views_papers(seeded: Library) -> None:
    everywhere = seeded.index.search("graph", limit=None).ids
    archived = everywhere[:3]
    seeded.triage.set_archived(archived, True)
    inbox = seeded.index.search("graph in:inbox", limit=None).ids
    archive = seeded.index.search("graph in:archive", limit=None).ids
    assert set(archive) == set(archived)
    assert set(inbox) == set(everywhere) - set(archived)
    assert set(seeded.views.contains("inbox", inbox)) == set(inbox)

"""The search query language: parsing, splitting filters from text, and degrading safely."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.search.query import (
    And,
    Filter,
    Not,
    Or,
    Phrase,
    Word,
    parse_query,
)


def test_plain_words_are_all_required() -> None:
    parsed = parse_query("graph neural")
    assert parsed.text == And((Word("graph"), Word("neural")))
    assert parsed.filters is None
    assert parsed.notices == []
    assert parsed.words == ["graph", "neural"]


def test_phrases_prefixes_fields_and_operators() -> None:
    parsed = parse_query('title:"video generation" diff* OR abstract:gnn NOT tag:ml -noise')
    assert parsed.text == And(
        (
            Phrase("video generation", "title"),
            Or((Word("diff", prefix=True), Word("gnn", "abstract"))),
            Not(Word("ml", "tag")),
            Not(Word("noise")),
        )
    )
    assert parsed.notices == []


def test_negated_phrase_and_group() -> None:
    parsed = parse_query('model -"language model" -(a OR b)')
    assert parsed.text == And(
        (Word("model"), Not(Phrase("language model")), Not(Or((Word("a"), Word("b")))))
    )


def test_filters_are_split_from_text() -> None:
    parsed = parse_query("is:unread diffusion year:2024 digest:000 after:2025-01 -is:archived")
    assert parsed.text == Word("diffusion")
    assert parsed.filters == And(
        (
            Filter("is", "unread"),
            Filter("year", "2024"),
            Filter("digest", "000"),
            Filter("after", "2025-01-01"),
            Not(Filter("is", "archived")),
        )
    )


def test_filters_may_be_combined_with_or_among_themselves() -> None:
    parsed = parse_query("(is:starred OR is:queued) agents")
    assert parsed.filters == Or((Filter("is", "starred"), Filter("is", "queued")))
    assert parsed.text == Word("agents")
    assert parsed.notices == []


def test_filter_mixed_into_or_is_hoisted_with_a_notice() -> None:
    parsed = parse_query("agents OR is:starred")
    assert parsed.text == Word("agents")
    assert parsed.filters == Filter("is", "starred")
    assert parsed.notices


def test_has_and_color_fields() -> None:
    parsed = parse_query("has:notes color:red")
    assert parsed.text == And((Word("note", "has"), Word("red", "color")))


def test_a_title_pasted_with_its_colon_is_just_words() -> None:
    parsed = parse_query("DiskGNN: Bridging")
    assert parsed.text == And((Word("DiskGNN"), Word("Bridging")))
    assert parsed.notices == []


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ('"unclosed phrase', "quote"),
        ("(graph neural", "parenthesis"),
        ("graph neural)", "parenthesis"),
        ("OR", "OR"),
        ("graph OR", "OR"),
        ("NOT", "NOT"),
        ("graph AND", "AND"),
        ("foo:bar", "unknown field"),
        ("is:purple", "is:"),
        ("after:yesterday", "date"),
        ("year:24", "year"),
        ("has:everything", "has:"),
        ("-", "-"),
        ("()", "parentheses"),
    ],
)
def test_malformed_queries_degrade_to_plain_words_with_a_notice(query: str, reason: str) -> None:
    parsed = parse_query(query)
    assert parsed.degraded
    assert len(parsed.notices) == 1
    assert reason in parsed.notices[0]
    assert parsed.filters is None
    words = [w.text for w in _leaves(parsed.text)]
    assert all(isinstance(w, Word) and w.field is None for w in _leaves(parsed.text))
    assert words == [w for w in words if w not in ("OR", "AND", "NOT")]


def test_degraded_unknown_field_keeps_its_words() -> None:
    parsed = parse_query("foo:bar graph")
    assert [w.text for w in _leaves(parsed.text)] == ["foo", "bar", "graph"]


def _leaves(node: object) -> list[Word]:
    if node is None:
        return []
    if isinstance(node, And | Or):
        return [leaf for child in node.children for leaf in _leaves(child)]
    assert isinstance(node, Word)
    return [node]


QUERY_ALPHABET = st.sampled_from(
    list('ab "()-*:') + ["OR", "AND", "NOT", "is:", "title:", "tag:", "year:", "after:", "\x00"]
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(QUERY_ALPHABET, max_size=14).map(" ".join)))
def test_any_string_parses_without_raising(query: str) -> None:
    parsed = parse_query(query)
    assert parsed.notices or not parsed.degraded


# -- limits ------------------------------------------------------------------------------------
def test_whitespace_is_normalised_before_the_length_limit() -> None:
    parsed = parse_query(" " * 1000 + "graph")
    assert parsed.text == Word("graph")
    assert parsed.notices == []
    parsed = parse_query("graph" + " " * 1000 + "-graph")
    assert parsed.text == And((Word("graph"), Not(Word("graph"))))


def test_a_long_query_is_cut_between_terms_and_keeps_its_exclusions() -> None:
    words = " ".join(f"w{i}" for i in range(300))
    parsed = parse_query(f'{words} -video -"big data"')
    assert isinstance(parsed.text, And)
    assert Not(Word("video")) in parsed.text.children
    assert Not(Phrase("big data")) in parsed.text.children
    assert parsed.notices[0].startswith("A query is read up to 1,000 characters; ignored “w")
    assert 'kept the exclusions -video, -"big data"' in parsed.notices[0]
    assert not parsed.degraded


def test_a_cut_inside_a_phrase_or_after_an_operator_never_degrades() -> None:
    parsed = parse_query('x "' + "y " * 600 + '"')
    assert parsed.text == Word("x") and not parsed.degraded
    parsed = parse_query("(" + " OR ".join(f"t{i}" for i in range(300)) + ")")
    assert isinstance(parsed.text, Or) and not parsed.degraded


def test_an_or_of_many_terms_stays_an_or() -> None:
    parsed = parse_query(" OR ".join(["graph"] + [f"zz{i}" for i in range(499)]))
    assert isinstance(parsed.text, Or) and len(parsed.text.children) == 64
    assert parsed.text.children[0] == Word("graph")
    assert not parsed.degraded
    assert any(
        n.startswith("A search takes at most 64 terms; ignored “zz63") for n in parsed.notices
    )


def test_more_than_64_terms_keep_exclusions_first() -> None:
    parsed = parse_query(" ".join(f"w{i}" for i in range(70)) + " -noise")
    assert isinstance(parsed.text, And) and len(parsed.text.children) == 64
    assert parsed.text.children[-1] == Not(Word("noise"))
    assert parsed.notices == [
        "A search takes at most 64 terms; ignored “w63 w64 w65 w66 w67 w68 w69”."
    ]


def test_the_degraded_reading_says_what_it_drops() -> None:
    parsed = parse_query('"unclosed ' + " ".join(f"w{i}" for i in range(70)))
    assert parsed.degraded and len(parsed.words) == 64
    assert any("ignored “w63 w64 w65 w66 w67 w68 w69”" in n for n in parsed.notices)

"""Text-quote anchoring: examples and property tests (never on other words)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from desktop.core.annotations.text_anchor import (
    CONTEXT,
    MIN_CONTEXT_AGREEMENT,
    QuoteSelector,
    anchor,
    describe,
    occurrences,
    str_index,
    utf16_offset,
)
from desktop.core.library import Library

TEXT = (
    "Graph neural networks (GNNs) are powerful. We train GNNs on large graphs stored on disk, "
    "and we show that out-of-core GNNs match in-memory accuracy while using far less memory."
)


def test_describe_takes_the_quote_and_up_to_32_characters_of_context() -> None:
    start = TEXT.index("We train")
    sel = describe(TEXT, start, start + len("We train"))
    assert sel.quote == "We train"
    assert sel.prefix == TEXT[start - CONTEXT : start] and len(sel.prefix) == CONTEXT
    assert sel.suffix == TEXT[start + 8 : start + 8 + CONTEXT]
    edge = describe(TEXT, 0, 5)
    assert edge.prefix == "" and edge.quote == "Graph"


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 3), (5, 2), (0, len(TEXT) + 1)])
def test_describe_refuses_spans_outside_the_text(start: int, end: int) -> None:
    with pytest.raises(ValueError):
        describe(TEXT, start, end)


def test_occurrences_include_overlapping_ones() -> None:
    assert occurrences("aaaa", "aa") == [0, 1, 2]
    assert occurrences("abc", "") == []


def test_unchanged_text_keeps_the_offsets() -> None:
    start = TEXT.index("out-of-core")
    sel = describe(TEXT, start, start + 11)
    assert anchor(TEXT, sel) == (start, start + 11)


def test_text_inserted_before_moves_the_highlight_with_its_quote() -> None:
    start = TEXT.index("out-of-core")
    sel = describe(TEXT, start, start + 11)
    new = "UPDATED: " + TEXT
    assert anchor(new, sel) == (start + 9, start + 20)


def test_a_quote_that_is_gone_cannot_be_placed() -> None:
    start = TEXT.index("out-of-core")
    sel = describe(TEXT, start, start + 11)
    assert anchor(TEXT.replace("out-of-core", "external-memory"), sel) is None


def test_an_edited_quote_is_not_placed_on_similar_words() -> None:
    start = TEXT.index("far less memory")
    sel = describe(TEXT, start, start + len("far less memory"))
    assert anchor(TEXT.replace("far less memory", "far less RAM"), sel) is None


def test_duplicates_are_told_apart_by_context() -> None:
    third = TEXT.index("GNNs match")
    sel = describe(TEXT, third, third + 4)
    assert occurrences(TEXT, "GNNs") == [23, 52, third]
    # Text inserted at the front moves every occurrence; context picks the third again.
    new = "In short: " + TEXT
    assert anchor(new, sel) == (third + 10, third + 14)
    # Rewording far from the quote changes nothing about the choice.
    new = TEXT.replace("We train GNNs on large graphs", "We train GNNs on big graphs")
    moved = new.index("GNNs match")
    assert anchor(new, sel) == (moved, moved + 4)


def test_duplicates_with_a_small_edit_right_next_to_the_quote_are_still_told_apart() -> None:
    second = TEXT.index("GNNs on large")
    sel = describe(TEXT, second, second + 4)
    new = TEXT.replace("We train GNNs", "We now train GNNs")
    assert anchor(new, sel) == (second + 4, second + 8)
    assert new[second + 4 : second + 8] == "GNNs"


def test_when_the_right_occurrence_is_gone_no_other_occurrence_is_guessed() -> None:
    text = "alpha beta gamma model delta epsilon. zeta eta theta model iota kappa lambda."
    second = text.rindex("model")
    sel = describe(text, second, second + 5)
    rewritten = (
        "alpha beta gamma model delta epsilon. A wholly new sentence replaces the rest, model."
    )
    # Two occurrences remain and neither has the old context: orphaned, not moved.
    assert anchor(rewritten, sel) is None


def test_a_short_quote_alone_in_rewritten_text_is_not_moved_there() -> None:
    text = "We propose the model for graphs. It scales to billions of edges on one disk."
    at = text.index("the model")
    sel = describe(text, at, at + 9)
    rewritten = "A new abstract entirely. Results on the model zoo are reported below in full."
    assert anchor(rewritten, sel) is None
    # With some of its old context still around it, the single occurrence is taken.
    edited = "We now propose the model for graphs. It scales to billions of edges."
    assert anchor(edited, sel) == (15, 24)


def test_a_long_quote_found_once_is_taken_even_in_new_surroundings() -> None:
    quote = "out-of-core training of graph networks"
    text = f"Intro text. We study {quote} here."
    sel = describe(text, text.index(quote), text.index(quote) + len(quote))
    rewritten = f"Completely different opening words; {quote}; different ending."
    at = rewritten.index(quote)
    assert anchor(rewritten, sel) == (at, at + len(quote))


def test_identical_repeated_passages_prefer_the_old_position() -> None:
    passage = "the same sentence again and again. "
    text = passage * 4
    at = len(passage) * 2
    sel = describe(text, at, at + 8)
    assert anchor(text, sel) == (at, at + 8)
    shifted = "x" + text
    assert anchor(shifted, sel) == (at + 1, at + 9)


def test_empty_quote_never_anchors() -> None:
    assert anchor("abc", QuoteSelector("", "", "", 0, 0)) is None


def test_threshold_is_a_real_share() -> None:
    assert 0 < MIN_CONTEXT_AGREEMENT < 1


# -- properties --------------------------------------------------------------------------------

WORDS = st.sampled_from(
    [
        "graph",
        "neural",
        "network",
        "model",
        "the",
        "of",
        "we",
        "train",
        "disk",
        "memory",
        "accuracy",
        "large",
        "data",
        "show",
        "a",
        "in",
    ]
)
SENTENCE = st.lists(WORDS, min_size=3, max_size=60).map(" ".join)
EDIT_TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz .,", max_size=20)


@st.composite
def text_and_span(draw: st.DrawFn) -> tuple[str, int, int]:
    text = draw(SENTENCE)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, min(len(text), start + 40)))
    return text, start, end


@st.composite
def edits(draw: st.DrawFn) -> list[tuple[int, int, str]]:
    """Random (position share, delete count, inserted text) edits, applied in order."""
    return draw(
        st.lists(
            st.tuples(st.integers(0, 10_000), st.integers(0, 12), EDIT_TEXT),
            min_size=1,
            max_size=4,
        )
    )


def apply_edits(
    text: str, start: int, end: int, changes: list[tuple[int, int, str]]
) -> tuple[str, int | None]:
    """The edited text and where the original quote went (None when an edit touched it)."""
    where: int | None = start
    length = end - start
    for share, delete, insert in changes:
        pos = share * (len(text) + 1) // 10_001
        stop = min(len(text), pos + delete)
        text = text[:pos] + insert + text[stop:]
        if where is None:
            continue
        if stop <= where:
            where += len(insert) - (stop - pos)
        elif pos >= where + length:
            pass
        else:
            where = None
    return text, where


@settings(max_examples=400, deadline=None)
@given(text_and_span(), edits())
def test_property_edits_never_move_a_highlight_onto_other_words(
    span: tuple[str, int, int], changes: list[tuple[int, int, str]]
) -> None:
    text, start, end = span
    sel = describe(text, start, end)
    new, _ = apply_edits(text, start, end, changes)
    place = anchor(new, sel)
    if place is not None:
        assert new[place[0] : place[1]] == sel.quote


@settings(max_examples=400, deadline=None)
@given(text_and_span(), edits())
def test_property_an_untouched_quote_with_its_context_is_found_where_it_went(
    span: tuple[str, int, int], changes: list[tuple[int, int, str]]
) -> None:
    text, start, end = span
    sel = describe(text, start, end)
    new, where = apply_edits(text, start, end, changes)
    assume(where is not None)
    assert where is not None
    length = end - start
    assume(
        new[max(0, where - CONTEXT) : where] == sel.prefix
        and new[where + length : where + length + CONTEXT] == sel.suffix
    )
    place = anchor(new, sel)
    assert place is not None
    # Either the very same place, or a place indistinguishable from it (same quote, same
    # context on both sides): the same words either way.
    window = new[max(0, place[0] - CONTEXT) : place[1] + CONTEXT]
    assert place[0] == where or window == new[max(0, where - CONTEXT) : where + length + CONTEXT]


@settings(max_examples=300, deadline=None)
@given(text_and_span(), st.integers(0, 10_000), EDIT_TEXT.filter(bool))
def test_property_an_edit_inside_the_quote_orphans_or_finds_the_exact_quote(
    span: tuple[str, int, int], share: int, insert: str
) -> None:
    text, start, end = span
    sel = describe(text, start, end)
    pos = start + 1 + share * max(0, end - start - 1) // 10_001
    pos = min(pos, end - 1) if end - start > 1 else start
    new = text[:pos] + insert + text[pos:]
    place = anchor(new, sel)
    if place is not None:
        assert new[place[0] : place[1]] == sel.quote


# -- through the real import path ------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(text_and_span(), edits())
def test_property_reimport_keeps_highlights_on_their_quote_or_orphans_them(
    span: tuple[str, int, int], changes: list[tuple[int, int, str]]
) -> None:
    text, start, end = span
    assume(text[start:end].strip() and text.strip() == text)
    new, _ = apply_edits(text, start, end, changes)
    new = " ".join(new.split())
    assume(new and new != text)
    library = Library.in_memory()
    try:
        # A page-layout card: its metadata vouches for a paper whatever the abstract's length.
        card = "\n\n• 3 authors\n·\nMay 8, 2024\n"
        assert library.importer.import_text(f"A Paper Title\n\n{text}{card}", "v1").ok
        (pid,) = library.views.ids("all")
        h = library.highlights.add(pid, "abstract", start, end, note="mine")
        result = library.importer.import_text(f"A Paper Title\n\n{new}{card}", "v2")
        assert result.updated_papers == 1
        got = library.highlights.get(h.id)
        assert got is not None and (got.quote, got.note) == (h.quote, "mine")
        abstract = library.papers.get(pid).abstract  # type: ignore[union-attr]
        if got.orphaned:
            assert (got.start, got.end) == (h.start, h.end)
        else:
            assert abstract[got.start : got.end] == h.quote
    finally:
        library.close()


def test_utf16_positions_convert_both_ways() -> None:
    text = "a𝑥b😀c"
    assert [utf16_offset(text, i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 7]
    assert [str_index(text, u) for u in range(8)] == [0, 1, 1, 2, 3, 3, 4, 5]


@given(st.text(max_size=40), st.data())
def test_property_utf16_round_trip(text: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(text)))
    assert str_index(text, utf16_offset(text, index)) == index

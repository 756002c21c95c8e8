"""count_terms gives, for a batch of texts at once, what Counter(analyze(text)) gives each."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.search.analysis import (
    CHUNK_CHARS,
    PACKED_CHARS,
    Vocabulary,
    analyze,
    count_terms,
)

# Word characters, dots, separators and letters whose lowercase differs or is not ASCII.
_TRICKY = st.sampled_from("ab AB.*-_'é4ıİ\u0307ß\n\t,.Zz09")
_PIECES = st.sampled_from(["..", ". ", "x" * 11, "y" * 12, "long" * 4, "v1.5", "the"])
_TEXT = st.lists(
    st.text(alphabet=_TRICKY | st.characters(max_codepoint=0x7F), max_size=12) | _PIECES,
    max_size=10,
).map("".join)


def as_counters(texts: list[str], vocabulary: Vocabulary) -> list[tuple[Counter[str], int]]:
    """count_terms' rows turned back into a Counter and a length per text (and their order
    checked: each term's rows in ascending order of text)."""
    got = count_terms(texts, vocabulary)
    names = {n: t for t, n in vocabulary.numbers.items()}
    out: list[Counter[str]] = [Counter() for _ in texts]
    last_text: dict[int, int] = {}
    rows = zip(got.texts.tolist(), got.terms.tolist(), got.counts.tolist(), strict=True)
    for at, term, count in rows:
        assert last_text.get(term, -1) < at, "a term's rows go in ascending order of text"
        last_text[term] = at
        assert count > 0 and names[term] not in out[at]
        out[at][names[term]] = count
    return list(zip(out, got.lengths.tolist(), strict=True))


def expected(texts: list[str]) -> list[tuple[Counter[str], int]]:
    return [(Counter(words), len(words)) for words in map(analyze, texts)]


@given(st.lists(_TEXT, max_size=8))
@settings(max_examples=300, deadline=None)
def test_a_batch_counts_what_analyze_gives_each_text(texts: list[str]) -> None:
    assert as_counters(texts, Vocabulary()) == expected(texts)


@given(st.lists(st.lists(_TEXT, max_size=5), min_size=2, max_size=4))
@settings(max_examples=100, deadline=None)
def test_batches_share_one_vocabulary(batches: list[list[str]]) -> None:
    vocabulary = Vocabulary()
    for texts in batches:
        assert as_counters(texts, vocabulary) == expected(texts)
    assert sorted(vocabulary.numbers.values()) == list(range(len(vocabulary.numbers)))


def test_words_of_every_length_and_shape() -> None:
    texts = [
        "A v1.5 model... of 3.14 and e.g. x_y, x..y .5 end.",
        "word " * 3 + "w" * PACKED_CHARS + " " + "w" * (PACKED_CHARS + 1) + " " + "z" * 40,
        "",
        "   ",
        "the and of",  # stop words only
        "Naïve café: non-ASCII goes the slow way, over the same vocabulary",
        "ÉCOLE école",
        "_ __ 0 00 000",
        ".......... ............",
    ]
    vocabulary = Vocabulary()
    assert as_counters(texts, vocabulary) == expected(texts)
    assert as_counters(texts[::-1], vocabulary) == expected(texts[::-1])


def test_a_word_seen_before_costs_no_new_number() -> None:
    vocabulary = Vocabulary()
    count_terms(["graph sampling graph"], vocabulary)
    before = dict(vocabulary.numbers)
    got = count_terms(["sampling graph", "graph"], vocabulary)
    assert vocabulary.numbers == before
    assert got.terms.dtype == np.uint32 and got.counts.dtype == np.uint32


def test_batches_larger_than_a_chunk_and_texts_longer_than_one() -> None:
    words = ["graph", "sampling", "v1.5", "of", "the", "model", "transformers", "attention"]
    texts = [" ".join(words[(i + k) % len(words)] for k in range(150)) for i in range(400)]
    texts[7] = "x " * (CHUNK_CHARS // 2 + 3)  # longer than a chunk: analyze() alone
    texts[200] += " café"  # not ASCII: alone, between two chunks
    assert sum(map(len, texts)) > 2 * CHUNK_CHARS
    vocabulary = Vocabulary()
    assert as_counters(texts, vocabulary) == expected(texts)

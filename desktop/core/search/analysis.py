"""How text becomes index terms: the word pattern, stop words and the analyzer."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.analysis import STOP_WORDS, StandardAnalyzer

# Words are runs of letters and digits with inner dots kept ("v1.5"). Whoosh's default pattern
# also keeps "*", so "**bold**" Markdown would be the word "**bold**".
WORD_PATTERN = r"\w+(?:\.?\w+)*"
_TOKEN_RE = re.compile(WORD_PATTERN, re.UNICODE)
_STOP = frozenset(STOP_WORDS)

# No stemming: phrases stay exact, prefix* works on real words, and the spelling corrector
# suggests real words. Text fields are written with analyze(), which gives the same terms as
# this analyzer much faster (a test holds them equal); the schema keeps the analyzer so that
# Whoosh's own writer and key-term extraction see the same words.
ANALYZER = StandardAnalyzer(expression=WORD_PATTERN, minsize=1)


def analyze(text: str) -> list[str]:
    """The index terms of ``text``: words lowercased, stop words dropped.

    The same terms, in the same order, as :data:`ANALYZER`.
    """
    if text.isascii():  # lowercasing first changes no word boundary, and is one C call
        return [w for w in _TOKEN_RE.findall(text.lower()) if w not in _STOP]
    return [w for t in _TOKEN_RE.findall(text) if (w := t.lower()) not in _STOP]


# -- many texts at once ---------------------------------------------------------------------------
# ASCII text is tokenised for a whole batch of texts with numpy: a word is a run of word
# characters (letters, digits, "_") and of dots that stand between two word characters, as
# WORD_PATTERN reads ASCII. A word of up to PACKED_CHARS characters is known by a number, its
# lowercased characters as digits in base 39: exact, so no two words share one. Numbers are
# worked out for every word at once from one running sum over the batch (modulo 2**64, where
# 39 has an inverse; a word's number is below 2**64, so the modular result is the number).
# Only a batch's new words become Python strings.
PACKED_CHARS = 12
_SYMBOLS = "abcdefghijklmnopqrstuvwxyz0123456789_."
_BASE = len(_SYMBOLS) + 1  # digit 0 stands for "no character"
_CLASS = np.zeros(256, dtype=np.uint8)  # 1 word character, 2 dot, 0 anything else
_DIGIT = np.zeros(256, dtype=np.uint64)
for _n, _c in enumerate(_SYMBOLS, 1):
    for _b in {ord(_c), ord(_c.upper())}:
        _CLASS[_b] = 2 if _c == "." else 1
        _DIGIT[_b] = _n
_INVERSE = pow(_BASE, -1, 1 << 64)
# Texts are tokenised this many characters at a time at most (the power tables below are
# this long: 4 MB); a longer text goes through analyze() alone.
CHUNK_CHARS = 1 << 18


@functools.lru_cache(maxsize=1)
def _power_tables() -> tuple[Any, Any]:
    """39**i and 39**-i modulo 2**64 for i up to CHUNK_CHARS."""
    tables = []
    for factor in (_BASE, _INVERSE):
        table = np.ones(CHUNK_CHARS + 1, dtype=np.uint64)
        np.cumprod(np.full(CHUNK_CHARS, factor, dtype=np.uint64), out=table[1:])
        tables.append(table)
    return tables[0], tables[1]


@dataclass
class TermCounts:
    """The terms of a batch of texts: one row per (text, term) pair, each term's rows in
    ascending order of text, and each text's length in words (stop words left out, as in
    :func:`analyze`)."""

    texts: Any  # int64: the text's position in the batch
    terms: Any  # uint32: the term's number in the vocabulary
    counts: Any  # uint32: how often the term is in the text
    lengths: Any  # int64, one per text


class Vocabulary:
    """Term numbers, given in order of first sight: ``numbers`` maps a term to its number.

    ``packed`` remembers the term number of each word number seen (-1 for a stop word), so
    that a word seen in an earlier batch costs no string.
    """

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.packed: dict[int, int] = {}

    def number(self, term: str) -> int:
        """The number of ``term`` (given now when new), or -1 for a stop word."""
        if term in _STOP:
            return -1
        numbers = self.numbers
        found = numbers.get(term)
        if found is None:
            found = numbers[term] = len(numbers)
        return found


def count_terms(texts: Sequence[str], vocabulary: Vocabulary) -> TermCounts:
    """What ``Counter(analyze(text))`` gives for each of ``texts``, as arrays of term numbers.

    Each term's rows come in ascending order of text (what a posting list wants); terms come
    in no promised order, and a term's rows need not be next to each other.
    """
    lengths = np.zeros(len(texts), dtype=np.int64)
    # Parts in order of text: a run of ASCII texts (CHUNK_CHARS at most, with their spaces)
    # together, any other text alone. Each part's rows are term by term, each term's in
    # order of text, so the parts end to end are too (the pools want nothing more).
    parts = []
    chunk: list[int] = []
    size = 0
    for i, text in enumerate(texts):
        alone = not text.isascii() or len(text) >= CHUNK_CHARS
        if chunk and (alone or size + len(text) >= CHUNK_CHARS):
            parts.append(_count_ascii([texts[j] for j in chunk], vocabulary, lengths, chunk))
            chunk, size = [], 0
        if alone:
            parts.append(_count_one(i, text, vocabulary, lengths))
        else:
            chunk.append(i)
            size += len(text) + 1
    parts.append(_count_ascii([texts[j] for j in chunk], vocabulary, lengths, chunk))
    at = np.concatenate([p[0] for p in parts])
    terms = np.concatenate([p[1] for p in parts])
    counts = np.concatenate([p[2] for p in parts])
    return TermCounts(at, terms.astype(np.uint32), counts.astype(np.uint32), lengths)


def _count_one(at: int, text: str, vocabulary: Vocabulary, lengths: Any) -> tuple[Any, Any, Any]:
    """Rows (text, term, count) of one text, by :func:`analyze`."""
    counts = Counter(analyze(text))
    lengths[at] = sum(counts.values())
    terms = np.array([vocabulary.number(t) for t in counts], dtype=np.int64)
    return np.full(len(terms), at, dtype=np.int64), terms, np.array(list(counts.values()))


# A word longer than PACKED_CHARS is known by LONG_WORD + its term number (above every
# packed number, and below 2**64).
LONG_WORD = _BASE**PACKED_CHARS


def _count_ascii(
    texts: list[str], vocabulary: Vocabulary, lengths: Any, positions: list[int]
) -> tuple[Any, Any, Any]:
    """Rows (text position, term number, count) of ASCII ``texts``, term by term."""
    nothing = np.zeros(0, dtype=np.int64)
    if not texts:
        return nothing, nothing, nothing
    joined = " ".join(texts).encode("ascii")  # a space: no word runs from one into the next
    raw = np.frombuffer(joined, dtype=np.uint8)
    kind = _CLASS[raw]
    in_word = np.zeros(len(raw) + 2, dtype=bool)  # one False either side
    in_word[1:-1] = kind == 1
    inner_dot = (kind[1:-1] == 2) & in_word[1:-3] & in_word[3:-1]
    in_word[2:-2] |= inner_dot
    change = np.flatnonzero(in_word[1:] != in_word[:-1])
    starts, ends = change[0::2], change[1::2]
    if not len(starts):
        return nothing, nothing, nothing
    sizes = ends - starts
    # Word numbers: with D[i] the running sum of digit * 39**-position up to i, a word's
    # number is (D[end - 1] - D[start - 1]) * 39**(end - 1).
    up, down = _power_tables()
    with np.errstate(over="ignore"):
        running = np.cumsum(_DIGIT[raw] * down[: len(raw)])
        before = np.where(starts > 0, running[starts - 1], np.uint64(0))
        keys = (running[ends - 1] - before) * up[ends - 1]
    lowered = joined.lower()
    for w in np.flatnonzero(sizes > PACKED_CHARS).tolist():
        s = int(starts[w])
        number = vocabulary.number(lowered[s : s + int(sizes[w])].decode("ascii"))
        keys[w] = LONG_WORD + number if number >= 0 else LONG_WORD - 1  # (-1: not a word)
    # Which text each word is in: each text starts one past the end of the one before.
    text_starts = np.zeros(len(texts), dtype=np.int64)
    np.cumsum([len(t) + 1 for t in texts[:-1]], out=text_starts[1:])
    text_of = np.searchsorted(text_starts, starts, side="right") - 1
    # Words in order of number, each word's in order of place (so of text): a row per run of
    # the same word in the same text.
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    text_of = text_of[order]
    new_word = np.empty(len(keys), dtype=bool)
    new_word[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new_word[1:])
    new_row = new_word.copy()
    new_row[1:] |= text_of[1:] != text_of[:-1]
    word_starts = np.flatnonzero(new_word)
    first = order[word_starts]  # a place of each distinct word
    terms = _term_numbers(keys[word_starts], starts[first], sizes[first], lowered, vocabulary)
    row_starts = np.flatnonzero(new_row)
    counts = np.diff(row_starts, append=len(keys))
    row_terms = terms[np.cumsum(new_word)[row_starts] - 1]
    kept = row_terms >= 0
    at = np.asarray(positions, dtype=np.int64)[text_of[row_starts[kept]]]
    counts = counts[kept]
    lengths += np.bincount(at, weights=counts, minlength=len(lengths)).astype(np.int64)
    return at, row_terms[kept], counts


def _term_numbers(
    keys: Any, starts: Any, sizes: Any, lowered: bytes, vocabulary: Vocabulary
) -> Any:
    """The term number of each distinct word (by key), -1 for a stop word; ``starts`` and
    ``sizes`` give one of its places in ``lowered``."""
    known = vocabulary.packed
    found = list(map(known.get, keys.tolist()))
    if None in found:
        for k, n in enumerate(found):
            if n is not None:
                continue
            key = int(keys[k])
            if key >= LONG_WORD - 1:  # a long word: its term number is in its key
                found[k] = key - LONG_WORD
                continue
            s = int(starts[k])
            term = lowered[s : s + int(sizes[k])].decode("ascii")
            found[k] = known[key] = vocabulary.number(term)
    return np.array(found, dtype=np.int64)

"""Text-quote anchoring: describe a span by its quote and context, and find it again.

This follows the W3C Web Annotation ``TextQuoteSelector`` (as Hypothesis uses it): a span is
stored as its exact ``quote`` with up to ``CONTEXT`` characters of ``prefix`` and ``suffix``,
plus the offsets it had. When the text changes, :func:`anchor` places the span again.

The one rule that keeps highlights honest: a span is only ever placed where the text holds the
exact quote. Context and the old offset only choose *between* exact occurrences; when the quote
is gone, or several occurrences remain and the context cannot tell them apart, the answer is
``None`` (the caller marks the highlight orphaned) rather than a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

CONTEXT = 32

# With several exact occurrences, the winner's context must agree with the stored context on at
# least this share of its characters; below that, nothing tells them apart and we refuse to guess.
# Measured on the seed abstracts (every repeated word, every other occurrence of it): a *wrong*
# occurrence agrees 0.09 at the median and 0.53 at the 99th percentile; the *right* one after a
# random edit inside its context agrees 0.88 at the median and 0.74 at the 0.1th percentile.
MIN_CONTEXT_AGREEMENT = 0.7
# Runs of fewer matching characters are chance (a shared "e" or space), not context.
MIN_BLOCK = 3
# A quote shorter than this ("the model") can occur once in rewritten text yet be other words:
# a single occurrence of it is taken only when some of its old context is still around it.
SHORT_QUOTE = 20
MIN_SHORT_AGREEMENT = 0.3
# At most this many occurrences get the full (difflib) context comparison.
MAX_SCORED = 200


@dataclass(frozen=True)
class QuoteSelector:
    """A span described the W3C way: exact quote, context on both sides, and last offsets."""

    quote: str
    prefix: str
    suffix: str
    start: int
    end: int


def describe(text: str, start: int, end: int, context: int = CONTEXT) -> QuoteSelector:
    """The selector for ``text[start:end]`` with up to ``context`` characters either side."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}-{end} is not inside a text of {len(text)} characters")
    return QuoteSelector(
        quote=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
        start=start,
        end=end,
    )


def occurrences(text: str, quote: str) -> list[int]:
    """Every offset where ``quote`` occurs in ``text`` (overlapping ones included)."""
    found: list[int] = []
    if not quote:
        return found
    at = text.find(quote)
    while at != -1:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _matched(a: str, b: str) -> int:
    """Characters of ``a`` and ``b`` that line up in runs (difflib), tolerant of small edits."""
    if not a or not b:
        return 0
    blocks = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks if block.size >= min(MIN_BLOCK, len(a)))


def _adjacent(selector: QuoteSelector, text: str, start: int, context: int) -> int:
    end = start + len(selector.quote)
    return _common_suffix(selector.prefix, text[max(0, start - context) : start]) + _common_prefix(
        selector.suffix, text[end : end + context]
    )


@dataclass(frozen=True)
class _Candidate:
    start: int
    agreement: float  # share of stored context that lines up here, 0..1
    adjacent: int  # characters of context matching exactly, right next to the quote
    distance: int  # how far from the old offset


def _score(selector: QuoteSelector, text: str, start: int, context: int) -> _Candidate:
    end = start + len(selector.quote)
    prefix = text[max(0, start - context) : start]
    suffix = text[end : end + context]
    total = len(selector.prefix) + len(selector.suffix)
    # A stored context shorter than `context` means the quote sat at an edge of the text; a
    # candidate at the same edge agrees on that, which counts like one matching character.
    edge_total = 0
    edge_hits = 0
    if len(selector.prefix) < context:
        edge_total += 1
        edge_hits += int(len(prefix) == len(selector.prefix) and prefix == selector.prefix)
    if len(selector.suffix) < context:
        edge_total += 1
        edge_hits += int(len(suffix) == len(selector.suffix) and suffix == selector.suffix)
    matched = _matched(selector.prefix, prefix) + _matched(selector.suffix, suffix) + edge_hits
    agreement = matched / (total + edge_total) if total + edge_total else 0.0
    return _Candidate(
        start=start,
        agreement=agreement,
        adjacent=_adjacent(selector, text, start, context),
        distance=abs(start - selector.start),
    )


def anchor(text: str, selector: QuoteSelector, context: int = CONTEXT) -> tuple[int, int] | None:
    """Where ``selector`` lies in ``text`` now, as ``(start, end)``; None when it cannot be placed.

    The result always satisfies ``text[start:end] == selector.quote``. In order:

    1. the old offsets still hold the quote with the same context: keep them;
    2. the quote occurs exactly once: take it, if it is at least ``SHORT_QUOTE`` characters
       long or some of its old context (``MIN_SHORT_AGREEMENT``) is still around it;
    3. several occurrences: take the one whose surrounding text best agrees with the stored
       prefix and suffix (exact agreement right next to the quote first, then nearness to the
       old offset), provided the agreement is at least ``MIN_CONTEXT_AGREEMENT``;
    4. otherwise None: the caller keeps the highlight, marked orphaned.
    """
    quote = selector.quote
    if not quote:
        return None
    start, end = selector.start, selector.start + len(quote)
    if (
        start >= 0
        and text[start:end] == quote
        and text[max(0, start - context) : start] == selector.prefix
        and text[end : end + context] == selector.suffix
    ):
        return start, end
    found = occurrences(text, quote)
    if not found:
        return None
    if len(found) == 1:
        if len(quote) >= SHORT_QUOTE:
            return found[0], found[0] + len(quote)
        if _score(selector, text, found[0], context).agreement >= MIN_SHORT_AGREEMENT:
            return found[0], found[0] + len(quote)
        return None
    if len(found) > MAX_SCORED:
        # A very common quote (a single letter, say): score fully only the occurrences whose
        # adjacent context matches best, then the nearest ones; the rest cannot win anyway
        # unless the context around the quote was rewritten, and then we would orphan.
        found = sorted(
            found, key=lambda at: (-_adjacent(selector, text, at, context), abs(at - start))
        )
        found = found[:MAX_SCORED]
    candidates = [_score(selector, text, at, context) for at in found]
    best = max(candidates, key=lambda c: (c.agreement, c.adjacent, -c.distance))
    if best.agreement < MIN_CONTEXT_AGREEMENT:
        return None
    return best.start, best.start + len(quote)


def utf16_offset(text: str, index: int) -> int:
    """The UTF-16 position (as Qt's QTextCursor counts) of the Python str index ``index``."""
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


def str_index(text: str, utf16_position: int) -> int:
    """The Python str index of a UTF-16 position (Qt), clamped to the text.

    A position inside a surrogate pair (between the two halves of one character) maps to the
    start of that character.
    """
    units = 0
    for index, ch in enumerate(text):
        width = 2 if ord(ch) > 0xFFFF else 1
        if units + width > utf16_position:
            return index
        units += width
    return len(text)

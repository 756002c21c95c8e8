"""The snippet window is chosen exactly as the first, quadratic version chose it (kept here
as the reference)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.search.results import MARK_END, MARK_START, MARKS_RE
from desktop.core.search.snippets import SNIPPET_CHARS, MatchTerms, make_snippet

WORDS = ["model", "models", "memory", "attention", "a", "of", "efficient", "inference", "x"]


def reference_snippet(text: str, terms: MatchTerms, width: int = SNIPPET_CHARS) -> tuple[str, int]:
    """A window of ``text`` around its best run of matches, with matches marked.

    Returns the snippet and how many matches it holds.
    """
    text = MARKS_RE.sub("", text)
    spans = [] if terms.empty else [m.span() for m in terms.pattern.finditer(text)]
    if not spans:
        cut = text[:width]
        if len(text) > width:
            cut = cut.rsplit(" ", 1)[0] + " …"
        return cut, 0
    best, best_count = 0, 0
    for i, (start, _) in enumerate(spans):
        count = sum(1 for s, _e in spans[i:] if s < start + width - 40)
        if count > best_count:
            best, best_count = i, count
    lo = max(0, spans[best][0] - 40)
    if lo > 0:
        space = text.find(" ", lo)
        lo = space + 1 if 0 <= space < spans[best][0] else lo
    hi = min(len(text), lo + width)
    if hi < len(text):
        space = text.rfind(" ", lo, hi)
        hi = space if space > spans[best][1] else hi
    out: list[str] = []
    pos = lo
    for s, e in spans:
        if s < lo or e > hi:
            continue
        out += [text[pos:s], MARK_START, text[s:e], MARK_END]
        pos = e
    out.append(text[pos:hi])
    snippet = ("… " if lo > 0 else "") + "".join(out) + (" …" if hi < len(text) else "")
    return snippet, sum(1 for s, e in spans if s >= lo and e <= hi)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=400), st.integers(60, 300))
def test_the_snippet_is_the_reference_one(words: list[str], width: int) -> None:
    text = " ".join(words)
    for terms in (
        MatchTerms(frozenset({"model", "memory"}), ("effic",)),
        MatchTerms(frozenset(), ()),
        MatchTerms(frozenset({"a"}), ()),
    ):
        assert make_snippet(text, terms, width) == reference_snippet(text, terms, width)

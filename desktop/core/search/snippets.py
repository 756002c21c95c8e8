"""Snippets: which words of a query to mark, and the window of text shown for each hit."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from desktop.core.models import PaperId
from desktop.core.search.analysis import analyze
from desktop.core.search.documents import KEYWORD_FIELDS, annotation_snippet_text
from desktop.core.search.query import And, Node, Or, Phrase, Word
from desktop.core.search.results import MARK_END, MARK_START, MARKS_RE, SearchHit, SearchResults
from desktop.core.sql import chunks, marks

SNIPPET_CHARS = 220


@dataclass(frozen=True)
class MatchTerms:
    """The words (and word prefixes) a snippet marks."""

    stems: frozenset[str]
    prefixes: tuple[str, ...]

    def matches(self, token: str) -> bool:
        """True when ``token`` is one of the words or starts with one of the prefixes."""
        low = token.lower()
        return low in self.stems or (bool(self.prefixes) and low.startswith(self.prefixes))

    @property
    def empty(self) -> bool:
        """True when nothing is to be marked."""
        return not (self.stems or self.prefixes)

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """One regex finding every matching word (much faster than tokenizing in Python)."""
        alts = [re.escape(t) + r"(?!\w)" for t in sorted(self.stems, key=len, reverse=True)]
        alts += [re.escape(p) + r"\w*" for p in self.prefixes]
        return re.compile(r"(?<!\w)(?:" + "|".join(alts) + ")", re.IGNORECASE)


NO_TERMS = MatchTerms(frozenset(), ())


def match_terms(node: Node | None) -> MatchTerms:
    """The words a text tree looks for outside any ``Not`` (keyword fields left out)."""
    stems: set[str] = set()
    prefixes: list[str] = []

    def walk(n: Node | None) -> None:
        if isinstance(n, Word) and n.field not in KEYWORD_FIELDS:
            if n.prefix:
                prefixes.append(n.text.lower())
            else:
                stems.update(analyze(n.text))
        elif isinstance(n, Phrase) and n.field not in KEYWORD_FIELDS:
            stems.update(analyze(n.text))
        elif isinstance(n, And | Or):
            for child in n.children:
                walk(child)

    walk(node)
    return MatchTerms(frozenset(stems), tuple(prefixes))


def make_snippet(text: str, terms: MatchTerms, width: int = SNIPPET_CHARS) -> tuple[str, int]:
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
    # Matches come in order: those from the i-th that start within the window are a run,
    # counted by bisection (a common word matches dozens of times in an abstract).
    starts = [s for s, _e in spans]
    for i, start in enumerate(starts):
        count = bisect.bisect_left(starts, start + width - 40, lo=i) - i
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


def title_matches(title: str, terms: MatchTerms) -> bool:
    """True when the title holds one of the marked words."""
    return not terms.empty and terms.pattern.search(title) is not None


def fill_hits(
    db: Database,
    results: SearchResults,
    scored: Sequence[tuple[PaperId, float]],
    terms: MatchTerms,
) -> None:
    """Append a hit with a snippet for each ranked paper still in SQLite.

    The snippet comes from the abstract, or from the note and highlights when only they hold
    the words.
    """
    ids = [pid for pid, _ in scored]
    texts: dict[int, tuple[str, str]] = {}
    for chunk in chunks(ids):
        for pid, title, abstract in db.execute(
            f"SELECT id, title, abstract FROM papers WHERE id IN ({marks(len(chunk))})",
            list(chunk),
        ):
            texts[pid] = (title, abstract)
    for pid, score in scored:
        if pid not in texts:
            continue  # deleted from SQLite since the index was written
        title, abstract = texts[pid]
        snippet, hits = make_snippet(abstract, terms)
        if not hits and not terms.empty and not title_matches(title, terms):
            note_text = annotation_snippet_text(db, pid)
            if note_text:
                alt, alt_hits = make_snippet(note_text, terms)
                if alt_hits:
                    snippet = alt
        results.hits.append(SearchHit(pid, title, round(score, 4), snippet))

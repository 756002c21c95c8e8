"""Spelling suggestions: a corrected query, from the words of the indexed abstracts."""

from __future__ import annotations

import re
from typing import Any

from desktop.core.search.analysis import analyze
from desktop.core.search.query import ParsedQuery, parse_query
from desktop.core.search.ranker import Engine


def suggest(
    searcher: Any, corrector: Any, engine: Engine, original: str, parsed: ParsedQuery
) -> str | None:
    """A corrected version of ``original`` that finds something, or None.

    Each unknown word of three letters or more is replaced by the closest indexed abstract
    word (at most two edits away, same first letter); the corrected query must match.
    """
    text = original
    changed = False
    for word in dict.fromkeys(parsed.words):
        low = word.lower()
        if not low.isalpha() or len(low) < 3:
            continue
        terms = analyze(low)
        if terms and searcher.doc_frequency("abstract", terms[0]) > 0:
            continue  # a known word
        found = corrector.suggest(low, limit=1, maxdist=2, prefix=1)
        if found and found[0] != low:
            text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", found[0], text, count=1)
            changed = True
    if not changed:
        return None
    reparsed = parse_query(text)
    if reparsed.text is None or not engine.top(reparsed.text, 1):
        return None
    return text

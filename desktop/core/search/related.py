"""Related papers: the papers most like one paper, by the key terms of its title and abstract."""

from __future__ import annotations

from typing import Any

from desktop.core.search.documents import TITLE_BOOST
from desktop.core.search.ranker import Engine, Term

RELATED_TERMS = 10
# Words in more than a few percent of papers say little about a subject and have long
# postings: leaving them out keeps this fast on a large library.
RELATED_MAX_DF_SHARE = 0.03
RELATED_MIN_DF = 30


def related_terms(searcher: Any, title: str, abstract: str) -> list[Term]:
    """Up to ``RELATED_TERMS`` weighted key terms per field (title, then title + abstract)."""
    out: list[Term] = []
    common = max(RELATED_MIN_DF, searcher.doc_count() * RELATED_MAX_DF_SHARE)
    for fieldname, text, boost in (
        ("title", title, TITLE_BOOST),
        ("abstract", f"{title} {abstract}", 1.0),
    ):
        terms = [
            (term, weight)
            for term, weight in searcher.key_terms_from_text(
                fieldname, text, numterms=RELATED_TERMS * 3
            )
            if len(term) >= 3  # not "i", "o" from "I/O"
            and not term.isdigit()
            and searcher.doc_frequency(fieldname, term) <= common
        ][:RELATED_TERMS]
        top = max((w for _, w in terms), default=1.0) or 1.0
        out += [(fieldname, term, boost * weight / top) for term, weight in terms]
    return out


def related_docs(
    engine: Engine, terms: list[Term], paper_id: int, limit: int
) -> list[tuple[int, float]]:
    """``(paper id, score)`` of the best ``limit`` papers for the terms, without ``paper_id``."""
    if not terms:
        return []
    found = engine.top_terms(terms, limit, engine.docs_for_pids([paper_id]))
    return [(int(engine.docids[d]), float(s)) for d, s in found]

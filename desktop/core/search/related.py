"""Related papers: the papers most like one paper, by the key terms of its title and abstract."""

from __future__ import annotations

from collections import Counter

from desktop.core.search.analysis import analyze
from desktop.core.search.documents import TITLE_BOOST
from desktop.core.search.ranker import Engine, Term

RELATED_TERMS = 10
# Words in more than a few percent of papers say little about a subject and have long
# postings: leaving them out keeps this fast on a large library.
RELATED_MAX_DF_SHARE = 0.03
RELATED_MIN_DF = 30


def related_terms(engine: Engine, title: str, abstract: str) -> list[Term]:
    """Up to ``RELATED_TERMS`` weighted key terms per field (title, then title + abstract)."""
    out: list[Term] = []
    common = max(RELATED_MIN_DF, engine.searcher.doc_count() * RELATED_MAX_DF_SHARE)
    for fieldname, text, boost in (
        ("title", title, TITLE_BOOST),
        ("abstract", f"{title} {abstract}", 1.0),
    ):
        terms = [
            (term, weight)
            for term, weight in key_terms(engine, fieldname, text, RELATED_TERMS * 3)
            if len(term) >= 3  # not "i", "o" from "I/O"
            and not term.isdigit()
            and engine.term_stats(fieldname, term)[1] <= common
        ][:RELATED_TERMS]
        top = max((w for _, w in terms), default=1.0) or 1.0
        out += [(fieldname, term, boost * weight / top) for term, weight in terms]
    return out


def key_terms(engine: Engine, fieldname: str, text: str, number: int) -> list[tuple[str, float]]:
    """The ``number`` most telling words of ``text`` for a field: Whoosh's
    ``key_terms_from_text`` (its Bo1 model, normalised), with each word's statistics looked
    up once per segment and kept by the engine, not three times per segment and call."""
    from whoosh.classify import Bo1Model

    counts = Counter(analyze(text))  # the text's words in order of first use, as Whoosh adds them
    if not counts:
        return []
    reader = engine.searcher.reader()
    model = Bo1Model(reader.doc_count_all(), reader.field_length(fieldname))
    total = sum(counts.values())
    scored: list[tuple[float, str]] = []
    best = 0.0
    for word, count in counts.items():
        frequency, documents = engine.term_stats(fieldname, word)
        if not documents:
            continue  # in no segment's term table
        score = model.score(float(count), frequency, total)
        best = max(best, score)
        scored.append((score, word))
    norm = model.normalizer(best, total)
    ranked = sorted(((w / norm, t) for w, t in scored), key=lambda x: (0 - x[0], x[1]))
    return [(t, w) for w, t in ranked[:number]]


def related_docs(
    engine: Engine, terms: list[Term], paper_id: int, limit: int
) -> list[tuple[int, float]]:
    """``(paper id, score)`` of the best ``limit`` papers for the terms, without ``paper_id``."""
    if not terms:
        return []
    found = engine.top_terms(terms, limit, engine.docs_for_pids([paper_id]))
    return [(int(engine.docids[d]), float(s)) for d, s in found]

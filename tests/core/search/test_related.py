"""Related papers' key terms are Whoosh's, from statistics looked up once per segment."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.core.library import Library
from desktop.core.search import whoosh_segments
from desktop.core.search.related import RELATED_TERMS, key_terms, related_docs, related_terms
from tests.conftest import SEEDS, TODAY

ABSTRACT = (
    "We revisit graph sampling for out-of-core training and show that a simple sampler with "
    "a feature cache matches the best systems while reading a tenth of the bytes from disk."
)
EDITED = f"""Graph Sampling Made Simple

{ABSTRACT}

Quokka Search: Indexing Marsupials at Scale

We index marsupial sightings with a new zorbification method and a graph of burrows.
"""


def _several_segments(lib: Library) -> None:
    """The seeds' segment, then a digest's papers in a second one."""
    result = lib.importer.import_text(EDITED, "extra.txt")
    assert result.ok and result.new_papers == 2, result
    lib.index.wait_idle()


def test_key_terms_are_whooshs_key_terms(seeded: Library) -> None:
    _several_segments(seeded)
    engine = seeded.index.engine()
    searcher = seeded.index._get_searcher()  # noqa: SLF001 - the reference answer
    assert len(engine.leaves) > 1, "the test wants several segments"
    rows = seeded.db.execute("SELECT title, abstract FROM papers ORDER BY id").fetchall()
    assert len(rows) > 50
    for title, abstract in rows:
        for fieldname, text in (("title", title), ("abstract", f"{title} {abstract}")):
            ours = key_terms(engine, fieldname, text, RELATED_TERMS * 3)
            theirs = searcher.key_terms_from_text(fieldname, text, numterms=RELATED_TERMS * 3)
            assert ours == theirs, (fieldname, title)
    # and the statistics that choose among them
    for word in ("graph", "sampling", "model", "nosuchword"):
        stats = engine.term_stats("abstract", word)
        frequency = searcher.frequency("abstract", word)
        assert stats == (frequency, searcher.doc_frequency("abstract", word))


def test_related_terms_leave_out_common_and_short_words(lib: Library) -> None:
    lib.today = lambda: TODAY
    assert all(r.ok for r in lib.importer.import_paths([SEEDS]))
    engine = lib.index.engine()
    title, abstract = lib.db.execute("SELECT title, abstract FROM papers LIMIT 1").fetchone()
    terms = related_terms(engine, title, abstract)
    assert terms and all(len(t) >= 3 and not t.isdigit() for _f, t, _b in terms)
    assert {f for f, _t, _b in terms} <= {"title", "abstract"}
    assert max(b for f, _t, b in terms if f == "abstract") == 1.0


def test_related_looks_each_term_up_once_per_segment(
    seeded: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A related search reads each (term, segment) from the term table once: its
    statistics, its idf and its postings share the lookup; the scores are Whoosh's."""
    _several_segments(seeded)
    engine = seeded.index.engine()
    assert len(engine.leaves) > 1, "the test wants several segments"
    seen: list[tuple[int, bytes]] = []
    tables = {}
    for number, (segment, _offset) in enumerate(engine.leaves):
        table = segment._terms._tindex  # noqa: SLF001 - the hash table every lookup probes
        tables[id(table)] = number
        original = table.ranges_for_key

        def counted(key: bytes, _n: int = number, _f: Any = original) -> Any:
            seen.append((_n, key))
            return _f(key)

        table.ranges_for_key = counted  # Whoosh's own lookups
    fast_lookup = whoosh_segments.hash_lookup

    def counted_fast(table: Any, key: bytes) -> bytes | None:
        seen.append((tables[id(table)], key))
        return fast_lookup(table, key)

    monkeypatch.setattr(whoosh_segments, "hash_lookup", counted_fast)  # the fast access's
    paper_id, title, abstract = seeded.db.execute(
        "SELECT id, title, abstract FROM papers WHERE title LIKE 'Graph Sampling%'"
    ).fetchone()
    terms = related_terms(engine, title, abstract)
    found = related_docs(engine, terms, paper_id, 10)
    assert found and all(pid != paper_id for pid, _s in found)
    assert seen and len(seen) == len(set(seen)), "a term looked up twice in a segment"
    searcher = seeded.index._get_searcher()  # noqa: SLF001 - the reference idf
    for fieldname, text, _boost in terms:
        assert engine.idf(fieldname, text) == searcher.idf(fieldname, text)

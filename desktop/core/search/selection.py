"""A query as an SQL condition over ``papers p``: what saved views and rules select.

The text part of a query is answered by the library's search index (every matching paper,
unranked) and handed to SQLite as a JSON list of ids; the filters (state, digest, dates) are
SQL themselves (filter_sql.py), so a triage key changes what a view holds without asking the
index again. The id sets are cached per query and index generation. A write that names its
papers (an import, a tag) updates them by matching those papers alone (doc_match.py), so a
saved view does not ask the index again after each import; a write that does not forgets
them. While the index cannot answer, the text part falls back to the LIKE scan search uses
then (approximate).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from desktop.core.id_set import IdSet
from desktop.core.models import Changes
from desktop.core.search.filter_sql import fallback_sql, filter_sql
from desktop.core.search.query import Node, ParsedQuery, node_text

if TYPE_CHECKING:  # the index (and Whoosh) load when a query with text is first answered
    from desktop.core.search.index import SearchIndex

# Cached id lists kept at most (one per saved view or rule, so a few dozen in practice).
MAX_CACHED = 256
# A write naming more papers than this forgets the cached matches instead of updating them.
INCREMENTAL_MAX = 2000


# Annotation text (characters) above which an edit's papers are not matched in Python here
# while the index writes them on its own thread (see on_changes).
DOC_MATCH_MAX_CHARS = 100_000


def _annotation_chars(db: Database, papers: list[int]) -> int:
    """How many characters of notes and highlight notes the papers have (at most the first
    INCREMENTAL_MAX papers are looked at: a larger write is not matched here anyway)."""
    ids = json.dumps(papers[: INCREMENTAL_MAX + 1])
    (chars,) = db.execute(
        "SELECT COALESCE((SELECT SUM(LENGTH(body)) FROM notes WHERE paper_id IN "
        "(SELECT value FROM json_each(?))), 0) + COALESCE((SELECT SUM(LENGTH(note)) "
        "FROM highlights WHERE paper_id IN (SELECT value FROM json_each(?))), 0)",
        [ids, ids],
    ).fetchone()
    return int(chars)


@dataclass
class _TextMatch:
    """The papers a text query matched at one index generation (JSON made when asked)."""

    generation: int
    text: Node
    ids: IdSet
    json_ids: str | None = None


class QuerySelection:
    """Turns parsed queries into SQL conditions, caching the index's answers."""

    def __init__(self, db: Database, index: Callable[[], SearchIndex]) -> None:
        self.db = db
        self._index = index
        self._matches: dict[str, _TextMatch] = {}  # text query -> what it matched
        self.index_queries = 0  # how often the index was asked (tests check the cache)
        # True after a write whose long annotations are matched by asking the index again
        # later (on_changes), so that listeners after this one do not ask it now either.
        self.waiting_for_index = False

    @property
    def index(self) -> SearchIndex:
        """The library's search index."""
        return self._index()

    def on_changes(self, changes: Changes) -> None:
        """Library listener: bring cached text matches up to date when text or annotations
        changed (after the index did: it listens first)."""
        self.waiting_for_index = False
        if not (changes.library or changes.annotations):
            return
        if changes.library and len(changes.papers) > INCREMENTAL_MAX:
            self._matches.clear()  # as below, before sorting them: an import's may be a million
            return
        papers = sorted(int(i) for i in changes.papers)
        if (
            changes.annotations
            and not changes.library
            and self.index.background is not None
            and _annotation_chars(self.db, papers) > DOC_MATCH_MAX_CHARS
        ):
            # The index writes the edit on its own thread; matching a long note here would
            # take this one a tenth of a second, so the index is asked again when an answer
            # is wanted (current once the writer committed: a new generation).
            self._matches.clear()
            self.waiting_for_index = True
            return
        if not self._matches:
            return
        if not papers or len(papers) > INCREMENTAL_MAX or not self.index.usable:
            self._matches.clear()
            return
        from desktop.core.search.doc_match import DocMatcher  # Whoosh's analysers: on use

        matcher = DocMatcher(self.db, papers)
        generation = self.index.generation
        changed = set(papers)
        for key, match in list(self._matches.items()):
            found = matcher.matching(match.text)
            # Set operations on the few papers written, not on every paper matched (a
            # common word matches tens of thousands): most writes change no answer.
            gone = {i for i in changed if i in match.ids and i not in found}
            added = {i for i in found if i not in match.ids}
            if gone or added:
                ids = match.ids.with_changes(gone, added)
                self._matches[key] = _TextMatch(generation, match.text, ids)
            else:
                match.generation = generation

    def where(self, parsed: ParsedQuery) -> tuple[str, list[Any]]:
        """The condition over ``papers p`` selecting what a (strictly parsed) query matches."""
        parts: list[str] = []
        params: list[Any] = []
        if parsed.text is not None:
            match = self._match(parsed)
            if match is None:
                sql, p = fallback_sql(parsed.text)
            else:
                if match.json_ids is None:
                    match.json_ids = json.dumps(match.ids.array.tolist())
                sql, p = "p.id IN (SELECT value FROM json_each(?))", [match.json_ids]
            parts.append(sql)
            params += p
        if parsed.filters is not None:
            sql, p = filter_sql(parsed.filters)
            parts.append(sql)
            params += p
        return (" AND ".join(f"({s})" for s in parts) or "1"), params

    def text_ids(self, parsed: ParsedQuery) -> IdSet | None:
        """The papers the text part of a query matches (from the index, cached); None when
        the query has no text part or the index cannot answer (then use :meth:`where`)."""
        if parsed.text is None:
            return None
        match = self._match(parsed)
        return None if match is None else match.ids

    @property
    def generation(self) -> int:
        """The index generation answers are read from (-1 when the index cannot answer)."""
        return self.index.generation if self.index.usable else -1

    def has_match(self, text: Node) -> bool:
        """Whether the index's answer for ``text`` is cached for the index as it is now."""
        cached = self._matches.get(node_text(text))
        return (
            cached is not None and self.index.usable and cached.generation == self.index.generation
        )

    def prime(self, text: Node, generation: int, ids: Iterable[int] | IdSet) -> bool:
        """Keep an answer for ``text`` that another reader of these index files found (a
        worker thread's), when it read the generation this index is at; True when kept."""
        if not self.index.usable or generation != self.index.generation:
            return False
        if len(self._matches) >= MAX_CACHED:
            self._matches.clear()
        found = ids if isinstance(ids, IdSet) else IdSet(ids)
        self._matches[node_text(text)] = _TextMatch(generation, text, found)
        return True

    def cached(self) -> list[tuple[Node, int, IdSet]]:
        """Every answer kept, as (text, index generation, papers): what :meth:`prime` takes
        (a worker's selection hands its answers to the window's so)."""
        return [(m.text, m.generation, m.ids) for m in self._matches.values()]

    def _match(self, parsed: ParsedQuery) -> _TextMatch | None:
        assert parsed.text is not None
        if not self.index.usable:
            return None
        key = node_text(parsed.text)
        generation = self.index.generation
        cached = self._matches.get(key)
        if cached is not None and cached.generation == generation:
            return cached
        found = self.index.matching_array(parsed.text)
        if found is None:
            return None
        self.index_queries += 1
        if len(self._matches) >= MAX_CACHED:
            self._matches.clear()
        match = _TextMatch(generation, parsed.text, IdSet(found))
        self._matches[key] = match
        return match

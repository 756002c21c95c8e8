"""A query as an SQL condition over ``papers p``: what saved views and rules select.

The text part of a query is answered by the library's search index (every matching paper,
unranked) and handed to SQLite as a JSON list of ids; the filters (state, digest, dates) are
SQL themselves (filter_sql.py), so a triage key changes what a view holds without asking the
index again. The id lists are cached per query and index generation. While the index cannot
answer, the text part falls back to the LIKE scan search uses then (approximate).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from desktop.core.models import Changes
from desktop.core.search.filter_sql import fallback_sql, filter_sql
from desktop.core.search.query import ParsedQuery, node_text

if TYPE_CHECKING:  # the index (and Whoosh) load when a query with text is first answered
    from desktop.core.search.index import SearchIndex

# Cached id lists kept at most (one per saved view or rule, so a few dozen in practice).
MAX_CACHED = 256


class QuerySelection:
    """Turns parsed queries into SQL conditions, caching the index's answers."""

    def __init__(self, db: Database, index: Callable[[], SearchIndex]) -> None:
        self.db = db
        self._index = index
        self._ids: dict[str, tuple[int, str]] = {}  # text query -> (generation, JSON ids)
        self.index_queries = 0  # how often the index was asked (tests check the cache)

    @property
    def index(self) -> SearchIndex:
        """The library's search index."""
        return self._index()

    def on_changes(self, changes: Changes) -> None:
        """Library listener: forget cached text matches when text or annotations changed."""
        if changes.library or changes.annotations:
            self._ids.clear()

    def where(self, parsed: ParsedQuery) -> tuple[str, list[Any]]:
        """The condition over ``papers p`` selecting what a (strictly parsed) query matches."""
        parts: list[str] = []
        params: list[Any] = []
        if parsed.text is not None:
            ids = self._text_ids(parsed)
            if ids is None:
                sql, p = fallback_sql(parsed.text)
            else:
                sql, p = "p.id IN (SELECT value FROM json_each(?))", [ids]
            parts.append(sql)
            params += p
        if parsed.filters is not None:
            sql, p = filter_sql(parsed.filters)
            parts.append(sql)
            params += p
        return (" AND ".join(f"({s})" for s in parts) or "1"), params

    def _text_ids(self, parsed: ParsedQuery) -> str | None:
        assert parsed.text is not None
        if not self.index.usable:
            return None
        key = node_text(parsed.text)
        generation = self.index.generation
        cached = self._ids.get(key)
        if cached is not None and cached[0] == generation:
            return cached[1]
        found = self.index.matching_ids(parsed.text)
        if found is None:
            return None
        self.index_queries += 1
        ids = json.dumps(sorted(found))
        if len(self._ids) >= MAX_CACHED:
            self._ids.clear()
        self._ids[key] = (generation, ids)
        return ids

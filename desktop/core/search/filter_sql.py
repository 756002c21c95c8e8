"""SQL over ``papers p``: filters (state, digest, dates) and the slow scan used without an index.

Triage state, digests and dates live in SQLite only, so a keypress never rewrites the index;
these conditions are applied at search time. While the index cannot be used, search answers
from a LIKE scan of titles and abstracts (:func:`search_fallback`).

The functions that return hits import snippets.py (and with it Whoosh's analysers) when they
run: the conditions alone serve commands that never search (saved views in `list`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from desktop.core.models import PaperId
from desktop.core.search.query import And, Filter, Node, Not, Or, ParsedQuery, Phrase, Word
from desktop.core.search.results import SearchResults
from desktop.core.snooze import WAITING_SQL
from desktop.core.views import view_where

FALLBACK_NOTICE = "The search index is being rebuilt; results are approximate."

_IS_SQL = {
    "unread": "p.is_read = 0",
    "read": "p.is_read = 1",
    "queued": "p.queue_pos IS NOT NULL",
    "starred": "p.starred = 1",
    "archived": "p.archived = 1",
    "snoozed": f"p.id IN ({WAITING_SQL})",
}


def like(text: str) -> str:
    """A LIKE pattern finding ``text`` anywhere (``ESCAPE '\\'``)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def filter_sql(node: Node) -> tuple[str, list[Any]]:
    """The SQL condition over papers ``p`` for a filter tree."""
    if isinstance(node, Filter):
        if node.kind == "is":
            return _IS_SQL[node.value], []
        if node.kind == "digest":
            params: list[Any] = [like(node.value)]
            sql = "d.name LIKE ? ESCAPE '\\'"
            if node.value.isdigit():
                sql = f"(d.id = ? OR {sql})"
                params.insert(0, int(node.value))
            return (
                "p.id IN (SELECT s.paper_id FROM sightings s JOIN digests d "
                f"ON d.id = s.digest_id WHERE {sql})",
                params,
            )
        if node.kind == "year":
            year = int(node.value)
            return "(p.published >= ? AND p.published < ?)", [f"{year:04d}", f"{year + 1:04d}"]
        if node.kind == "after":
            return "p.published >= ?", [node.value]
        if node.kind == "before":
            return "p.published < ?", [node.value]
        if node.kind == "in":
            sql, params = view_where(node.value)
            return f"({sql})", params
        raise ValueError(f"unknown filter kind {node.kind!r}")
    if isinstance(node, And | Or):
        return _join_sql(node, filter_sql)
    if isinstance(node, Not):
        sql, params = filter_sql(node.child)
        return f"NOT COALESCE({sql}, 0)", params
    raise ValueError(f"not a filter: {node!r}")


def _join_sql(
    node: And | Or, to_sql: Callable[[Node], tuple[str, list[Any]]]
) -> tuple[str, list[Any]]:
    """The SQL of an And/Or node: its children's conditions joined, their parameters in order."""
    parts = [to_sql(c) for c in node.children]
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(p[0] for p in parts) + ")", [x for p in parts for x in p[1]]


def filtered_ids(db: Database, node: Node) -> tuple[str, bool]:
    """Paper ids a filter tree selects, or (when fewer) those it excludes, as flagged: as
    one comma-separated text, which SQLite writes and numpy reads without a Python object
    per id (hundreds of thousands of ids for ``is:unread`` at a million papers)."""
    sql, params = filter_sql(node)
    total = int(db.execute("SELECT COUNT(*) FROM papers").fetchone()[0])
    count = int(db.execute(f"SELECT COUNT(*) FROM papers p WHERE {sql}", params).fetchone()[0])
    excluded = count > total // 2
    where = f"NOT COALESCE({sql}, 0)" if excluded else sql
    row = db.execute(f"SELECT group_concat(p.id) FROM papers p WHERE {where}", params).fetchone()
    return str(row[0] or ""), excluded


def search_filters_only(
    db: Database, node: Node, results: SearchResults, limit: int | None
) -> None:
    """A query of filters alone: the matching papers, newest first."""
    sql, params = filter_sql(node)
    rows = db.execute(
        f"SELECT p.id FROM papers p WHERE {sql} ORDER BY p.published DESC, p.id DESC"
        + (" LIMIT ?" if limit else ""),
        [*params, limit] if limit else params,
    ).fetchall()
    from desktop.core.search.snippets import NO_TERMS, fill_hits  # see the module's docstring

    fill_hits(db, results, [(PaperId(r[0]), 0.0) for r in rows], NO_TERMS)


def fallback_sql(node: Node) -> tuple[str, list[Any]]:
    """A LIKE scan over title and abstract for a text tree (annotation fields never match)."""
    if isinstance(node, Word | Phrase):
        if node.field in (None, "title", "abstract"):
            cols = [node.field] if node.field else ["title", "abstract"]
            pattern = like(node.text)
            return (
                "(" + " OR ".join(f"p.{c} LIKE ? ESCAPE '\\'" for c in cols) + ")",
                [pattern] * len(cols),
            )
        return "0", []
    if isinstance(node, And | Or):
        return _join_sql(node, fallback_sql)
    if isinstance(node, Not):
        sql, params = fallback_sql(node.child)
        return f"NOT {sql}", params
    return "1", []


def search_fallback(
    db: Database, parsed: ParsedQuery, results: SearchResults, limit: int | None
) -> None:
    """Answer a query from SQLite alone (no index): LIKE matches, title matches first."""
    results.fallback = True
    results.add_notice(FALLBACK_NOTICE)
    where: list[str] = []
    params: list[Any] = []
    if parsed.text is not None:
        sql, p = fallback_sql(parsed.text)
        where.append(sql)
        params += p
    if parsed.filters is not None:
        sql, p = filter_sql(parsed.filters)
        where.append(sql)
        params += p
    words = parsed.words or [""]
    rank = " + ".join(["(p.title LIKE ? ESCAPE '\\')"] * len(words))
    rows = db.execute(
        f"SELECT p.id, {rank} FROM papers p WHERE {' AND '.join(where) or '1'} "
        "ORDER BY 2 DESC, p.id DESC" + (" LIMIT ?" if limit else ""),
        [*[like(w) for w in words], *params, *([limit] if limit else [])],
    ).fetchall()
    scored = [(PaperId(r[0]), float(r[1] or 0)) for r in rows]
    from desktop.core.search.snippets import fill_hits, match_terms  # see the module's docstring

    fill_hits(db, results, scored, match_terms(parsed.text))

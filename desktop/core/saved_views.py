"""Saved views: named searches listed as views (``saved:ID``), in an order the user sets.

A saved view is a name and a query in the search language (query.py). What it holds is
answered like any view, from SQL (``library.views.ids("saved:3")``): the text part of the
query through the search index, the filters in SQLite (search/selection.py), so its unread
count stays current after each triage key. A view whose query no longer parses (the
language changed under it) is kept: it holds nothing and says why (``SavedView.error``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.core.clock import now_iso
from desktop.core.context import LibraryContext
from desktop.core.plain_text import clean_name
from desktop.core.search.query import QuerySyntaxError, parse_strict
from desktop.core.search.selection import QuerySelection
from desktop.core.views import ViewCount

PREFIX = "saved"
NAME_MAX_CHARS = 80


class SavedViewError(ValueError):
    """A saved-view request that cannot be done; the message is one plain sentence."""


@dataclass(frozen=True)
class SavedView:
    """One saved search: its place in the list (1-based), name, query and parse error."""

    id: int
    name: str
    query: str
    position: int
    error: str | None = None

    @property
    def key(self) -> str:
        """The view key (``saved:ID``) the list, the sidebar and ``list --view`` use."""
        return f"{PREFIX}:{self.id}"

    def to_json(self) -> dict[str, Any]:
        """A plain dict for --json output."""
        return {
            "id": self.id,
            "key": self.key,
            "name": self.name,
            "query": self.query,
            "position": self.position,
            "error": self.error,
        }


def query_error(query: str) -> str | None:
    """Why a query cannot be saved or run as written, or None when it parses."""
    try:
        parse_strict(query)
    except QuerySyntaxError as exc:
        return str(exc)
    return None


def check_name(name: str, what: str = "view") -> str:
    """A cleaned name, or SavedViewError when it is empty or too long."""
    cleaned = clean_name(str(name))
    if not cleaned:
        raise SavedViewError(f"a {what} needs a name")
    if len(cleaned) > NAME_MAX_CHARS:
        raise SavedViewError(f"a {what} name is at most {NAME_MAX_CHARS} characters")
    return cleaned


class SavedViews:
    """The saved views of a library (``library.saved_views``)."""

    def __init__(self, ctx: LibraryContext, selection: QuerySelection) -> None:
        self.ctx = ctx
        self.db = ctx.db
        self.selection = selection

    # -- reading -------------------------------------------------------------------------
    def all(self) -> list[SavedView]:
        """Every saved view in list order; each knows whether its query still parses."""
        rows = self.db.execute(
            "SELECT id, name, query FROM saved_views ORDER BY position, id"
        ).fetchall()
        return [
            SavedView(int(i), str(name), str(query), n + 1, query_error(str(query)))
            for n, (i, name, query) in enumerate(rows)
        ]

    def get(self, name: str) -> SavedView:
        """A view by name (any case), key (``saved:ID``) or place (``1`` is the first)."""
        views = self.all()
        text = str(name).strip()
        for view in views:
            if view.key == text or view.name.casefold() == clean_name(text).casefold():
                return view
        if text.isdigit() and 1 <= int(text) <= len(views):
            return views[int(text) - 1]
        raise SavedViewError(f"no saved view called {text!r}")

    def nth(self, place: int) -> SavedView | None:
        """The view at a 1-based place in the list, or None."""
        views = self.all()
        return views[place - 1] if 1 <= place <= len(views) else None

    def where(self, key: str) -> tuple[str, list[Any]]:
        """The SQL condition (over papers ``p``) of the view ``saved:KEY``."""
        if not key.isdigit():
            raise ValueError(f"unknown view {PREFIX}:{key}")
        row = self.db.execute("SELECT query FROM saved_views WHERE id = ?", [int(key)]).fetchone()
        if row is None:
            raise ValueError(f"no saved view {PREFIX}:{key} (it was deleted)")
        try:
            parsed = parse_strict(str(row[0]))
        except QuerySyntaxError:
            return "0", []  # a view that no longer parses holds nothing (and says why)
        return self.selection.where(parsed)

    def counts(self) -> dict[str, ViewCount]:
        """Total and unread papers of every saved view, by key."""
        out: dict[str, ViewCount] = {}
        for view in self.all():
            if view.error:
                out[view.key] = ViewCount(0, 0)
                continue
            where, params = self.where(str(view.id))
            total, unread = self.db.execute(
                f"SELECT COUNT(*), COALESCE(SUM(p.is_read = 0), 0) FROM papers p WHERE {where}",
                params,
            ).fetchone()
            out[view.key] = ViewCount(int(total), int(unread))
        return out

    # -- writing -------------------------------------------------------------------------
    def _taken(self, name: str, but: int | None = None) -> bool:
        row = self.db.execute("SELECT id FROM saved_views WHERE name = ?", [name]).fetchone()
        return row is not None and int(row[0]) != but

    def add(self, name: str, query: str) -> SavedView:
        """Save a search as a view at the end of the list; the query must parse as written."""
        name = check_name(name)
        query = " ".join(str(query).split())
        error = query_error(query)
        if error:
            raise SavedViewError(f"the query cannot be saved: {error}")
        if self._taken(name):
            raise SavedViewError(f"a saved view called {name!r} exists already")
        with self.db.atomic():
            (top,) = self.db.execute(
                "SELECT COALESCE(MAX(position), 0) FROM saved_views"
            ).fetchone()
            new_id = self.db.conn.execute(
                "INSERT INTO saved_views (name, query, position, created_at) VALUES (?, ?, ?, ?)",
                [name, query, int(top) + 1, now_iso()],
            ).lastrowid
        return self.get(f"{PREFIX}:{new_id}")

    def rename(self, old: str, new: str) -> SavedView:
        """Give a saved view another name."""
        view = self.get(old)
        name = check_name(new)
        if self._taken(name, but=view.id):
            raise SavedViewError(f"a saved view called {name!r} exists already")
        with self.db.atomic():
            self.db.conn.execute("UPDATE saved_views SET name = ? WHERE id = ?", [name, view.id])
        return self.get(view.key)

    def set_query(self, name: str, query: str) -> SavedView:
        """Change a saved view's query (it must parse as written)."""
        view = self.get(name)
        query = " ".join(str(query).split())
        error = query_error(query)
        if error:
            raise SavedViewError(f"the query cannot be saved: {error}")
        with self.db.atomic():
            self.db.conn.execute("UPDATE saved_views SET query = ? WHERE id = ?", [query, view.id])
        return self.get(view.key)

    def move(self, name: str, delta: int) -> SavedView:
        """Move a saved view ``delta`` places in the list (negative is up), clamped."""
        view = self.get(name)
        order = [v.id for v in self.all()]
        at = order.index(view.id)
        target = max(0, min(len(order) - 1, at + delta))
        order.insert(target, order.pop(at))
        self._write_order(order)
        return self.get(view.key)

    def reorder(self, names: list[str]) -> list[SavedView]:
        """Put the saved views in this order (every view named once)."""
        order = [self.get(n).id for n in names]
        if sorted(order) != sorted(v.id for v in self.all()) or len(set(order)) != len(order):
            raise SavedViewError("name every saved view once to reorder them")
        self._write_order(order)
        return self.all()

    def _write_order(self, order: list[int]) -> None:
        with self.db.atomic():
            self.db.conn.executemany(
                "UPDATE saved_views SET position = ? WHERE id = ?",
                [(n + 1, view_id) for n, view_id in enumerate(order)],
            )

    def delete(self, name: str) -> SavedView:
        """Delete a saved view (its papers are untouched); returns what was deleted."""
        view = self.get(name)
        with self.db.atomic():
            self.db.conn.execute("DELETE FROM saved_views WHERE id = ?", [view.id])
        return view

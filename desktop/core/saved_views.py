"""Saved views: named searches listed as views (``saved:ID``), in an order the user sets.

A saved view is a name and a query in the search language (query.py). What it holds is
answered like any view, from SQL (``library.views.ids("saved:3")``): the text part of the
query through the search index, the filters in SQLite (search/selection.py). A view whose
query no longer parses (the language changed under it) is kept: it holds nothing and says
why (``SavedView.error``).

Counts stay current at a keypress's cost: each view's members and unread members are kept
as one flag per paper id, and a write re-checks only the papers it names (a triage key, an
import's new papers, a tag); see :meth:`SavedViews.on_changes` for when a view is counted
again from scratch.

Deleting, renaming and reordering views are undoable: history actions of kind ``saved-view``
(registered by the Library, which makes this manager lazily) whose payload holds the view
as it was, so they are undone after a restart too. Undo refuses when the list changed in a
way it would overwrite (a view of the same name made since, a view renamed again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from desktop.core.clock import now_iso
from desktop.core.context import LibraryContext
from desktop.core.history import Applied, UndoRefusedError
from desktop.core.id_set import IdSet
from desktop.core.models import Changes
from desktop.core.packed_flags import PackedFlags
from desktop.core.plain_text import clean_name
from desktop.core.search.filter_sql import filter_sql
from desktop.core.search.query import (
    And,
    Filter,
    Node,
    Not,
    Or,
    ParsedQuery,
    QuerySyntaxError,
    parse_strict,
)
from desktop.core.search.selection import QuerySelection
from desktop.core.sql import chunks, int_array, marks, write_transaction
from desktop.core.views import SAVED_PREFIX, ViewCount

PREFIX = SAVED_PREFIX
NAME_MAX_CHARS = 80
# A triage write touching more papers than this counts every view again instead.
INCREMENTAL_MAX = 2000
# The history kind of deleting, renaming and reordering views.
KIND = "saved-view"
# What the sidebar needs to hear after the list of views changed.
LIST_CHANGED = Changes(views=True)


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


@dataclass
class _Members:
    """One view's papers, as flags by paper id, with the counts of both flag arrays."""

    query: str
    generation: int  # of the index the text matched at; -1: answered by the SQL fallback
    text: IdSet | None  # the text part's matches (None: no text part)
    filters: tuple[str, list[Any]]  # the filter part as SQL over papers p ("1": none)
    member: PackedFlags
    unread: PackedFlags
    parsed: ParsedQuery

    @property
    def count(self) -> ViewCount:
        return ViewCount(self.member.count(), self.unread.count())


def _filter_kinds(parsed: ParsedQuery) -> set[str]:
    """The kinds of filter a query uses (``is``, ``digest``, ``year``, ``after``, ``before``)."""
    kinds: set[str] = set()
    stack = [parsed.filters] if parsed.filters is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Filter):
            kinds.add(node.kind)
        elif isinstance(node, And | Or):
            stack.extend(node.children)
        elif isinstance(node, Not):
            stack.append(node.child)
    return kinds


class SavedViews:
    """The saved views of a library (``library.saved_views``)."""

    def __init__(self, ctx: LibraryContext, selection: QuerySelection) -> None:
        self.ctx = ctx
        self.db = ctx.db
        self.selection = selection
        self._members: dict[int, _Members] = {}
        self.recounts = 0  # views counted from scratch (tests check the incremental path)

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

    def counts(
        self, *, ask_index: bool = True, step: Callable[[int, int], None] | None = None
    ) -> dict[str, ViewCount]:
        """Total and unread papers of every saved view, by key; without ``ask_index``, the
        views whose text the index would have to match now are left out (a worker matches
        them: :meth:`texts_to_match`). ``step(done, total)`` is called after each view (it
        may raise to stop)."""
        out: dict[str, ViewCount] = {}
        generation = self.selection.generation
        unread_flags: list[np.ndarray] = []  # every unread paper, read once if needed
        views = self.all()
        for done, view in enumerate(views, 1):
            if step is not None and done > 1:
                step(done - 1, len(views))
            if view.error:
                out[view.key] = ViewCount(0, 0)
                continue
            entry = self._members.get(view.id)
            if (
                entry is None
                or entry.query != view.query
                or entry.generation != generation
                or entry.generation < 0
            ):
                parsed = parse_strict(view.query)
                if (
                    not ask_index
                    and parsed.text is not None
                    and not self.selection.has_match(parsed.text)
                ):
                    continue
                entry = self._count(view, parsed, unread_flags)
                self._members[view.id] = entry
            out[view.key] = entry.count
        if step is not None and views:
            step(len(views), len(views))
        for gone in set(self._members) - {v.id for v in views}:
            del self._members[gone]
        return out

    def counted(self) -> dict[int, _Members]:
        """Every view counted so far, by view id (a worker's, for :meth:`adopt`)."""
        return dict(self._members)

    def adopt(self, counted: dict[int, _Members]) -> None:
        """Take views counted elsewhere (a worker thread, on a connection of its own, over
        the same library as it is now: the caller checks); each is kept only while its query
        and index generation are still the view's (:meth:`counts` checks)."""
        self._members.update(counted)

    def texts_to_match(self) -> list[Node]:
        """The text parts of queries whose next count would ask the index (nothing cached):
        a worker thread may match them first (:meth:`QuerySelection.prime`)."""
        out: list[Node] = []
        generation = self.selection.generation
        for view in self.all():
            if view.error:
                continue
            entry = self._members.get(view.id)
            if entry is not None and entry.query == view.query and entry.generation == generation:
                continue
            text = parse_strict(view.query).text
            if text is not None and not self.selection.has_match(text):
                out.append(text)
        return out

    def _flags(self) -> np.ndarray:
        (top,) = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM papers").fetchone()
        return np.zeros(int(top) + 1, dtype=bool)

    def _count(
        self, view: SavedView, parsed: ParsedQuery, unread_flags: list[np.ndarray]
    ) -> _Members:
        """Count one view from scratch."""
        self.recounts += 1
        member, unread = self._flags(), self._flags()
        text = self.selection.text_ids(parsed)
        filters = filter_sql(parsed.filters) if parsed.filters is not None else ("1", [])
        generation = self.selection.generation
        if parsed.text is not None and text is None:  # the index cannot answer: SQL alone
            where, params = self.where(str(view.id))
            generation = -1
        elif parsed.filters is None:  # text alone: its matches, and which of them are unread
            assert text is not None
            ids = text.array
            member[ids[ids < len(member)]] = True
            if not unread_flags:
                flags = self._flags()
                unread_ids, _ = self._ids_and_read("p.is_read = 0", [])
                flags[unread_ids] = True
                unread_flags.append(flags)
            np.logical_and(member, unread_flags[0][: len(member)], out=unread)
            return self._members_of(view, generation, text, filters, member, unread, parsed)
        else:
            where, params = filters
        ids, read = self._ids_and_read(where, params)
        if text is not None:  # the text's matches among the filter's
            matched = self._flags()
            found = text.array
            matched[found[found < len(matched)]] = True
            keep = matched[ids]
            ids, read = ids[keep], read[keep]
        member[ids] = True
        unread[ids[~read]] = True
        return self._members_of(view, generation, text, filters, member, unread, parsed)

    @staticmethod
    def _members_of(
        view: SavedView,
        generation: int,
        text: IdSet | None,
        filters: tuple[str, list[Any]],
        member: np.ndarray,
        unread: np.ndarray,
        parsed: ParsedQuery,
    ) -> _Members:
        """A view's members with its flags packed, eight to a byte (packed_flags.py)."""
        packed, packed_unread = PackedFlags.of_bools(member), PackedFlags.of_bools(unread)
        return _Members(view.query, generation, text, filters, packed, packed_unread, parsed)

    def _ids_and_read(self, where: str, params: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        """The ids of the papers ``where`` selects and whether each is read, as arrays: SQLite
        writes them as two texts that numpy reads, with no Python object per paper (a filter
        such as ``is:unread`` selects hundreds of thousands at a million papers)."""
        ids_text, read_text = self.db.execute(
            f"SELECT group_concat(p.id), group_concat(p.is_read) FROM papers p WHERE {where}",
            params,
        ).fetchone()
        return int_array(ids_text), int_array(read_text) != 0

    def on_changes(self, changes: Changes) -> None:
        """Library listener: keep the counts current (see the module's docstring).

        A write that names its papers re-checks only those (new text through the selection,
        which listens first); a library write also counts again the views whose filters may
        change for papers it does not name (``digest:``, ``year:``, ``after:``, ``before:``:
        a known paper seen in a new digest, a date filled in). Anything else counts again.
        """
        if not self._members or not (changes.counts or changes.annotations):
            return
        if changes == LIST_CHANGED:
            return  # views deleted, renamed or moved: no paper changed (counts() follows)
        if not changes.papers or len(changes.papers) > INCREMENTAL_MAX:
            self._members.clear()  # before sorting them: an import's may be a million
            return
        ids = sorted(int(i) for i in changes.papers)
        top = max(ids)
        for view_id, entry in list(self._members.items()):
            if entry.generation < 0 or (
                (changes.library or changes.digests) and _filter_kinds(entry.parsed) - {"is"}
            ):
                del self._members[view_id]
                continue
            if changes.library or changes.annotations:
                if self.selection.waiting_for_index and entry.parsed.text is not None:
                    del self._members[view_id]  # counted when asked, from the index then
                    continue
                entry.text = self.selection.text_ids(entry.parsed)
                if entry.parsed.text is not None and entry.text is None:
                    del self._members[view_id]  # the index cannot answer now
                    continue
                entry.generation = self.selection.generation
            if top >= len(entry.member):  # new papers
                entry.member = entry.member.grow(top + 1)
                entry.unread = entry.unread.grow(top + 1)
            sql, params = entry.filters
            for chunk in chunks(ids):
                found = dict(
                    self.db.execute(
                        f"SELECT p.id, p.is_read FROM papers p "
                        f"WHERE p.id IN ({marks(len(chunk))}) AND ({sql})",
                        [*chunk, *params],
                    ).fetchall()
                )
                for paper_id in chunk:
                    inside = paper_id in found and (entry.text is None or paper_id in entry.text)
                    entry.member[paper_id] = inside
                    entry.unread[paper_id] = inside and not found[paper_id]

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
        """Give a saved view another name (undoable)."""
        view = self.get(old)
        name = check_name(new)
        if self._taken(name, but=view.id):
            raise SavedViewError(f"a saved view called {name!r} exists already")
        if name == view.name:
            return view
        with write_transaction(self.db):
            self.db.conn.execute("UPDATE saved_views SET name = ? WHERE id = ?", [name, view.id])
            self.ctx.history.record(
                f"rename view {view.name}",
                kind=KIND,
                payload={"op": "rename", "id": view.id, "before": view.name, "after": name},
            )
        self.ctx.emit(LIST_CHANGED)
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
        """Move a saved view ``delta`` places in the list (negative is up), clamped; undoable."""
        view = self.get(name)
        order = [v.id for v in self.all()]
        at = order.index(view.id)
        target = max(0, min(len(order) - 1, at + delta))
        order.insert(target, order.pop(at))
        self._write_order(order, f"move view {view.name}")
        return self.get(view.key)

    def reorder(self, names: list[str]) -> list[SavedView]:
        """Put the saved views in this order (every view named once); undoable."""
        order = [self.get(n).id for n in names]
        if sorted(order) != sorted(v.id for v in self.all()) or len(set(order)) != len(order):
            raise SavedViewError("name every saved view once to reorder them")
        self._write_order(order, "reorder views")
        return self.all()

    def _order(self) -> list[int]:
        return [
            int(r[0]) for r in self.db.execute("SELECT id FROM saved_views ORDER BY position, id")
        ]

    def _set_order(self, order: list[int]) -> None:
        self.db.conn.executemany(
            "UPDATE saved_views SET position = ? WHERE id = ?",
            [(n + 1, view_id) for n, view_id in enumerate(order)],
        )

    def _write_order(self, order: list[int], label: str) -> None:
        with write_transaction(self.db):
            before = self._order()
            if before == order:
                return
            self._set_order(order)
            self.ctx.history.record(
                label, kind=KIND, payload={"op": "order", "before": before, "after": order}
            )
        self.ctx.emit(LIST_CHANGED)

    def delete(self, name: str) -> SavedView:
        """Delete a saved view (its papers are untouched; undoable); returns what was deleted."""
        view = self.get(name)
        with write_transaction(self.db):
            (created,) = self.db.execute(
                "SELECT created_at FROM saved_views WHERE id = ?", [view.id]
            ).fetchone()
            order = self._order()
            self.db.conn.execute("DELETE FROM saved_views WHERE id = ?", [view.id])
            self.ctx.history.record(
                f"delete view {view.name}",
                kind=KIND,
                payload={
                    "op": "delete",
                    "view": [view.id, view.name, view.query, str(created)],
                    "order": order,
                },
            )
        self.ctx.emit(LIST_CHANGED)
        return view

    # -- undo and redo -------------------------------------------------------------------
    def apply_stored(self, payload: Any, undo: bool) -> Applied:
        """Undo (or redo) a delete, rename or reorder from its stored payload."""
        op = payload["op"]
        if op == "delete":
            self._apply_delete(payload, undo)
        elif op == "rename":
            self._apply_rename(payload, undo)
        elif op == "order":
            self._apply_order(payload, undo)
        else:
            raise UndoRefusedError(f"unknown saved-view step {op!r}", permanent=True)
        return self.ctx.emit(LIST_CHANGED), payload

    def _apply_delete(self, payload: Any, undo: bool) -> None:
        view_id, name, query, created = payload["view"]
        present = self.db.execute(
            "SELECT name FROM saved_views WHERE id = ?", [int(view_id)]
        ).fetchone()
        if not undo:
            if present is None:
                raise UndoRefusedError(f"the view \u201c{name}\u201d is deleted already")
            self.db.conn.execute("DELETE FROM saved_views WHERE id = ?", [int(view_id)])
            return
        if present is not None or self._taken(str(name)):
            raise UndoRefusedError(f"a saved view called \u201c{name}\u201d exists now")
        self.db.conn.execute(
            "INSERT INTO saved_views (id, name, query, position, created_at) "
            "VALUES (?, ?, ?, 0, ?)",
            [int(view_id), str(name), str(query), str(created)],
        )
        # Back in its place among the views still there (views made since go after it).
        now = self._order()
        kept = [int(i) for i in payload["order"] if int(i) in now]
        self._set_order(kept + [i for i in now if i not in kept])

    def _apply_rename(self, payload: Any, undo: bool) -> None:
        expected, target = (
            (payload["after"], payload["before"]) if undo else (payload["before"], payload["after"])
        )
        row = self.db.execute(
            "SELECT name FROM saved_views WHERE id = ?", [int(payload["id"])]
        ).fetchone()
        if row is None:
            raise UndoRefusedError("that saved view was deleted since", permanent=True)
        if str(row[0]) != expected:
            raise UndoRefusedError(f"the view is called \u201c{row[0]}\u201d now")
        if self._taken(str(target), but=int(payload["id"])):
            raise UndoRefusedError(f"another view is called \u201c{target}\u201d now")
        self.db.conn.execute(
            "UPDATE saved_views SET name = ? WHERE id = ?", [str(target), int(payload["id"])]
        )

    def _apply_order(self, payload: Any, undo: bool) -> None:
        target = [int(i) for i in (payload["before"] if undo else payload["after"])]
        now = self._order()
        kept = [i for i in target if i in now]
        self._set_order(kept + [i for i in now if i not in kept])

"""Views: which papers the Inbox, Queue, Starred, Archive, a digest or a tag holds, in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from desktop.core.annotations.tags import tag_view_where
from desktop.core.models import VIEWS, PaperId
from desktop.core.snooze import WAITING_SQL
from desktop.core.sql import chunks, marks

# Sort keys a view can be ordered by, as SQL over the papers table aliased `p`.
SORT_SQL = {
    "default": None,
    "title": "p.title COLLATE NOCASE",
    "published": "p.published",
    "authors": "p.authors_count",
    "digests": "(SELECT COUNT(*) FROM sightings s2 WHERE s2.paper_id = p.id)",
    "added": "p.id",
}

# The prefix of saved views' keys (``saved:ID``, saved_views.py).
SAVED_PREFIX = "saved"


@dataclass(frozen=True)
class ViewCount:
    """How many papers a view holds, and how many of them are unread."""

    total: int
    unread: int


def view_where(view: str) -> tuple[str, list[Any]]:
    """The SQL condition (over papers aliased ``p``) that selects a view's papers.

    Views: ``inbox`` (not archived, not queued, not snoozed), ``queue``, ``starred``,
    ``archive``, ``all``, ``snoozed``, ``digest:ID`` and ``tag:NAME``.
    """
    if view == "inbox":
        return f"p.archived = 0 AND p.queue_pos IS NULL AND p.id NOT IN ({WAITING_SQL})", []
    if view == "snoozed":
        return f"p.id IN ({WAITING_SQL})", []
    if view == "queue":
        return "p.archived = 0 AND p.queue_pos IS NOT NULL", []
    if view == "starred":
        return "p.starred = 1", []
    if view == "archive":
        return "p.archived = 1", []
    if view == "all":
        return "1", []
    if view.startswith("digest:"):
        digest_id = view.split(":", 1)[1]
        if digest_id.isdigit():
            return (
                "p.id IN (SELECT paper_id FROM sightings WHERE digest_id = ?)",
                [int(digest_id)],
            )
    if view.startswith("tag:"):
        return tag_view_where(view.split(":", 1)[1])
    raise ValueError(f"unknown view {view!r}; use one of {', '.join(VIEWS)}, digest:ID or tag:NAME")


def count_view(db: Database, view: str) -> ViewCount:
    """A built-in view's total and unread counts, counted in SQLite."""
    where, params = view_where(view)
    total, unread = db.execute(
        f"SELECT COUNT(*), COALESCE(SUM(p.is_read = 0), 0) FROM papers p WHERE {where}", params
    ).fetchone()
    return ViewCount(int(total), int(unread))


# Answers the SQL condition of a view of another kind (``saved:ID``) from its key (``ID``).
ViewResolver = Callable[[str], tuple[str, list[Any]]]


class Views:
    """The papers of each view (``library.views``)."""

    def __init__(
        self, db: Database, counter: Callable[[], dict[str, ViewCount]] | None = None
    ) -> None:
        self.db = db
        self._kinds: dict[str, ViewResolver] = {}
        # What answers counts() (the library's ViewCounts, kept current per write); None:
        # counted from scratch each time.
        self._counter = counter

    def add_kind(self, prefix: str, resolve: ViewResolver) -> None:
        """Answer views ``PREFIX:KEY`` with ``resolve(KEY)`` (saved views register so)."""
        self._kinds[prefix] = resolve

    def where(self, view: str) -> tuple[str, list[Any]]:
        """The SQL condition (over papers ``p``) of any view, built-in or registered."""
        prefix, sep, key = view.partition(":")
        if sep and prefix in self._kinds:
            return self._kinds[prefix](key)
        return view_where(view)

    def contains(self, view: str, ids: Sequence[int]) -> set[PaperId]:
        """Which of ``ids`` belong to a view (cheap: only those papers are looked at)."""
        where, params = self.where(view)
        return self._among(ids, where, params)

    def unread_among(self, ids: Sequence[int]) -> list[PaperId]:
        """Those of ``ids`` that are unread, in the order given."""
        unread = self._among(ids, "p.is_read = 0", [])
        return [PaperId(int(i)) for i in ids if int(i) in unread]

    def _among(self, ids: Sequence[int], where: str, params: list[Any]) -> set[PaperId]:
        """Those of ``ids`` whose papers (``p``) meet the SQL condition ``where``."""
        found: set[PaperId] = set()
        for chunk in chunks(list(ids)):
            found.update(
                PaperId(r[0])
                for r in self.db.execute(
                    f"SELECT p.id FROM papers p WHERE p.id IN ({marks(len(chunk))}) AND ({where})",
                    [*chunk, *params],
                )
            )
        return found

    def ids(
        self,
        view: str = "inbox",
        *,
        sort: str = "default",
        descending: bool = False,
        unread_only: bool = False,
    ) -> list[PaperId]:
        """Ids of a view's papers in order (``unread_only``: the unread ones).

        The default order is import order then position in the digest, except the queue
        (queue order), a digest view (position in that digest) and the snoozed papers (the
        soonest to return first). In the Inbox's default order, papers back from snooze and
        not read yet come first, the latest back on top.
        """
        where, params = self.where(view)
        if unread_only:
            where = f"({where}) AND p.is_read = 0"
        key = SORT_SQL.get(sort)
        if sort not in SORT_SQL:
            raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORT_SQL)}")
        if key is None:
            if view == "queue":
                key = "p.queue_pos"
            elif view.startswith("digest:"):
                key = (
                    "(SELECT position FROM sightings s3"
                    " WHERE s3.paper_id = p.id AND s3.digest_id = ?)"
                )
                params = params + params  # the ORDER BY takes the digest id too
            elif view == "archive":
                key = "p.archived_at"
            elif view == "snoozed":
                key = "(SELECT COALESCE(z.until, '9999') FROM snoozes z WHERE z.paper_id = p.id)"
            else:
                key = "p.id"
        direction = "DESC" if descending else "ASC"
        order = f"p.id {direction}" if key == "p.id" else f"{key} {direction}, p.id {direction}"
        sql = f"SELECT p.id FROM papers p WHERE {where} ORDER BY {order}"
        found = [PaperId(r[0]) for r in self.db.execute(sql, params)]
        if view == "inbox" and sort == "default" and not descending:
            found = self._returned_first(found)
        return found

    def _returned_first(self, ids: list[PaperId]) -> list[PaperId]:
        """Papers back from snooze and still unread moved to the top, latest back first."""
        returned = [
            PaperId(r[0])
            for r in self.db.execute(
                "SELECT z.paper_id FROM snoozes z JOIN papers p ON p.id = z.paper_id "
                "WHERE z.returned_at IS NOT NULL AND p.is_read = 0 "
                "ORDER BY z.returned_at DESC, z.paper_id"
            )
        ]
        if not returned:
            return ids
        present = set(ids)
        top = [i for i in returned if i in present]
        chosen = set(top)
        return top + [i for i in ids if i not in chosen]

    def counts(self) -> dict[str, ViewCount]:
        """Total and unread counts for every built-in view."""
        if self._counter is not None:
            return self._counter()
        return {view: count_view(self.db, view) for view in VIEWS}

"""Views: which papers the Inbox, Queue, Starred, Archive, a digest or a tag holds, in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

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
    "digests": "p.digest_count",  # kept by triggers on sightings (migration m012)
    "added": "p.id",
}

# The index each sort key reads in order (migrations m010, m012); the large built-in lists use it
# (see Views.ids), so a million papers are never sorted whole.
SORT_INDEX = {
    "title": "papers_sort_title",
    "published": "papers_sort_published",
    "authors": "papers_sort_authors",
    "digests": "papers_sort_digests",
}
# The lists that may hold nearly every paper: read in a sort index's order, filtered from it.
INDEXED_VIEWS = frozenset({"all", "inbox"})

# Papers back from snooze and not read yet (the top of the Inbox's default order).
_RETURNED_UNREAD = (
    "SELECT z.paper_id FROM snoozes z JOIN papers p2 ON p2.id = z.paper_id"
    " WHERE z.returned_at IS NOT NULL AND p2.is_read = 0"
)

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


# The papers that are archived = 0 nor 1 (none, as the app writes them): with the Inbox's
# range (before its snoozed papers are taken out), Queue and Archive, they are every paper.
# Written as ranges, so SQLite seeks them in an index instead of scanning it.
_NEITHER_0_NOR_1 = "(p.archived < 0 OR (p.archived > 0 AND p.archived < 1) OR p.archived > 1)"


def _counted(where: str) -> str:
    """The two scalar subqueries counting the papers of ``where`` and its unread ones.

    Two ``COUNT(*)`` over an index range cost a third of one ``COUNT(*)`` beside
    ``SUM(p.is_read = 0)``, which calls an aggregate on each row."""
    return (
        f"(SELECT COUNT(*) FROM papers p WHERE {where}), "
        f"(SELECT COUNT(*) FROM papers p WHERE ({where}) AND p.is_read = 0)"
    )


# Every built-in view counted in one statement (so from one snapshot of the library), reading
# each large range of an index once at most: at 100,000 papers a third of counting each view
# on its own. ``COUNT(*)`` with no condition is answered from the table's b-tree at once.
_COUNT_VIEWS_SQL = "SELECT " + ", ".join(
    [
        "(SELECT COUNT(*) FROM papers)",
        "(SELECT COUNT(*) FROM papers p WHERE p.archived = 0 AND p.queue_pos IS NULL "
        "AND p.is_read = 0)",
        *(_counted(view_where(view)[0]) for view in ("queue", "starred", "archive")),
        _counted(_NEITHER_0_NOR_1),
        _counted(view_where("snoozed")[0]),
        _counted(f"p.id IN ({WAITING_SQL}) AND p.archived = 0 AND p.queue_pos IS NULL"),
    ]
)


def count_views(db: Database) -> dict[str, ViewCount]:
    """Total and unread counts of every built-in view (``VIEWS``), counted in SQLite.

    The Inbox is its range (papers neither archived nor queued) less the snoozed papers in
    it (``NOT IN`` the snoozed would look each paper up); that range's total is what the
    others leave of every paper, and the unread of every paper the sum of the parts'.
    """
    total, part_unread, *rest = (int(n) for n in db.execute(_COUNT_VIEWS_SQL).fetchone())
    queue, starred, archive, odd, snoozed, waiting = (
        ViewCount(rest[i], rest[i + 1]) for i in range(0, len(rest), 2)
    )
    part_total = total - queue.total - archive.total - odd.total
    counts = {
        "inbox": ViewCount(part_total - waiting.total, part_unread - waiting.unread),
        "queue": queue,
        "starred": starred,
        "archive": archive,
        "all": ViewCount(total, part_unread + queue.unread + archive.unread + odd.unread),
        "snoozed": snoozed,
    }
    return {view: counts[view] for view in VIEWS}


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
        offset: int = 0,
        limit: int | None = None,
    ) -> list[PaperId]:
        """Ids of a view's papers in order (``unread_only``: the unread ones); with
        ``offset`` and ``limit``, only that window of the list.

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
        order_params: list[Any] = []
        if key is None:
            if view == "queue":
                key = "p.queue_pos"
            elif view.startswith("digest:"):
                key = (
                    "(SELECT position FROM sightings s3"
                    " WHERE s3.paper_id = p.id AND s3.digest_id = ?)"
                )
                order_params = list(params)  # the ORDER BY takes the digest id too
            elif view == "archive":
                key = "p.archived_at"
            elif view == "snoozed":
                key = "(SELECT COALESCE(z.until, '9999') FROM snoozes z WHERE z.paper_id = p.id)"
            else:
                key = "p.id"
        direction = "DESC" if descending else "ASC"
        order = f"p.id {direction}" if key == "p.id" else f"{key} {direction}, p.id {direction}"
        top: list[PaperId] = []
        if view == "inbox" and sort == "default" and not descending:
            top = self._returned_in(where, params)
            if top:
                # The rest of the list without them (a subquery: the index stays covering).
                where = f"({where}) AND p.id NOT IN ({_RETURNED_UNREAD})"
        out = top[offset : None if limit is None else offset + limit]
        rest_limit = -1 if limit is None else limit - len(out)
        if rest_limit == 0:
            return out
        index = self._index_for(view, sort, unread_only)
        indexed = f" INDEXED BY {index}" if index else ""
        sql = f"SELECT p.id FROM papers p{indexed} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"
        window = [rest_limit, max(0, offset - len(top))]
        # Row by row, never fetchall(): a million row tuples alive at once are 60 MB, and the
        # garbage collector walks them all (40-60 ms, holding the GIL, the window waiting).
        # Ids are ints: no PaperId() call per row (a million calls are 0.1 s).
        rows = self.db.execute(sql, [*params, *order_params, *window])
        return out + cast(list[PaperId], [r for (r,) in rows])

    def pageable(self, view: str, sort: str = "default", unread_only: bool = False) -> bool:
        """Whether a window of the list (``ids(offset=, limit=)``) is read from an index in
        order, without sorting the whole view: the large built-in lists."""
        return view in INDEXED_VIEWS and sort in {"default", "added", *SORT_INDEX}

    @staticmethod
    def _index_for(view: str, sort: str, unread_only: bool) -> str | None:
        """The index a list must be read from, when the planner would choose worse.

        Without statistics it takes a filter's index and then sorts every row it finds,
        reading the table for each one (a title, an archive time, a read flag): seconds at a
        million papers. The indexes named here hold the order and the filters' columns.
        """
        if sort in SORT_INDEX and view in INDEXED_VIEWS:
            return SORT_INDEX[sort]
        if sort == "default" and view == "archive":
            return "papers_archived_at"
        if sort in ("default", "added") and view == "inbox" and unread_only:
            return "papers_inbox_unread"
        return None

    def _returned_in(self, where: str, params: list[Any]) -> list[PaperId]:
        """The view's papers back from snooze and still unread, latest back first."""
        return [
            PaperId(r[0])
            for r in self.db.execute(
                # CROSS JOIN: the few snoozed papers first, never a scan of the view.
                "SELECT z.paper_id FROM snoozes z CROSS JOIN papers p ON p.id = z.paper_id "
                f"WHERE z.returned_at IS NOT NULL AND p.is_read = 0 AND ({where}) "
                "ORDER BY z.returned_at DESC, z.paper_id",
                params,
            )
        ]

    def counts(self) -> dict[str, ViewCount]:
        """Total and unread counts for every built-in view."""
        if self._counter is not None:
            return self._counter()
        return count_views(self.db)

"""A window of a view's list (``offset``, ``limit``) is that slice of the whole list, and the
large lists are read from an index in their order, never sorted whole (migration m010)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from desktop.core.library import Library
from desktop.core.snooze_time import parse_when
from desktop.core.views import SORT_SQL

UTC = dt.UTC


def test_windows_are_slices_of_the_whole_list(seeded: Library) -> None:
    inbox = seeded.views.ids("inbox")
    seeded.triage.set_read(inbox[::3])
    seeded.triage.set_starred(inbox[::4])
    seeded.triage.set_archived(inbox[1::7])
    seeded.snoozes.snooze(inbox[10:13], parse_when("tomorrow", dt.datetime.now(UTC), UTC))
    seeded.clock = lambda: dt.datetime.now(UTC) + dt.timedelta(days=3)
    seeded.wake_snoozed()  # three papers back on top of the Inbox
    assert set(seeded.views.ids("inbox")[:3]) == set(inbox[10:13])
    for view in ("all", "inbox", "starred", "archive"):
        for sort in SORT_SQL:
            for descending in (False, True):
                for unread_only in (False, True):
                    whole = seeded.views.ids(
                        view, sort=sort, descending=descending, unread_only=unread_only
                    )
                    for offset, limit in ((0, 2), (1, 5), (2, 40), (30, 1000), (0, 10**6)):
                        part = seeded.views.ids(
                            view,
                            sort=sort,
                            descending=descending,
                            unread_only=unread_only,
                            offset=offset,
                            limit=limit,
                        )
                        assert part == whole[offset : offset + limit], (view, sort, offset)


def test_large_lists_are_read_in_index_order(seeded: Library) -> None:
    plans: list[str] = []
    real = seeded.db.execute

    def spy(sql: str, params: Any = ()) -> Any:
        if sql.startswith("SELECT p.id FROM papers p"):
            found = seeded.db.conn.execute("EXPLAIN QUERY PLAN " + sql, params)
            plans.extend(str(r[-1]) for r in found)
        return real(sql, params)

    seeded.db.execute = spy  # type: ignore[method-assign]
    try:
        for view in ("all", "inbox"):
            for sort in SORT_SQL:
                for unread_only in (False, True):
                    if not seeded.views.pageable(view, sort, unread_only):
                        continue
                    plans.clear()
                    seeded.views.ids(view, sort=sort, unread_only=unread_only, limit=10)
                    joined = " | ".join(plans)
                    assert "COVERING INDEX" in joined, (view, sort, joined)
                    assert "TEMP B-TREE" not in joined, (view, sort, joined)
    finally:
        seeded.db.execute = real  # type: ignore[method-assign]


def test_the_digest_count_order_is_the_sql_one(seeded: Library) -> None:
    inbox = seeded.views.ids("inbox")
    seeded.triage.set_read(inbox[::3])
    seeded.db.execute("DELETE FROM sightings WHERE paper_id = ?", [inbox[4]])  # in no digest
    counts = dict(
        seeded.db.execute("SELECT paper_id, COUNT(*) FROM sightings GROUP BY paper_id").fetchall()
    )
    assert max(counts.values()) > 1  # some papers are in several digests
    for view in ("all", "inbox"):
        for descending in (False, True):
            for unread_only in (False, True):
                where, params = seeded.views.where(view)
                if unread_only:
                    where = f"({where}) AND p.is_read = 0"
                way = "DESC" if descending else "ASC"
                expected = [
                    r[0]
                    for r in seeded.db.execute(
                        f"SELECT p.id FROM papers p WHERE {where} ORDER BY "
                        "(SELECT COUNT(*) FROM sightings s WHERE s.paper_id = p.id) "
                        f"{way}, p.id {way}",
                        params,
                    )
                ]
                found = seeded.views.ids(
                    view, sort="digests", descending=descending, unread_only=unread_only
                )
                assert found == expected, (view, descending, unread_only)

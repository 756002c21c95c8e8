"""View counts and per-digest counts are answered from covering indexes, not whole rows."""

from __future__ import annotations

from desktop.core.library import Library


def plan(lib: Library, sql: str) -> str:
    return " ".join(str(row[-1]) for row in lib.db.execute("EXPLAIN QUERY PLAN " + sql))


def test_counts_use_covering_indexes(seeded: Library) -> None:
    for view in ("inbox", "queue", "starred", "archive", "all"):
        where, _ = seeded.views.where(view)
        sql = f"SELECT COUNT(*), COALESCE(SUM(p.is_read = 0), 0) FROM papers p WHERE {where}"
        found = plan(seeded, sql)
        # A covering index (the Starred view's is partial): never the table.
        assert "COVERING INDEX" in found, (view, found)


def test_digest_counts_match_a_plain_count(seeded: Library) -> None:
    seeded.triage.set_read(seeded.views.ids("inbox")[:30], True)
    for digest in seeded.digests.all():
        papers = seeded.papers.many(seeded.views.ids(f"digest:{digest.id}"), with_sightings=False)
        count = seeded.digests.counts()[digest.id]
        assert count.total == len(papers)
        assert count.unread == sum(1 for p in papers if not p.is_read)

"""The progress figures, from stored timestamps, with a fixed clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desktop.core.library import Library
from desktop.core.progress import DAYS, progress

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


def stamp(days_ago: float, hour: int = 10) -> str:
    moment = (NOW - dt.timedelta(days=days_ago)).replace(hour=hour, minute=0)
    return moment.isoformat(timespec="seconds")


@pytest.fixture
def papers(lib: Library, seeds_dir: Path) -> list[int]:
    """Eight papers of the seeds; every paper arrived long ago and is archived (out of the
    figures' way) unless a test says otherwise."""
    lib.importer.import_paths([next(seeds_dir.glob("000_*"))])
    ids = lib.views.ids("all")
    lib.db.execute(
        "UPDATE papers SET added_at = ?, archived = 1, archived_at = ?",
        [stamp(400), stamp(399)],
    )
    return ids[:8]


def set_paper(lib: Library, paper_id: int, **columns: object) -> None:
    names = ", ".join(f"{name} = ?" for name in columns)
    lib.db.execute(f"UPDATE papers SET {names} WHERE id = ?", [*columns.values(), paper_id])


def test_arrivals_reads_and_archives_per_day_and_the_open_papers(
    lib: Library, papers: list[int]
) -> None:
    a, b, c, d, e, f, *_ = papers
    base = progress(lib.db, NOW)
    assert base.open == 0 and all(day.open == 0 for day in base.days)
    # Open before the window: arrived 100 days ago, still in the Inbox.
    set_paper(lib, a, added_at=stamp(100), archived=0, archived_at=None)
    # Arrived 10 days ago, read 9 days ago, archived 5 days ago.
    set_paper(lib, b, added_at=stamp(10), read_at=stamp(9), is_read=1, archived_at=stamp(5))
    # Arrived 10 days ago, queued (no time is stored for that).
    set_paper(lib, c, added_at=stamp(10), archived=0, archived_at=None, queue_pos=1)
    # Arrived today, in the Inbox; arrived today and archived today.
    set_paper(lib, d, added_at=stamp(0), archived=0, archived_at=None)
    set_paper(lib, e, added_at=stamp(0, 8), archived_at=stamp(0, 11))
    # Arrived before the window, archived in it.
    set_paper(lib, f, added_at=stamp(200), archived_at=stamp(30))
    figures = progress(lib.db, NOW)
    assert len(figures.days) == DAYS
    assert figures.today == "2026-12-02" and figures.days[-1].day == "2026-12-02"
    assert figures.days[0].day == "2026-09-04"
    by_day = {day.day: day for day in figures.days}
    ten, nine, five, thirty = (
        (NOW.date() - dt.timedelta(days=n)).isoformat() for n in (10, 9, 5, 30)
    )
    assert (by_day[ten].arrived, by_day[ten].read, by_day[ten].archived) == (2, 0, 0)
    assert (by_day[nine].read, by_day[five].archived, by_day[thirty].archived) == (1, 1, 1)
    today = figures.days[-1]
    assert (today.arrived, today.read, today.archived) == (2, 0, 1)
    assert figures.totals() == {"arrived": 4, "read": 1, "archived": 3}
    # Open papers over time: a and f before the window; f leaves 30 days ago, b and c come
    # 10 days ago, b leaves 5 days ago, d and e come today and e leaves.
    assert figures.days[0].open == 2
    assert by_day[thirty].open == 1
    assert by_day[ten].open == 3
    assert by_day[five].open == 2
    assert today.open == 3
    assert (figures.inbox, figures.queue, figures.open) == (2, 1, 3) == (2, 1, today.open)


def test_days_are_the_clocks_local_days(lib: Library, papers: list[int]) -> None:
    late = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC).isoformat()
    set_paper(lib, papers[0], added_at=late, archived=0, archived_at=None)
    utc = progress(lib.db, NOW)
    assert utc.days[-2].arrived == 1 and utc.days[-1].arrived == 0
    berlin = progress(lib.db, NOW.astimezone(dt.timezone(dt.timedelta(hours=2))))
    assert berlin.days[-1].day == "2026-12-02" and berlin.days[-1].arrived == 1
    with pytest.raises(ValueError, match="aware"):
        progress(lib.db, dt.datetime(2026, 12, 2, 12))


def test_the_queue_age_of_papers_without_a_queue_time_counts_from_arrival(
    lib: Library, papers: list[int]
) -> None:
    empty = progress(lib.db, NOW).queue_age
    assert (empty.papers, empty.oldest_days, empty.median_days) == (0, None, None)
    for position, (paper_id, days_ago) in enumerate(zip(papers, (3, 10, 40, 200), strict=False)):
        set_paper(
            lib,
            paper_id,
            added_at=(NOW - dt.timedelta(days=days_ago)).isoformat(),
            archived=0,
            archived_at=None,
            queue_pos=position + 1,
        )
    age = progress(lib.db, NOW).queue_age
    assert (age.papers, age.oldest_days, age.median_days) == (4, 200.0, 25.0)
    assert age.buckets == [("under a week", 1), ("1–4 weeks", 1), ("1–3 months", 1), ("older", 1)]
    assert progress(lib.db, NOW).to_json()["queue_age"]["buckets"] == {
        "under a week": 1,
        "1–4 weeks": 1,
        "1–3 months": 1,
        "older": 1,
    }


def test_real_triage_writes_show_today(lib: Library, papers: list[int]) -> None:
    lib.triage.set_archived(papers, False)
    lib.db.execute("UPDATE papers SET added_at = ?", [stamp(400)])
    lib.triage.set_archived(papers[:3])
    lib.triage.set_read(papers[3:5])
    lib.triage.toggle("queued", papers[5:6])
    now = dt.datetime.now().astimezone()
    figures = progress(lib.db, now)
    today = figures.days[-1]
    assert (today.arrived, today.read, today.archived) == (0, 2, 3)
    # queued just now (m009 stores the time), though it arrived 400 days ago
    assert figures.queue == 1 and figures.queue_age.oldest_days == pytest.approx(0, abs=0.1)
    # Unarchiving clears the stamp: the paper counts as never archived (said in the docs).
    lib.triage.set_archived(papers[:1], False)
    assert progress(lib.db, now).days[-1].archived == 2


def test_an_empty_library_has_ninety_empty_days(lib: Library) -> None:
    figures = progress(lib.db, NOW)
    assert [(d.arrived, d.read, d.archived, d.open) for d in figures.days] == [(0, 0, 0, 0)] * 90
    data = figures.to_json()
    assert data["totals"] == {"arrived": 0, "read": 0, "archived": 0}
    assert data["queue_age"]["measured_from"] == "the time each paper was queued"
    assert data["queue_age"]["from_arrival"] == 0


def test_the_queue_age_counts_from_when_a_paper_was_queued(lib: Library, papers: list[int]) -> None:
    lib.triage.set_archived(papers, False)
    lib.db.execute("UPDATE papers SET added_at = ?", [stamp(400)])
    lib.triage.set_queued(papers[:2])
    now = dt.datetime.now().astimezone()
    age = progress(lib.db, now).queue_age
    assert age.papers == 2 and age.oldest_days is not None and age.oldest_days < 0.1
    assert age.from_arrival == 0 and age.buckets[0] == ("under a week", 2)
    # A rule's queue stamps the time as well; an undo puts the time back with the paper.
    first = papers[0]
    lib.db.execute("UPDATE papers SET queued_at = ? WHERE id = ?", [stamp(20), first])
    lib.triage.set_queued([first], False)
    lib.triage.set_queued([first])
    lib.history.undo()
    lib.history.undo()
    (queued_at,) = lib.db.execute("SELECT queued_at FROM papers WHERE id = ?", [first]).fetchone()
    assert queued_at == stamp(20)
    assert progress(lib.db, NOW).queue_age.oldest_days == 20.1


def test_m009_gives_queued_papers_their_time_from_the_history_else_their_arrival(
    tmp_path: Path,
) -> None:
    from desktop.core import store

    data = tmp_path / "old"
    data.mkdir()
    db = store.connect(data / "library.sqlite3")
    store.migrations.apply(db, stop_before="m009_queued_at")
    for n in (1, 2, 3):
        db.execute(
            "INSERT INTO papers (id, title, title_key, abstract, added_at, updated_at, queue_pos) "
            "VALUES (?, ?, ?, 'An abstract.', ?, ?, ?)",
            [n, f"Paper {n}", f"paper {n}", stamp(300), stamp(300), None if n == 3 else n],
        )
    for label, undone in (("add to queue", None), ("add to queue", 1)):
        db.execute(
            "INSERT INTO history (label, kind, payload, done_at) VALUES (?, 'triage', '{}', ?)",
            [label, stamp(5 if undone is None else 2)],
        )
        (action,) = db.execute("SELECT MAX(id) FROM history").fetchone()
        db.execute("UPDATE history SET undone_seq = ? WHERE id = ?", [undone, action])
        db.execute("INSERT INTO history_papers (paper_id, action_id) VALUES (1, ?)", [action])
    db.conn.commit()
    db.close()
    with Library.open(data, backups=False) as library:
        rows = dict(library.db.execute("SELECT id, queued_at FROM papers").fetchall())
        assert rows == {1: stamp(5), 2: None, 3: None}  # 2: counted from its arrival
        age = progress(library.db, NOW).queue_age
        assert (age.papers, age.oldest_days, age.from_arrival) == (2, 300.1, 1)


def test_a_paper_a_rule_queued_on_arrival_has_its_queue_time(lib: Library) -> None:
    from tests.core.test_saved_views import PAPERS, digest

    lib.rules.add("read later", "title:agents", ["queue"])
    assert lib.importer.import_text(digest(PAPERS), "d1").ok
    age = progress(lib.db, dt.datetime.now().astimezone()).queue_age
    assert age.papers == 1 and age.from_arrival == 0

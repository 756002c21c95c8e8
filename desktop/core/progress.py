"""A picture of progress: papers arriving, read and archived per day, how many are still
open, and how old the reading queue is, from the timestamps the library stores.

What is stored, and so what these figures can honestly say:

- ``added_at``: when a paper first arrived (an import). "Arrived" counts these.
- ``archived_at``: when a paper now in the Archive was archived. "Archived" (done: the
  triage that takes a paper out of the Inbox for good) counts these. Unarchiving clears the
  stamp, so a paper archived and brought back counts as never archived.
- ``read_at``: when a paper was first marked read (cleared when marked unread).
- ``queued_at`` (m009): when a paper last entered the queue. The queue's age is the time
  since each queued paper was queued; a paper queued before m009 counts from the time of
  the history action that queued it, or, with no time stored (the history no longer held
  one), from its arrival (``QueueAge.from_arrival`` says how many). Leaving the queue
  stores no time, so the history is of *open* papers (not archived: the Inbox and the
  queue together), computed back from arrivals and archive times; the Inbox and queue
  sizes are exact for today only.

Deleted papers leave no trace, so they are in none of the figures. Days are local days of
the clock passed in (its UTC offset), so a test pins them with a fixed ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from sqlite_utils import Database

DAYS = 90
# Queue age buckets: (label, fewer than this many days old).
AGE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("under a week", 7),
    ("1–4 weeks", 28),
    ("1–3 months", 91),
    ("older", float("inf")),
)


@dataclass(frozen=True)
class DayFigures:
    """One day: papers that arrived, were first read and were archived, and the papers still
    open (not archived) at the day's end."""

    day: str  # ISO date
    arrived: int
    read: int
    archived: int
    open: int


@dataclass(frozen=True)
class QueueAge:
    """How long the queued papers have been in the queue (days since they were queued)."""

    papers: int
    oldest_days: float | None
    median_days: float | None
    buckets: list[tuple[str, int]]
    from_arrival: int = 0  # queued before their queue time was stored: counted from arrival


@dataclass(frozen=True)
class Progress:
    """The figures of the Progress view and ``digest-desk stats --json``."""

    today: str
    days: list[DayFigures]
    inbox: int  # now
    queue: int  # now
    open: int  # now: inbox + queue
    queue_age: QueueAge

    def totals(self) -> dict[str, int]:
        """Arrived, read and archived over the whole window."""
        return {
            "arrived": sum(d.arrived for d in self.days),
            "read": sum(d.read for d in self.days),
            "archived": sum(d.archived for d in self.days),
        }

    def to_json(self) -> dict[str, Any]:
        """The figures as JSON-ready values."""
        age = self.queue_age
        return {
            "today": self.today,
            "days": [asdict(d) for d in self.days],
            "totals": self.totals(),
            "inbox": self.inbox,
            "queue": self.queue,
            "open": self.open,
            "queue_age": {
                "papers": age.papers,
                "oldest_days": age.oldest_days,
                "median_days": age.median_days,
                "buckets": {label: n for label, n in age.buckets},
                "measured_from": "the time each paper was queued",
                "from_arrival": age.from_arrival,
            },
        }


def _modifier(now: dt.datetime) -> str:
    """The SQLite date modifier that turns a stored UTC time into ``now``'s local time."""
    offset = now.utcoffset() or dt.timedelta(0)
    return f"{int(offset.total_seconds() // 60):+d} minutes"


# An archived paper without a stamp (none are written so) counts as archived on arrival.
_ARCHIVED_AT = "CASE WHEN archived = 1 THEN COALESCE(archived_at, added_at) END"


def _per_day(
    db: Database, start: dt.date, modifier: str
) -> tuple[int, int, dict[str, Counter[str]]]:
    """(papers arrived before ``start``, papers archived before it, and per kind — arrived,
    read, archived — the papers of each day from ``start``).

    One scan of the papers: a plain comparison of the stored UTC text skips every paper with
    nothing in the window (a day early, so no offset can move one in), and only the rest have
    their times turned into local days by SQLite's date().
    """
    early = (start - dt.timedelta(days=1)).isoformat()
    before_arrived, before_archived = db.execute(
        f"SELECT COALESCE(SUM(added_at < :early), 0), COALESCE(SUM({_ARCHIVED_AT} < :early), 0) "
        "FROM papers",
        {"early": early},
    ).fetchone()
    rows = db.execute(
        "SELECT CASE WHEN added_at >= :early THEN date(added_at, :m) END, "
        "CASE WHEN read_at >= :early THEN date(read_at, :m) END, "
        "CASE WHEN archived_on >= :early THEN date(archived_on, :m) END "
        f"FROM (SELECT added_at, read_at, {_ARCHIVED_AT} AS archived_on FROM papers) "
        "WHERE added_at >= :early OR read_at >= :early OR archived_on >= :early",
        {"early": early, "m": modifier},
    ).fetchall()
    kinds = ("arrived", "read", "archived")
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in kinds}
    for row in rows:
        for kind, day in zip(kinds, row, strict=True):
            if day is not None:
                counts[kind][day] += 1
    first = start.isoformat()
    for kind, counter in counts.items():
        for day in [day for day in counter if day < first]:
            n = counter.pop(day)
            if kind == "arrived":
                before_arrived += n
            elif kind == "archived":
                before_archived += n
    return int(before_arrived), int(before_archived), counts


def progress(db: Database, now: dt.datetime | None = None, days: int = DAYS) -> Progress:
    """The progress figures of the last ``days`` days up to ``now`` (aware; default: now)."""
    now = now or dt.datetime.now().astimezone()
    if now.tzinfo is None:
        raise ValueError("progress() needs an aware datetime")
    modifier = _modifier(now)
    today = now.date()
    start = today - dt.timedelta(days=days - 1)
    arrived_before, archived_before, counts = _per_day(db, start, modifier)
    arrived, read, archived = counts["arrived"], counts["read"], counts["archived"]
    figures: list[DayFigures] = []
    open_papers = arrived_before - archived_before
    for n in range(days):
        day = (today - dt.timedelta(days=days - 1 - n)).isoformat()
        open_papers += arrived[day] - archived[day]
        figures.append(DayFigures(day, arrived[day], read[day], archived[day], open_papers))
    inbox, queue = db.execute(
        "SELECT COALESCE(SUM(queue_pos IS NULL), 0), COALESCE(SUM(queue_pos IS NOT NULL), 0) "
        "FROM papers WHERE archived = 0"
    ).fetchone()
    return Progress(
        today=today.isoformat(),
        days=figures,
        inbox=int(inbox),
        queue=int(queue),
        open=int(inbox) + int(queue),
        queue_age=_queue_age(db, now),
    )


def _queue_age(db: Database, now: dt.datetime) -> QueueAge:
    stamp = now.astimezone(dt.UTC).isoformat(timespec="seconds")
    rows = db.execute(
        "SELECT julianday(?) - julianday(COALESCE(queued_at, added_at)), "
        "queued_at IS NULL FROM papers "
        "WHERE archived = 0 AND queue_pos IS NOT NULL",
        [stamp],
    ).fetchall()
    ages = sorted(max(0.0, float(age)) for age, _ in rows)
    from_arrival = sum(1 for _, arrival in rows if arrival)
    buckets: list[tuple[str, int]] = []
    lower = 0.0
    for label, upper in AGE_BUCKETS:
        buckets.append((label, sum(1 for a in ages if lower <= a < upper)))
        lower = upper
    if not ages:
        return QueueAge(0, None, None, buckets)
    middle = len(ages) // 2
    median = ages[middle] if len(ages) % 2 else (ages[middle - 1] + ages[middle]) / 2
    return QueueAge(len(ages), round(ages[-1], 1), round(median, 1), buckets, from_arrival)

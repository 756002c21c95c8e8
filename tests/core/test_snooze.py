"""Snooze: the time forms, leaving and re-entering the Inbox by an injected clock, undo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desktop.core.history import UndoRefusedError
from desktop.core.library import Library
from desktop.core.snooze_time import SnoozeTimeError, SnoozeUntil, parse_when

UTC = dt.UTC
# Wednesday 2 December 2026, 10:00 in a fixed UTC+1 zone.
ZONE = dt.timezone(dt.timedelta(hours=1))
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZONE)


def local(when: SnoozeUntil) -> dt.datetime:
    assert when.moment is not None
    return when.moment.astimezone(ZONE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow", dt.datetime(2026, 12, 3, 8, 0, tzinfo=ZONE)),
        ("Tomorrow ", dt.datetime(2026, 12, 3, 8, 0, tzinfo=ZONE)),
        ("3d", dt.datetime(2026, 12, 5, 8, 0, tzinfo=ZONE)),
        ("in 3 days", dt.datetime(2026, 12, 5, 8, 0, tzinfo=ZONE)),
        ("2w", dt.datetime(2026, 12, 16, 8, 0, tzinfo=ZONE)),
        ("2 weeks", dt.datetime(2026, 12, 16, 8, 0, tzinfo=ZONE)),
        ("5h", dt.datetime(2026, 12, 2, 15, 0, tzinfo=ZONE)),
        ("next week", dt.datetime(2026, 12, 7, 8, 0, tzinfo=ZONE)),  # the next Monday
        ("mon", dt.datetime(2026, 12, 7, 8, 0, tzinfo=ZONE)),
        ("friday", dt.datetime(2026, 12, 4, 8, 0, tzinfo=ZONE)),
        ("next fri", dt.datetime(2026, 12, 4, 8, 0, tzinfo=ZONE)),
        ("wed", dt.datetime(2026, 12, 9, 8, 0, tzinfo=ZONE)),  # today is Wednesday: a week on
        ("2026-12-24", dt.datetime(2026, 12, 24, 8, 0, tzinfo=ZONE)),
        ("2026-12-24 14:30", dt.datetime(2026, 12, 24, 14, 30, tzinfo=ZONE)),
        ("2026-12-24T14:30", dt.datetime(2026, 12, 24, 14, 30, tzinfo=ZONE)),
    ],
)
def test_parse_when_reads_the_common_forms(text: str, expected: dt.datetime) -> None:
    when = parse_when(text, NOW, ZONE)
    assert local(when) == expected
    assert when.moment is not None and when.moment.tzinfo == UTC


def test_parse_when_reads_next_digest_and_refuses_nonsense_and_the_past() -> None:
    assert parse_when("next digest", NOW, ZONE).next_digest
    assert parse_when("next-digest", NOW, ZONE).describe() == "until the next digest"
    for bad in ("", "soonish", "3x", "0d", "2026-13-01", "fr"):
        with pytest.raises(SnoozeTimeError):
            parse_when(bad, NOW, ZONE)
    with pytest.raises(SnoozeTimeError, match="already passed"):
        parse_when("2026-12-01", NOW, ZONE)
    with pytest.raises(SnoozeTimeError, match="already passed"):
        parse_when("2026-12-02 09:00", NOW, ZONE)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW.astimezone(UTC))


def test_snoozed_paper_leaves_the_inbox_and_returns_unread_on_top(
    seeded: Library, clock: FakeClock
) -> None:
    seeded.clock = clock
    inbox = seeded.views.ids("inbox")
    first, middle = inbox[0], inbox[5]
    seeded.triage.set_read([middle])
    seeded.snoozes.snooze([middle], parse_when("tomorrow", clock(), ZONE))
    assert middle not in seeded.views.ids("inbox")
    assert seeded.views.ids("snoozed") == [middle]
    assert seeded.index.search("is:snoozed", limit=None).ids == [middle]
    assert seeded.views.counts()["snoozed"].total == 1
    assert seeded.views.counts()["inbox"].total == len(inbox) - 1
    snooze = seeded.snoozes.get(middle)
    assert snooze is not None and snooze.until == dt.datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
    # Not yet: an hour before its time, waking changes nothing.
    clock.advance(hours=21)
    assert seeded.wake_snoozed().empty
    assert middle not in seeded.views.ids("inbox")
    clock.advance(hours=1)
    changes = seeded.wake_snoozed()
    assert set(changes.papers) == {middle} and changes.read and changes.membership
    now_inbox = seeded.views.ids("inbox")
    assert now_inbox[0] == middle and now_inbox[1] == first
    paper = seeded.papers.get(middle)
    assert paper is not None and not paper.is_read
    assert seeded.views.ids("snoozed") == []
    # Once read, it goes back to its place in import order.
    seeded.triage.set_read([middle])
    assert seeded.views.ids("inbox") == inbox


def test_a_snoozed_archived_or_queued_paper_returns_to_the_inbox(
    seeded: Library, clock: FakeClock
) -> None:
    seeded.clock = clock
    a, b = seeded.views.ids("inbox")[:2]
    seeded.triage.set_archived([a])
    seeded.triage.set_queued([b])
    seeded.snoozes.snooze([a, b], parse_when("5h", clock(), ZONE))
    clock.advance(hours=5)
    seeded.wake_snoozed()
    assert seeded.views.ids("inbox")[:2] == [a, b]
    assert a not in seeded.views.ids("archive") and b not in seeded.views.ids("queue")


def test_papers_return_when_the_app_was_closed(seeded_dir: Path) -> None:
    clock = FakeClock(NOW.astimezone(UTC))
    with Library.open(seeded_dir) as library:
        library.clock = clock
        pid = library.views.ids("inbox")[3]
        library.snoozes.snooze([pid], parse_when("3d", clock(), ZONE))
    # Two days later it is still away; four days later, opening the library brings it back
    # before anything else is done.
    clock.advance(days=2)
    with Library.open(seeded_dir, clock=clock) as library:
        assert library.views.ids("snoozed") == [pid]
    clock.advance(days=2)
    with Library.open(seeded_dir, clock=clock) as library:
        assert library.views.ids("inbox")[0] == pid
        assert library.views.ids("snoozed") == []


def test_next_digest_snooze_returns_with_the_next_import(lib: Library, clock: FakeClock) -> None:
    lib.clock = clock
    lib.importer.import_text(_digest("First paper", "Second paper"), "d1")
    first = lib.views.ids("inbox")[0]
    lib.snoozes.snooze([first], parse_when("next digest", clock(), ZONE))
    assert lib.views.ids("snoozed") == [first]
    clock.advance(days=100)
    assert lib.wake_snoozed().empty  # time alone never brings it back
    lib.importer.import_text(_digest("Third paper"), "d2")  # heard by the library: wakes it
    assert lib.views.ids("snoozed") == []
    assert lib.views.ids("inbox")[0] == first


def test_snooze_and_unsnooze_are_undoable_and_refused_once_the_paper_returned(
    seeded: Library, clock: FakeClock
) -> None:
    seeded.clock = clock
    ids = seeded.views.ids("inbox")[:3]
    seeded.snoozes.snooze(ids, parse_when("tomorrow", clock(), ZONE))
    label = seeded.history.undo_label() or ""
    assert label.startswith("snooze until ") and label.endswith(" (3 papers)")
    seeded.history.undo()
    assert seeded.views.ids("snoozed") == []
    assert seeded.views.ids("inbox")[:3] == ids
    seeded.history.redo()
    assert seeded.views.ids("snoozed") == ids
    seeded.snoozes.unsnooze([ids[0]])
    assert seeded.views.ids("snoozed") == ids[1:]
    seeded.history.undo()
    assert seeded.views.ids("snoozed") == ids
    # The papers come back by themselves: undoing the snooze now is refused, with the reason.
    clock.advance(days=1)
    seeded.wake_snoozed()
    with pytest.raises(UndoRefusedError, match="came back since"):
        seeded.history.undo()
    assert seeded.views.ids("snoozed") == []


def test_unsnooze_of_papers_not_snoozed_does_nothing(seeded: Library) -> None:
    pid = seeded.views.ids("inbox")[0]
    assert seeded.snoozes.unsnooze([pid]).empty
    assert not seeded.history.can_undo


def test_deleting_a_snoozed_paper_and_undo_keeps_the_snooze(
    seeded: Library, clock: FakeClock
) -> None:
    seeded.clock = clock
    pid = seeded.views.ids("inbox")[0]
    seeded.snoozes.snooze([pid], parse_when("2w", clock(), ZONE))
    seeded.removal.delete_papers([pid])
    assert seeded.views.ids("snoozed") == []
    seeded.history.undo()
    assert seeded.views.ids("snoozed") == [pid]


def test_unread_only_lists_the_unread_papers_of_any_view(seeded: Library) -> None:
    inbox = seeded.views.ids("inbox")
    seeded.triage.set_read(inbox[:4])
    assert seeded.views.ids("inbox", unread_only=True) == inbox[4:]
    seeded.triage.set_starred(inbox[2:6])
    assert seeded.views.ids("starred", unread_only=True) == inbox[4:6]


def _digest(*titles: str) -> str:
    blocks = [
        f"{title}\n\nAn abstract about {title.lower()} that is long enough to be read as one."
        for title in titles
    ]
    return "\n\n\n".join(blocks) + "\n"


def test_a_returned_paper_read_since_is_forgotten_at_the_next_wake(
    seeded: Library, clock: FakeClock
) -> None:
    seeded.clock = clock
    first, second = seeded.views.ids("inbox")[:2]
    seeded.snoozes.snooze([first, second], parse_when("tomorrow", clock(), ZONE))
    clock.advance(days=1)
    assert set(seeded.wake_snoozed().papers) == {first, second}
    seeded.triage.set_read([first])
    seeded.wake_snoozed()  # forgets the read one's return; the unread one stays on top
    returned = seeded.db.execute("SELECT paper_id FROM snoozes ORDER BY paper_id").fetchall()
    assert [r[0] for r in returned] == [second]
    assert seeded.wake_snoozed().empty

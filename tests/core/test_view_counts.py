"""The built-in views' and digests' counts, kept current per write: always what counting
from scratch gives, without counting from scratch after a triage key."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from desktop.core.digests import Digests
from desktop.core.library import Library
from desktop.core.models import Changes, DigestId
from desktop.core.snooze_time import parse_when
from desktop.core.views import ViewCount, Views


def scratch(lib: Library) -> tuple[dict[str, ViewCount], dict[DigestId, ViewCount]]:
    """The counts as a library that keeps none gives them (counted from scratch)."""
    return Views(lib.db).counts(), Digests(lib.db).counts()


class Clock:
    def __init__(self) -> None:
        self.moment = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.moment


def test_counts_follow_triage_snooze_and_undo_without_counting_again(seeded: Library) -> None:
    lib = seeded
    assert (lib.views.counts(), lib.digests.counts()) == scratch(lib)  # with SQL alone
    lib.triage.set_read(lib.views.ids("inbox")[:1])  # from now on per paper
    assert (lib.views.counts(), lib.digests.counts()) == scratch(lib)
    start = lib.view_counts.recounts
    ids = lib.views.ids("all")
    rng = random.Random(16)
    clock = Clock()
    lib.clock = clock
    for step in range(80):
        some = rng.sample(ids, rng.randint(1, 4))
        action = rng.choice(["read", "starred", "queued", "archived", "snooze", "wake", "undo"])
        if action == "snooze":
            lib.snoozes.snooze(some, parse_when("3d", clock.moment))
        elif action == "wake":  # the snoozed papers come back, unread, into the Inbox
            clock.moment += dt.timedelta(days=4)
            lib.snoozes.wake()
        elif action == "undo":
            if lib.history.can_undo:
                lib.history.undo()
        else:
            lib.triage.toggle(action, some)
        assert (lib.views.counts(), lib.digests.counts()) == scratch(lib), step
    assert lib.view_counts.recounts == start  # every one of them moved, none counted again


def test_a_write_of_another_connection_or_an_import_counts_again(seeded_dir: Path) -> None:
    with (
        Library.open(seeded_dir, backups=False) as window,
        Library.open(seeded_dir, backups=False) as other,
    ):
        window.triage.set_read(window.views.ids("inbox")[-1:])  # the counts kept per paper
        before = window.views.counts()
        recounts = window.view_counts.recounts
        paper = window.views.ids("inbox")[0]
        other.triage.set_read([paper])  # the window does not hear this one
        after = window.views.counts()
        assert window.view_counts.recounts == recounts + 1
        assert after["inbox"].unread == before["inbox"].unread - 1
        window.notify(Changes(library=True))
        window.views.counts()
        assert window.view_counts.recounts == recounts + 2
        assert (window.views.counts(), window.digests.counts()) == scratch(window)


def test_a_count_with_no_write_after_it_reads_no_paper_state(seeded: Library) -> None:
    """``digest-desk stats`` counts once: with SQL alone, no state byte per paper."""
    assert seeded.views.counts() == Views(seeded.db).counts()
    assert seeded.view_counts._state is None  # noqa: SLF001 - what the test is about


def test_the_one_statement_count_is_each_views_own_count(seeded: Library) -> None:
    """count_views (every view in one statement, the Inbox and All derived from index ranges)
    gives what counting each view's own condition gives, in every state a paper can be in."""
    from desktop.core.models import VIEWS
    from desktop.core.views import count_view, count_views

    lib = seeded
    clock = Clock()
    lib.clock = clock
    ids = lib.views.ids("all")
    rng = random.Random(15)
    for step in range(12):
        chosen = rng.sample(ids, 6)
        lib.triage.set_read(chosen[:2], rng.random() < 0.7)
        lib.triage.set_starred(chosen[1:3], rng.random() < 0.7)
        lib.triage.set_queued(chosen[2:4], rng.random() < 0.6)
        lib.triage.set_archived(chosen[3:5], rng.random() < 0.6)
        lib.snoozes.snooze(chosen[5:], parse_when("tomorrow", clock(), dt.UTC))
        if step % 4 == 2:
            clock.moment += dt.timedelta(days=2)
            lib.wake_snoozed()  # returned snoozes (on top of the Inbox) beside waiting ones
        own = {view: count_view(lib.db, view) for view in VIEWS}
        assert count_views(lib.db) == own, step
    assert own["snoozed"].total and own["queue"].total and own["archive"].total
    # A value the app never writes still lands in no view but All, as each condition says.
    lib.db.execute("UPDATE papers SET archived = 2 WHERE id = ?", [ids[0]])
    lib.db.execute("UPDATE papers SET archived = 0.5, is_read = 0 WHERE id = ?", [ids[1]])
    lib.db.conn.commit()
    assert count_views(lib.db) == {view: count_view(lib.db, view) for view in VIEWS}

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

"""Listeners: subscribe, unsubscribe, and notify for writes made through another connection."""

from __future__ import annotations

from pathlib import Path

from desktop.core.library import Library
from desktop.core.models import Changes


def test_unsubscribed_listeners_hear_nothing(seeded: Library) -> None:
    heard: list[Changes] = []
    seeded.subscribe(heard.append)
    first = seeded.views.ids("inbox")[0]
    seeded.triage.set_starred([first], True)
    assert heard == [Changes(frozenset({first}), membership=True)]
    seeded.unsubscribe(heard.append)
    seeded.unsubscribe(heard.append)  # unknown listeners are ignored
    seeded.triage.set_starred([first], False)
    assert len(heard) == 1


def test_notify_reports_writes_made_by_another_connection(
    seeded: Library, seeded_dir: Path
) -> None:
    heard: list[Changes] = []
    seeded.subscribe(heard.append)
    with Library.open(seeded_dir, backups=False) as other:
        other.triage.set_archived([other.views.ids("inbox")[0]], True)
    assert heard == []
    seeded.notify(Changes(library=True))
    seeded.notify(Changes())  # nothing changed: nobody is called
    assert heard == [Changes(library=True)]
    assert seeded.views.counts()["archive"].total == 1


def test_in_view_checks_only_the_given_papers(seeded: Library) -> None:
    inbox = seeded.views.ids("inbox")
    seeded.triage.set_archived([inbox[0]], True)
    seeded.triage.set_queued([inbox[1]], True)
    wanted = inbox[:3]
    assert seeded.views.contains("inbox", wanted) == {inbox[2]}
    assert seeded.views.contains("archive", wanted) == {inbox[0]}
    assert seeded.views.contains("queue", wanted) == {inbox[1]}
    assert seeded.views.contains("all", wanted) == set(wanted)
    digest = seeded.digests.all()[0].id
    in_digest = set(seeded.views.ids(f"digest:{digest}"))
    assert seeded.views.contains(f"digest:{digest}", inbox) == in_digest & set(inbox)
    assert seeded.views.contains("inbox", []) == set()


def test_triage_changes_say_what_kind_of_state_changed(seeded: Library) -> None:
    heard: list[Changes] = []
    seeded.subscribe(heard.append)
    first = seeded.views.ids("inbox")[0]
    seeded.triage.set_read([first], True)
    seeded.triage.set_queued([first], True)
    seeded.history.undo()
    seeded.history.undo()
    assert [(c.read, c.membership, c.counts) for c in heard] == [
        (True, False, True),
        (False, True, True),
        (False, True, True),
        (True, False, True),
    ]
    seeded.tags.add([first], "fresh")
    assert heard[-1].tags and heard[-1].annotations and heard[-1].counts

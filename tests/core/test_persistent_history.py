"""The undo history kept in SQLite: undo after a restart, refusals with reasons, imports."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from desktop.core.history import UndoRefusedError
from desktop.core.library import Library
from desktop.core.snooze_time import parse_when

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


class FakeClock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


def reopen(data: Path) -> Library:
    return Library.open(data, backups=False)


def test_every_kind_of_action_is_undone_after_a_restart(seeded_dir: Path) -> None:
    with reopen(seeded_dir) as library:
        a, b, c, d = library.views.ids("inbox")[:4]
        digest = library.digests.all()[0]
        library.triage.set_read([a])
        library.triage.set_starred([a, b])
        library.notes.set(c, "a note written before the restart")
        library.highlights.add_by_quote(c, library.papers.get(c).abstract.split()[0])  # type: ignore[union-attr]
        library.tags.add([c, d], "to read")
        library.snoozes.snooze([d], parse_when("3d", dt.datetime.now(dt.UTC)))
        library.removal.rename_digest(digest.id, "renamed digest")
        library.removal.delete_papers([b])
        depth = library.history.depth
    assert depth == 8
    with reopen(seeded_dir) as library:
        assert library.history.depth == 8
        assert library.history.undo_label() == "delete paper"
        labels = []
        while library.history.can_undo:
            done = library.history.undo()
            assert done is not None
            labels.append(done[0])
        assert labels[:3] == ["delete paper", "rename digest", labels[2]]
        assert labels[2].startswith("snooze until")
        assert labels[3:] == ["tag to read", "add highlight", "edit note", "star", "mark read"]
        paper_a, paper_b = library.papers.get(a), library.papers.get(b)
        assert paper_a is not None and not paper_a.is_read and not paper_a.starred
        assert paper_b is not None and not paper_b.starred
        assert library.annotations(c).empty and library.annotations(d).empty
        assert library.views.ids("snoozed") == []
        assert library.digests.get(digest.id).name == digest.name  # type: ignore[union-attr]
    # Redo survives a restart as well.
    with reopen(seeded_dir) as library:
        assert library.history.redo_label() == "mark read"
        while library.history.can_redo:
            library.history.redo()
        assert library.papers.get(b) is None
        assert library.notes.get(c) == "a note written before the restart"
        assert library.tags.of_paper(d) == ["to read"]
        assert library.views.ids("snoozed") == [d]


def test_undo_of_an_entry_whose_paper_changed_later_is_refused_with_the_reason(
    seeded: Library,
) -> None:
    a, b = seeded.views.ids("inbox")[:2]
    title = seeded.papers.get(a).title  # type: ignore[union-attr]
    seeded.triage.set_read([a])
    first = seeded.history.entries()[0].id
    seeded.triage.set_starred([b])
    seeded.tags.add([a], "later")
    with pytest.raises(UndoRefusedError) as refused:
        seeded.history.undo_entry(first)
    message = str(refused.value)
    assert "mark read" in message and title in message and "tag later" in message
    assert "undo that first" in message
    assert seeded.papers.get(a).is_read  # type: ignore[union-attr]
    # An older entry on other papers can be undone out of order.
    starred = seeded.history.entries()[1]
    assert starred.label == "star"
    seeded.history.undo_entry(starred.id)
    assert not seeded.papers.get(b).starred  # type: ignore[union-attr]
    # Once the later action is undone, the first one can be too.
    done = seeded.history.undo()
    assert done is not None and done[0] == "tag later"
    seeded.history.undo_entry(first)
    assert not seeded.papers.get(a).is_read  # type: ignore[union-attr]
    with pytest.raises(UndoRefusedError, match="already undone"):
        seeded.history.undo_entry(first)


def test_undo_after_the_paper_changed_outside_the_history_is_refused(seeded_dir: Path) -> None:
    with reopen(seeded_dir) as library:
        pid = library.views.ids("inbox")[0]
        library.triage.set_starred([pid])
    # Another program (or an older version) changes the paper without a history entry.
    with reopen(seeded_dir) as library, library.db.atomic():
        library.db.execute("UPDATE papers SET starred = 0, archived = 1 WHERE id = ?", [pid])
    with reopen(seeded_dir) as library:
        with pytest.raises(UndoRefusedError, match="was changed since"):
            library.history.undo()
        paper = library.papers.get(pid)
        assert paper is not None and paper.archived and not paper.starred
        assert library.history.can_undo  # refused, not dropped: the reason may go away


def test_imports_are_in_the_history_and_undo_removes_their_papers(seeded_dir: Path) -> None:
    text = "\n\n\n".join(
        f"Imported paper {n}\n\nAn abstract for imported paper number {n}, long enough to count."
        for n in range(3)
    )
    with reopen(seeded_dir) as library:
        before = library.papers.count()
        result = library.importer.import_text(text + "\n", "history digest")
        assert result.new_papers == 3
        entry = library.history.entries()[0]
        assert entry.label == "import history digest" and entry.kind == "import"
        assert entry.paper_count == 3 and entry.subject.startswith("Imported paper")
        new = result.new_ids
        library.notes.set(new[0], "my note on an imported paper")
        library.notes.clock = lambda: 10_000.0  # type: ignore[method-assign]
        assert library.removal.import_footprint(int(result.digest_id or 0)) == (3, 1)
    with reopen(seeded_dir) as library:
        library.history.undo()  # the note
        assert library.history.undo_label() == "import history digest"
        label, changes = library.history.undo() or ("", None)
        assert label == "import history digest" and changes is not None and changes.library
        assert library.papers.count() == before
        assert all(library.papers.get(i) is None for i in new)
    with reopen(seeded_dir) as library:
        library.history.redo()
        assert library.papers.count() == before + 3
        assert library.papers.get(new[0]) is not None
        library.history.redo()
        assert library.notes.get(new[0]) == "my note on an imported paper"


def test_history_is_bounded_by_count_and_age(lib: Library) -> None:
    clock = FakeClock(NOW)
    lib.clock = clock
    lib.importer.import_text(
        "Paper one\n\nAn abstract that is long enough to be read as one paper here.\n", "d"
    )
    pid = lib.views.ids("all")[0]
    lib.history.max_actions = 5
    for _ in range(4):
        lib.triage.set_read([pid])
        lib.triage.set_read([pid], False)
    assert lib.history.depth == 5
    clock.moment = NOW + dt.timedelta(days=31)
    lib.triage.set_starred([pid])
    assert [e.label for e in lib.history.entries()] == ["star"]


def test_an_action_on_a_paper_deleted_meanwhile_leaves_the_stack(lib: Library) -> None:
    lib.importer.import_text(
        "Paper one\n\nAn abstract that is long enough to be read as one paper here.\n\n\n"
        "Paper two\n\nAnother abstract that is long enough to be read as one paper.\n",
        "d",
    )
    one, two = lib.views.ids("all")
    lib.triage.set_read([one])
    lib.triage.set_starred([two])
    with lib.db.atomic():  # gone behind the history's back
        lib.db.execute("DELETE FROM papers WHERE id = ?", [two])
    with pytest.raises(UndoRefusedError, match="no longer in the library"):
        lib.history.undo()
    entries = lib.history.entries()
    assert entries[0].refused and not entries[0].available
    assert lib.history.undo_label() == "mark read"
    lib.history.undo()
    assert not lib.papers.get(one).is_read  # type: ignore[union-attr]


def test_entries_name_their_paper_and_time(seeded: Library) -> None:
    seeded.clock = FakeClock(NOW)
    ids = seeded.views.ids("inbox")[:3]
    seeded.triage.set_read(ids)
    entry = seeded.history.entries()[0]
    first = seeded.papers.get(ids[0])
    assert first is not None
    assert entry.paper_id == ids[0] and entry.paper_count == 3
    assert entry.done_at == "2026-12-02T09:00:00+00:00"
    assert entry.describe() == f"mark read: \u201c{first.title}\u201d and 2 more"
    assert seeded.history.papers_of(entry.id) == sorted(ids)


def test_a_command_line_action_is_undone_in_another_open_library(seeded_dir: Path) -> None:
    with reopen(seeded_dir) as app, reopen(seeded_dir) as cli:
        pid = app.views.ids("inbox")[0]
        cli.triage.set_starred([pid])
        assert app.history.undo_label() == "star"
        app.history.undo()
        assert not cli.papers.get(pid).starred  # type: ignore[union-attr]


def test_rule_steps_are_undone_after_a_restart(seeded_dir: Path) -> None:
    """Applying a rule and the rules of an import: both undone after a restart."""
    with reopen(seeded_dir) as library:
        library.rules.add("everything", "is:unread", ["tag", "star"], tag="ruled")
        run = library.rules.apply("everything")
        starred = sorted(run.papers)
        assert starred
        library.rules.add("new ones", "restart", ["queue"])
        result = library.importer.import_text(
            "A paper on surviving a restart\n\nWe study how a restart keeps the undo "
            "history of an application whole, in depth and at length, with care.\n",
            "after restart",
        )
        assert result.rule_run is not None
        assert library.rules.record_import_undo([result])
        (new,) = result.new_ids
    with reopen(seeded_dir) as library:
        assert library.history.undo_label() == "rules on import"
        library.history.undo()
        assert library.views.ids("queue") == [] and library.papers.get(new) is not None
        library.history.undo()  # the import itself
        assert library.papers.get(new) is None
        assert library.history.undo_label() == "apply rule everything"
    with reopen(seeded_dir) as library:
        library.history.undo()
        assert library.tags.of_paper(starred[0]) == []
        assert not any(library.papers.get(p).starred for p in starred)  # type: ignore[union-attr]
    with reopen(seeded_dir) as library:
        assert library.history.redo_label() == "apply rule everything"
        library.history.redo()
        assert library.tags.of_paper(starred[0]) == ["ruled"]


def test_saved_view_delete_rename_and_move_are_undone_after_a_restart(seeded_dir: Path) -> None:
    with reopen(seeded_dir) as library:
        library.saved_views.add("One", "graph")
        library.saved_views.add("Two", "diffusion")
        library.saved_views.add("Three", "protein")
        two = library.saved_views.get("Two")
        library.saved_views.rename("Two", "Second")
        library.saved_views.move("Three", -2)
        library.saved_views.delete("Second")
        assert [v.name for v in library.saved_views.all()] == ["Three", "One"]
    with reopen(seeded_dir) as library:
        assert library.history.undo_label() == "delete view Second"
        library.history.undo()
        assert [v.name for v in library.saved_views.all()] == ["Three", "One", "Second"]
        assert library.saved_views.get("Second").key == two.key  # the same view, same key
        assert library.saved_views.counts()[two.key].total > 0
    with reopen(seeded_dir) as library:
        library.history.undo()  # the move
        assert [v.name for v in library.saved_views.all()] == ["One", "Second", "Three"]
        library.history.undo()  # the rename
        assert [v.name for v in library.saved_views.all()] == ["One", "Two", "Three"]
    with reopen(seeded_dir) as library:
        library.history.redo()
        library.history.redo()
        library.history.redo()
        assert [v.name for v in library.saved_views.all()] == ["Three", "One"]
        library.saved_views.add("Second", "other")  # the name is taken again
        with pytest.raises(UndoRefusedError, match="exists now"):
            library.history.undo_entry(library.history.entries()[0].id)


def test_a_triage_action_stored_before_m009_is_undone_on_its_six_columns(seeded: Library) -> None:
    a = seeded.views.ids("inbox")[0]
    seeded.triage.set_queued([a])
    entry = seeded.history.entries()[0]
    payload = seeded.history.payload_of(entry.id)
    old = {side: [[pid, values[:6]] for pid, values in payload[side]] for side in payload}
    seeded.db.execute("UPDATE history SET payload = ? WHERE id = ?", [json.dumps(old), entry.id])
    seeded.history.undo()
    assert seeded.views.ids("queue") == []
    seeded.history.redo()
    assert seeded.views.ids("queue") == [a]


def test_every_action_the_app_records_has_a_kind_so_it_survives_a_restart() -> None:
    """No code of the app records an action as plain undo/redo functions (a session action,
    lost at a restart): every ``history.record(...)`` call names a registered ``kind``."""
    import ast

    root = Path(__file__).resolve().parents[2] / "desktop"
    calls = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "history"
            ):
                calls.append((path.name, {k.arg for k in node.keywords}))
    assert len(calls) >= 10
    assert [name for name, keywords in calls if "kind" not in keywords] == []
    with Library.in_memory() as library:
        registered = set(library.history._kinds)  # noqa: SLF001 - the test lists the kinds
    assert registered == {
        "triage",
        "note",
        "highlight",
        "tags",
        "snooze",
        "delete papers",
        "remove digests",
        "rename digest",
        "import",
        "rules",
        "saved-view",
    }

"""Deleting papers and removing digests: everything of theirs goes, and undo brings it back."""

from __future__ import annotations

import sqlite3

import pytest

from desktop.core.library import Library
from desktop.core.models import PaperId
from desktop.core.removal import RemovalError


def library_snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (ids and times included), for exact before/after checks."""
    tables = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        # The undo history records the removal itself: it is not the library's content.
        if not r[0].startswith(("sqlite_", "_")) and r[0] not in ("history", "history_papers")
    ]
    return {t: sorted(map(tuple, conn.execute(f"SELECT * FROM {t}")), key=repr) for t in tables}


def test_delete_papers_takes_their_annotations_and_undo_restores_all(seeded: Library) -> None:
    first, second = seeded.views.ids("inbox")[:2]
    seeded.notes.set(first, "my note")
    seeded.highlights.add_by_quote(first, seeded.papers.get(first).title.split()[0])  # type: ignore[union-attr]
    seeded.tags.add([first, second], "keep")
    seeded.tags.add([first], "only-first")
    seeded.triage.set_starred([first])
    before = library_snapshot(seeded.db.conn)
    changes = seeded.removal.delete_papers([first])
    assert changes.library and changes.papers == {first}
    assert seeded.papers.get(first) is None
    assert seeded.notes.get(first) == "" and seeded.highlights.of_paper(first) == []
    assert [name for name, _ in seeded.tags.all()] == ["keep"]  # a tag left on no paper goes
    title = seeded.papers.get(second).title  # type: ignore[union-attr]
    assert first not in seeded.index.search(title, limit=None).ids
    seeded.history.undo()
    assert library_snapshot(seeded.db.conn) == before
    seeded.history.redo()
    assert seeded.papers.get(first) is None


def test_remove_a_digest_with_the_papers_seen_only_in_it(seeded: Library) -> None:
    digests = seeded.digests.all()
    target = digests[0]
    only_here = seeded.removal.papers_only_in([target.id])
    shared = [pid for pid in seeded.views.ids(f"digest:{target.id}") if pid not in set(only_here)]
    assert only_here and shared  # the seeds share papers between digests
    before = library_snapshot(seeded.db.conn)
    total = seeded.papers.count()
    seeded.removal.remove_digests([target.id])
    assert seeded.papers.count() == total - len(only_here)
    assert target.id not in {d.id for d in seeded.digests.all()}
    for pid in shared:
        paper = seeded.papers.get(pid)
        assert paper is not None and target.id not in {s.digest_id for s in paper.sightings}
    seeded.history.undo()
    assert library_snapshot(seeded.db.conn) == before


def test_a_removed_digest_imported_again_comes_back_as_new(seeded: Library, seeds_dir) -> None:  # noqa: ANN001
    target = seeded.digests.all()[0]
    path = target.source_path
    assert path is not None
    seeded.removal.remove_digests([target.id])
    (result,) = seeded.importer.import_paths([path])
    assert result.status == "imported" and result.new_papers > 0
    assert len(seeded.digests.all()) == 4


def test_remove_samples_in_one_step_and_the_library_is_not_seeded_again(seeded: Library) -> None:
    seeded.db.execute("UPDATE digests SET sample = 1")  # as the first start marks them
    seeded.removal.remove_samples()
    assert seeded.papers.count() == 0 and seeded.digests.all() == []
    # The import log remains: seeding looks at it and leaves this library alone.
    assert seeded.db.execute("SELECT COUNT(*) FROM digests").fetchone()[0] == 4
    seeded.history.undo()
    assert seeded.papers.count() == 286


def test_rename_a_digest_cleans_the_name_and_is_undoable(seeded: Library) -> None:
    target = seeded.digests.all()[0]
    changes = seeded.removal.rename_digest(target.id, "  Weekly\x1b[31m \u202e read  ")
    assert changes.digests
    assert seeded.digests.get(target.id).name == "Weekly [31m read"  # type: ignore[union-attr]
    seeded.history.undo()
    assert seeded.digests.get(target.id).name == target.name  # type: ignore[union-attr]
    with pytest.raises(RemovalError):
        seeded.removal.rename_digest(target.id, "\x07 ")
    with pytest.raises(RemovalError):
        seeded.removal.rename_digest(9999, "x")


def test_deleting_unknown_papers_changes_nothing(seeded: Library) -> None:
    assert seeded.removal.delete_papers([PaperId(99999)]).empty
    assert not seeded.history.can_undo


def test_cli_delete_and_digests(seeded_dir, capsys) -> None:  # noqa: ANN001
    import json

    from desktop.cli import main

    assert main(["--data-dir", str(seeded_dir), "digests", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 4 and all(d["papers"] > 0 for d in listed)
    first = listed[0]["id"]
    assert main(["--data-dir", str(seeded_dir), "digests", "--rename", str(first), "Mine"]) == 0
    assert "Mine" in capsys.readouterr().out
    assert main(["--data-dir", str(seeded_dir), "delete", "1", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"deleted": [1, 2]}
    assert main(["--data-dir", str(seeded_dir), "delete", "1"]) == 1  # gone already
    assert main(["--data-dir", str(seeded_dir), "digests", "--remove", str(first)]) == 0
    assert "removed 1 digest(s)" in capsys.readouterr().out
    assert main(["--data-dir", str(seeded_dir), "digests", "--remove", "999"]) == 1


def test_a_digest_name_with_control_characters_is_stored_clean(lib: Library) -> None:
    text = (
        "A Paper With A Hostile File Name\n\nAn abstract long enough to be believed as the "
        "abstract of a paper, whatever the name of the file that brought it in here.\n"
    )
    result = lib.importer.import_text(text, "notes\n\x1b]0;pwned\x07\u202edaily.txt")
    assert result.ok
    (digest,) = lib.digests.all()
    assert not any(ord(c) < 32 or c == "\u202e" for c in digest.name)
    assert "daily.txt" in digest.name

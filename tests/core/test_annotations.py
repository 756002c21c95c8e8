"""Notes, highlights and tags through the Library facade: writes, undo, re-import, views."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.annotations.common import AnnotationError, QuoteNotFoundError
from desktop.core.annotations.notes import NOTE_MERGE_SECONDS
from desktop.core.annotations.tags import TAG_MAX_CHARS, normalize_tag
from desktop.core.history import UndoRefusedError
from desktop.core.library import Library
from desktop.core.models import HIGHLIGHT_COLORS, Changes, PaperId

TITLE = "DiskGNN: Bridging I/O Efficiency and Model Accuracy"
ABSTRACT = (
    "Graph neural networks (GNNs) are machine learning models specialized for graph data. "
    "To train GNNs on large graphs that exceed CPU memory, several systems store data on disk. "
    "We build a system called DiskGNN, which achieves high I/O efficiency and fast training."
)


def digest(title: str, abstract: str, *more: tuple[str, str]) -> str:
    """A digest text in the paragraph layout."""
    blocks = [f"{title}\n\n{abstract}"] + [f"{t}\n\n{a}" for t, a in more]
    return "\n\n\n".join(blocks) + "\n"


@pytest.fixture
def paper(lib: Library) -> PaperId:
    result = lib.importer.import_text(
        digest(TITLE, ABSTRACT, ("Another Paper", "Plain text about something else.")), "d1"
    )
    assert result.ok and result.new_papers == 2
    return lib.views.ids("all")[0]


@pytest.fixture
def events(lib: Library) -> list[Changes]:
    seen: list[Changes] = []
    lib.subscribe(seen.append)
    return seen


def reimport(lib: Library, abstract: str, name: str = "d2") -> None:
    result = lib.importer.import_text(digest(TITLE, abstract), name)
    assert result.ok and result.updated_papers == 1, result.summary()


# -- highlights ----------------------------------------------------------------------------------


def test_add_highlight_stores_quote_context_and_offsets(
    lib: Library, paper: PaperId, events: list[Changes]
) -> None:
    start = ABSTRACT.index("machine learning")
    h = lib.highlights.add(paper, "abstract", start, start + 16, color="green", note="key idea")
    assert (h.field, h.start, h.end, h.quote) == ("abstract", start, start + 16, "machine learning")
    assert h.prefix == ABSTRACT[start - 32 : start]
    assert h.suffix == ABSTRACT[start + 16 : start + 48]
    assert (h.color, h.note, h.orphaned) == ("green", "key idea", False)
    assert events[-1] == Changes(frozenset({paper}), annotations=True)
    assert lib.annotations(paper).highlights == (h,)
    assert lib.highlights.get(h.id) == h


@pytest.mark.parametrize(
    ("field", "start", "end", "color"),
    [
        ("abstract", -1, 4, "yellow"),
        ("abstract", 5, 5, "yellow"),
        ("abstract", 0, len(ABSTRACT) + 1, "yellow"),
        ("authors", 0, 3, "yellow"),
        ("abstract", 0, 3, "orange"),
    ],
)
def test_add_highlight_validates(
    lib: Library, paper: PaperId, field: str, start: int, end: int, color: str
) -> None:
    with pytest.raises(AnnotationError):
        lib.highlights.add(paper, field, start, end, color=color)
    assert lib.annotations(paper).highlights == ()
    assert not lib.history.can_undo


def test_add_highlight_to_a_missing_paper_fails(lib: Library) -> None:
    with pytest.raises(AnnotationError, match="no paper with id 99"):
        lib.highlights.add(99, "abstract", 0, 3)


def test_highlights_are_in_reading_order(lib: Library, paper: PaperId) -> None:
    late = lib.highlights.add_by_quote(paper, "fast training")
    early = lib.highlights.add_by_quote(paper, "Graph neural networks")
    title = lib.highlights.add(paper, "title", 0, 7)
    assert [h.id for h in lib.annotations(paper).highlights] == [title.id, early.id, late.id]


def test_add_by_quote_prefers_the_abstract_then_the_title(lib: Library, paper: PaperId) -> None:
    h = lib.highlights.add_by_quote(paper, "DiskGNN")
    assert h.field == "abstract" and ABSTRACT[h.start : h.end] == "DiskGNN"
    t = lib.highlights.add_by_quote(paper, "Bridging I/O", color="blue", note="n")
    assert (t.field, t.start, t.quote, t.color, t.note) == ("title", 9, "Bridging I/O", "blue", "n")


def test_add_by_quote_folds_whitespace_in_the_quote(lib: Library, paper: PaperId) -> None:
    h = lib.highlights.add_by_quote(paper, "machine\n  learning")
    assert h.quote == "machine learning"


def test_add_by_quote_fails_clearly_when_the_quote_is_missing(lib: Library, paper: PaperId) -> None:
    with pytest.raises(QuoteNotFoundError, match="does not contain"):
        lib.highlights.add_by_quote(paper, "quantum chromodynamics")
    with pytest.raises(ValueError):
        lib.highlights.add_by_quote(paper, "   ")
    assert lib.annotations(paper).highlights == ()


def test_highlight_note_colour_and_delete_are_undoable(lib: Library, paper: PaperId) -> None:
    h = lib.highlights.add_by_quote(paper, "CPU memory")
    lib.highlights.set_note(h.id, "why CPU?")
    lib.highlights.set_color(h.id, "RED")
    got = lib.highlights.get(h.id)
    assert got is not None and (got.note, got.color) == ("why CPU?", "red")
    lib.highlights.delete(h.id)
    assert lib.highlights.get(h.id) is None
    assert lib.history.undo_label() == "delete highlight"
    lib.history.undo()
    assert lib.highlights.get(h.id) == got  # same id, same everything
    assert lib.history.undo() is not None and lib.highlights.get(h.id).color == "yellow"  # type: ignore[union-attr]
    assert lib.history.undo() is not None and lib.highlights.get(h.id).note == ""  # type: ignore[union-attr]
    lib.history.undo()
    assert lib.highlights.get(h.id) is None
    for _ in range(4):
        lib.history.redo()
    assert lib.highlights.get(h.id) is None
    lib.history.undo()
    assert lib.highlights.get(h.id) == got


def test_unchanged_highlight_edits_do_not_make_undo_steps(lib: Library, paper: PaperId) -> None:
    h = lib.highlights.add_by_quote(paper, "CPU memory")
    assert lib.highlights.set_color(h.id, "yellow").empty
    assert lib.highlights.set_note(h.id, "").empty
    assert lib.history.undo_label() == "add highlight"
    with pytest.raises(AnnotationError):
        lib.highlights.set_color(h.id, "mauve")
    with pytest.raises(AnnotationError):
        lib.highlights.delete(12345)


def test_highlights_across_the_library_filter_by_colour_and_query(
    lib: Library, paper: PaperId
) -> None:
    other = lib.views.ids("all")[1]
    a = lib.highlights.add_by_quote(paper, "CPU memory", color="red", note="too small")
    b = lib.highlights.add_by_quote(paper, "DiskGNN", color="blue")
    c = lib.highlights.add_by_quote(other, "something else", color="red", note="50%_off")
    assert [h.id for h in lib.highlights.search()] == [a.id, b.id, c.id]
    assert [h.id for h in lib.highlights.search(color="red")] == [a.id, c.id]
    assert [h.id for h in lib.highlights.search(query="TOO SMALL")] == [a.id]
    assert [h.id for h in lib.highlights.search(query="another paper")] == [c.id]  # by paper title
    assert [h.id for h in lib.highlights.search(query="%_")] == [c.id]  # LIKE wildcards are literal
    assert [h.id for h in lib.highlights.search(order="recent")] == [c.id, b.id, a.id]
    assert lib.highlights.counts() == {**dict.fromkeys(HIGHLIGHT_COLORS, 0), "red": 2, "blue": 1}
    with pytest.raises(AnnotationError):
        lib.highlights.search(color="teal")


# -- re-import and re-anchoring --------------------------------------------------------------------


def test_reimport_keeps_moves_and_orphans_highlights(
    lib: Library, paper: PaperId, events: list[Changes]
) -> None:
    kept = lib.highlights.add_by_quote(paper, "Graph neural networks")
    moved = lib.highlights.add_by_quote(paper, "high I/O efficiency", note="the claim")
    lost = lib.highlights.add_by_quote(paper, "several systems store data on disk", color="red")
    new_abstract = ABSTRACT.replace(
        "several systems store data on disk", "some systems page data to SSDs"
    ).replace("We build", "In this paper we build")
    reimport(lib, new_abstract)
    assert events[-1].annotations and paper in events[-1].papers
    by_id = {h.id: h for h in lib.annotations(paper).highlights}
    assert (by_id[kept.id].start, by_id[kept.id].orphaned) == (kept.start, False)
    m = by_id[moved.id]
    assert not m.orphaned and m.start != moved.start
    assert new_abstract[m.start : m.end] == "high I/O efficiency" and m.note == "the claim"
    o = by_id[lost.id]
    assert o.orphaned and (o.quote, o.start, o.end, o.color) == (
        lost.quote,
        lost.start,
        lost.end,
        "red",
    )
    assert o.to_json()["anchored"] is False
    assert [h.id for h in lib.highlights.search(orphaned=True)] == [lost.id]
    # The old text comes back: the orphan is anchored again.
    reimport(lib, ABSTRACT, name="d3")
    back = lib.highlights.get(lost.id)
    assert back is not None and not back.orphaned and back.start == lost.start


def test_reimport_picks_the_right_duplicate_by_context(lib: Library, paper: PaperId) -> None:
    second = ABSTRACT.index("GNNs on large")
    h = lib.highlights.add(paper, "abstract", second, second + 4)
    assert ABSTRACT.count("GNNs") == 2
    new_abstract = ABSTRACT.replace("To train GNNs", "To efficiently train GNNs").replace(
        "Graph neural", "Modern graph neural"
    )
    reimport(lib, new_abstract)
    got = lib.highlights.get(h.id)
    assert got is not None and not got.orphaned
    assert got.start == new_abstract.index("GNNs on large")


def test_a_bug_while_storing_raises_and_keeps_nothing(
    lib: Library, paper: PaperId, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the database's and the OS's errors make a file 'failed'; a bug surfaces."""

    def bug(ids: object) -> set[int]:
        raise TypeError("a bug in our code")

    monkeypatch.setattr(lib.highlights, "reanchor_papers", bug)
    with pytest.raises(TypeError):
        lib.importer.import_text(digest(TITLE, "Entirely new abstract."), "d2")
    assert lib.papers.get(paper).abstract == ABSTRACT  # type: ignore[union-attr]
    assert len(lib.digests.all()) == 1


def test_reimport_failure_rolls_back_reanchoring_too(
    lib: Library, paper: PaperId, monkeypatch: pytest.MonkeyPatch
) -> None:
    lost = lib.highlights.add_by_quote(paper, "several systems store data on disk")

    def boom(ids: object) -> set[int]:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(lib.highlights, "reanchor_papers", boom)
    result = lib.importer.import_text(digest(TITLE, "Entirely new abstract."), "d2")
    assert result.status == "failed" and "disk is full" in (result.error or "")
    assert lib.papers.get(paper).abstract == ABSTRACT  # type: ignore[union-attr]
    assert lib.highlights.get(lost.id) == lost


def test_undo_after_reimport_reanchors_the_restored_highlight(lib: Library, paper: PaperId) -> None:
    h = lib.highlights.add_by_quote(paper, "fast training")
    lib.highlights.delete(h.id)
    new_abstract = "Preface sentence. " + ABSTRACT
    reimport(lib, new_abstract)
    lib.history.undo()  # undelete
    got = lib.highlights.get(h.id)
    assert got is not None and not got.orphaned
    assert new_abstract[got.start : got.end] == "fast training"


def test_seeded_library_reimport_with_edits_never_misplaces(seeded: Library) -> None:
    """Highlight runs of real abstracts, reword each abstract, and check every highlight."""
    ids = seeded.views.ids("all")[:8]
    made = []
    edits: dict[int, tuple[int, int, int]] = {}  # paper -> (edit start, old end, shift)
    lines = []
    for pid in ids:
        paper = seeded.papers.get(pid)
        assert paper is not None
        text = paper.abstract
        for start in range(0, max(1, len(text) - 30), 211):
            made.append(seeded.highlights.add(pid, "abstract", start, start + 25))
        words = text.split(" ")
        middle = len(words) // 2
        at = len(" ".join(words[:middle])) + 1
        old_end = at + len(words[middle])
        words[middle] = "REWORDED"
        edits[pid] = (at, old_end, len("Update: ") + len("REWORDED") - (old_end - at))
        lines.append(f"{paper.title}\n\n{' '.join(['Update:', *words])}")
    result = seeded.importer.import_text("\n\n\n".join(lines) + "\n", "edited")
    assert result.updated_papers == len(ids)
    orphaned = 0
    for h in made:
        got = seeded.highlights.get(h.id)
        paper = seeded.papers.get(h.paper_id)
        assert got is not None and paper is not None
        at, old_end, shift = edits[h.paper_id]
        touched = h.start < old_end and h.end > at
        if got.orphaned:
            orphaned += 1
            assert touched or paper.abstract.count(h.quote) > 1
            assert (got.start, got.end, got.quote) == (h.start, h.end, h.quote)
            continue
        assert paper.abstract[got.start : got.end] == h.quote
        if not touched:
            expected = h.start + (len("Update: ") if h.end <= at else shift)
            assert got.start == expected or paper.abstract.count(h.quote) > 1
    assert orphaned <= len(ids)  # at most the one highlight per paper the edit went through


# -- notes ---------------------------------------------------------------------------------------


HOSTILE = (
    "<script>alert(1)</script>\n# heading\n[x](javascript:alert(1)) \x00 nul \u202e rtl "
    "'; DROP TABLE notes; -- \r\n\ttab  \U0001f600 " + "long " * 2000
)


def test_note_is_stored_verbatim_even_when_hostile(lib: Library, paper: PaperId) -> None:
    lib.notes.set(paper, HOSTILE)
    assert lib.notes.get(paper) == HOSTILE
    assert lib.annotations(paper).note == HOSTILE
    assert lib.annotations(paper).note_updated_at is not None


def test_note_that_cannot_be_encoded_is_refused(lib: Library, paper: PaperId) -> None:
    with pytest.raises(AnnotationError):
        lib.notes.set(paper, "lone \ud800 surrogate")
    assert lib.notes.get(paper) == ""


def test_blank_note_deletes_the_row(lib: Library, paper: PaperId) -> None:
    lib.notes.set(paper, "something")
    lib.notes.set(paper, "  \n ")
    assert lib.db.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 0
    assert lib.annotations(paper).note_updated_at is None


def test_note_saves_within_a_minute_merge_into_one_undo_step(lib: Library, paper: PaperId) -> None:
    clock = [1000.0]
    lib.notes.clock = lambda: clock[0]  # type: ignore[method-assign]
    lib.notes.set(paper, "first draft")
    undo_depth = lib.history.depth
    for text in ("first draft, more", "first draft, more, and more"):
        clock[0] += NOTE_MERGE_SECONDS / 2
        lib.notes.set(paper, text)
    assert lib.history.depth == undo_depth
    lib.history.undo()
    assert lib.notes.get(paper) == ""
    lib.history.redo()
    assert lib.notes.get(paper) == "first draft, more, and more"
    # A pause longer than the window starts a new step.
    clock[0] += NOTE_MERGE_SECONDS * 2
    lib.notes.set(paper, "second session")
    lib.history.undo()
    assert lib.notes.get(paper) == "first draft, more, and more"


def test_note_saves_do_not_merge_across_other_actions_or_papers(
    lib: Library, paper: PaperId
) -> None:
    lib.notes.clock = lambda: 5.0  # type: ignore[method-assign]
    other = lib.views.ids("all")[1]
    lib.notes.set(paper, "a")
    lib.notes.set(other, "b")
    lib.notes.set(paper, "a2")
    lib.triage.set_starred([paper])
    lib.notes.set(paper, "a3")
    labels = []
    while lib.history.can_undo:
        labels.append(lib.history.undo()[0])  # type: ignore[index]
    assert labels == ["edit note", "star", "edit note", "edit note", "edit note"]
    assert lib.notes.get(paper) == "" and lib.notes.get(other) == ""


def test_note_undo_redo_and_delete_label(lib: Library, paper: PaperId) -> None:
    lib.notes.clock = iter(range(0, 10_000, 500)).__next__  # type: ignore[method-assign,assignment]
    lib.notes.set(paper, "v1")
    lib.notes.set(paper, "v2")
    lib.notes.set(paper, "")
    assert lib.history.undo_label() == "delete note"
    lib.history.undo()
    assert lib.notes.get(paper) == "v2"
    lib.history.undo()
    assert lib.notes.get(paper) == "v1"
    lib.history.redo()
    lib.history.redo()
    assert lib.notes.get(paper) == ""
    assert lib.notes.set(paper, "").empty


# -- tags ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("  deep   learning ", "deep learning"), ("ML\tsystems", "ML systems"), ("é", "é")],
)
def test_tag_names_are_trimmed_and_folded(raw: str, stored: str) -> None:
    assert normalize_tag(raw) == stored


@pytest.mark.parametrize("bad", ["", "   ", "a,b", "x" * (TAG_MAX_CHARS + 1), "bad\x00tag"])
def test_bad_tag_names_are_refused(bad: str) -> None:
    with pytest.raises(AnnotationError):
        normalize_tag(bad)


def test_add_and_remove_tags_with_counts_and_views(lib: Library, paper: PaperId) -> None:
    other = lib.views.ids("all")[1]
    lib.tags.add([paper, other], "Systems")
    lib.tags.add([paper], "systems")  # same tag, case-insensitive; keeps its spelling
    lib.tags.add([paper], "to read")
    assert lib.tags.all() == [("Systems", 2), ("to read", 1)]
    assert lib.tags.of_paper(paper) == ["Systems", "to read"]
    assert lib.views.ids("tag:SYSTEMS") == [paper, other]
    assert lib.views.ids("tag: to  read ") == [paper]
    assert lib.views.ids("tag:nothing") == []
    lib.tags.remove([paper], "systems")
    assert lib.tags.all() == [("Systems", 1), ("to read", 1)]
    lib.tags.remove([paper], "to read")
    assert lib.tags.all() == [("Systems", 1)]  # a tag on no paper is gone
    assert lib.tags.remove([paper], "never existed").empty
    with pytest.raises(AnnotationError):
        lib.tags.add([paper, 999], "x")
    with pytest.raises(ValueError):
        lib.views.ids("tag:")


def test_tag_actions_undo_and_redo(lib: Library, paper: PaperId) -> None:
    other = lib.views.ids("all")[1]
    lib.tags.add([paper, other], "alpha")
    lib.tags.remove([other], "alpha")
    assert lib.tags.all() == [("alpha", 1)]
    lib.history.undo()
    assert lib.tags.all() == [("alpha", 2)]
    lib.history.undo()
    assert lib.tags.all() == []
    lib.history.redo()
    lib.history.redo()
    assert lib.tags.all() == [("alpha", 1)] and lib.tags.of_paper(paper) == ["alpha"]


def test_rename_tag_and_merge_into_existing(lib: Library, paper: PaperId) -> None:
    other = lib.views.ids("all")[1]
    lib.tags.add([paper], "ml")
    lib.tags.add([paper, other], "machine learning")
    lib.tags.rename("ml", "ML")  # case-only rename
    assert lib.tags.all() == [("machine learning", 2), ("ML", 1)]
    lib.tags.rename("ML", "Machine  Learning")  # merge into the existing tag
    assert lib.tags.all() == [("machine learning", 2)]
    assert lib.views.ids("tag:machine learning") == [paper, other]
    lib.history.undo()
    assert lib.tags.all() == [("machine learning", 2), ("ML", 1)]
    lib.history.undo()
    assert lib.tags.all() == [("machine learning", 2), ("ml", 1)]
    lib.history.redo()
    lib.history.redo()
    assert lib.tags.all() == [("machine learning", 2)]
    lib.tags.rename("machine learning", "ml-core")
    assert lib.tags.all() == [("ml-core", 2)] and lib.tags.of_paper(other) == ["ml-core"]
    with pytest.raises(AnnotationError):
        lib.tags.rename("nope", "x")


def test_delete_tag_and_undo(lib: Library, paper: PaperId, events: list[Changes]) -> None:
    other = lib.views.ids("all")[1]
    lib.tags.add([paper, other], "doomed")
    lib.tags.add([paper], "kept")
    changes = lib.tags.delete("DOOMED")
    assert changes == Changes(frozenset({paper, other}), annotations=True, tags=True)
    assert lib.tags.all() == [("kept", 1)]
    assert lib.history.undo_label() == "delete tag DOOMED"
    lib.history.undo()
    assert lib.tags.all() == [("doomed", 2), ("kept", 1)]
    with pytest.raises(AnnotationError):
        lib.tags.delete("absent")


# -- the whole paper -------------------------------------------------------------------------------


def test_annotations_and_annotated_paper_ids(lib: Library, paper: PaperId) -> None:
    other = lib.views.ids("all")[1]
    assert lib.annotations(paper).empty and lib.annotated_paper_ids() == []
    lib.tags.add([other], "t")
    lib.notes.set(paper, "n")
    assert lib.annotated_paper_ids() == [paper, other]
    ann = lib.annotations(other)
    assert not ann.empty and ann.tags == ("t",) and ann.note == ""


def test_every_write_emits_annotation_changes(
    lib: Library, paper: PaperId, events: list[Changes]
) -> None:
    h = lib.highlights.add_by_quote(paper, "DiskGNN")
    lib.highlights.set_note(h.id, "x")
    lib.highlights.set_color(h.id, "purple")
    lib.notes.set(paper, "n")
    lib.tags.add([paper], "t")
    lib.tags.rename("t", "u")
    lib.tags.remove([paper], "u")
    lib.highlights.delete(h.id)
    assert len(events) == 8
    tag_events = {4, 5, 6}  # add_tag, rename_tag, remove_tag also change the tag list
    assert all(
        e == Changes(frozenset({paper}), annotations=True, tags=i in tag_events)
        for i, e in enumerate(events)
    )
    while lib.history.can_undo:
        lib.history.undo()
    assert all(e.annotations and e.papers == {paper} for e in events[8:])
    assert lib.annotations(paper).empty


def test_annotations_survive_reopening(tmp_path: pytest.TempPathFactory) -> None:
    data = tmp_path / "lib"  # type: ignore[operator]
    with Library.open(data) as library:
        library.importer.import_text(digest(TITLE, ABSTRACT), "d1")
        pid = library.views.ids("all")[0]
        library.notes.set(pid, "kept")
        library.tags.add([pid], "kept")
        library.highlights.add_by_quote(pid, "DiskGNN")
    with Library.open(data) as library:
        ann = library.annotations(pid)
        assert (ann.note, ann.tags, len(ann.highlights)) == ("kept", ("kept",), 1)


def test_set_paper_tags_replaces_the_set_in_one_undo_step(lib: Library, paper: PaperId) -> None:
    other = lib.views.ids("all")[1]
    lib.tags.add([paper, other], "shared")
    lib.tags.add([paper], "only here")
    changes = lib.tags.set_for_paper(paper, ["SHARED", "new one", " new  one "])
    assert changes == Changes(frozenset({paper}), annotations=True, tags=True)
    assert lib.tags.of_paper(paper) == ["new one", "shared"]
    assert lib.tags.all() == [("new one", 1), ("shared", 2)]  # "only here" is on no paper: gone
    assert lib.history.undo_label() == "edit tags"
    lib.history.undo()
    assert lib.tags.of_paper(paper) == ["only here", "shared"]
    assert lib.tags.all() == [("only here", 1), ("shared", 2)]
    lib.history.redo()
    assert lib.tags.of_paper(paper) == ["new one", "shared"]
    assert lib.tags.set_for_paper(paper, ["shared", "new one"]).empty
    with pytest.raises(AnnotationError):
        lib.tags.set_for_paper(paper, ["fine", ""])
    assert lib.tags.of_paper(paper) == ["new one", "shared"]


# -- schema --------------------------------------------------------------------------------------


def test_a_library_from_before_annotations_is_migrated_and_keeps_its_papers(
    tmp_path: pytest.TempPathFactory,
) -> None:
    from desktop.core import store

    data = tmp_path / "old"  # type: ignore[operator]
    data.mkdir()
    db = store.connect(data / "library.sqlite3")
    store.migrations.apply(db, stop_before="m002_notes_highlights_tags")
    db.execute(
        "INSERT INTO papers (title, title_key, abstract, added_at, updated_at) "
        "VALUES ('Old', 'old', 'An old abstract.', 'x', 'x')"
    )
    db.conn.commit()
    db.close()
    with Library.open(data) as library:
        assert "m002_notes_highlights_tags" not in store.pending_migrations(library.db)
        h = library.highlights.add_by_quote(1, "old abstract")
        assert library.annotations(1).highlights == (h,)


def test_annotations_go_with_their_paper(lib: Library, paper: PaperId) -> None:
    lib.notes.set(paper, "n")
    lib.highlights.add_by_quote(paper, "DiskGNN")
    lib.tags.add([paper], "t")
    with lib.db.atomic():
        lib.db.execute("DELETE FROM sightings WHERE paper_id = ?", [paper])
        lib.db.execute("DELETE FROM papers WHERE id = ?", [paper])
    for table in ("notes", "highlights", "paper_tags"):
        assert lib.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
    # Undo of an action on a paper that no longer exists is refused, says why, changes
    # nothing, and leaves the stack: the next undo goes on to the action before it.
    refused = 0
    while lib.history.can_undo:
        with pytest.raises(UndoRefusedError, match="no longer in the library"):
            lib.history.undo()
        refused += 1
    assert refused == 3
    assert lib.annotated_paper_ids() == []


def test_highlight_at_finds_the_newest_anchored_highlight(lib: Library, paper: PaperId) -> None:
    outer = lib.highlights.add_by_quote(paper, "machine learning models")
    inner = lib.highlights.add_by_quote(paper, "learning")
    assert lib.highlights.at(paper, "abstract", outer.start) == outer
    assert lib.highlights.at(paper, "abstract", inner.start + 1) == inner
    assert lib.highlights.at(paper, "abstract", outer.end) is None
    assert lib.highlights.at(paper, "title", outer.start) is None


def test_search_sees_annotations_and_their_undo(lib: Library, paper: PaperId) -> None:
    other = lib.views.ids("all")[1]
    lib.highlights.add_by_quote(paper, "CPU memory", color="red", note="zanzibar")
    lib.notes.set(other, "quixotic remark")
    lib.tags.add([other], "Deep learning")
    assert [h.id for h in lib.index.search("color:red").hits] == [paper]
    assert [h.id for h in lib.index.search("zanzibar").hits] == [paper]
    assert [h.id for h in lib.index.search("note:quixotic").hits] == [other]
    assert [h.id for h in lib.index.search('tag:"deep learning"').hits] == [other]
    lib.history.undo()
    lib.history.undo()
    assert lib.index.search("note:quixotic").hits == []
    assert lib.index.search('tag:"deep learning"').hits == []


def test_highlight_ids_are_never_reused(lib: Library, paper: PaperId) -> None:
    first = lib.highlights.add_by_quote(paper, "DiskGNN")
    lib.highlights.delete(first.id)
    second = lib.highlights.add_by_quote(paper, "DiskGNN")
    assert second.id != first.id


def test_tag_counts_include_unread(lib: Library, paper: PaperId) -> None:
    other = lib.views.ids("all")[1]
    lib.tags.add([paper, other], "b")
    lib.tags.add([paper], "A")
    lib.triage.set_read([paper])
    assert lib.tags.counts() == [("A", 1, 0), ("b", 2, 1)]


# -- undo as a property ------------------------------------------------------------------------

OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "highlight",
                "note",
                "highlight_note",
                "color",
                "delete",
                "tag",
                "untag",
                "rename",
                "delete_tag",
                "set_tags",
            ]
        ),
        st.integers(0, 1),  # which paper
        st.integers(0, 10_000),  # a number to pick offsets, highlights and names from
        st.sampled_from(["", "a note", "another\nnote", "<b>x</b>"]),
    ),
    min_size=1,
    max_size=10,
)
TAG_NAMES = ["alpha", "Beta", "ALPHA", "gamma delta"]


def annotation_state(library: Library, ids: list[PaperId]) -> object:
    return (
        [library.annotations(i) for i in ids],
        library.tags.all(),
        library.db.execute("SELECT COUNT(*) FROM tags").fetchone()[0],
    )


def apply_op(library: Library, ids: list[PaperId], op: tuple[str, int, int, str]) -> None:
    kind, which, n, text = op
    pid = ids[which]
    highlights = library.highlights.search()
    name = TAG_NAMES[n % len(TAG_NAMES)]
    if kind == "highlight":
        abstract = library.papers.get(pid).abstract  # type: ignore[union-attr]
        start = n % (len(abstract) - 1)
        end = min(len(abstract), start + 1 + n % 17)
        color = list(HIGHLIGHT_COLORS)[n % len(HIGHLIGHT_COLORS)]
        library.highlights.add(pid, "abstract", start, end, color=color, note=text)
    elif kind == "note":
        library.notes.set(pid, text)
    elif kind in ("highlight_note", "color", "delete") and highlights:
        h = highlights[n % len(highlights)]
        if kind == "highlight_note":
            library.highlights.set_note(h.id, text)
        elif kind == "color":
            library.highlights.set_color(h.id, list(HIGHLIGHT_COLORS)[n % 5])
        else:
            library.highlights.delete(h.id)
    elif kind == "tag":
        library.tags.add([pid], name)
    elif kind == "untag":
        library.tags.remove([pid], name)
    elif kind == "rename" and library.tags.all():
        old = library.tags.all()[n % len(library.tags.all())][0]
        library.tags.rename(old, TAG_NAMES[(n // 7) % len(TAG_NAMES)])
    elif kind == "delete_tag" and library.tags.all():
        library.tags.delete(library.tags.all()[n % len(library.tags.all())][0])
    elif kind == "set_tags":
        library.tags.set_for_paper(pid, TAG_NAMES[: n % 4])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPS)
def test_property_undo_all_then_redo_all_retraces_every_state(
    ops: list[tuple[str, int, int, str]],
) -> None:
    library = Library.in_memory()
    library.importer.record_history = False  # the import is set-up, not an action to undo
    try:
        clock = iter(range(0, 10**9, 1000))
        library.notes.clock = lambda: float(next(clock))  # type: ignore[method-assign]
        library.importer.import_text(
            digest(TITLE, ABSTRACT, ("Another Paper", "Plain text here.")), "d"
        )
        ids = library.views.ids("all")
        states = [annotation_state(library, ids)]
        for op in ops:
            depth = library.history.depth
            apply_op(library, ids, op)
            if library.history.depth > depth:
                states.append(annotation_state(library, ids))
            else:
                assert annotation_state(library, ids) == states[-1]
        for expected in reversed(states[:-1]):
            assert library.history.undo() is not None
            assert annotation_state(library, ids) == expected
        assert not library.history.can_undo
        for expected in states[1:]:
            assert library.history.redo() is not None
            assert annotation_state(library, ids) == expected
    finally:
        library.close()


@given(st.text(max_size=80))
def test_property_tag_names_normalize_once_or_are_refused(raw: str) -> None:
    try:
        name = normalize_tag(raw)
    except AnnotationError:
        return
    assert normalize_tag(name) == name
    assert name == name.strip() and "  " not in name and "," not in name
    assert 0 < len(name) <= TAG_MAX_CHARS


def test_a_note_over_the_limit_is_refused_and_nothing_is_written(
    lib: Library, paper: PaperId
) -> None:
    from desktop.core.annotations.notes import NOTE_MAX_CHARS

    lib.notes.set(paper, "kept")
    with pytest.raises(AnnotationError, match="at most 2,000,000 characters"):
        lib.notes.set(paper, "x" * (NOTE_MAX_CHARS + 1))
    assert lib.notes.get(paper) == "kept"
    lib.notes.set(paper, "y" * NOTE_MAX_CHARS)  # the limit itself is allowed
    assert len(lib.notes.get(paper)) == NOTE_MAX_CHARS

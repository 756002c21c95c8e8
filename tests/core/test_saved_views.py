"""Saved views: named searches listed as views, with counts that follow triage and text."""

from __future__ import annotations

import pytest

from desktop.core.library import Library
from desktop.core.models import PaperId
from desktop.core.saved_views import SavedViewError

PAPERS = [
    ("Graph neural networks on disk", "We train graph models out of core with fast I/O."),
    ("Diffusion models for images", "A diffusion model that denoises images quickly."),
    ("Agents that plan with graphs", "Language agents plan over a task graph."),
    ("Protein folding at scale", "Structure prediction for proteins."),
]


def digest(papers: list[tuple[str, str]]) -> str:
    """A digest text in the paragraph layout."""
    return "\n\n\n".join(f"{t}\n\n{a}" for t, a in papers) + "\n"


@pytest.fixture
def ids(lib: Library) -> list[PaperId]:
    result = lib.importer.import_text(digest(PAPERS), "d1")
    assert result.ok and result.new_papers == len(PAPERS)
    return lib.views.ids("all")


def test_a_saved_view_holds_what_the_search_finds(lib: Library, ids: list[PaperId]) -> None:
    view = lib.saved_views.add("Graphs", "graph")
    assert view.key == f"saved:{view.id}" and view.position == 1 and view.error is None
    found = set(lib.index.search("graph", limit=None).ids)
    assert set(lib.views.ids(view.key)) == found == {ids[0], ids[2]}
    assert lib.saved_views.counts()[view.key].total == 2


def test_counts_follow_triage_without_asking_the_index_again(
    lib: Library, ids: list[PaperId]
) -> None:
    view = lib.saved_views.add("Unread graphs", "graph is:unread -diffusion")
    count = lib.saved_views.counts()[view.key]
    assert (count.total, count.unread) == (2, 2)
    asked = lib.selection.index_queries
    lib.triage.set_read([ids[0]])
    count = lib.saved_views.counts()[view.key]
    assert (count.total, count.unread) == (1, 1)  # is:unread drops the read paper
    assert lib.views.contains(view.key, ids) == {ids[2]}
    assert lib.selection.index_queries == asked  # the text matches were cached


def test_counts_follow_new_text_and_tags(lib: Library, ids: list[PaperId]) -> None:
    view = lib.saved_views.add("Tagged", "tag:later OR proteins")
    assert lib.views.ids(view.key) == [ids[3]]
    lib.tags.add([ids[1]], "later")
    assert lib.views.ids(view.key) == [ids[1], ids[3]]
    lib.importer.import_text(digest([("More proteins", "Proteins again.")]), "d2")
    assert len(lib.views.ids(view.key)) == 3


def test_unread_counts_of_several_views(lib: Library, ids: list[PaperId]) -> None:
    a = lib.saved_views.add("A", "graph")
    b = lib.saved_views.add("B", "is:starred")
    lib.triage.set_starred([ids[1], ids[3]])
    lib.triage.set_read([ids[3]])
    counts = lib.saved_views.counts()
    assert (counts[a.key].total, counts[a.key].unread) == (2, 2)
    assert (counts[b.key].total, counts[b.key].unread) == (2, 1)


def test_rename_reorder_delete(lib: Library, ids: list[PaperId]) -> None:
    lib.saved_views.add("One", "graph")
    lib.saved_views.add("Two", "diffusion")
    lib.saved_views.add("Three", "protein")
    lib.saved_views.rename("two", "Second")
    assert [v.name for v in lib.saved_views.all()] == ["One", "Second", "Three"]
    lib.saved_views.move("Three", -5)
    assert [v.name for v in lib.saved_views.all()] == ["Three", "One", "Second"]
    lib.saved_views.reorder(["Second", "Three", "One"])
    assert [(v.name, v.position) for v in lib.saved_views.all()] == [
        ("Second", 1),
        ("Three", 2),
        ("One", 3),
    ]
    assert lib.saved_views.nth(2) is not None and lib.saved_views.nth(2).name == "Three"
    assert lib.saved_views.get("1").name == "Second"
    deleted = lib.saved_views.delete("three")
    assert [v.name for v in lib.saved_views.all()] == ["Second", "One"]
    with pytest.raises(ValueError, match="deleted"):
        lib.views.ids(deleted.key)
    assert lib.saved_views.nth(3) is None


def test_bad_names_and_queries_are_refused_with_a_reason(lib: Library) -> None:
    lib.saved_views.add("Graphs", "graph")
    with pytest.raises(SavedViewError, match="exists already"):
        lib.saved_views.add("graphs", "other")
    with pytest.raises(SavedViewError, match="needs a name"):
        lib.saved_views.add("  \x1b ", "graph")
    with pytest.raises(SavedViewError, match="a quote is not closed"):
        lib.saved_views.add("Broken", 'title:"open')
    with pytest.raises(SavedViewError, match="unknown field"):
        lib.saved_views.set_query("Graphs", "nosuchfield:x")
    lib.saved_views.add("Other", "x")
    with pytest.raises(SavedViewError, match="exists already"):
        lib.saved_views.rename("Other", "GRAPHS")
    with pytest.raises(SavedViewError, match="no saved view"):
        lib.saved_views.get("missing")


def test_a_view_whose_query_no_longer_parses_says_why(lib: Library, ids: list[PaperId]) -> None:
    view = lib.saved_views.add("Old", "graph")
    # as if the query language changed under a stored query
    lib.db.execute("UPDATE saved_views SET query = 'is:snoozy graph' WHERE id = ?", [view.id])
    lib.db.conn.commit()
    (shown,) = lib.saved_views.all()
    assert shown.name == "Old" and shown.error is not None and "is: takes" in shown.error
    assert lib.views.ids(shown.key) == []
    count = lib.saved_views.counts()[shown.key]
    assert (count.total, count.unread) == (0, 0)


def test_views_answer_from_sqlite_while_the_index_cannot(lib: Library, ids: list[PaperId]) -> None:
    view = lib.saved_views.add("Graphs", "graph")
    lib.index.mark_broken("test: the index is being rebuilt")
    assert not lib.index.usable
    # the LIKE scan search falls back to: approximate, but the view still lists papers
    assert set(lib.views.ids(view.key)) >= {ids[0], ids[2]}
    members = lib.views.ids(view.key)
    unread = [p for p in lib.papers.many(members) if not p.is_read]
    count = lib.saved_views.counts()[view.key]  # counted by the same SQL fallback
    assert (count.total, count.unread) == (len(members), len(unread))


def test_saved_views_survive_reopening(seeded_dir: object) -> None:
    from pathlib import Path

    data = Path(str(seeded_dir))
    with Library.open(data) as first:
        first.saved_views.add("Diffusion", "diffusion is:unread")
        expected = first.views.ids("saved:1")
    with Library.open(data) as again:
        (view,) = again.saved_views.all()
        assert view.name == "Diffusion" and again.views.ids(view.key) == expected
        assert expected


def test_incremental_counts_equal_counting_from_scratch(seeded: Library) -> None:
    import random

    queries = [
        "graph",
        "is:unread",
        "diffusion is:starred",
        "-is:archived model",
        "is:queued",
        "tag:fresh OR robots",
        '"language models" -is:read',
        "digest:Pasted",
    ]
    views = [seeded.saved_views.add(f"v{n}", q) for n, q in enumerate(queries)]

    def check() -> None:
        counts = seeded.saved_views.counts()
        for view in views:
            members = seeded.views.ids(view.key)  # answered by SQL, not by the counter
            unread = [p for p in seeded.papers.many(members) if not p.is_read]
            count = counts[view.key]
            assert (count.total, count.unread) == (len(members), len(unread)), view.query

    check()
    recounts, asked = seeded.saved_views.recounts, seeded.selection.index_queries
    rng = random.Random(5)
    ids = seeded.views.ids("all")
    for _ in range(40):
        some = rng.sample(ids, rng.randint(1, 4))
        what = rng.choice(["read", "starred", "queued", "archived"])
        seeded.triage.toggle(what, some)
        check()
    assert seeded.saved_views.recounts == recounts  # a triage write never recounts a view
    seeded.tags.add(ids[:3], "fresh")  # annotations: only those papers are matched again
    check()
    seeded.importer.import_text(
        "Robots and language models\n\nLanguage models drive robots and graph planners.\n", "p"
    )
    check()
    assert seeded.selection.index_queries == asked  # the index was not asked again
    assert seeded.data_dir is not None
    with Library.open(seeded.data_dir, backups=False) as other:  # counts from scratch
        assert other.saved_views.counts() == seeded.saved_views.counts()
        assert other.selection.index_queries > 0
    # only the digest: view counts again after an import (a known paper may join it)
    assert seeded.saved_views.recounts == recounts + 1

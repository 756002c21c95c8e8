"""A paper is matched by arXiv id first, then by folded title (desktop/core/importing/identity)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from desktop.core.importing import import_writer
from desktop.core.importing.digest_parser import Entry, ParseResult
from desktop.core.library import Library


def entry(title: str, arxiv_id: str | None = None, abstract: str = "", **kw: object) -> Entry:
    return Entry(
        title=title,
        abstract=abstract or f"The abstract of {title}, long enough to be one.",
        line=1,
        position=1,
        arxiv_id=arxiv_id,
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def feed(monkeypatch: pytest.MonkeyPatch) -> list[list[Entry]]:
    """Entries the next imports parse to (one list per import), whatever their text."""
    queue: list[list[Entry]] = []

    def parse(
        text: str, today: dt.date | None = None, source_name: str | None = None
    ) -> ParseResult:
        entries = queue.pop(0)
        return ParseResult(entries=entries, layout="test", format="test-format")

    monkeypatch.setattr(import_writer, "parse_digest", parse)
    return queue


def run(lib: Library, feed: list[list[Entry]], entries: list[Entry], name: str) -> None:
    feed.append(entries)
    result = lib.importer.import_text(f"digest {name}", name)
    assert result.ok, result.error
    assert result.format == "test-format"


def test_a_paper_first_seen_without_an_id_gets_it_later(lib: Library, feed: list) -> None:
    run(lib, feed, [entry("Graph Nets at Scale")], "text")
    run(lib, feed, [entry("Graph  nets at scale!", "2606.01234", authors=("A. One",))], "html")
    (paper,) = lib.papers.many(lib.views.ids("all"))
    assert (paper.arxiv_id, paper.title, paper.authors) == (
        "2606.01234",
        "Graph Nets at Scale",
        ("A. One",),
    )
    assert len(paper.sightings) == 2
    run(lib, feed, [entry("Renamed On arXiv Later", "2606.01234")], "renamed")
    assert lib.papers.count() == 1  # the id wins over the title


def test_two_ids_are_two_papers_even_when_titles_fold_alike(lib: Library, feed: list) -> None:
    run(lib, feed, [entry("Attention", "2401.00001")], "a")
    run(lib, feed, [entry("ATTENTION", "2401.00002"), entry("Attention.", "2401.00003")], "b")
    papers = lib.papers.many(lib.views.ids("all"))
    assert sorted(p.arxiv_id or "" for p in papers) == ["2401.00001", "2401.00002", "2401.00003"]
    # A title-only entry is the paper that holds the plain folded title: the first one.
    run(lib, feed, [entry("attention")], "c")
    assert lib.papers.count() == 3
    first = next(p for p in papers if p.arxiv_id == "2401.00001")
    assert len(lib.papers.get(first.id).sightings) == 2  # type: ignore[union-attr]


def test_a_duplicate_id_within_one_file_is_one_paper_with_every_field(
    lib: Library, feed: list
) -> None:
    run(
        lib,
        feed,
        [
            entry("Sparse Experts", "2509.11111"),
            entry("Sparse Experts", None, categories=("cs.LG",)),
            entry("Sparse Experts (v2)", "2509.11111", authors=("B. Two", "C. Three")),
        ],
        "dups",
    )
    (paper,) = lib.papers.many(lib.views.ids("all"))
    assert paper.authors == ("B. Two", "C. Three")
    assert paper.categories == ("cs.LG",)
    digest = lib.digests.all()[0]
    assert (digest.entries, digest.new_papers, digest.known_papers) == (3, 1, 2)


def test_a_listing_without_abstracts_never_empties_one(lib: Library, feed: list) -> None:
    run(lib, feed, [entry("Kept Abstract", "2501.00001", abstract="A real abstract here.")], "a")
    bare = dataclasses.replace(entry("Kept Abstract", "2501.00001"), abstract="")
    run(lib, feed, [bare], "recent")
    (paper,) = lib.papers.many(lib.views.ids("all"))
    assert paper.abstract == "A real abstract here." and paper.version == 1


def test_the_version_seen_last_is_kept(lib: Library, feed: list) -> None:
    run(lib, feed, [entry("Versioned", "2501.00009", arxiv_version=3)], "a")
    run(lib, feed, [entry("Versioned", "2501.00009", arxiv_version=2)], "b")
    run(lib, feed, [entry("Versioned", "2501.00009")], "c")  # no version given: kept
    (paper,) = lib.papers.many(lib.views.ids("all"))
    assert paper.arxiv_version == 2


def test_preview_counts_by_identity_and_says_already_imported(lib: Library, feed: list) -> None:
    run(lib, feed, [entry("Known One", "2601.00001")], "a")
    feed.append([entry("Retitled", "2601.00001"), entry("Brand New")])
    preview = lib.importer.preview_text("digest a")
    assert (preview.new_papers, preview.known_papers, preview.with_ids) == (1, 1, 1)
    assert preview.already_imported and preview.format == "test-format"


def test_json_carries_the_id_authors_and_links(lib: Library, feed: list) -> None:
    run(lib, feed, [entry("With Id", "hep-th/9901001", authors=("D. Four",)), entry("No Id")], "a")
    with_id, without = lib.papers.many(lib.views.ids("all"))
    data = with_id.to_json()
    assert data["arxiv_id"] == "hep-th/9901001" and data["authors"] == ["D. Four"]
    assert data["links"] == {
        "abs": "https://arxiv.org/abs/hep-th/9901001",
        "pdf": "https://arxiv.org/pdf/hep-th/9901001",
        "hf": "https://huggingface.co/papers/hep-th/9901001",
    }
    links = without.to_json()["links"]
    assert links["abs"].startswith("https://arxiv.org/search/?query=No+Id")
    assert links["hf"] == "https://huggingface.co/papers?q=No+Id"


def test_a_paper_under_a_disambiguated_key_is_found_by_its_id_again(
    lib: Library, feed: list
) -> None:
    run(lib, feed, [entry("Attention", "2401.00001")], "a")
    run(lib, feed, [entry("ATTENTION", "2401.00002")], "b")  # stored as "attention#2401.00002"
    keys = dict(lib.db.execute("SELECT arxiv_id, title_key FROM papers").fetchall())
    assert keys == {"2401.00001": "attention", "2401.00002": "attention#2401.00002"}
    # The title's holder goes; the second paper keeps its key and is still itself.
    lib.db.execute("DELETE FROM papers WHERE arxiv_id = '2401.00001'")
    run(lib, feed, [entry("Attention!", "2401.00002"), entry("Attention?", "2401.00003")], "c")
    rows = lib.db.execute("SELECT arxiv_id, title_key FROM papers ORDER BY id").fetchall()
    assert rows == [("2401.00002", "attention#2401.00002"), ("2401.00003", "attention")]
    (second,) = lib.db.execute("SELECT id FROM papers WHERE arxiv_id = '2401.00002'").fetchone()
    assert len(lib.papers.get(second).sightings) == 2  # type: ignore[union-attr]

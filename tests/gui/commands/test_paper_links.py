"""Browser, link, BibTeX and delete commands on a fake context."""

from __future__ import annotations

import bibtexparser

from tests.gui.commands.conftest import run
from tests.gui.commands.fake_context import FakeContext


def test_open_in_browser_opens_only_https_arxiv_or_search_pages(ctx: FakeContext) -> None:
    paper_id = ctx.current_id()
    assert paper_id is not None
    run(ctx, "open-in-browser")  # the seeds have no ids: a title search
    assert ctx.opened[-1].startswith("https://arxiv.org/search/?query=")
    ctx.library.db.execute("UPDATE papers SET arxiv_id = '2405.05231' WHERE id = ?", [paper_id])
    run(ctx, "open-in-browser")
    assert ctx.opened[-1] == "https://arxiv.org/abs/2405.05231"
    assert ctx.messages[-1] == "Opened https://arxiv.org/abs/2405.05231"


def test_copy_link_and_bibtex_of_the_targets(ctx: FakeContext) -> None:
    run(ctx, "copy-link")
    assert ctx.clipboard.startswith("https://arxiv.org/search/?query=")
    run(ctx, "copy-bibtex")
    library = bibtexparser.parse_string(ctx.clipboard)
    assert len(library.entries) == 1 and not library.failed_blocks
    assert ctx.messages[-1] == "Copied BibTeX for 1 paper"


def test_delete_asks_first_and_undo_brings_the_paper_back(ctx: FakeContext) -> None:
    paper_id = ctx.current_id()
    assert paper_id is not None
    ctx.answer = False
    run(ctx, "delete-papers")
    assert ctx.library.papers.get(paper_id) is not None  # said no: nothing deleted
    ctx.answer = True
    run(ctx, "delete-papers")
    assert ctx.questions[-1].startswith("Delete 1 paper with their notes")
    assert ctx.library.papers.get(paper_id) is None
    ctx.library.history.undo()
    assert ctx.library.papers.get(paper_id) is not None


def test_remove_samples_says_when_there_are_none_and_removes_them(ctx: FakeContext) -> None:
    run(ctx, "remove-samples")
    assert ctx.messages[-1] == "There are no sample digests"
    ctx.library.db.execute("UPDATE digests SET sample = 1")
    run(ctx, "remove-samples")
    assert ctx.library.papers.count() == 0
    assert ctx.messages[-1].startswith("Removed the samples: 286 papers")

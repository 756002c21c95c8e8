"""Import and paste commands on a fake context."""

from __future__ import annotations

from desktop.gui.commands.files import import_pasted, pasted_name
from desktop.gui.dialogs.import_dialog import PasteDialog
from tests.gui.commands.conftest import run
from tests.gui.commands.fake_context import FakeContext

DIGEST = (
    "A Brand New Paper About Fakes\n\n"
    "We study how commands run against a fake window context and find it works.\n"
)


def test_paste_with_an_empty_clipboard_says_so(ctx: FakeContext) -> None:
    ctx.clipboard = "  \n"
    run(ctx, "paste-digest")
    assert ctx.messages == ["The clipboard holds no text to import"]
    assert ctx.dialogs == []


def test_paste_previews_then_imports_and_shows_the_digest(ctx: FakeContext) -> None:
    ctx.clipboard = DIGEST
    run(ctx, "paste-digest")
    dialog = ctx.dialogs[-1]
    assert isinstance(dialog, PasteDialog) and dialog.import_button.isEnabled()
    dialog.accept()
    assert ctx.view.startswith("digest:")
    assert ctx.messages[-1].startswith("Pasted digest: ")
    assert [p.title for p in ctx.library.papers.many(ctx.ids)] == ["A Brand New Paper About Fakes"]
    import_pasted(ctx, DIGEST, pasted_name())
    assert ctx.messages[-1] == "This text was already imported"


def test_import_commands_hand_the_chosen_paths_to_the_jobs(ctx: FakeContext) -> None:
    run(ctx, "import-files")  # the file dialog was cancelled
    assert ctx.jobs.imported == []
    ctx.paths = ["a.txt", "b.md"]
    run(ctx, "import-files")
    run(ctx, "import-folder")
    assert ctx.jobs.imported == [["a.txt", "b.md"], ["a.txt", "b.md"]]


HF_HTML_FRAGMENT = (
    '<meta charset="utf-8"><div><h3><a href="/papers/2606.01234">Graph Ranking For Paste '
    "Tests</a></h3><p>An abstract long enough to be the abstract of a paper pasted from the "
    "papers page, with its arXiv id in the link of its title.</p></div>"
)


def test_paste_prefers_the_html_flavour_when_it_gives_arxiv_ids(ctx: FakeContext) -> None:
    ctx.clipboard = "Graph Ranking For Paste Tests\n\nAn abstract copied as text only."
    ctx.clipboard_html_flavour = HF_HTML_FRAGMENT
    run(ctx, "paste-digest")
    ctx.dialogs[-1].accept()
    (paper,) = ctx.library.papers.many(ctx.ids)
    assert paper.arxiv_id == "2606.01234" and paper.title == "Graph Ranking For Paste Tests"
    assert ctx.library.digests.all()[-1].format == "hf-html"


def test_paste_falls_back_to_text_when_the_html_has_no_ids(ctx: FakeContext) -> None:
    ctx.clipboard = DIGEST
    ctx.clipboard_html_flavour = "<p>just some <b>bold</b> words</p>"
    run(ctx, "paste-digest")
    ctx.dialogs[-1].accept()
    assert [p.title for p in ctx.library.papers.many(ctx.ids)] == ["A Brand New Paper About Fakes"]


READING_LIST_HTML = (
    "<meta charset=utf-8><h1>Weekly picks</h1><ul>"
    '<li><a href="https://arxiv.org/abs/2611.20001">Sparse Mixture Routing for Long-Context'
    " Language Models</a> — a load-balancing loss.</li>"
    '<li><b>Tight Bounds for Online Matching</b> (<a href="https://arxiv.org/abs/2611.20003v2">'
    "arXiv:2611.20003</a>)</li></ul>"
)


def test_a_pasted_reading_list_imports_every_linked_paper_with_its_id(ctx: FakeContext) -> None:
    ctx.clipboard = "Weekly picks\n\nSparse Mixture Routing for Long-Context Language Models"
    ctx.clipboard_html_flavour = READING_LIST_HTML
    run(ctx, "paste-digest")
    dialog = ctx.dialogs[-1]
    assert isinstance(dialog, PasteDialog) and dialog.import_button.isEnabled()
    dialog.accept()
    papers = ctx.library.papers.many(ctx.ids)
    assert sorted((p.arxiv_id, p.title) for p in papers) == [
        ("2611.20001", "Sparse Mixture Routing for Long-Context Language Models"),
        ("2611.20003", "Tight Bounds for Online Matching"),
    ]
    assert ctx.library.digests.all()[-1].format == "link-list"


def test_the_preview_names_the_format_and_says_when_the_text_is_already_in(
    ctx: FakeContext,
) -> None:
    ctx.clipboard = "Weekly picks"
    ctx.clipboard_html_flavour = READING_LIST_HTML
    run(ctx, "paste-digest")
    first = ctx.dialogs[-1]
    assert isinstance(first, PasteDialog)
    assert "Read as link-list, 2 with an arXiv id." in first.summary.text()
    first.accept()
    run(ctx, "paste-digest")  # the same clipboard again
    again = ctx.dialogs[-1]
    assert isinstance(again, PasteDialog) and again is not first
    assert again.summary.text().startswith("This text was already imported (format link-list")
    assert not again.import_button.isEnabled()

"""Where a paper lives: open it in the browser, copy its link or its BibTeX; delete papers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.core.export.bibtex import bibtex
from desktop.core.links import paper_links
from desktop.gui.commands.registry import command
from desktop.gui.commands.triage import plural

if TYPE_CHECKING:
    from desktop.gui.context import WindowContext


@command("open-in-browser", label="Open in browser", menu="Paper", needs_paper=True)
def open_in_browser(ctx: WindowContext) -> None:
    """Open the paper's arXiv page in the browser (a title search when its id is unknown)."""
    paper = ctx.shown_paper()
    if paper is None:
        return
    url = paper_links(paper.arxiv_id, paper.title)["abs"]
    if ctx.open_url(url):
        ctx.say(f"Opened {url}")
    else:
        ctx.say("The browser could not be started")


@command("copy-link", label="Copy link", menu="Paper", context_menu=True, needs_paper=True)
def copy_link(ctx: WindowContext) -> None:
    """Copy the links of the target papers (their arXiv pages), one per line."""
    papers = ctx.library.papers.many(ctx.targets(), with_sightings=False)
    if not papers:
        return
    ctx.set_clipboard_text("\n".join(paper_links(p.arxiv_id, p.title)["abs"] for p in papers))
    ctx.say(f"Copied the link of {plural(len(papers), 'paper')}")


@command("copy-bibtex", label="Copy BibTeX", menu="Paper", context_menu=True, needs_paper=True)
def copy_bibtex(ctx: WindowContext) -> None:
    """Copy BibTeX entries of the target papers."""
    papers = ctx.library.papers.many(ctx.targets(), with_sightings=False)
    if not papers:
        return
    ctx.set_clipboard_text(bibtex(papers))
    ctx.say(f"Copied BibTeX for {plural(len(papers), 'paper')}")


@command("delete-papers", label="Delete papers…", menu="Paper", needs_paper=True)
def delete_papers(ctx: WindowContext) -> None:
    """Delete the target papers with their notes, highlights and tags (u undoes)."""
    ids = ctx.targets()
    if not ids:
        return
    question = (
        f"Delete {plural(len(ids), 'paper')} with their notes, highlights and tags? "
        "(u undoes it while the app runs.)"
    )
    if not ctx.confirm(question):
        return
    ctx.library.removal.delete_papers(ids)
    ctx.clear_marks()
    ctx.say(f"Deleted {plural(len(ids), 'paper')}   ·   u undoes")


@command("remove-samples", label="Remove the sample digests…", menu="File")
def remove_samples(ctx: WindowContext) -> None:
    """Remove the sample digests of the first start and the papers seen only in them."""
    removal = ctx.library.removal
    digests = removal.sample_digest_ids()
    if not digests:
        ctx.say("There are no sample digests")
        return
    papers = removal.papers_only_in(digests)
    if not ctx.confirm(
        f"Remove the {plural(len(digests), 'sample digest')} and the "
        f"{plural(len(papers), 'paper')} seen only in them? (u undoes it.)"
    ):
        return
    removal.remove_samples()
    ctx.say(f"Removed the samples: {plural(len(papers), 'paper')}   ·   u undoes")

"""Notes' Markdown as plain words (snippets, one-line previews), checked against markdown-it."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from desktop.core.library import Library
from desktop.core.markdown_plain import markdown_one_line, markdown_to_plain


def words_markdown_it_renders(text: str) -> list[str]:
    """The words a CommonMark renderer shows for ``text`` (HTML off: it stays text)."""
    md = MarkdownIt("commonmark", {"html": False}).enable(["strikethrough", "table"])
    blocks: list[str] = []
    for token in md.parse(text):
        if token.type in ("fence", "code_block"):
            blocks.append(token.content)
        pieces = []
        for child in token.children or []:
            if child.type in ("text", "code_inline", "html_inline", "image"):
                pieces.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                pieces.append(" ")
        blocks.append("".join(pieces))
    return " ".join(blocks).split()


NOTES = [
    "**Try it** on the small model first; then *compare* the costs.",
    "# Summary\n\nA _good_ paper with `code` and [a link](https://example.org).",
    "- first point\n- second **bold** point\n1. numbered item",
    "> quoted text\n> more",
    "![diagram](https://example.org/x.png) explains it",
    "Setext heading\n==============\n\nbody ~~struck~~ text",
    "Escaped \\*stars\\* stay",
    "```\nfenced code line\n```",
    "<b>raw html</b> shows as text",
    "snake_case_name and 2*3*4 arithmetic",
]


@pytest.mark.parametrize("note", NOTES)
def test_plain_text_has_the_words_a_renderer_shows(note: str) -> None:
    assert markdown_to_plain(note).split() == words_markdown_it_renders(note)


def test_no_markdown_syntax_is_left() -> None:
    plain = markdown_to_plain("## Method\n\n**bold** *it* [text](http://x.org) `c`")
    assert plain == "Method\n\nbold it text c"
    for syntax in ("#", "**", "](", "`"):
        assert syntax not in plain


def test_one_line_preview_is_cut() -> None:
    assert markdown_one_line("**a**\n\nb", 10) == "a b"
    assert markdown_one_line("word " * 20, 10) == "word word…"


def test_search_snippet_from_a_note_shows_text_not_markdown(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "data", backups=False)
    try:
        from desktop.core.seeds import seed_if_empty

        seed_if_empty(library)
        paper_id = library.views.ids("inbox")[0]
        library.notes.set(
            paper_id, "## Verdict\n\n**Zanzibarish** trick, see [the code](https://x.org)"
        )
        hit = next(h for h in library.index.search("zanzibarish").hits if h.id == paper_id)
        assert "Zanzibarish" in hit.snippet
        for syntax in ("**", "##", "](", "https://x.org"):
            assert syntax not in hit.snippet
        assert "the code" in hit.snippet
    finally:
        library.close()

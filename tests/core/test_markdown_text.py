"""Markdown escaping and note embedding, checked against a real CommonMark parser."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from desktop.core.export.markdown_text import (
    clean_text,
    collapse_space,
    embed_note,
    escape_inline,
    fence_code,
    is_http_url,
)


def parser() -> MarkdownIt:
    """CommonMark with raw HTML on, GFM tables and strike-through, and every link accepted.

    Accepting every link (markdown-it drops javascript: links by default) lets the tests see
    links that other Markdown tools would make, so they can check none is left.
    """
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


MD = parser()


def walk(tokens: list[Token]) -> list[Token]:
    """Every token, with inline children flattened in order."""
    out: list[Token] = []
    for token in tokens:
        out.append(token)
        if token.children:
            out.extend(walk(token.children))
    return out


def inline_text(token: Token) -> str:
    """The plain text of an inline token that must hold only text."""
    assert token.type == "inline"
    kinds = {c.type for c in token.children or []}
    assert kinds <= {"text"}, f"markup leaked into {token.content!r}: {kinds}"
    return "".join(c.content for c in token.children or [])


def assert_safe(tokens: list[Token], min_heading: int = 1, *, anchors: bool = False) -> None:
    """No raw HTML, no heading above ``min_heading``, only http(s) links and images.

    With ``anchors``, links to ``#heading`` anchors (the export's own contents) are allowed.
    """
    for token in walk(tokens):
        assert token.type not in ("html_block", "html_inline"), token.content
        if token.type == "heading_open":
            assert int(token.tag[1]) >= min_heading, token.markup
        if token.type == "link_open":
            href = str(token.attrs["href"])
            assert is_http_url(href) or (anchors and href.startswith("#")), token.attrs
        if token.type == "image":
            assert is_http_url(str(token.attrs["src"])), token.attrs


HOSTILE_PIECES = [
    "\n",
    "\r\n",
    "\r",
    "\t",
    "  ",
    "---",
    "\n---\n",
    "===",
    "```",
    "~~~",
    "`",
    "#",
    "# ",
    "## ",
    "|",
    "| a | b |\n|---|---|",
    "<script>alert(1)</script>",
    "<!--",
    "<b>",
    "</div>",
    "<https://example.com>",
    "<javascript:alert(1)>",
    "[x](javascript:alert(1))",
    "[x]( javascript:alert(1) )",
    "![i](file:///etc/passwd)",
    "[x]: javascript:alert(1)",
    "[x]\n",
    "[y](https://example.com/a_(b))",
    "[^1]: a footnote here",
    "..",
    "../../etc/passwd",
    "CON",
    "&amp;",
    "&#106;avascript:",
    "*",
    "_",
    "**bold**",
    "~~s~~",
    "\\",
    "1. ",
    "1) ",
    "- ",
    "+ ",
    "> ",
    ">",
    "    code",
    "!",
    "$x$",
    "%%",
    "{#id}",
    "\u2028",
    "\x00",
    "\x85",
    "\ud800",
    "é",
    "漢字",
    "\u202e",
]

hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=8)), max_size=14
).map("".join)


# -- escape_inline -------------------------------------------------------------------------------
CONTEXTS = ["{}", "## {}", "> {}", "- **Title:** {}", "1. [{}](#anchor)", "{} and more"]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(hostile_text)
@example("1986. A year")
@example("- item")
@example("> quote")
@example("=")
@example("\\")
@example("a  \n b")
@example("&lt;script&gt;")
@example("##")
@example("+")
def test_escaped_text_renders_back_to_itself_in_every_context(text: str) -> None:
    escaped = escape_inline(text)
    assert "\n" not in escaped
    expected = collapse_space(text)
    if not expected:
        assert escaped == ""  # the exporter writes a placeholder instead
        return
    for context in CONTEXTS:
        tokens = MD.parse(context.format(escaped))
        assert_safe(tokens, anchors=True)
        inline = [t for t in tokens if t.type == "inline"]
        assert len(inline) == 1, (context, escaped)
        if context == "1. [{}](#anchor)":
            children = inline[0].children or []
            assert [c.type for c in children][0] == "link_open" or not expected
            got = "".join(c.content for c in children if c.type == "text")
            assert got == expected
            continue
        if context == "- **Title:** {}":
            children = [c for c in inline[0].children or [] if c.content or c.type != "text"]
            assert [c.type for c in children][:3] == ["strong_open", "text", "strong_close"]
            rendered = "".join(c.content for c in children if c.type == "text")
            expected_here = ("Title: " + expected).strip()
        elif context == "{} and more":
            rendered = inline_text(inline[0])
            expected_here = (expected + " and more").strip()
        else:
            rendered = inline_text(inline[0])
            expected_here = expected
        assert rendered == expected_here, (context, escaped)


def test_escaping_examples_are_readable() -> None:
    assert escape_inline("DiskGNN: Out-of-Core (GNN) Training") == (
        "DiskGNN: Out-of-Core (GNN) Training"
    )
    assert escape_inline("a *b* _c_ `d` <e> [f](g) #h |i| ~j~") == (
        "a \\*b\\* \\_c\\_ \\`d\\` \\<e> \\[f\\](g) \\#h \\|i\\| \\~j\\~"
    )
    assert escape_inline("1. one\n2. two") == "1\\. one 2. two"
    assert escape_inline("- x") == "\\- x"
    assert escape_inline("AT&T &amp; R&D") == "AT&T \\&amp; R&D"
    assert escape_inline("50% %%hidden%% ==mark== a = b x^2 ^id") == (
        "50% \\%\\%hidden\\%\\% \\=\\=mark\\=\\= a = b x^2 \\^id"
    )


def test_collapse_and_clean() -> None:
    assert collapse_space(" a\n\n b\t\r\nc \u2028 ") == "a b c"
    assert clean_text("a\r\nb\rc\x00d\ud800") == "a\nb\ncd\ufffd"


@settings(deadline=None)  # shared CI machines are slow; no timing here
@given(st.text(max_size=60))
def test_fenced_code_keeps_its_text_verbatim(code: str) -> None:
    block = fence_code(code, "py`thon")
    tokens = MD.parse(block + "\n\n# after\n")
    fences = [t for t in tokens if t.type == "fence"]
    assert len(fences) == 1
    body = clean_text(code)
    # markdown-it turns a NUL into U+FFFD; clean_text already removed it
    assert fences[0].content == (body if body.endswith("\n") or not body else body + "\n")
    assert tokens[-2].type == "inline" and tokens[-2].content == "after"


def test_is_http_url() -> None:
    assert is_http_url("https://example.com/x") and is_http_url("HTTP://a")
    assert not is_http_url("javascript:alert(1)")
    assert not is_http_url("file:///etc/passwd")
    assert not is_http_url("//example.com")


# -- embed_note ----------------------------------------------------------------------------------
def embedded_document(note: str, min_level: int = 3) -> str:
    """A note under its section heading, followed by the next section of the export."""
    head = "#" * (min_level - 1)
    return f"{head} Note\n\n{embed_note(note, min_level)}\n\n{head} SENTINEL\n"


def assert_contained(note: str, min_level: int = 3) -> None:
    tokens = MD.parse(embedded_document(note, min_level))
    first, last = tokens[:3], tokens[-3:]
    assert first[0].type == "heading_open" and first[1].content == "Note"
    # the next section is still a top-level heading of the export: nothing swallowed it
    assert last[0].type == "heading_open" and last[0].level == 0
    assert last[0].tag == f"h{min_level - 1}" and last[1].content == "SENTINEL"
    assert_safe(tokens[3:-3], min_heading=min_level)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(hostile_text, st.integers(min_value=2, max_value=4))
@example("```\nunclosed <script>", 3)
@example("~~~~\n~~~\n", 3)
@example("Title\n===", 3)
@example("Title\n---", 3)
@example("- a\n\n  ```\n<script>\n  ```", 3)
@example("> ```\nfoo\n<script>", 3)
@example("[foo\nbar]: javascript:alert(1)\n\n[foo bar]", 3)
@example("[x](\njavascript:alert(1))", 3)
@example("[x](<javascript:alert(1)>)", 3)
@example("[x](&#106;avascript:alert(1))", 3)
@example("[x]: <javascript:x>\n[x]", 3)
@example("<!-- never closed", 3)
@example("# a\n## b\n### c\n#### d\n##### e\n###### f\n####### g", 3)
@example("- # in a list\n> # in a quote\n1) ## in an ordered list", 3)
@example("a\n- - -\nb\n___\n", 3)
@example("\\\\<script>", 3)
@example("```|\n---\n", 2)
@example("~~~|~~~|", 2)
@example("|a|b|\n|-|-|\n```\n<script>\n```", 3)
def test_no_note_breaks_the_document(note: str, min_level: int) -> None:
    assert_contained(note, min_level)


@settings(deadline=None)  # shared CI machines are slow; no timing here
@given(hostile_text)
def test_no_note_line_can_open_front_matter(note: str) -> None:
    """Outside fenced code, no line of an embedded note is a bare ``---``."""
    embedded = embed_note(note, 3)
    fence: str | None = None
    for line in embedded.split("\n"):
        if fence is None and (m := re.match(r"(`{3,}|~{3,})", line)):
            fence = m.group(1)
            continue
        if fence is not None:
            closing = r" {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*"
            if re.fullmatch(closing, line):
                fence = None
            continue
        assert line.strip() != "---"


BENIGN_LINE = st.lists(
    st.sampled_from(["word", "two words", "**bold**", "*em*", "`code`", "https://x.org", "🙂"]),
    min_size=1,
    max_size=4,
).map(" ".join)
BENIGN_BLOCK = st.one_of(
    BENIGN_LINE,
    BENIGN_LINE.map(lambda s: "- " + s),
    BENIGN_LINE.map(lambda s: "1. " + s),
    BENIGN_LINE.map(lambda s: "> " + s),
    BENIGN_LINE.map(lambda s: f"[{s}](https://example.com/{len(s)})"),
    BENIGN_LINE.map(lambda s: "```\n" + s + "\n<b># kept</b>\n```"),
)


@settings(deadline=None)  # shared CI machines are slow; no timing here
@given(st.lists(BENIGN_BLOCK, min_size=1, max_size=6).map("\n\n".join))
def test_ordinary_markdown_notes_render_exactly_as_written(note: str) -> None:
    assert MD.render(embed_note(note, 3)) == MD.render(note)


def test_note_examples() -> None:
    note = (
        "# Summary\n\nGood *paper*, see [code](https://github.com/x) and "
        "[bad](javascript:alert(1)).\n\n---\n\n```python\nprint('<b>')\n# not a heading\n```\n"
        "<div>raw</div>\n\nMore\n===\n"
    )
    assert embed_note(note, 3) == (
        "### Summary\n\nGood *paper*, see [code](https://github.com/x) and "
        "[bad\\](javascript:alert(1)).\n\n***\n\n```python\nprint('<b>')\n# not a heading\n```\n"
        "\\<div>raw\\</div>\n\n### More"
    )
    assert embed_note("```\ncode", 3) == "```\ncode\n```"
    assert embed_note("[^1]: a footnote with words", 3) == "[^1]: a footnote with words"
    assert embed_note("[a]: file:///etc/passwd", 3) == "[a\\]: file:///etc/passwd"
    assert embed_note("<https://example.com> <mailto:a@b.c>", 3) == (
        "<https://example.com> \\<mailto:a@b.c>"
    )
    assert embed_note("\n\n  \n", 3) == ""
    assert embed_note("a hard break  \nnext", 3) == "a hard break  \nnext"

"""Rendering an export from hand-built papers and annotations, checked with real parsers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from desktop.core.export.markdown import (
    heading_slug,
    obsidian_tag,
    plan_items,
    render_paper_file,
    render_single,
    yaml_string,
)
from desktop.core.export.markdown_text import collapse_space, embed_note
from desktop.core.models import (
    HIGHLIGHT_COLORS,
    Annotations,
    DigestId,
    Highlight,
    HighlightId,
    Paper,
    PaperId,
    Sighting,
)
from tests.core.test_markdown_text import HOSTILE_PIECES, MD, assert_safe, inline_text

STAMP = "2026-11-22T02:30:00+00:00"


def make_paper(pid: int, title: str, abstract: str = "An abstract.", **changes: Any) -> Paper:
    """A paper as the Library would hand it out."""
    values: dict[str, Any] = {
        "id": PaperId(pid),
        "title": title,
        "abstract": abstract,
        "authors_count": 8,
        "submitter": None,
        "published": "2024-05-08",
        "published_raw": "May 8, 2024",
        "published_year_inferred": False,
        "upvotes": 12,
        "version": 1,
        "added_at": STAMP,
        "updated_at": STAMP,
        "is_read": True,
        "read_at": STAMP,
        "starred": False,
        "archived": False,
        "queue_pos": None,
        "sightings": (Sighting(DigestId(1), "000_1581d1d7c8c6a1ac.txt", 3, "2026-01-08"),),
    }
    values.update(changes)
    return Paper(**values)


def make_highlight(
    hid: int,
    pid: int,
    quote: str,
    start: int,
    color: str = "yellow",
    note: str = "",
    field: str = "abstract",
    orphaned: bool = False,
) -> Highlight:
    """A highlight as the Library would hand it out."""
    return Highlight(
        HighlightId(hid),
        PaperId(pid),
        field,
        start,
        start + len(quote),
        quote,
        "",
        "",
        color,
        note,
        orphaned,
        STAMP,
        STAMP,
    )


DISKGNN = make_paper(
    1,
    "DiskGNN: Bridging I/O Efficiency and Model Accuracy for Out-of-Core GNN Training",
    "Graph neural networks (GNNs) are models specialized for graph data. DiskGNN makes "
    "out-of-core training fast <b>and</b> accurate.",
    starred=True,
    sightings=(
        Sighting(DigestId(1), "000_1581d1d7c8c6a1ac.txt", 3, "2026-01-08"),
        Sighting(DigestId(2), "001_bd1b1e10c1ce267e.txt", 9, "2026-01-09"),
    ),
)
DISKGNN_NOTES = Annotations(
    PaperId(1),
    note="# My take\n\nSolid. Code: [repo](https://github.com/x/y), [bad](javascript:alert(1)).\n"
    "\n---\n\n```python\nprint('<b>')\n```\n<script>alert(1)</script>",
    note_updated_at=STAMP,
    highlights=(
        make_highlight(11, 1, "models specialized for graph data", 40, note="Key *definition*."),
        make_highlight(12, 1, "DiskGNN", 0, "blue", field="title"),
        make_highlight(13, 1, "a passage that changed", 300, "red", orphaned=True),
    ),
    tags=("gnn", "systems"),
)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter (parsed with PyYAML) and the Markdown body of a file."""
    assert text.startswith("---\n")
    end = text.index("\n---\n", 3)
    data = yaml.safe_load(text[4:end])
    assert isinstance(data, dict)
    return data, text[end + 5 :]


def headings(tokens: list[Token]) -> list[tuple[str, int, str]]:
    """(tag, nesting level, plain text) of every heading."""
    out = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            children = tokens[i + 1].children or []
            text = "".join(c.content for c in children if c.type in ("text", "code_inline"))
            out.append((token.tag, token.level, text))
    return out


def our_quotes(tokens: list[Token]) -> list[tuple[str, str]]:
    """(quote, attribution) of each top-level blockquote the exporter wrote for a highlight."""
    found = []
    for i, token in enumerate(tokens):
        if token.type != "blockquote_open" or token.level != 0:
            continue
        depth, j, inlines = 0, i, []
        while True:
            t = tokens[j]
            depth += t.nesting if t.type.startswith("blockquote") else 0
            if t.type == "inline":
                inlines.append(t)
            if t.type == "blockquote_close" and depth == 0:
                break
            j += 1
        if len(inlines) == 2:
            kids = [c for c in inlines[1].children or [] if c.content or c.type != "text"]
            if kids and kids[0].type == "text" and kids[0].content == "— ":
                attribution = "".join(c.content for c in kids if c.type == "text")
                found.append((inline_text(inlines[0]), attribution))
    return found


def expected_attribution(h: Highlight) -> str:
    text = f"— {HIGHLIGHT_COLORS[h.color]} ({h.color})"
    if h.field == "title":
        text += ", in the title"
    if h.orphaned:
        text += " · orphaned: this passage is no longer in the paper's text"
    return text


def reading_order(ann: Annotations) -> list[Highlight]:
    return sorted(ann.highlights, key=lambda h: (h.field != "title", h.start, h.end, h.id))


def check_paper_file(paper: Paper, ann: Annotations, text: str) -> None:
    """The full contract of a per-paper file."""
    front, body = split_front_matter(text)
    if isinstance(front["published"], dt.date):
        front["published"] = front["published"].isoformat()
    library = front.pop("library", None)  # the id of the library, when it has one
    assert library is None or (isinstance(library, str) and len(library) == 32)
    tag_names = {"tag_names": [collapse_space(t) for t in ann.tags]} if ann.tags else {}
    identity: dict[str, object] = {"arxiv_id": paper.arxiv_id}
    if paper.arxiv_id:
        identity["url"] = f"https://arxiv.org/abs/{paper.arxiv_id}"
    if paper.authors:
        identity["authors"] = [collapse_space(a) for a in paper.authors]
    for tag in front["tags"]:  # valid Obsidian tags: no spaces, not only digits
        assert re.fullmatch(r"[\w/-]+", tag) and not tag.isdigit(), tag
    assert front == {
        "id": int(paper.id),
        **identity,
        "title": collapse_space(paper.title),
        "published": collapse_space(paper.published) if paper.published else None,
        "digests": [collapse_space(n) for n in paper.digest_names],
        "tags": list(dict.fromkeys(obsidian_tag(t) for t in ann.tags)),
        **tag_names,
        "status": "archived" if paper.archived else "queued" if paper.queued else "read",
        "starred": paper.starred,
        "exported_by": "digest-desk",
    } | ({} if paper.is_read or paper.archived or paper.queued else {"status": "unread"})
    tokens = MD.parse(body)
    assert_safe(tokens, min_heading=1)
    outline = headings(tokens)
    ours = [(tag, text) for tag, level, text in outline if tag in ("h1", "h2")]
    expected = [("h1", collapse_space(paper.title) or "(untitled)")]
    if collapse_space(paper.abstract):
        expected.append(("h2", "Abstract"))
    if ann.highlights:
        expected.append(("h2", "Highlights"))
    if embed_note(ann.note, 3):
        expected.append(("h2", "Note"))
    assert ours == expected
    assert all(level == 0 for tag, level, _ in outline if tag in ("h1", "h2"))
    title_inline = tokens[1]
    assert inline_text(title_inline) == expected[0][1]
    quotes = our_quotes(tokens)
    want = [
        (collapse_space(h.quote) or "(empty quote)", expected_attribution(h))
        for h in reading_order(ann)
    ]
    assert quotes == want
    if collapse_space(paper.abstract):
        i = next(i for i, t in enumerate(tokens) if t.type == "inline" and t.content == "Abstract")
        assert tokens[i + 2].type == "paragraph_open"
        assert inline_text(tokens[i + 3]) == collapse_space(paper.abstract)


# -- examples -------------------------------------------------------------------------------------
def test_per_paper_file_reads_well_and_parses_back() -> None:
    text = render_paper_file(DISKGNN, DISKGNN_NOTES)
    check_paper_file(DISKGNN, DISKGNN_NOTES, text)
    assert text == (
        "---\n"
        "id: 1\n"
        "arxiv_id: null\n"
        'title: "DiskGNN: Bridging I/O Efficiency and Model Accuracy for Out-of-Core GNN '
        'Training"\n'
        "published: 2024-05-08\n"
        "digests:\n"
        '  - "000_1581d1d7c8c6a1ac.txt"\n'
        '  - "001_bd1b1e10c1ce267e.txt"\n'
        "tags:\n"
        '  - "gnn"\n'
        '  - "systems"\n'
        "tag_names:\n"
        '  - "gnn"\n'
        '  - "systems"\n'
        "status: read\n"
        "starred: true\n"
        "exported_by: digest-desk\n"
        "---\n"
        "\n"
        "# DiskGNN: Bridging I/O Efficiency and Model Accuracy for Out-of-Core GNN Training\n"
        "\n"
        "- **Published:** 2024-05-08\n"
        "- **Authors:** 8\n"
        "- **Upvotes:** 12\n"
        "- **Digests:** 000\\_1581d1d7c8c6a1ac.txt (2026-01-08), "
        "001\\_bd1b1e10c1ce267e.txt (2026-01-09)\n"
        "- **Status:** read, starred\n"
        "- **Tags:** gnn, systems\n"
        "- **Paper id:** 1\n"
        "\n"
        "## Abstract\n"
        "\n"
        "Graph neural networks (GNNs) are models specialized for graph data. DiskGNN makes "
        "out-of-core training fast \\<b>and\\</b> accurate.\n"
        "\n"
        "## Highlights\n"
        "\n"
        "> DiskGNN\n"
        ">\n"
        "> — *result* (blue), in the title\n"
        "\n"
        "> models specialized for graph data\n"
        ">\n"
        "> — *key point* (yellow)\n"
        "\n"
        "Key *definition*.\n"
        "\n"
        "> a passage that changed\n"
        ">\n"
        "> — *doubt* (red) · **orphaned**: this passage is no longer in the paper's text\n"
        "\n"
        "## Note\n"
        "\n"
        "### My take\n"
        "\n"
        "Solid. Code: [repo](https://github.com/x/y), [bad\\](javascript:alert(1)).\n"
        "\n"
        "***\n"
        "\n"
        "```python\n"
        "print('<b>')\n"
        "```\n"
        "\\<script>alert(1)\\</script>\n"
    )


def test_highlight_notes_sit_under_their_highlight() -> None:
    tokens = MD.parse(split_front_matter(render_paper_file(DISKGNN, DISKGNN_NOTES))[1])
    top = [t for t in tokens if t.level == 0 and t.nesting >= 0]
    kinds = [t.type for t in top]
    start = next(i for i, t in enumerate(tokens) if t.content == "Highlights")
    sequence = [t.type for t in tokens[start + 2 :] if t.level == 0 and t.nesting != -1]
    assert sequence[:5] == [
        "blockquote_open",  # DiskGNN (title)
        "blockquote_open",  # models specialized ...
        "paragraph_open",  # its note
        "blockquote_open",  # the orphaned one
        "heading_open",  # ## Note
    ]
    assert "html_block" not in kinds
    note_para = next(
        i for i, t in enumerate(tokens) if t.type == "inline" and t.content == "Key *definition*."
    )
    assert [c.type for c in tokens[note_para].children or []] == [
        "text",
        "em_open",
        "text",
        "em_close",
        "text",
    ]


def test_single_file_has_a_contents_list_and_every_paper_in_order() -> None:
    other = make_paper(2, "Attention Is All You Need", is_read=False, queue_pos=1)
    items = [(DISKGNN, DISKGNN_NOTES), (other, Annotations(PaperId(2), note="Short."))]
    text = render_single(items)
    front, body = split_front_matter(text)
    assert front == {
        "title": "Digest Desk notes",
        "papers": 2,
        "highlights": 3,
        "exported_by": "digest-desk",
    }
    tokens = MD.parse(body)
    assert_safe(tokens, anchors=True)
    outline = [(tag, text) for tag, level, text in headings(tokens) if level == 0]
    assert [h for h in outline if h[0] in ("h1", "h2")] == [
        ("h1", "Digest Desk notes"),
        ("h2", "Contents"),
        ("h2", DISKGNN.title),
        ("h2", "Attention Is All You Need"),
    ]
    assert [h for h in outline if h[0] == "h3"] == [
        ("h3", "Abstract"),
        ("h3", "Highlights"),
        ("h3", "Note"),
        ("h3", "Abstract"),
        ("h3", "Note"),
    ]
    assert ("h4", "My take") in outline
    links = [
        c.attrs["href"] for t in tokens if t.children for c in t.children if c.type == "link_open"
    ]
    assert links[:2] == [
        "#diskgnn-bridging-io-efficiency-and-model-accuracy-for-out-of-core-gnn-training",
        "#attention-is-all-you-need",
    ]
    assert "1. [DiskGNN: Bridging" in body and "— 3 highlights" in body
    assert "- **Status:** queued\n" in body


def test_an_empty_export_says_so() -> None:
    text = render_single([])
    assert "0 papers, 0 highlights." in text
    assert plan_items([], "per-paper").files == ()


def test_contents_anchors_follow_github_and_count_repeats() -> None:
    used: dict[str, int] = {}
    assert heading_slug("Note", used) == "note"
    assert heading_slug("Note", used) == "note-1"
    assert heading_slug("C++ & Rust: a *study*", used) == "c--rust-a-study"


def test_yaml_strings_survive_anything() -> None:
    for text in ['a "quoted" \\ thing', "line\nbreak", "\u2028\x85\ufeff", "é 漢字 🙂", "- x: y #"]:
        assert yaml.safe_load(f"k: {yaml_string(text)}") == {"k": text}
    assert yaml_string("a\u2028b\x85") == '"a\\u2028b\\x85"'  # no raw YAML 1.1 line breaks


@settings(deadline=None)  # shared CI machines are slow; no timing here
@given(st.text())
def test_any_text_survives_yaml_quoting(text: str) -> None:
    quoted = yaml_string(text)
    assert "\n" not in quoted
    assert yaml.safe_load(f"k: {quoted}") == {"k": text}


def test_rendering_is_deterministic() -> None:
    items = [(DISKGNN, DISKGNN_NOTES)]
    assert plan_items(items, "per-paper") == plan_items(list(items), "per-paper")
    assert render_single(items) == render_single(items)


# -- properties -----------------------------------------------------------------------------------
hostile = st.lists(
    st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=10)), max_size=10
).map("".join)
titles = st.one_of(hostile, st.text(min_size=250, max_size=320), st.sampled_from(["CON", ".."]))


@st.composite
def papers_with_notes(draw: st.DrawFn, pid: int = 1) -> tuple[Paper, Annotations]:
    title = draw(titles)
    abstract = draw(hostile)
    paper = make_paper(
        pid,
        title,
        abstract,
        published=draw(st.sampled_from(["2024-05-08", None, "May 8\n---"])),
        submitter=draw(st.one_of(st.none(), hostile)),
        starred=draw(st.booleans()),
        is_read=draw(st.booleans()),
        archived=draw(st.booleans()),
        sightings=(Sighting(DigestId(1), draw(hostile), 1, None),),
    )
    quotes = draw(st.lists(st.tuples(hostile, hostile, st.booleans()), max_size=3))
    highlights = tuple(
        make_highlight(
            100 * pid + n,
            pid,
            quote,
            n * 10,
            color=draw(st.sampled_from(sorted(HIGHLIGHT_COLORS))),
            note=note,
            field=draw(st.sampled_from(["title", "abstract"])),
            orphaned=orphaned,
        )
        for n, (quote, note, orphaned) in enumerate(quotes)
    )
    tags = tuple(draw(st.lists(hostile.filter(lambda t: t.strip()), max_size=3)))
    return paper, Annotations(PaperId(pid), note=draw(hostile), highlights=highlights, tags=tags)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(papers_with_notes())
def test_hostile_papers_and_notes_cannot_break_a_paper_file(
    item: tuple[Paper, Annotations],
) -> None:
    paper, ann = item
    check_paper_file(paper, ann, render_paper_file(paper, ann))


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=4), st.data())
def test_hostile_papers_cannot_break_the_single_file(ids: list[int], data: st.DataObject) -> None:
    items = [data.draw(papers_with_notes(pid)) for pid in dict.fromkeys(ids)]
    text = render_single(items)
    front, body = split_front_matter(text)
    assert front["papers"] == len(items)
    tokens = MD.parse(body)
    assert_safe(tokens, anchors=True)
    top = [
        (tag, text) for tag, level, text in headings(tokens) if level == 0 and tag in ("h1", "h2")
    ]
    assert top == [("h1", "Digest Desk notes"), ("h2", "Contents")] + [
        ("h2", collapse_space(p.title) or "(untitled)") for p, _ in items
    ]
    for tag, _level, text in headings(tokens):
        if tag == "h3":
            assert text in ("Abstract", "Highlights", "Note")
    assert len(our_quotes(tokens)) == sum(len(a.highlights) for _, a in items)


def test_a_paper_with_an_arxiv_id_carries_it_into_its_file() -> None:
    paper = dataclasses.replace(
        DISKGNN, arxiv_id="2405.05231", authors=("Renjie Liu", "Yichuan Wang")
    )
    notes = dataclasses.replace(DISKGNN_NOTES, tags=("point clouds", "2024", "gnn"))
    text = render_paper_file(paper, notes)
    check_paper_file(paper, notes, text)
    front, body = split_front_matter(text)
    assert front["url"] == "https://arxiv.org/abs/2405.05231"
    assert front["tags"] == ["point-clouds", "_2024", "gnn"]
    assert front["tag_names"] == ["point clouds", "2024", "gnn"]
    assert "- **arXiv:** [2405\\.05231](https://arxiv.org/abs/2405.05231)" in body
    assert "- **Authors:** Renjie Liu, Yichuan Wang" in body

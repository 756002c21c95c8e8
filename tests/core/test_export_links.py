"""The one-file export's contents links: GitHub anchors, Obsidian wiki links, or both; each
entry reaches its own paper by the rules of the reader it is for."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from desktop.cli import main
from desktop.core.export.contents_links import (
    heading_key,
    headings_of,
    links_for_folder,
    obsidian_target,
)
from desktop.core.export.markdown import heading_slug, render_single
from desktop.core.models import Annotations, Paper, PaperId
from tests.conftest import SEEDS
from tests.core.test_export_markdown import DISKGNN, DISKGNN_NOTES, make_paper
from tests.core.test_markdown_text import HOSTILE_PIECES, MD, walk

WIKI = re.compile(r"\[\[#([^\]]*)\]\]")


def body_of(text: str) -> str:
    assert text.startswith("---\n")
    return text.split("\n---\n", 1)[1]


def heading_texts(tokens: list[Token]) -> list[tuple[str, str]]:
    """(tag, text as Obsidian's reader sees it) of every heading, in order."""
    out = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            children = tokens[i + 1].children or []
            text = "".join(c.content for c in children if c.type in ("text", "code_inline"))
            out.append((token.tag, text))
    return out


def obsidian_match(heading: str) -> str:
    """How loosely Obsidian may match a heading link (its letters and digits, lower case):
    a link counts as reaching only the first heading that matches it even this loosely."""
    return re.sub(r"[\W_]", "", heading.lower())


def resolve_obsidian(text: str, forbidden: str = "#|^[]") -> list[int]:
    """For each ``[[#…]]`` of the contents list, the index (among the file's ``h2``
    headings after Contents) of the heading it reaches, by Obsidian's rules: the first
    heading whose text, without the characters links cannot hold, is the link's text
    exactly; -1 when it reaches none, or an earlier heading matches it loosely."""
    body = body_of(text)
    contents = body.split("## Contents\n", 1)[1].split("\n\n## ", 1)[0]
    if "](#" in contents:
        forbidden += "<>"  # both flavours: no tag for GitHub's reader either
    targets = WIKI.findall(contents)
    headings = heading_texts(MD.parse(body))
    papers = [i for i, (tag, _t) in enumerate(headings) if tag == "h2"][1:]
    reached = []
    for target in targets:
        assert not set(target) & set(forbidden), target
        first = next(
            (
                i
                for i, (_tag, h) in enumerate(headings)
                if obsidian_match(h) == obsidian_match(target)
            ),
            None,
        )
        exact = first is not None and " ".join(
            re.sub(
                "%%+", "%", "".join(ch for ch in headings[first][1] if ch not in forbidden)
            ).split()
        )
        if first is None or exact != target or first not in papers:
            reached.append(-1)
        else:
            reached.append(papers.index(first))
    return reached


def paper(pid: int, title: str) -> tuple[Paper, Annotations]:
    return make_paper(pid, title), Annotations(PaperId(pid))


def test_github_links_stay_the_default() -> None:
    items = [(DISKGNN, DISKGNN_NOTES), paper(2, "Attention Is All You Need")]
    assert render_single(items) == render_single(items, links="github")
    assert "[[#" not in render_single(items)


def test_obsidian_links_reach_each_paper_by_its_heading_text() -> None:
    items = [(DISKGNN, DISKGNN_NOTES), paper(2, "Attention Is All You Need")]
    text = render_single(items, links="obsidian")
    assert f"1. [[#{DISKGNN.title}]] — 3 highlights" in text
    assert "2. [[#Attention Is All You Need]]" in text
    assert "](#" not in body_of(text).split("## Contents", 1)[1].split("\n## ", 1)[0]
    assert resolve_obsidian(text) == [0, 1]


def test_titles_with_link_syntax_repeats_and_clashes_still_reach_their_paper() -> None:
    titles = [
        "C# | F# [draft]^2: a study",
        "Same title",
        "Same title",
        "Note",  # every paper with a note has a "Note" heading before it
        "Contents",
        "###",
        "[[#]]",
        "My take",  # a heading inside the first paper's note
        "Same title (2)",  # what the second "Same title" became
        "100%% sure",  # %% would open an Obsidian comment
    ]
    items: list[tuple[Paper, Annotations]] = [(DISKGNN, DISKGNN_NOTES)]
    items += [paper(n + 2, t) for n, t in enumerate(titles)]
    for links in ("obsidian", "both"):
        text = render_single(items, links=links)
        assert resolve_obsidian(text) == list(range(len(items))), links
    text = render_single(items, links="obsidian")
    assert "2. [[#C F draft2: a study]]" in text
    assert "3. [[#Same title]]\n4. [[#Same title (4)]]\n5. [[#Note (5)]]" in text
    assert "6. [[#Contents (6)]]\n7. [[#(7)]]\n8. [[#(8)]]\n9. [[#My take (9)]]" in text
    assert (
        "10. [[#Same title (2)]]" in text and "11. [[#100% sure]]" in text
    )  # "(4)" took the second: no clash left
    assert "## Same title (4)\n" in text and "## \\#\\#\\# (7)\n" in text


def test_both_links_follow_github_anchors_of_the_same_headings() -> None:
    items = [paper(1, "Same title"), paper(2, "Same title"), paper(3, "GPT-4: a *review*")]
    text = render_single(items, links="both")
    used: dict[str, int] = {}
    for fixed in ("Digest Desk notes", "Contents"):
        heading_slug(fixed, used)
    tokens = MD.parse(body_of(text))
    hrefs = [
        c.attrs["href"] for t in tokens if t.children for c in t.children if c.type == "link_open"
    ]
    shown = [h for tag, h in heading_texts(tokens) if tag == "h2"][1:]
    expected = []
    for h in shown:
        expected.append(f"#{heading_slug(h, used)}")
        heading_slug("Abstract", used)
    assert hrefs == expected
    assert resolve_obsidian(text) == [0, 1, 2]
    assert "1. [Same title](#same-title) · [[#Same title]]" in text


titles = st.lists(
    st.one_of(st.sampled_from([*HOSTILE_PIECES, "Note", "Abstract", "#", "|", "^"]), st.text()),
    min_size=1,
    max_size=6,
).map(lambda parts: " ".join(parts))


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(titles, min_size=1, max_size=6), st.text(max_size=60))
def test_every_obsidian_entry_reaches_its_own_paper(names: list[str], note: str) -> None:
    items = [
        (make_paper(n + 1, t), Annotations(PaperId(n + 1), note=note if n == 0 else ""))
        for n, t in enumerate(names)
    ]
    for links in ("obsidian", "both"):
        text = render_single(items, links=links)
        assert resolve_obsidian(text) == list(range(len(items)))
    tokens = MD.parse(body_of(text))  # both: the contents hold no HTML for GitHub's reader
    h2 = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    contents = tokens[h2[0] : h2[1]]
    assert not [t for t in walk(contents) if t.type in ("html_inline", "html_block")]


def test_heading_helpers() -> None:
    assert obsidian_target("  A | B #c ^d [e]  ") == "A B c d e"
    assert obsidian_target("a %%%% b <i>") == "a % b <i>"
    assert obsidian_target("a <i>", html_safe=True) == "a i"
    assert heading_key("GPT\\-4") == heading_key("gpt 4") == "gpt4"
    fenced = "## One\n```\n## not a heading\n```\n> ### Two\n- #### Three\n####### no"
    assert headings_of(fenced) == ["One", "Two", "Three"]


def test_an_obsidian_vault_gets_obsidian_links_unless_asked_otherwise(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    inside = vault / "papers" / "not yet made"
    assert links_for_folder(inside) == "obsidian"
    assert links_for_folder(vault) == "obsidian"
    assert links_for_folder(tmp_path / "elsewhere") == "github"
    assert links_for_folder(inside, "github") == "github"
    assert links_for_folder(tmp_path, "both") == "both"
    with pytest.raises(ValueError, match="link flavour"):
        links_for_folder(tmp_path, "wiki")


def _cli(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(args, out=out), out.getvalue()


def test_the_cli_picks_links_by_the_folder_and_by_links(tmp_path: Path) -> None:
    data = tmp_path / "lib"
    assert _cli(["--data-dir", str(data), "import", str(SEEDS)])[0] == 0
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    plain = tmp_path / "plain.md"
    in_vault = vault / "papers.md"
    both = vault / "both.md"
    base = ["--data-dir", str(data), "export", "--all"]
    assert _cli([*base, "--out", str(plain)])[0] == 0
    assert _cli([*base, "--out", str(in_vault)])[0] == 0
    assert _cli([*base, "--out", str(both), "--links", "both"])[0] == 0
    assert "[[#" not in plain.read_text(encoding="utf-8")
    vault_text = in_vault.read_text(encoding="utf-8")
    assert "1. [[#" in vault_text and "](#" not in vault_text.split("## Contents")[1][:2000]
    reached = resolve_obsidian(vault_text)
    assert reached == list(range(len(reached))) and len(reached) > 200
    assert "](#" in both.read_text(encoding="utf-8") and "[[#" in both.read_text(encoding="utf-8")

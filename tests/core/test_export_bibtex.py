"""BibTeX export: arXiv-style @misc entries that parse back with bibtexparser, unique keys."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import bibtexparser
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.cli import main
from desktop.core.export.bibtex import _ESCAPES, bibtex, citation_keys, escape
from desktop.core.models import Paper, PaperId

BASE = Paper(
    id=PaperId(1),
    title="Attention Is All You Need",
    abstract="",
    authors_count=2,
    submitter=None,
    published=None,
    published_raw=None,
    published_year_inferred=False,
    upvotes=None,
    version=1,
    added_at="",
    updated_at="",
    is_read=False,
    read_at=None,
    starred=False,
    archived=False,
    queue_pos=None,
    arxiv_id="1706.03762",
    authors=("Ashish Vaswani", "Noam Shazeer"),
    primary_category="cs.CL",
)


def unescape(value: str) -> str:
    """The inverse of escape() (for the round-trip check)."""
    out, i = "", 0
    inverse = sorted(((v, k) for k, v in _ESCAPES.items()), key=lambda kv: -len(kv[0]))
    while i < len(value):
        for escaped, char in inverse:
            if value.startswith(escaped, i):
                out += char
                i += len(escaped)
                break
        else:
            out += value[i]
            i += 1
    return out


def parse(text: str) -> list[dict[str, str]]:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    return [
        {"key": e.key, "type": e.entry_type, **{f.key: f.value for f in e.fields}}
        for e in library.entries
    ]


def test_an_arxiv_paper_is_an_arxiv_style_misc_entry() -> None:
    (entry,) = parse(bibtex([BASE]))
    assert entry == {
        "key": "vaswani2017attention",
        "type": "misc",
        "title": "{Attention Is All You Need}",
        "author": "Ashish Vaswani and Noam Shazeer",
        "year": "2017",
        "eprint": "1706.03762",
        "archivePrefix": "arXiv",
        "primaryClass": "cs.CL",
        "url": "https://arxiv.org/abs/1706.03762",
    }


def test_a_paper_without_id_or_names_still_has_a_key_and_title() -> None:
    bare = dataclasses.replace(BASE, arxiv_id=None, authors=(), published="2024-05-08")
    (entry,) = parse(bibtex([bare]))
    assert entry["key"] == "2024attention" and entry["year"] == "2024"
    assert "eprint" not in entry and "author" not in entry and "url" not in entry


def test_colliding_keys_get_letters_in_arxiv_id_order_whatever_the_order_given() -> None:
    a = dataclasses.replace(BASE, id=PaperId(5), arxiv_id="1706.09999")
    b = dataclasses.replace(BASE, id=PaperId(9), arxiv_id="1706.03762")
    c = dataclasses.replace(BASE, id=PaperId(2), title="Attention!", arxiv_id="1706.05555")
    keys = citation_keys([a, b, c])
    assert keys == {
        PaperId(9): "vaswani2017attentiona",
        PaperId(2): "vaswani2017attentionb",
        PaperId(5): "vaswani2017attentionc",
    }
    assert citation_keys([c, b, a]) == keys
    assert len({e["key"] for e in parse(bibtex([a, b, c]))}) == 3


def test_a_name_with_and_stays_one_author_and_old_ids_give_a_year() -> None:
    paper = dataclasses.replace(
        BASE, arxiv_id="hep-th/9901001", authors=("Smith and Sons Ltd", "Émile Zola")
    )
    (entry,) = parse(bibtex([paper]))
    assert entry["author"] == "{Smith and Sons Ltd} and Émile Zola"
    assert entry["year"] == "1999" and entry["key"] == "ltd1999attention"


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=80), st.lists(st.text(max_size=30), max_size=3))
def test_any_title_and_names_parse_back_unchanged(title: str, names: list[str]) -> None:
    names = [n for n in names if n.strip() and "and" not in n.lower()]
    paper = dataclasses.replace(BASE, title=title, authors=tuple(names))
    (entry,) = parse(bibtex([paper]))
    assert unescape(entry["title"][1:-1]) == unescape(escape(title))
    expected = escape(title)
    assert entry["title"] == "{" + expected + "}"
    if names:
        assert entry["author"] == " and ".join(escape(n) for n in names)


def test_cli_export_bibtex_writes_a_bib_file(seeded_dir: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    target = tmp_path / "out" / "refs"
    code = main(
        [
            "--data-dir",
            str(seeded_dir),
            "export",
            "--format",
            "bibtex",
            "--all",
            "--out",
            str(target),
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["papers"] == 286 and report["path"].endswith("refs.bib")
    entries = parse((tmp_path / "out" / "refs.bib").read_text(encoding="utf-8"))
    assert len(entries) == 286 and len({e["key"] for e in entries}) == 286

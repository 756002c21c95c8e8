"""Every digest format is read exactly: counts and fields per fixture, and no reader crashes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.importing.arxiv_atom import parse_arxiv_atom
from desktop.core.importing.arxiv_email import parse_arxiv_email
from desktop.core.importing.arxiv_ids import cut_ids, split_id
from desktop.core.importing.arxiv_listing import parse_arxiv_listing
from desktop.core.importing.arxiv_snapshot import (
    SnapshotStats,
    iter_snapshot_entries,
    parse_snapshot_text,
)
from desktop.core.importing.digest_parser import parse_digest
from desktop.core.importing.hf_html import parse_html
from desktop.core.importing.hf_text import parse_hf_text
from desktop.core.importing.json_papers import parse_json_papers
from desktop.core.importing.paste import choose_paste
from desktop.core.importing.result import FORMATS, Entry, entry_from_values
from desktop.core.importing.rss_feed import parse_rss
from desktop.core.importing.tex import tex_to_unicode

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "digests"
TODAY = dt.date(2026, 12, 2)


def _parse(name: str):  # type: ignore[no-untyped-def]
    return parse_digest((FIXTURES / name).read_text(encoding="utf-8"), TODAY, name)


def test_hf_page_with_upvotes_before_titles() -> None:
    result = _parse("hf_page_upvotes_first.txt")
    assert result.format == "hf-page-upvotes-first"
    assert result.digest_dates == ["2026-12-01"]
    got = [
        (e.title[:30], e.upvotes, e.comments, e.authors_count, e.submitter, e.published)
        for e in result.entries
    ]
    assert got == [
        ("Sparse Retrieval Heads for Lon", 65, 4, 3, None, "2026-11-30"),
        ("Dialect-Robust Speech Translat", 0, None, 2, None, "2026-11-30"),
        ("Counting Is Not Reasoning: Pro", 12, 7, 4, None, "2026-11-29"),
        ("Insights into Kernel Fusion on", 3, 2, None, "NVIDIA", "2026-11-28"),
        ("Token-Level Curriculum Learnin", 0, None, 2, None, "2026-11-27"),
    ]
    titles = {e.title for e in result.entries}
    for chrome in ("Weekly", "65", "by AK and the research community", "GitHub 1.2k", "lmueller"):
        assert chrome not in titles


def test_old_layout_keeps_the_number_after_the_date_as_upvotes() -> None:
    text = (
        "Daily Papers\n\nbyAK and the research community\n\nJan 8\n\nA Paper\n\n"
        + "An abstract sentence. " * 10
        + "\n\n  • 3 authors\n·\nJan 29, 2024 5\n"
    )
    (entry,) = parse_digest(text, TODAY).entries
    assert (entry.upvotes, entry.comments) == (5, None)


def test_arxiv_new_listing() -> None:
    result = _parse("arxiv_list_new_cs_CL.txt")
    assert result.format == "arxiv-list" and result.skipped == []
    assert result.digest_dates == ["2026-12-01"]
    ids = [e.arxiv_id for e in result.entries]
    assert ids == [
        "2612.00112",
        "2612.00187",
        "2612.00203",
        "2612.00045",
        "2612.00961",
        "2510.04410",
    ]
    third = result.entries[2]
    assert third.authors == ("Lena Müller", "Rahul Iyer", "Chen Wu", "Ana Sašić")
    assert third.authors_count == 4
    assert third.arxiv_comments == "Accepted at ACL 2026"
    assert third.journal_ref == "Proceedings of ACL 2026, pp. 1123-1139"
    assert third.categories == ("cs.CL", "cs.AI", "cs.LG")
    assert third.primary_category == "cs.CL"
    assert third.abstract.startswith("Chain-of-thought prompting") and third.abstract.endswith(
        "is written."
    )
    cross = result.entries[3]
    assert (cross.primary_category, cross.categories) == ("cs.LG", ("cs.LG", "cs.CL"))
    replaced = result.entries[5]
    assert replaced.title.startswith("Calibrated Refusals") and replaced.abstract
    assert result.entries[0].authors[0] == "Maria García"
    # The footer after the last abstract is not part of it.
    assert "About" not in result.entries[-1].abstract


def test_arxiv_recent_listing_has_papers_without_abstracts() -> None:
    result = _parse("arxiv_list_recent_hep_th.txt")
    assert result.format == "arxiv-list"
    assert [(e.arxiv_id, e.digest_date, e.abstract) for e in result.entries] == [
        ("2611.21001", "2026-11-30", ""),
        ("2611.21077", "2026-11-30", ""),
        ("2611.19950", "2026-11-27", ""),
        ("2611.19812", "2026-11-27", ""),
    ]
    assert result.entries[0].authors == ("Rosa Delgado", "Kenji Mori")
    assert result.entries[1].primary_category == "gr-qc"
    assert result.entries[2].journal_ref == "Phys. Rev. D 114, 045012 (2026)"


ABSTRACT = " ".join(["We study the routing of tokens across experts at scale."] * 3)


def test_arxiv_listing_joins_wrapped_fields() -> None:
    # Text-mode copies (lynx, saved as text) wrap long fields and indent what follows.
    text = (
        "[1] arXiv:2611.19003 (replaced) [pdf]\n"
        "Title: A Benchmark for Multilingual Table Question Answering with\n"
        "  Noisy Headers\n"
        "Omar Haddad, Mei Chen, Ana\n"
        "  Silva\n"
        "Comments: 12 pages,\n"
        "  4 figures\n"
        "Subjects: Computation and Language (cs.CL)\n\n"
        f"{ABSTRACT}\n\n"
        "[2] arXiv:2611.20002 [pdf]\n"
        "Title: Short Title\n"
        "Ana Silva\n\n"
        f"    {ABSTRACT}\n"
    )
    first, second = parse_arxiv_listing(text).entries
    assert first.title == "A Benchmark for Multilingual Table Question Answering with Noisy Headers"
    assert first.authors == ("Omar Haddad", "Mei Chen", "Ana Silva")
    assert first.arxiv_comments == "12 pages, 4 figures"
    # An indented abstract after a blank line is the abstract, not more names.
    assert second.authors == ("Ana Silva",) and second.abstract == ABSTRACT


def test_arxiv_listing_title_over_two_lines_before_an_authors_label() -> None:
    text = (
        "[1] arXiv:2611.20001 [pdf]\n"
        "Title: A Long Title That the Page\n"
        "Wrapped Onto a Second Line\n"
        "Authors: Jane Doe, Ravi Kumar\n"
        "Subjects: Computation and Language (cs.CL)\n\n"
        f"{ABSTRACT}\n"
    )
    (entry,) = parse_arxiv_listing(text).entries
    assert entry.title == "A Long Title That the Page Wrapped Onto a Second Line"
    assert entry.authors == ("Jane Doe", "Ravi Kumar")


def test_arxiv_email_digest() -> None:
    result = _parse("arxiv_email_astro_ph.txt")
    assert result.format == "arxiv-email" and result.skipped == []
    assert [(e.arxiv_id, e.arxiv_version) for e in result.entries] == [
        ("2612.01001", None),
        ("2612.01017", None),
        ("2612.01090", None),
        ("2605.04412", 3),
    ]
    first = result.entries[0]
    # A TeX title over two lines, joined, with its accent as Unicode.
    assert first.title == (
        "A Deep Survey of Faint Dwarf Galaxies in the Boötes Void with the Rubin Observatory"
    )
    assert first.authors == ("Saša Kovačević", "Jane Doe", "Miguel Ángel Ruiz")
    assert first.categories == ("astro-ph.GA", "astro-ph.CO")
    assert first.arxiv_comments == "22 pages, 14 figures, submitted to ApJ"
    assert (first.published, first.published_raw) == (
        "2026-11-30",
        "Mon, 30 Nov 2026 19:02:11 GMT",
    )
    assert first.abstract.startswith("We present a deep photometric survey of the Boötes void")
    assert first.abstract.endswith("than simulated ones.")
    assert result.entries[1].journal_ref == "Mon. Not. R. Astron. Soc. 540, 112 (2026)"
    replaced = result.entries[3]
    assert replaced.abstract == "" and replaced.published is None
    assert all("---" not in e.title for e in result.entries)


def test_arxiv_atom_feed() -> None:
    result = _parse("arxiv_atom_query.xml")
    assert result.format == "arxiv-atom" and result.skipped == []
    first, second, third = result.entries
    assert (first.arxiv_id, first.arxiv_version) == ("2512.01234", 2)
    assert first.title == "Retrieval-Augmented Decoding with Learned Stopping Rules"
    assert first.authors == ("Marta Kowalczyk", "José Ramírez")
    assert (first.primary_category, first.categories) == ("cs.CL", ("cs.CL", "cs.IR"))
    assert first.arxiv_comments == "v2: added ablations; 11 pages"
    assert first.published == "2025-12-01" and first.line == 10
    assert second.journal_ref == "ICSE 2026"
    assert (third.arxiv_id, third.arxiv_version) == ("hep-th/9901001", 3)


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol3;</title></entry></feed>'
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&x;</title>'
    "<summary>s</summary></entry></feed>"
)


@pytest.mark.parametrize("xml", [BOMB, EXTERNAL], ids=["billion-laughs", "external-entity"])
def test_hostile_xml_is_refused(xml: str) -> None:
    result = parse_digest(xml, TODAY, "feed.xml")
    assert result.entries == []
    assert result.skipped and "refused" in result.skipped[0].reason
    assert parse_arxiv_atom(xml).entries == []


RSS_BOMB = BOMB.replace('<feed xmlns="http://www.w3.org/2005/Atom"><entry>', "<rss><channel><item>")
RSS_BOMB = RSS_BOMB.replace("</entry></feed>", "</item></channel></rss>")


def test_hostile_rss_is_refused() -> None:
    result = parse_digest(RSS_BOMB, TODAY, "feed.rss")
    assert result.format == "rss-feed" and result.entries == []
    assert result.skipped and "refused" in result.skipped[0].reason


def test_arxiv_rss_feed() -> None:
    result = _parse("arxiv_rss2_cs_CL.xml")
    assert result.format == "rss-feed" and result.skipped == []
    assert result.digest_dates == ["2026-12-01"]
    first, second = result.entries
    assert (first.arxiv_id, first.arxiv_version) == ("2612.00101", 1)
    assert first.title == "Sparse Mixture Routing for Long-Context Language Models"
    assert first.authors == ("Jane Doe", "Ravi Kumar", "Li Wei")
    assert first.abstract.startswith("We study sparse routing") and "Announce" not in first.abstract
    assert (first.primary_category, first.categories) == ("cs.CL", ("cs.CL", "cs.LG"))
    assert first.published == "2026-12-01" and first.line == 17
    assert (second.arxiv_id, second.arxiv_version) == ("2611.09002", 2)


def test_arxiv_rss1_feed_reads_its_html_and_title_suffixes() -> None:
    result = _parse("arxiv_rss1_cs_LG.rss")
    assert result.format == "rss-feed" and result.skipped == []
    got = [(e.arxiv_id, e.arxiv_version, e.title, e.categories) for e in result.entries]
    assert got == [
        ("2306.07001", 1, "Learning Rate Warmup Is a Trust Region Method", ("cs.LG",)),
        ("2306.07002", 2, "Why Do Graph Transformers Oversmooth?", ("cs.LG",)),
        ("2211.01003", 3, "Tight Bounds for Online Matching", ("cs.DS",)),
    ]
    first = result.entries[0]
    assert first.authors == ("Jane Doe", "Saša Kovačević")
    assert (
        first.abstract.startswith("We show that learning rate warmup") and "<" not in first.abstract
    )
    assert "twelve tasks" in first.abstract
    assert result.entries[2].authors == ("P. Erdős",)


def test_other_feeds_give_papers_by_their_links_and_never_their_chrome() -> None:
    result = _parse("papers_feed_generic.xml")
    assert result.format == "rss-feed"
    assert [(e.arxiv_id, e.title) for e in result.entries] == [
        ("2612.01234", "Counting Is Not Reasoning: Probing Numeracy in Vision-Language Models"),
        (None, "Token-Level Curricula for Instruction Tuning"),
    ]
    first = result.entries[0]
    assert first.authors == ("Lena Müller",)  # "address (name)"
    assert "passwd" not in first.abstract and "<" not in first.abstract
    assert [s.line for s in result.skipped] == [16]  # "Weekly" is not a paper
    atom = _parse("papers_feed_generic.atom")
    (entry,) = atom.entries
    assert (entry.arxiv_id, entry.authors) == ("2611.30500", ("Kim Lee",))
    assert entry.abstract.startswith("Retrieval heads are sparse: five percent")


def test_hf_html_page() -> None:
    result = _parse("hf_papers_page.html")
    assert result.format == "hf-html"
    got = [(e.arxiv_id, e.title, e.upvotes, e.authors_count) for e in result.entries]
    assert got == [
        ("2612.00112", "Sparse Retrieval Heads for Long-Context Question Answering", 65, 3),
        ("2612.00187", "Dialect-Robust Speech Translation with Phoneme & Accent Adapters", 0, 2),
        (
            "2612.00203",
            "Counting Is Not Reasoning: Probing Arithmetic Shortcuts in Chain-of-Thought",
            12,
            4,
        ),
    ]
    assert result.entries[0].abstract.startswith("Long-context language models")
    assert result.entries[2].abstract == ""  # a card with no abstract text


def test_html_without_linked_titles_is_read_as_its_text() -> None:
    body = "".join(
        f"<h3>Paper Number {n} About Things</h3><p>{'An abstract sentence here. ' * 8}</p>"
        for n in range(3)
    )
    result = parse_digest(f"<html><body>{body}</body></html>", TODAY)
    assert [e.title for e in result.entries] == [f"Paper Number {n} About Things" for n in range(3)]


def test_choose_paste_prefers_html_with_ids() -> None:
    html = (FIXTURES / "hf_papers_page.html").read_text(encoding="utf-8")
    text = "Sparse Retrieval Heads\n\nA plain copy of the page."
    choice = choose_paste(text, html, TODAY)
    assert choice.flavour == "html" and len(choice.result.entries) == 3
    assert parse_digest(choice.text, TODAY).format == "hf-html"
    cf_html = "Version:0.9\r\nStartHTML:0000000105\r\nEndHTML:0000009999\r\n" + html
    assert choose_paste(text, cf_html, TODAY).flavour == "html"
    plain = choose_paste(text, "<b>no papers</b>", TODAY)
    assert plain.flavour == "text" and plain.text == text
    assert choose_paste(text, None, TODAY).flavour == "text"


def test_snapshot_streams_with_progress() -> None:
    path = FIXTURES / "arxiv_snapshot_extract.jsonl"
    stats = SnapshotStats()
    seen: list[tuple[int, int | None]] = []
    entries = list(iter_snapshot_entries(path, lambda d, t: seen.append((d, t)), stats))
    size = path.stat().st_size
    assert seen[-1] == (size, size)
    assert [(e.arxiv_id, e.arxiv_version, e.position) for e in entries] == [
        ("0704.0001", 2, 1),
        ("hep-th/9901001", 1, 2),
        ("2401.01234", 3, 3),
    ]
    first = entries[0]
    assert first.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert first.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan")
    assert (first.published, first.journal_ref, first.submitter) == (
        "2007-04-02",
        "Phys.Rev.D76:013009,2007",
        "Pavel Nadolsky",
    )
    assert entries[1].title == "Strings on the Boötes Brane"
    assert entries[2].categories == ("cs.AI", "cs.CL", "cs.LG")
    assert stats.skipped == 2 and [r for _, r in stats.reasons] == [
        "a record with no arXiv id",
        "a line that is not JSON",
    ]
    text = path.read_text(encoding="utf-8")
    assert parse_digest(text, TODAY).format == "arxiv-snapshot"
    assert len(parse_snapshot_text(text).entries) == 3


def test_snapshot_reader_memory_is_bounded_by_a_line() -> None:
    """A file object is read a line at a time: the reader never asks for more than a line."""

    class Source(io.BytesIO):
        largest = 0

        def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
            line = super().readline(size)
            Source.largest = max(Source.largest, len(line))
            return line

        def read(self, size: int | None = -1) -> bytes:  # pragma: no cover - must not be used
            raise AssertionError("read() would load the file")

    record = {"id": "2401.00001", "title": "A Title", "abstract": "x " * 200, "categories": "cs.LG"}
    data = b"".join(
        json.dumps({**record, "id": f"2401.{n:05d}"}).encode() + b"\n" for n in range(2000)
    )
    entries = sum(1 for _ in iter_snapshot_entries(Source(data)))
    assert entries == 2000
    assert Source.largest < 1000 < len(data)


def test_text_with_ids_and_a_duplicate_id() -> None:
    result = _parse("text_with_ids.txt")
    assert result.format == "text-with-ids"
    assert [(e.title, e.arxiv_id, e.arxiv_version, e.position) for e in result.entries] == [
        ("Sparse Retrieval Heads for Long-Context Question Answering", "2612.00112", 2, 1),
        ("Dialect-Robust Speech Translation with Phoneme Adapters", "2612.00187", 1, 2),
        (
            "Counting Is Not Reasoning: Probing Arithmetic Shortcuts in Chain-of-Thought",
            "2612.00203",
            None,
            3,
        ),
        ("Strings on the Boötes Brane", "hep-th/9901001", None, 4),
    ]
    reasons = [s.reason for s in result.skipped]
    assert "the same paper again (arXiv 2612.00112, first at line 3)" in reasons


def test_hugging_face_api_json() -> None:
    result = _parse("hf_daily_papers_api.json")
    assert result.format == "json-papers" and result.skipped == []
    got = [
        (e.arxiv_id, e.title[:22], e.authors, e.upvotes, e.comments, e.published)
        for e in result.entries
    ]
    assert got == [
        (
            "2612.01234",
            "Counting Is Not Reason",
            ("Lena Müller", "Rahul Iyer"),
            65,
            4,
            "2026-12-01",
        ),
        ("2612.00999", "Sparse Retrieval Heads", ("Kim Lee",), 3, 0, "2026-11-30"),
    ]
    assert result.entries[0].abstract.startswith("We probe numeracy") and "\n" not in (
        result.entries[0].abstract
    )


def test_other_json_paper_lists() -> None:
    scholar = {
        "data": [
            {
                "paperId": "abc",
                "title": "Tight Bounds for Online Matching",
                "abstract": "We give tight bounds.",
                "authors": [{"authorId": "1", "name": "P. Erdős"}],
                "externalIds": {"ArXiv": "2211.01003", "DOI": "10.1/x"},
                "publicationDate": "2022-11-02",
            },
            {"paperId": "def", "title": None},
        ]
    }
    result = parse_digest(json.dumps(scholar, indent=2), TODAY, "s2.json")
    assert result.format == "json-papers"
    (entry,) = result.entries
    assert (entry.arxiv_id, entry.authors, entry.published) == (
        "2211.01003",
        ("P. Erdős",),
        "2022-11-02",
    )
    assert [s.reason for s in result.skipped] == ["record 2: a record with no title"]
    csl = [
        {
            "type": "article",
            "title": "Warmup as a Trust Region",
            "author": [{"given": "Jane", "family": "Doe"}],
            "URL": "http://arxiv.org/abs/2306.07001v1",
            "issued": {"date-parts": [[2023, 6, 12]]},
        }
    ]
    (entry,) = parse_digest(json.dumps(csl), TODAY, "zotero.json").entries
    assert (entry.arxiv_id, entry.arxiv_version, entry.authors, entry.published) == (
        "2306.07001",
        1,
        ("Jane Doe",),
        "2023-06-12",
    )


@pytest.mark.parametrize(
    "text", ['{"a": 1}', "[1, 2, 3]", "[" * 100_000, '[{"title": "Weekly"}]', "{}"]
)
def test_json_that_lists_no_papers_gives_none(text: str) -> None:
    assert parse_digest(text, TODAY, "x.json").entries == []


@pytest.mark.parametrize(
    "title",
    [
        "{Braces} in a Title: Typesetting Papers",
        "{\u00b9",
        '{"Quoted"} Words Are Not JSON',
        "[{Bracketed}] Sets of Sets",
        "[1, 2, 3] Is a List of Three Numbers",
    ],
)
def test_text_that_starts_like_json_is_read_as_text(title: str) -> None:
    abstract = (
        "We study what a digest reader does with a title that starts with a bracket or a "
        "brace, and show that such titles are papers like any other, not data to decode."
    )
    text = f"{title}\n\n{abstract}\n\n  \u2022 3 authors\n\u00b7\nDec 1, 2026\n"
    (entry,) = parse_digest(text, TODAY).entries
    assert (entry.title, entry.abstract) == (title, abstract)


def test_json_lines_that_are_not_papers_keep_their_reasons() -> None:
    result = parse_digest('{"id": "2601.00001"}\n{"id": "2601.00002"}\n', TODAY)
    assert result.entries == [] and result.skipped
    assert all("not JSON" not in block.reason for block in result.skipped)


def test_a_reading_list_gives_a_paper_per_linked_line() -> None:
    result = _parse("reading_list.md")
    assert result.format == "link-list" and result.skipped == []
    got = [(e.arxiv_id, e.arxiv_version, e.title, e.abstract) for e in result.entries]
    assert got == [
        (
            "2611.20001",
            None,
            "Sparse Mixture Routing for Long-Context Language Models",
            "a load-balancing loss that recovers dense quality.",
        ),
        ("2611.20002", None, "On the Calibration of Retrieval-Augmented Generators", ""),
        ("2611.20003", 2, "Tight Bounds for Online Bipartite Matching", ""),
        ("2611.20004", None, "Token-Level Curricula for Instruction Tuning", ""),
        ("2611.20005", None, "Counting Is Not Reasoning", ""),
    ]


def test_a_reading_list_keeps_colons_in_titles_and_indented_summaries() -> None:
    text = (
        "Papers from today's chat:\n"
        "* Counting Is Not Reasoning: Probing Numeracy in VLMs https://huggingface.co/papers/2612.01234\n"
        "    They count well below ten and fail beyond.\n"
        "* https://arxiv.org/abs/2612.00001\n"
        "* [pdf](https://arxiv.org/pdf/2612.00002) Warmup as a Trust Region - a short read\n"
    )
    result = parse_digest(text, TODAY)
    assert result.format == "link-list"
    assert [(e.arxiv_id, e.title, e.abstract) for e in result.entries] == [
        (
            "2612.01234",
            "Counting Is Not Reasoning: Probing Numeracy in VLMs",
            "They count well below ten and fail beyond.",
        ),
        ("2612.00002", "Warmup as a Trust Region", "a short read"),
    ]
    assert [(s.line, s.reason) for s in result.skipped] == [(4, "a link with no title")]


READING_LIST_HTML = (
    "<meta charset=utf-8><h1>Weekly picks</h1><ul>"
    '<li><a href="https://arxiv.org/abs/2611.20001">Sparse Mixture Routing for Long-Context'
    " Language Models</a> — a load-balancing loss.</li>"
    '<li><a href="/papers/2611.20002">On the Calibration of Retrieval-Augmented Generators</a>'
    "</li><li><b>Tight Bounds for Online Matching</b> "
    '(<a href="https://arxiv.org/abs/2611.20003v2">arXiv:2611.20003</a>)</li></ul>'
)


def test_a_reading_list_pasted_as_html_gives_every_linked_paper() -> None:
    choice = choose_paste("Weekly picks", READING_LIST_HTML, TODAY)
    assert choice.result.format == "link-list"
    got = [(e.arxiv_id, e.arxiv_version, e.title, e.abstract) for e in choice.result.entries]
    assert got == [
        (
            "2611.20001",
            None,
            "Sparse Mixture Routing for Long-Context Language Models",
            "a load-balancing loss.",
        ),
        ("2611.20002", None, "On the Calibration of Retrieval-Augmented Generators", ""),
        ("2611.20003", 2, "Tight Bounds for Online Matching", ""),
    ]
    # What is stored parses the same way again.
    assert parse_digest(choice.text, TODAY).entries == choice.result.entries


def test_an_abstract_citing_another_id_keeps_the_title_abstract_reading() -> None:
    abstract = "We extend the method of arXiv:2301.00001 to long contexts. " * 4
    text = "".join(
        f"A Paper About Topic {n} arXiv:2612.0000{n}\n\n{abstract.strip()}\n\n" for n in (1, 2)
    )
    result = parse_digest(text, TODAY)
    assert result.format == "text-with-ids"
    assert [e.arxiv_id for e in result.entries] == ["2612.00001", "2612.00002"]
    assert all(e.abstract.startswith("We extend") for e in result.entries)


@pytest.mark.parametrize(
    "name", ["prose_email.txt", "prose_meeting_notes.txt", "prose_list_of_links.txt"]
)
def test_prose_holds_no_paper(name: str) -> None:
    result = _parse(name)
    assert result.entries == [] and result.format == "empty"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Title arXiv:2401.01234v2", ("Title", ("2401.01234", 2))),
        ("Title (https://arxiv.org/pdf/2401.01234v3.pdf)", ("Title", ("2401.01234", 3))),
        ("huggingface.co/papers/2412.12345 | Title", ("Title", ("2412.12345", None))),
        ("Old One - arxiv.org/abs/hep-th/9901001", ("Old One", ("hep-th/9901001", None))),
        ("See arXiv:math.GT/0309136v1 here", ("See here", ("math.GT/0309136", 1))),
        ("No id 2401.01234 in here", ("No id 2401.01234 in here", None)),
    ],
)
def test_inline_ids(text: str, found: tuple[str, tuple[str, int | None] | None]) -> None:
    assert cut_ids(text) == found


def test_split_id() -> None:
    assert split_id("2606.01234v12") == ("2606.01234", 12)
    assert split_id("hep-th/9901001") == ("hep-th/9901001", None)
    assert split_id("1234") is None


def test_tex_accents_become_unicode_and_the_rest_stays() -> None:
    assert tex_to_unicode(r"Bo\"otes and Sa\v{s}a") == "Boötes and Saša"
    assert tex_to_unicode(r"Erd\H{o}s, {\"u}ber, \c{c}a, M\o ller") == "Erdős, über, ça, Møller"
    kept = r"$\alpha$-Net: 50% of $x^2$ & \textbf{bold}"
    assert tex_to_unicode(kept) == kept


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("65", None),  # a count line: metadata, never a title
        ("-", None),
        ("Weekly", None),
        ("------------", "a title with no words (a number or a dash)"),
    ],
)
def test_numbers_dashes_and_header_words_are_never_titles(title: str, reason: str | None) -> None:
    text = f"{title}\n\n{'An abstract sentence that goes on and on. ' * 6}\n"
    result = parse_digest(text, TODAY)
    assert all(e.title != title for e in result.entries)
    if reason is not None:
        assert reason in [s.reason for s in result.skipped]


@pytest.mark.parametrize(
    ("sentences", "reason"),
    [
        # A shorter line after it: the long line was a paragraph, the short one a title.
        (12, "a paragraph with no title (449 characters, too long for a title)"),
        # A longer paragraph after it: a title too long to believe.
        (25, "title too long (449 characters)"),
    ],
)
def test_a_title_over_400_characters_says_what_happened(sentences: int, reason: str) -> None:
    long_title = ("Word " * 90).strip()  # 449 characters
    text = (
        f"{long_title}\n\n{'An abstract sentence. ' * sentences}\n\n  • 2 authors\n·\nJan 8, 2026\n"
    )
    result = parse_digest(text, TODAY)
    assert result.skipped[0].reason == reason
    assert all(e.title != long_title for e in result.entries)


def test_entry_from_values_is_the_dataclass() -> None:
    values = ("T", "A", 3, 1, 2, None, "2024-01-01", "Jan 1, 2024", False, 4, None, "2401.1", 2)
    fast, slow = entry_from_values(values), Entry(*values)
    assert fast == slow and hash(fast) == hash(slow)
    assert dataclasses.astuple(fast) == dataclasses.astuple(slow)


def test_every_result_names_a_known_format() -> None:
    for path in sorted(FIXTURES.iterdir()):
        result = parse_digest(path.read_text(encoding="utf-8"), TODAY, path.name)
        assert result.format in FORMATS


# -- properties --------------------------------------------------------------------------------

_PROSE = (
    "the reading group moves to thursday bring snacks we will meet in room two please "
    "read section three before then thanks everyone see you soon agenda notes paper"
)
WORDS = st.sampled_from(_PROSE.split(" "))
SENTENCE = st.builds(
    lambda words, end: " ".join(words).capitalize() + end,
    st.lists(WORDS, min_size=1, max_size=12),
    st.sampled_from([".", "!", "?", ","]),
)
SHORT_PARAGRAPH = (
    st.lists(SENTENCE, min_size=1, max_size=2).map(" ".join).filter(lambda p: len(p) < 150)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(SHORT_PARAGRAPH, min_size=1, max_size=12), st.sampled_from(["\n", "\n\n"]))
def test_prose_of_short_paragraphs_is_never_a_paper(paragraphs: list[str], sep: str) -> None:
    assert parse_digest(sep.join(paragraphs), TODAY).entries == []


READERS = [
    lambda t: parse_digest(t, TODAY),
    lambda t: parse_hf_text(t, TODAY),
    parse_arxiv_listing,
    parse_arxiv_email,
    parse_arxiv_atom,
    parse_rss,
    parse_json_papers,
    lambda t: parse_html(t, TODAY),
    parse_snapshot_text,
    lambda t: choose_paste(t, t, TODAY).result,
]
PIECES = st.sampled_from(
    [
        "\\\\",
        "arXiv:2401.01234",
        "[1] arXiv:2401.01234 [pdf, other]",
        "(cross-list from cs.LG)",
        "Title: A Title",
        "Authors: A, B and C",
        "Subjects: Machine Learning (cs.LG)",
        "Date: Fri, 29 Nov 2024 10:00:00 GMT (12kb)",
        "replaced with revised version Fri, 29 Nov 2024 (1kb,v2)",
        "\\\\ ( https://arxiv.org/abs/2401.01234 ,  12kb)",
        "-" * 30,
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>T</title>',
        "</entry></feed>",
        '<a href="/papers/2401.01234">A Linked Title</a>',
        "<p>",
        '{"id": "2401.01234", "title": "T", "abstract": "A"}',
        "{",
        "65",
        "-",
        "Weekly",
        "Submitted by",
        "  • 3 authors",
        "·",
        "Nov 8, 2026 4",
        'Bo\\"otes \\v{s}',
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=30),
    st.sampled_from(["\n", "\n\n", "\r\n", " "]),
)
def test_no_reader_crashes(parts: list[str], sep: str) -> None:
    text = sep.join(parts)
    for read in READERS:
        result = read(text)
        assert result.format in FORMATS
        for entry in result.entries:
            assert entry.title.strip()


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_no_reader_crashes_on_any_text(text: str) -> None:
    for read in READERS:
        assert read(text).format in FORMATS

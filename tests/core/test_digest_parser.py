"""The parser reads all three seed layouts exactly, and survives any input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.importing.digest_parser import Entry, parse_date, parse_digest, title_key

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TODAY = dt.date(2026, 11, 22)


def _parse(name: str):  # type: ignore[no-untyped-def]
    (path,) = SEEDS.glob(f"{name}_*.txt")
    return parse_digest(path.read_text(encoding="utf-8"), TODAY)


@pytest.mark.parametrize(
    ("name", "count", "layout"),
    [("000", 22, "page"), ("001", 119, "compact"), ("002", 57, "page"), ("003", 116, "paragraphs")],
)
def test_seed_entry_counts(name: str, count: int, layout: str) -> None:
    result = _parse(name)
    assert len(result.entries) == count
    assert result.layout == layout
    assert result.skipped == []
    assert [e.position for e in result.entries] == list(range(1, count + 1))
    for entry in result.entries:
        assert entry.title and entry.abstract
        assert len(entry.title) < 200 < len(entry.abstract)


def test_seeds_hold_286_distinct_papers() -> None:
    keys = {title_key(e.title) for n in ("000", "001", "002", "003") for e in _parse(n).entries}
    assert len(keys) == 286


def test_page_layout_fields_of_first_entry() -> None:
    first = _parse("000").entries[0]
    assert first.title == (
        "DiskGNN: Bridging I/O Efficiency and Model Accuracy for Out-of-Core GNN Training"
    )
    assert first.abstract.startswith("Graph neural networks (GNNs) are machine learning models")
    assert first.authors_count == 8
    assert first.published == "2024-05-08"
    assert first.published_raw == "May 8, 2024"
    assert first.published_year_inferred is False
    assert first.upvotes is None
    assert first.digest_date == "2026-01-08"
    assert first.line == 13


def test_date_with_upvotes_and_year_inferred_from_digest_date() -> None:
    entries = _parse("002").entries
    last = entries[-1]
    assert last.title.startswith("T3: Transparent Tracking & Triggering")
    assert (last.published, last.upvotes, last.published_year_inferred) == ("2024-01-29", 1, False)
    laps = next(e for e in entries if e.title.startswith("LAPS:"))
    assert laps.published_raw == "Jan 4"
    assert laps.published_year_inferred is True
    # The digest is dated Mar 3 (of 2026, the latest Mar 3 up to TODAY); Jan 4 is before it.
    assert laps.published == "2026-01-04"
    deepseek = next(e for e in entries if e.title.startswith("Insights into DeepSeek-V3"))
    assert deepseek.submitter == "deepseek-ai DeepSeek"
    assert deepseek.authors_count is None
    assert (deepseek.published, deepseek.upvotes) == ("2025-05-14", 5)


def test_compact_layout_unglues_first_title() -> None:
    entries = _parse("001").entries
    assert entries[0].title.startswith("In vivo 3D ultrasound computed tomography")
    assert entries[0].line == 3
    assert entries[-1].title.startswith("Performance-Aligned LLMs for Generating Fast Code")
    assert all(e.published is None and e.authors_count is None for e in entries)


def test_paragraph_layout() -> None:
    entries = _parse("003").entries
    assert (
        entries[0].title
        == "Light4GS: Lightweight Compact 4D Gaussian Splatting Generation via Context Model"
    )
    assert entries[0].digest_date == "2026-08-08"
    assert entries[-1].title.startswith("ByteScale: Efficient Scaling of LLM Training")


def test_crlf_bom_trailing_whitespace_and_stray_blank_lines() -> None:
    text = (SEEDS / next(p.name for p in SEEDS.glob("000_*"))).read_text(encoding="utf-8")
    messy = "\ufeff" + "\r\n".join(line + "  \t" for line in text.split("\n")).replace(
        "\r\n\r\n", "\r\n\r\n\r\n\r\n"
    )
    clean = parse_digest(text, TODAY).entries
    assert [(e.title, e.abstract, e.published) for e in parse_digest(messy, TODAY).entries] == [
        (e.title, e.abstract, e.published) for e in clean
    ]


def test_several_pages_pasted_into_one_file() -> None:
    a = next(SEEDS.glob("000_*")).read_text(encoding="utf-8")
    b = next(SEEDS.glob("002_*")).read_text(encoding="utf-8")
    result = parse_digest(a + "\n" + b, TODAY)
    assert len(result.entries) == 22 + 57
    assert result.digest_dates == ["2026-01-08", "2026-03-03"]
    assert result.entries[22].digest_date == "2026-03-03"
    assert result.entries[0].digest_date == "2026-01-08"


def test_skipped_blocks_report_reason_and_line() -> None:
    text = "Daily Papers\n\nJan 8\n\n· \n\nA title alone at the end\n"
    result = parse_digest(text, TODAY)
    assert result.entries == []
    reasons = {(s.line, s.reason) for s in result.skipped}
    assert (5, "metadata with no paper before it") in reasons
    assert (7, "a title with no abstract") in reasons


def test_impossible_date_is_reported() -> None:
    text = "A title\n\nAn abstract long enough.\n\n  • 3 authors\n·\nFeb 30, 2024\n"
    result = parse_digest(text, TODAY)
    assert len(result.entries) == 1
    assert result.entries[0].published is None
    assert result.skipped[0].reason == "a date that does not exist"


def test_parse_date() -> None:
    assert parse_date("Jan 29, 2024 1", TODAY) == ("2024-01-29", False, 1)
    assert parse_date("Dec 25", dt.date(2026, 1, 8)) == ("2025-12-25", True, None)
    assert parse_date("Feb 29", dt.date(2026, 3, 1)) == ("2024-02-29", True, None)
    assert parse_date("Foo 1", TODAY) is None


def test_title_key_folds_case_space_and_punctuation() -> None:
    assert title_key("DiskGNN:  Bridging I/O ") == title_key("diskgnn bridging i o")
    assert title_key("A  title ") == title_key("A title")
    assert title_key("GPT-4") != title_key("GPT-5")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_crashes_on_any_text(text: str) -> None:
    result = parse_digest(text, TODAY)
    for entry in result.entries:
        assert isinstance(entry, Entry)
        assert entry.title.strip() and entry.abstract.strip()


FIELD_LINES = st.sampled_from(
    [
        "Daily Papers",
        "Jan 8",
        "·",
        "  • 3 authors",
        "Subscribe",
        "May 8, 2024 4",
        "",
        "new",
        "x" * 500,
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(FIELD_LINES, st.text(min_size=1, max_size=80)), max_size=40))
def test_never_crashes_on_digest_like_lines(lines: list[str]) -> None:
    result = parse_digest("\n".join(lines), TODAY)
    for skipped in result.skipped:
        assert 1 <= skipped.line <= max(1, len("\n".join(lines).splitlines()) + 1)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(st.characters(min_codepoint=65, max_codepoint=122), min_size=3, max_size=60),
            st.text(st.characters(min_codepoint=65, max_codepoint=122), min_size=250, max_size=400),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_generated_compact_digests_round_trip(pairs: list[tuple[str, str]]) -> None:
    text = "\n".join(f"Paper {t}\n{a}" for t, a in pairs)
    entries = parse_digest(text, TODAY).entries
    assert [(e.title, e.abstract) for e in entries] == [(f"Paper {t}", a) for t, a in pairs]

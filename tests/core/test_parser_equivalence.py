"""The fast parser gives exactly what the parser before the import speed-up gave.

``reference_digest_parser.py`` is that parser, kept verbatim. Every field it knows of every
entry, every skipped block, the layout and the digest dates must be the same for the seeds and
for generated digests of its three layouts. Random text built from the pieces digests are made
of (with every kind of whitespace, control characters, CRLF, BOMs and glued headers) may now
hold lines the newer layouts give a meaning to (a count before a title, ``Weekly``, a
``Submitted by`` line, an arXiv id), and pairs with nothing to vouch for them must look like
papers: so where no line has a newer meaning the fast parser finds exactly the reference's
papers that are vouched for (metadata, or an abstract that looks like one), the same in every
field the reference knows but the position.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.importing import digest_parser
from desktop.core.importing.arxiv_ids import has_inline_marker
from desktop.core.importing.digest_parser import fold_space, parse_digest, title_key, title_keys
from desktop.core.importing.plausibility import HEADER_WORDS, title_problem, unvouched_problem
from desktop.core.importing.result import LEGACY_FIELDS
from tests.core import reference_digest_parser as reference
from tests.perf.gen_digests import build_corpus, render

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TODAY = dt.date(2026, 11, 22)


def _shape(result: Any) -> tuple[Any, ...]:
    return (
        [dataclasses.astuple(e)[:LEGACY_FIELDS] for e in result.entries],
        [dataclasses.astuple(s) for s in result.skipped],
        result.layout,
        result.digest_dates,
    )


def _same(text: str, today: dt.date | None = TODAY) -> None:
    assert _shape(parse_digest(text, today)) == _shape(reference.parse_digest(text, today))


def test_whitespace_lists_are_exact() -> None:
    others = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c not in " \n"]
    assert "".join(others) == digest_parser.OTHER_SPACE
    assert "".join(c for c in others if c.isascii()) == digest_parser.ASCII_OTHER_SPACE


def test_ascii_title_key_is_the_unicode_one() -> None:
    every_ascii = "".join(map(chr, range(128)))
    for text in (every_ascii, every_ascii[::-1], " A_b-C  d\te\x1cF__9 ", "ÀB"[1:], ""):
        assert title_key(text) == reference.title_key(text)


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_seeds(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    _same(text)
    _same(text.replace("\n", "\r\n"))
    for entry in parse_digest(text, TODAY).entries:
        assert title_key(entry.title) == reference.title_key(entry.title)


def test_generated_digests_of_every_layout() -> None:
    corpus = build_corpus(600, seed=3)
    assert {f.layout for f in corpus.files} == {"page", "compact", "paragraphs"}
    for file in corpus.files:
        text = render(corpus, file)
        _same(text)
        _same(text, None if file.layout != "page" else dt.date(2023, 1, 1))
        for entry in parse_digest(text, TODAY).entries:
            assert title_key(entry.title) == reference.title_key(entry.title)


PIECES = st.sampled_from(
    [
        "Daily Papers",
        "byAK and the research community",
        "new",
        "Subscribe",
        "SubscribeGlued Title Of A Paper",
        "Subscribe9 Lives",
        "Subscribesmall",
        "Jan 8",
        "Jan 8, 2024",
        "Feb 29",
        "Feb 30, 2023",
        "Sept. 3 12",
        "·",
        " · ",
        "  • 3 authors",
        "• 1 author",
        "12 AUTHORS",
        "A Title: With Punctuation (and GPT-4)",
        "An abstract sentence that goes on. " * 3,
        "x" * 401,
        "y " * 250,
        "Ünïcödé Tïtle — ﬁnal",
        "",
        " ",
        "\t",
        "\ufeff",
        "a\u00a0b",
        "c\u2003\u2003d",
        "e\x1cf",
        "g\x85h",
        "i\u2028j",
        "  padded  line  ",
        "\x00\x07ctl",
    ]
)
SEPARATORS = st.sampled_from(["\n", "\n\n", "\r\n", "\r", "\n \n", "  \n"])


def _fields(entry: Any) -> tuple[Any, ...]:
    values = dataclasses.astuple(entry)[:LEGACY_FIELDS]
    return values[:3] + values[4:]  # all but the position


def _newer_meaning(text: str) -> bool:
    """Whether a line of ``text`` means something only the newer layouts know."""
    # The oracle reads the parser's own line classes (a test may look inside what it tests).
    numbers, lines, _ = digest_parser._lines(digest_parser.normalise_text(text))  # noqa: SLF001
    return has_inline_marker(text) or any(
        digest_parser._classify(line) in ("count", "meta")  # noqa: SLF001
        or line.casefold() in HEADER_WORDS - reference.HEADER_LINES
        or title_problem(line) is not None
        for line in lines
    )


def _subset(text: str, today: dt.date | None = TODAY) -> None:
    new = parse_digest(text, today)
    old = reference.parse_digest(text, today)
    old_fields = [_fields(e) for e in old.entries]
    new_fields = [_fields(e) for e in new.entries]
    if not _newer_meaning(text):
        vouched = [
            f
            for e, f in zip(old.entries, old_fields, strict=True)
            if e.published
            or e.authors_count
            or e.submitter
            or unvouched_problem(e.title, e.abstract) is None
        ]
        assert new_fields == vouched
        assert new.digest_dates == old.digest_dates


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(st.one_of(PIECES, st.text(max_size=30)), SEPARATORS), max_size=40))
def test_random_digest_like_text(parts: list[tuple[str, str]]) -> None:
    _subset("".join(piece + sep for piece, sep in parts))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_random_text(text: str) -> None:
    _subset(text)
    assert title_key(text) == reference.title_key(text)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(max_codepoint=127)))
def test_random_ascii_title_keys(text: str) -> None:
    assert title_key(text) == reference.title_key(text)


def test_abstracts_are_already_folded() -> None:
    """The importer stores ``entry.abstract`` as it is: the parser folds every line."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts.append("T\n\na\u00a0 b\t\tc \x1c d\n\n• 2 authors\n·\nJan 8\n\nU\n\n  e  \u3000 f ")
    for text in texts:
        for entry in parse_digest(text, TODAY).entries:
            assert fold_space(entry.abstract) == entry.abstract
            assert fold_space(entry.title) == entry.title


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(PIECES, st.text(max_size=30)), SEPARATORS), max_size=40))
def test_parsed_text_is_always_folded(parts: list[tuple[str, str]]) -> None:
    for entry in parse_digest("".join(p + s for p, s in parts), TODAY).entries:
        assert fold_space(entry.abstract) == entry.abstract


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.text(st.characters(max_codepoint=127)), st.text(), st.sampled_from(["", "\n"]))
    )
)
def test_title_keys_is_title_key_of_each(titles: list[str]) -> None:
    assert title_keys(titles) == [reference.title_key(t) for t in titles]
    ascii_only = [t for t in titles if t.isascii() and "\n" not in t]
    assert title_keys(ascii_only) == [reference.title_key(t) for t in ascii_only]

"""File names from titles: valid on Windows, macOS and Linux, unique, and inside their folder."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from desktop.core.export.safe_filename import (
    MAX_NAME_BYTES,
    MAX_NAME_CHARS,
    UnsafePathError,
    inside,
    name_key,
    safe_stem,
    unique_names,
)

RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"} | {
    f"{d}{n}" for d in ("COM", "LPT") for n in [*"0123456789", "¹", "²", "³"]
}

title_pieces = st.sampled_from(
    [
        "..",
        "../../etc/passwd",
        "/",
        "\\",
        ":",
        "*",
        "?",
        '"',
        "<",
        ">",
        "|",
        "#",
        "^",
        "[",
        "]",
        " ",
        ".",
        "\n",
        "\t",
        "\x00",
        "\x1f",
        "\u202e",
        "\u200b",
        "\ud800",
        "CON",
        "nul",
        "Com1",
        "LPT9",
        "aux.",
        "é",
        "e\u0301",
        "漢字",
        "🙂",
        "A" * 130,
        "word ",
    ]
)
titles = st.one_of(st.text(max_size=300), st.lists(title_pieces, max_size=12).map("".join))


def assert_portable(name: str) -> None:
    """Everything Windows, macOS and Linux require of one file name."""
    assert name and name not in (".", "..")
    assert len(name) <= MAX_NAME_CHARS
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert not re.search(r'[<>:"/\\|?*\x00-\x1f\x7f]', name), name
    assert not name.endswith((".", " ")) and not name.startswith((".", " ", "-"))
    stem = name.split(".")[0].rstrip(" ").upper()
    assert stem not in RESERVED, name
    assert all(unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn") for c in name)
    assert name == unicodedata.normalize("NFC", name)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(titles)
@example("../../etc/passwd")
@example("CON")
@example("nul.tar.gz")
@example("COM1 .txt")
@example("...")
@example("A" * 300)
@example("é" * 300)
@example("🙂" * 300)
def test_every_title_gives_a_portable_name_inside_the_folder(title: str) -> None:
    name = unique_names([(1, title)])[1]
    assert name.endswith(".md")
    assert_portable(name)
    folder = Path("/tmp/export-target")
    assert inside(folder, name).parent == folder


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(titles, min_size=1, max_size=12))
def test_names_are_unique_ignoring_case_and_stable(title_list: list[str]) -> None:
    items = [(i * 7 + 3, t) for i, t in enumerate(title_list)]
    names = unique_names(items)
    assert set(names) == {pid for pid, _ in items}
    keys = [name_key(n) for n in names.values()]
    assert len(set(keys)) == len(keys)
    for name in names.values():
        assert_portable(name)
    # the same titles give the same names, whatever order they come in
    assert unique_names(list(reversed(items))) == names


def test_examples() -> None:
    names = unique_names(
        [
            (1, "DiskGNN: Bridging I/O Efficiency and Model Accuracy"),
            (2, "CON"),
            (3, "../../etc/passwd"),
            (4, "Attention Is All You Need"),
            (5, "attention is all you need?"),
            (6, "   "),
            (7, "What is <b>bold</b> | #1 [draft]"),
        ]
    )
    assert names == {
        1: "DiskGNN - Bridging I-O Efficiency and Model Accuracy.md",
        2: "CON_.md",
        3: "etc-passwd.md",
        4: "Attention Is All You Need.md",
        5: "attention is all you need (paper 5).md",
        6: "untitled.md",
        7: "What is bbold-b - 1 (draft).md",
    }


def test_a_collision_keeps_the_older_papers_name() -> None:
    before = unique_names([(10, "Same Title")])
    after = unique_names([(10, "Same Title"), (42, "same title")])
    assert before[10] == after[10] == "Same Title.md"
    assert after[42] == "same title (paper 42).md"


def test_a_title_that_looks_like_a_collision_name_still_gets_its_own() -> None:
    names = unique_names([(5, "x"), (6, "X"), (7, "X (paper 6)"), (8, "paper 9"), (9, "x")])
    assert len({name_key(n) for n in names.values()}) == 5
    assert names[5] == "x.md"


def test_long_titles_are_cut_at_a_word_break() -> None:
    title = "Scaling " + "very " * 40 + "large language models"
    stem = safe_stem(title)
    assert len(stem) <= MAX_NAME_CHARS - 3 and not stem.endswith(" ")
    assert title.startswith(stem) and title[len(stem)] == " "


@pytest.mark.parametrize(
    "bad", ["", ".", "..", "../x.md", "a/b.md", "a\\b.md", "/etc/passwd", "x\x00.md"]
)
def test_inside_refuses_names_that_leave_the_folder(bad: str, tmp_path: Path) -> None:
    with pytest.raises(UnsafePathError):
        inside(tmp_path, bad)


def test_inside_accepts_a_plain_name(tmp_path: Path) -> None:
    assert inside(tmp_path, "a b.md") == tmp_path / "a b.md"

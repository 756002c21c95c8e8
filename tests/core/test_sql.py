"""desktop.core.sql: chunks for IN (?, …) lists and their placeholders."""

from __future__ import annotations

import pytest

from desktop.core.sql import chunks, marks


def test_chunks_cover_the_items_in_order() -> None:
    items = list(range(1234))
    parts = list(chunks(items, 500))
    assert [len(p) for p in parts] == [500, 500, 234]
    assert [x for p in parts for x in p] == items
    assert list(chunks([], 500)) == []
    assert [list(p) for p in chunks((1, 2, 3))] == [[1, 2, 3]]


def test_marks_are_placeholders() -> None:
    assert marks(3) == "?,?,?"
    assert marks(1) == "?"
    assert marks(0) == ""


@pytest.mark.parametrize("size", [0, -1])
def test_a_chunk_size_must_be_positive(size: int) -> None:
    with pytest.raises(ValueError):
        list(chunks([1], size))


def test_a_count_of_placeholders_cannot_be_negative() -> None:
    with pytest.raises(ValueError):
        marks(-1)

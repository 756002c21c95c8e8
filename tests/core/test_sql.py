"""desktop.core.sql: chunks for IN (?, …) lists and their placeholders."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


@given(
    st.lists(st.integers(min_value=-(2**40), max_value=2**40), max_size=80),
    st.integers(min_value=1, max_value=30),
)
def test_int_array_parses_in_pieces_as_in_one(values: list[int], piece: int) -> None:
    import numpy as np

    from desktop.core import sql

    text = ",".join(map(str, values)) or None
    old = sql.INT_TEXT_PIECE
    sql.INT_TEXT_PIECE = piece
    try:
        got = sql.int_array(text)
    finally:
        sql.INT_TEXT_PIECE = old
    assert got.dtype == np.int64 and got.tolist() == values

"""The paper list's ids (IdList) behave as the list of ints they replace."""

from __future__ import annotations

import gc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.gui.models.id_list import IdList

_ids = st.lists(st.integers(min_value=0, max_value=50), max_size=30)


@given(_ids, _ids, st.integers(0, 40), st.integers(0, 40), st.integers(0, 60))
def test_an_id_list_changes_as_a_list_does(
    start: list[int], more: list[int], a: int, b: int, value: int
) -> None:
    plain, ids = list(start), IdList(start)
    assert ids == plain and plain == ids and (ids != plain) is False and len(ids) == len(plain)
    plain.extend(more)
    ids.extend(more)
    assert ids == plain and ids == tuple(plain) and ids == IdList(plain)
    lo, hi = sorted((a, b))
    plain[lo:lo] = more[:3]
    ids[lo:lo] = more[:3]
    assert ids == plain
    del plain[lo:hi]
    del ids[lo:hi]
    assert ids == plain and list(ids) == plain and ids[lo:hi] == plain[lo:hi]
    assert (value in ids) == (value in plain)
    if value in plain:
        assert ids.index(value) == plain.index(value)
        assert ids.index(value, lo) == plain.index(value, lo) if value in plain[lo:] else True
    else:
        with pytest.raises(ValueError):
            ids.index(value)
    copied = ids.copy()
    copied.append(99)
    assert ids == plain and copied != plain
    assert [ids[i] for i in range(len(ids))] == plain
    ids.extend(IdList([7]))  # the buffer numpy read in index() is let go
    assert ids[-1] == 7


def test_an_id_list_is_not_a_list_of_ints_to_the_collector() -> None:
    ids = IdList(range(100_000))
    assert not any(isinstance(r, int) for r in gc.get_referents(ids))
    assert ids.itemsize * len(ids) == 800_000
    assert repr(IdList([1, 2])) == "IdList([1, 2])" and repr(ids) == "IdList(100000 ids)"
    assert ids != "not ids" and IdList() == [] and IdList() != [0]


@given(st.lists(st.integers(min_value=0, max_value=80), max_size=40), st.integers(-3, 90))
def test_the_row_map_finds_each_ids_first_row(ids: list[int], probe: int) -> None:
    listed = IdList(ids)
    rows = listed.row_map()
    assert rows is not None
    expected = ids.index(probe) if probe in ids else -1
    found = int(rows[probe]) if 0 <= probe < len(rows) else -1
    assert found == expected
    listed.extend([1, 2])  # the buffer the map was read from is let go


def test_sparse_or_negative_ids_get_no_row_map() -> None:
    assert IdList([1, 10**9]).row_map() is None
    assert IdList([-1, 2]).row_map() is None
    assert IdList().row_map() is not None and len(IdList().row_map()) == 0  # type: ignore[arg-type]

"""IdSet: a sorted id array that behaves as a set, and changes in place of a re-sort."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.id_set import IdSet, sorted_unique

ids = st.lists(st.integers(min_value=0, max_value=60), max_size=40)


@given(ids, ids, ids)
def test_with_changes_is_the_set_difference_then_union(
    start: list[int], gone: list[int], added: list[int]
) -> None:
    changed = IdSet(start).with_changes(gone, added)
    expected = (set(start) - set(gone)) | set(added)
    assert list(changed) == sorted(expected)
    assert len(changed) == len(expected)
    assert all(i in changed for i in expected)
    assert changed == IdSet(sorted(expected))


def test_an_id_both_gone_and_added_stays() -> None:
    assert list(IdSet([1, 2, 3]).with_changes([2, 9], [2, 4])) == [1, 2, 3, 4]


def test_membership_and_equality() -> None:
    ids_ = IdSet([5, 1, 5, 3])
    assert list(ids_) == [1, 3, 5] and 3 in ids_ and 4 not in ids_ and "3" not in ids_
    assert ids_ == {1, 3, 5} and ids_ != {1, 3}
    assert hash(ids_) == hash(IdSet([1, 3, 5]))


@given(st.lists(st.integers(min_value=-(2**40), max_value=2**40), max_size=60))
def test_sorted_unique_is_numpys_unique(values: list[int]) -> None:
    array = np.array(values, dtype=np.int64)
    got = sorted_unique(array)
    assert got.dtype == np.int64
    assert got.tolist() == np.unique(array).tolist()
    assert array.tolist() == values  # the input is left alone


wide = st.lists(st.integers(min_value=-(2**40), max_value=2**40), max_size=30)
near_edge = st.lists(st.integers(min_value=2**31 - 20, max_value=2**31 + 20), max_size=20)


@given(st.one_of(ids, wide, near_edge), st.one_of(ids, wide, near_edge), st.one_of(ids, near_edge))
def test_ids_are_kept_as_int32_while_they_fit_and_equal_sets_hash_alike(
    start: list[int], gone: list[int], added: list[int]
) -> None:
    made = IdSet(start)
    fits = all(-(2**31) <= i < 2**31 for i in start)
    assert made.array.dtype == (np.int32 if fits else np.int64)
    assert list(made) == sorted(set(start))
    changed = made.with_changes(gone, added)
    expected = sorted((set(start) - set(gone)) | set(added))
    assert list(changed) == expected
    again = IdSet(np.array(expected, dtype=np.int64))
    assert changed == again and hash(changed) == hash(again)
    assert changed.array.dtype == again.array.dtype
    assert all(i in changed for i in expected) and 2**41 not in changed


@given(
    st.lists(st.integers(min_value=-3, max_value=5000), min_size=1, max_size=300),
    st.sampled_from([np.int64, np.int32]),
)
def test_sorted_unique_by_flags_is_numpys_unique(values: list[int], dtype: type) -> None:
    from desktop.core import id_set

    array = np.array(values * 20, dtype=dtype)  # past FLAGS_MIN when long enough
    old = id_set.FLAGS_MIN
    id_set.FLAGS_MIN = 2
    try:
        got = sorted_unique(array)
    finally:
        id_set.FLAGS_MIN = old
    assert got.dtype == dtype
    assert got.tolist() == np.unique(array).tolist()

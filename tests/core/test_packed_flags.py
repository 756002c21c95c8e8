"""Packed flags (saved views' members) behave as the bool arrays they replace."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.packed_flags import PackedFlags

_bools = st.lists(st.booleans(), max_size=200)
_writes = st.lists(st.tuples(st.integers(0, 260), st.booleans()), max_size=40)


@given(_bools, _writes, st.integers(0, 300))
def test_packed_flags_equal_a_bool_array_through_writes_and_growth(
    flags: list[bool], writes: list[tuple[int, bool]], grow_to: int
) -> None:
    plain = np.array(flags, dtype=bool)
    packed = PackedFlags.of_bools(plain)
    assert len(packed) == len(plain) and packed.count() == int(np.count_nonzero(plain))
    assert np.array_equal(packed.to_bools(), plain)
    if grow_to > len(plain):
        plain = np.concatenate([plain, np.zeros(grow_to - len(plain), dtype=bool)])
        packed = packed.grow(grow_to)
    for at, value in writes:
        if at < len(plain):
            plain[at] = value
            packed[at] = value
        else:
            with pytest.raises(IndexError):
                packed[at] = value
    assert np.array_equal(packed.to_bools(), plain)
    assert [packed[i] for i in range(len(plain))] == plain.tolist()
    assert packed.count() == int(np.count_nonzero(plain))
    assert packed == PackedFlags.of_bools(plain)
    assert PackedFlags(packed.bits.copy(), len(plain)).count() == packed.count()


def test_packed_flags_take_an_eighth_of_the_bytes() -> None:
    plain = np.zeros(1_000_001, dtype=bool)
    plain[::3] = True
    packed = PackedFlags.of_bools(plain)
    assert packed.bits.nbytes == 125_001
    assert packed.count() == 333_334 and packed[999_999] and not packed[1_000_000]
    assert PackedFlags.zeros(9).count() == 0 and len(PackedFlags.zeros(9).bits) == 2
    with pytest.raises(ValueError, match="cannot hold"):
        PackedFlags(np.zeros(1, dtype=np.uint8), 9)

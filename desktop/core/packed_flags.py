"""One flag per paper id, eight to a byte.

A saved view keeps which papers it holds and which of them are unread as a flag per paper
id (a write then re-checks only the papers it names). As numpy bool arrays that is a byte a
paper: 2 MB a view at a million papers, 40 MB for twenty views, in the window for as long as
it is open. Packed (``np.packbits``, least significant bit first) it is an eighth of that,
and the count of set flags is kept as they change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


class PackedFlags:
    """``size`` flags (ids ``0 .. size - 1``): ``flags[i]``, ``flags[i] = bool``, ``len``,
    :meth:`count` of those set, :meth:`grow` for new ids, :meth:`to_bools` to unpack."""

    __slots__ = ("bits", "size", "_count")

    def __init__(self, bits: np.ndarray, size: int, count: int | None = None) -> None:
        import numpy as np

        if bits.dtype != np.uint8 or len(bits) != (size + 7) // 8:
            raise ValueError(f"{len(bits)} bytes of {bits.dtype} cannot hold {size} flags")
        self.bits = bits
        self.size = size
        self._count = int(np.bitwise_count(bits).sum(dtype=np.int64)) if count is None else count

    @classmethod
    def of_bools(cls, flags: np.ndarray) -> PackedFlags:
        """The flags of a bool array (``flags[i]`` for id ``i``)."""
        import numpy as np

        packed = np.packbits(flags.astype(bool, copy=False), bitorder="little")
        return cls(packed, len(flags), int(np.count_nonzero(flags)))

    @classmethod
    def zeros(cls, size: int) -> PackedFlags:
        """``size`` flags, none set."""
        import numpy as np

        return cls(np.zeros((size + 7) // 8, dtype=np.uint8), size, 0)

    def __len__(self) -> int:
        return self.size

    def count(self) -> int:
        """How many flags are set."""
        return self._count

    def __getitem__(self, at: int) -> bool:
        if not 0 <= at < self.size:
            raise IndexError(f"flag {at} of {self.size}")
        return bool((int(self.bits[at >> 3]) >> (at & 7)) & 1)

    def __setitem__(self, at: int, value: bool) -> None:
        if not 0 <= at < self.size:
            raise IndexError(f"flag {at} of {self.size}")
        byte = int(self.bits[at >> 3])
        bit = 1 << (at & 7)
        was = bool(byte & bit)
        if bool(value) != was:
            self.bits[at >> 3] = byte ^ bit
            self._count += 1 if value else -1

    def grow(self, size: int) -> PackedFlags:
        """These flags with ids up to ``size - 1`` (the new ones unset)."""
        import numpy as np

        if size <= self.size:
            return self
        bits = np.zeros((size + 7) // 8, dtype=np.uint8)
        bits[: len(self.bits)] = self.bits  # the unused bits past ``size`` are always 0
        return PackedFlags(bits, size, self._count)

    def to_bools(self) -> np.ndarray:
        """The flags as a bool array of ``size``."""
        import numpy as np

        return np.unpackbits(self.bits, count=self.size, bitorder="little").view(bool)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PackedFlags):
            return NotImplemented
        import numpy as np

        return self.size == other.size and bool(np.array_equal(self.bits, other.bits))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PackedFlags({self._count} of {self.size})"

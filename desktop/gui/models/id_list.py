"""The paper list's ids in list order, 8 bytes each (an ``array('q')`` that compares as a list).

All papers at a million are a million ids: as a Python list that is 8 bytes a pointer and
32 an int object (40 MB), and every garbage collection of the generation holding the list
reads each of those objects (tens of ms on the GUI thread). As an array they are 8 MB that
the collector never looks into; an int is made only for the id asked for.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, SupportsIndex, cast

from desktop.core.models import PaperId

if TYPE_CHECKING:
    import numpy as np

if TYPE_CHECKING:  # to the type checker it is the list of paper ids it stands in for
    _Base = list[PaperId]
else:
    _Base = array


# row_map is an array over ids while the largest id is at most this many times the rows
# (plus ROW_MAP_SLACK): ids are SQLite's row ids, dense in practice.
ROW_MAP_SPARSE = 16
ROW_MAP_SLACK = 1 << 16


class IdList(_Base):
    """Paper ids as a list would hold them: indexing, slices, ``del``, ``extend``, ``index``,
    ``in``; equal to a list or tuple of the same ids."""

    __slots__ = ()

    def __new__(cls, ids: Iterable[int] = ()) -> IdList:
        return super().__new__(cls, "q", ids)  # type: ignore[call-arg, arg-type]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, array):
            return array.__eq__(_raw(self), other)
        if isinstance(other, list | tuple):
            return len(self) == len(other) and _raw(self).tolist() == list(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]

    def __getitem__(self, key: Any) -> Any:
        found = super().__getitem__(key)
        return IdList(found) if isinstance(key, slice) else found  # a slice is an IdList too

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, slice) and not isinstance(value, array):
            value = array("q", value)  # a list's slice assignment takes any iterable
        super().__setitem__(key, value)

    def index(self, value: int, start: SupportsIndex = 0, stop: SupportsIndex = 2**62) -> int:
        """The first row holding ``value`` (ValueError when none), found by numpy."""
        import numpy as np

        rows = np.frombuffer(_raw(self), dtype=np.int64) if len(self) else np.zeros(0, np.int64)
        begin, end = int(start), min(int(stop), len(self))
        begin = max(0, begin + len(self) if begin < 0 else begin)
        end = end + len(self) if end < 0 else end
        found = np.flatnonzero(rows[begin:end] == int(value))
        if not len(found):
            raise ValueError(f"{value} is not in the list")
        return begin + int(found[0])

    def row_map(self) -> np.ndarray | None:
        """Each listed paper id's first row, -1 for an id not listed, as an int32 array over
        every id up to the largest (4 MB at a million papers, made in milliseconds: a dict
        of a million ids is about 100 MB and a quarter of a second); None when the ids are
        too sparse for that (larger than ROW_MAP_SPARSE times the rows) or negative."""
        import numpy as np

        if not len(self):
            return np.zeros(0, dtype=np.int32)
        ids = np.frombuffer(_raw(self), dtype=np.int64)
        try:
            low, top = int(ids.min()), int(ids.max())
            if low < 0 or top > ROW_MAP_SPARSE * len(ids) + ROW_MAP_SLACK or len(ids) >= 2**31:
                return None
            rows = np.full(top + 1, -1, dtype=np.int32)
            # Last first, so that an id listed twice keeps its first row (as index() finds).
            rows[ids[::-1]] = np.arange(len(ids) - 1, -1, -1, dtype=np.int32)
            return rows
        finally:
            del ids  # the array's buffer is let go: it may grow again

    def copy(self) -> IdList:
        """A copy (one copy of the bytes)."""
        return IdList(self)

    def __repr__(self) -> str:
        return f"IdList({list(self)!r})" if len(self) <= 20 else f"IdList({len(self)} ids)"


def _raw(ids: IdList) -> array[int]:
    """The array an IdList is."""
    return cast("array[int]", ids)

"""A set of paper ids kept as one sorted numpy array.

A saved view's text (``attention``, ``model``) can match half of a million papers. As a
frozenset of Python ints that is about 60 bytes an id (30 MB for 500,000), and the library
keeps one per saved view and rule; as a sorted array it is 4 bytes an id (int32, while
every id fits; int64 otherwise). Membership is a binary search, which is what the few papers
a write names need.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


# Above this many values, sorted_unique flags them instead of sorting (when their range is at
# most FLAGS_PER_VALUE bytes a value: the size of the sort's copy, twice).
FLAGS_MIN = 4096
FLAGS_PER_VALUE = 16


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values of an int64 array, ascending.

    ``np.unique`` does this too, but numpy 2.4 answers it with a hash table that holds the
    GIL throughout (about 120 ms for 750,000 ids here): counting saved views on a worker
    thread then froze the window for as long. Many ids in a small range (a view's text
    matches: paper ids) are flagged and read back in order, which releases it; others are
    sorted and masked.
    """
    import numpy as np

    if len(values) < 2:
        return values.copy()
    if len(values) >= FLAGS_MIN:
        low, high = int(values.min()), int(values.max())
        if low >= 0 and high < FLAGS_PER_VALUE * len(values):
            # A flag per possible value, then the set ones in order: no sort at all, and
            # numpy's sort of int64 holds the GIL too (85 ms for 800,000 ids here).
            flags = np.zeros(high + 1, dtype=bool)
            flags[values] = True
            return np.flatnonzero(flags).astype(values.dtype, copy=False)
    ordered = np.sort(values)
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered if keep.all() else ordered[keep]


def _compact(values: np.ndarray) -> np.ndarray:
    """Sorted ids as int32 when they all fit (half the bytes of int64), else as int64: one
    type for a set's values, so that equal sets hash alike."""
    import numpy as np

    if len(values) and (int(values[0]) < INT32_MIN or int(values[-1]) > INT32_MAX):
        return values.astype(np.int64, copy=False)
    return values.astype(np.int32, copy=False)


INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


class IdSet:
    """An immutable set of ids (``in``, ``len``, iteration in order, ``with_changes``)."""

    __slots__ = ("array",)

    def __init__(self, ids: Iterable[int] | np.ndarray) -> None:
        import numpy as np  # only here: the command line starts without numpy

        if isinstance(ids, np.ndarray):
            values = ids.astype(np.int64, copy=False)
        else:
            values = np.fromiter((int(i) for i in ids), dtype=np.int64)
        self.array: np.ndarray = _compact(sorted_unique(values))  # sorted, each id once

    def __contains__(self, item: object) -> bool:
        try:
            value = operator.index(item)  # type: ignore[arg-type]
        except TypeError:
            return False
        import numpy as np

        at = int(np.searchsorted(self.array, value))
        return at < len(self.array) and int(self.array[at]) == value

    def __len__(self) -> int:
        return len(self.array)

    def __iter__(self) -> Iterator[int]:
        return iter(self.array.tolist())

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, IdSet):
            import numpy as np

            return bool(np.array_equal(self.array, other.array))
        if isinstance(other, set | frozenset):
            return len(other) == len(self) and all(i in self for i in other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.array.tobytes())

    def __repr__(self) -> str:
        return f"IdSet({len(self)} ids)"

    def with_changes(self, gone: Iterable[int], added: Iterable[int]) -> IdSet:
        """This set without ``gone`` and with ``added``.

        The few ids a write names are found by binary search and cut out or put in place:
        the array is copied once, never sorted again (at a million papers a saved view's
        text can match 750,000 papers, and an import changes a hundred).
        """
        import numpy as np

        kept = self.array
        out = sorted_unique(np.fromiter((int(i) for i in gone), dtype=np.int64))
        if len(out) and len(kept):
            at = np.searchsorted(kept, out)
            found = at < len(kept)
            found[found] = kept[at[found]] == out[found]
            kept = np.delete(kept, at[found])
        extra = sorted_unique(np.fromiter((int(i) for i in added), dtype=np.int64))
        if len(extra):
            kept = kept.astype(np.result_type(kept, _compact(extra)), copy=False)
            at = np.searchsorted(kept, extra)
            fresh = at >= len(kept)
            fresh[~fresh] = kept[at[~fresh]] != extra[~fresh]
            kept = np.insert(kept, at[fresh], extra[fresh])
        return IdSet._of_sorted(kept)

    @classmethod
    def _of_sorted(cls, array: np.ndarray) -> IdSet:
        """A set over an array that is already sorted, each id once (not checked)."""
        made = cls.__new__(cls)
        made.array = _compact(array)
        return made

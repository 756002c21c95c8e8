"""Ascending ids kept as runs of consecutive ids: memory in the runs, not in the ids.

An import gives its new papers ids one more than the largest, in order, so a snapshot of a
million papers adds one run of a million ids. As a list of Python ints that is about 36 MB
(and as much again for the frozenset of the Changes listeners hear); as a run it is three
numbers. ``IdRuns`` is both a read-only sequence (the ids ascending: ``len``, iteration,
``ids[0]``, ``ids[-1]``, slices) and a set (``in``, ``|``, ``&``, ``-``, comparisons, and
equality and hashing as a ``frozenset`` of the same ids), so it can stand for
``ImportResult.new_ids`` and for ``Changes.papers`` alike.

It is built by ``append`` and ``extend`` in strictly ascending order; an id not above the
last one raises ValueError (the import assigns ascending ids, and a general set of ids is a
``frozenset``). Once handed out (in an ImportResult or a Changes) it is not to be changed:
it hashes by its ids, like the frozenset it stands for.

Equality: equal to another ``IdRuns`` or to any other set (``frozenset``, ``set``,
``IdSet``...) with the same ids, and to a ``list`` of the same ids in the same (ascending)
order, as the list ``new_ids`` used to be. A list is unhashable, so hashing stays consistent
with equality.
"""

from __future__ import annotations

import operator
import sys
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from itertools import chain
from typing import Any, TypeVar, cast, overload

IdT = TypeVar("IdT", bound=int)
T = TypeVar("T")

# How many runs repr shows before "...".
REPR_RUNS = 8


class IdRuns(Sequence[IdT], AbstractSet[IdT]):
    """Strictly ascending ids as runs of consecutive ids (see the module's docstring).

    Three ``array('q')`` hold, for each run, its first id, one past its last id, and the
    count of ids up to its end (for indexing). Adjacent runs are always joined, so two
    objects with the same ids have the same arrays.
    """

    __slots__ = ("_ends", "_starts", "_stops")

    def __init__(self, ids: Iterable[IdT] = ()) -> None:
        """The ids of ``ids``, which must be strictly ascending (else ValueError)."""
        self._starts = array("q")  # the first id of each run
        self._stops = array("q")  # one past the last id of each run
        self._ends = array("q")  # the number of ids in this run and all before it
        self.extend(ids)

    # -- building -------------------------------------------------------------------------

    @classmethod
    def from_runs(cls, runs: Iterable[tuple[int, int]]) -> IdRuns[IdT]:
        """The ids of ``(start, stop)`` ranges (stop exclusive), ascending and disjoint
        (else ValueError); empty ranges are skipped."""
        out: IdRuns[IdT] = cls()
        for start, stop in runs:
            out._add_run(int(start), int(stop))
        return out

    @classmethod
    def _from_iterable(cls, it: Iterable[T]) -> IdRuns[Any]:
        """The set operations' results (``&``, ``-``, ``^``): ids in any order, repeated."""
        ids: list[Any] = sorted(set(cast("Iterable[int]", it)))
        return cls(ids)

    def append(self, paper_id: IdT) -> None:
        """Add an id above every one held (else ValueError)."""
        value = operator.index(paper_id)
        stops = self._stops
        if stops and value == stops[-1]:
            stops[-1] = value + 1
            self._ends[-1] += 1
        else:
            self._add_run(value, value + 1)

    def extend(self, ids: Iterable[IdT]) -> None:
        """Append each of ``ids`` in order (a ``range`` of step 1 or an ``IdRuns`` by its
        runs, without visiting each id)."""
        if isinstance(ids, IdRuns):
            for start, stop in ids.runs():
                self._add_run(start, stop)
        elif isinstance(ids, range) and ids.step == 1:
            self._add_run(ids.start, ids.stop)
        else:
            for paper_id in ids:
                self.append(paper_id)

    def add_run(self, start: int, stop: int) -> None:
        """Add the ids ``start`` to ``stop - 1``, all above every one held (else ValueError),
        in one step however many they are."""
        self._add_run(start, stop)

    def _add_run(self, start: int, stop: int) -> None:
        """Add the ids ``start`` to ``stop - 1``, all above every one held (else ValueError),
        joining the last run when it ends at ``start``."""
        if stop <= start:
            return
        stops = self._stops
        if stops:
            last = stops[-1]
            if start < last:
                raise ValueError(
                    f"ids must be appended in ascending order: {start} after {last - 1}"
                )
            if start == last:
                stops[-1] = stop
                self._ends[-1] += stop - start
                return
        self._starts.append(start)
        stops.append(stop)
        self._ends.append((self._ends[-1] if self._ends else 0) + stop - start)

    # -- reading --------------------------------------------------------------------------

    def runs(self) -> Iterator[tuple[int, int]]:
        """Each run as ``(first id, one past the last id)``, ascending."""
        return zip(self._starts, self._stops, strict=True)

    @property
    def run_count(self) -> int:
        """How many runs of consecutive ids there are."""
        return len(self._starts)

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def __bool__(self) -> bool:
        return bool(self._starts)

    def __iter__(self) -> Iterator[IdT]:
        return cast("Iterator[IdT]", chain.from_iterable(map(range, self._starts, self._stops)))

    def __reversed__(self) -> Iterator[IdT]:
        backwards = (
            range(stop - 1, start - 1, -1)
            for start, stop in zip(reversed(self._starts), reversed(self._stops), strict=True)
        )
        return cast("Iterator[IdT]", chain.from_iterable(backwards))

    def __contains__(self, value: object) -> bool:
        """O(log runs): a binary search of the runs' starts."""
        try:
            wanted = operator.index(value)  # type: ignore[arg-type]
        except TypeError:
            return False
        at = bisect_right(self._starts, wanted) - 1
        return at >= 0 and wanted < self._stops[at]

    @overload
    def __getitem__(self, index: int) -> IdT: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[IdT]: ...

    def __getitem__(self, index: int | slice) -> IdT | Sequence[IdT]:
        """The id at a position (negative from the end), O(log runs); a slice of step 1 is
        an IdRuns of its ids (O(runs)), of another positive step an IdRuns, of a negative
        step a list (descending ids are no IdRuns)."""
        if isinstance(index, slice):
            return self._slice(index)
        size = len(self)
        at = operator.index(index)
        if at < 0:
            at += size
        if not 0 <= at < size:
            raise IndexError("IdRuns index out of range")
        run = bisect_right(self._ends, at)
        before = self._ends[run - 1] if run else 0
        return cast("IdT", self._starts[run] + at - before)

    def _slice(self, index: slice) -> Sequence[IdT]:
        positions = range(len(self))[index]
        if positions.step < 0:
            return [self[i] for i in positions]
        if positions.step > 1:
            return IdRuns(self[i] for i in positions)
        out: IdRuns[IdT] = IdRuns()
        first, last = positions.start, positions.stop  # positions first to last - 1
        if first >= last:
            return out
        run = bisect_right(self._ends, first)
        while run < len(self._starts):
            begin = self._ends[run - 1] if run else 0  # the position of the run's first id
            if begin >= last:
                break
            start = self._starts[run]
            lo = start + max(first - begin, 0)
            hi = start + min(last, self._ends[run]) - begin
            out._add_run(lo, hi)
            run += 1
        return out

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        """The position of ``value`` (ValueError when absent or outside start:stop), in
        O(log runs)."""
        try:
            wanted = operator.index(value)
        except TypeError:
            raise ValueError(f"{value!r} is not in IdRuns") from None
        run = bisect_right(self._starts, wanted) - 1
        if run < 0 or wanted >= self._stops[run]:
            raise ValueError(f"{value!r} is not in IdRuns")
        at = (self._ends[run - 1] if run else 0) + wanted - self._starts[run]
        lo, hi, _ = slice(start, stop).indices(len(self))
        if not lo <= at < hi:
            raise ValueError(f"{value!r} is not in IdRuns")
        return at

    def count(self, value: Any) -> int:
        """1 when ``value`` is held, else 0."""
        return int(value in self)

    # -- as a set -------------------------------------------------------------------------

    def __or__(self, other: AbstractSet[T]) -> AbstractSet[IdT | T]:
        """The union: an IdRuns with another IdRuns (merged run by run, without visiting
        each id), else a frozenset; either side as it is when the other is empty (a set
        other than a frozenset or an IdRuns as a frozenset of it)."""
        if not isinstance(other, AbstractSet):
            return NotImplemented
        if not other:
            return self
        if not self:
            return other if isinstance(other, frozenset | IdRuns) else frozenset(other)
        if isinstance(other, IdRuns):
            return cast("IdRuns[Any]", _merge(self, other))
        return frozenset(self).union(other)

    def __ror__(self, other: AbstractSet[T]) -> AbstractSet[IdT | T]:
        """``frozenset() | ids``: the union, as for ``ids | other``."""
        return self.__or__(other)

    def union(self, *others: AbstractSet[T]) -> AbstractSet[IdT | T]:
        """The union with each of ``others`` in turn (``|``)."""
        out: AbstractSet[Any] = self
        for other in others:
            out = out | other
        return out

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IdRuns):
            return self._starts == other._starts and self._stops == other._stops
        if isinstance(other, AbstractSet):
            return len(other) == len(self) and all(i in self for i in other)
        if isinstance(other, list):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        """The hash of a frozenset of the same ids (it visits each id)."""
        return self._hash()

    def __sizeof__(self) -> int:
        """The bytes of the object and of its three arrays."""
        arrays = (self._starts, self._stops, self._ends)
        return object.__sizeof__(self) + sum(sys.getsizeof(a) for a in arrays)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), list(self.runs())))

    def __repr__(self) -> str:
        shown = [f"({a}, {b})" for a, b in zip(self._starts, self._stops, strict=True)]
        if len(shown) > REPR_RUNS:
            shown = [*shown[:REPR_RUNS], "..."]
        return f"IdRuns.from_runs([{', '.join(shown)}])"


def _rebuild(cls: type[IdRuns[Any]], runs: list[tuple[int, int]]) -> IdRuns[Any]:
    """Unpickle an IdRuns."""
    return cls.from_runs(runs)


def _merge(a: IdRuns[Any], b: IdRuns[Any]) -> IdRuns[Any]:
    """The union of two IdRuns, in O(runs of both)."""
    return IdRuns.from_runs(_joined(sorted(chain(a.runs(), b.runs()))))


def _joined(runs: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Runs ordered by start, with those that overlap or touch joined."""
    start = stop = None
    for lo, hi in runs:
        if start is not None and stop is not None:
            if lo <= stop:
                stop = max(stop, hi)
                continue
            yield start, stop
        start, stop = lo, hi
    if start is not None and stop is not None:
        yield start, stop

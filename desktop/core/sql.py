"""Small SQL helpers shared by the core's queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# SQLite allows 32,766 host parameters since 3.32; 500 keeps each statement small and fast.
CHUNK = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size`` (for ``IN (?, …)`` queries)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def marks(n: int) -> str:
    """``n`` comma-separated placeholders: ``marks(3) == "?,?,?"``."""
    return ",".join("?" * n)

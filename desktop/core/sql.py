"""Small SQL helpers: chunking long id lists for ``IN (?, …)`` and their placeholders, and
reading a ``group_concat`` of integers as a numpy array."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from sqlite_utils import Database

if TYPE_CHECKING:
    import numpy as np

T = TypeVar("T")

# SQLite's default limit on host parameters was 999 before 3.32; 500 leaves room for others.
CHUNK = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Consecutive slices of ``items`` of at most ``size`` (none for an empty sequence)."""
    if size < 1:
        raise ValueError(f"chunk size must be positive, not {size}")
    for start in range(0, len(items), size):
        yield items[start : start + size]


# int_array parses a text of at most about this many characters in one numpy call.
INT_TEXT_PIECE = 200_000


def int_array(text: str | None) -> np.ndarray:
    """A comma-separated text of integers (``group_concat(p.id)``; None for no rows) as an
    int64 array, parsed by numpy in C: no Python object per id for the hundreds of thousands
    of ids a view or filter selects at a million papers."""
    import numpy as np  # only here: the command line starts without numpy

    if not text:
        return np.zeros(0, np.int64)
    if len(text) <= INT_TEXT_PIECE:
        return np.fromstring(text, dtype=np.int64, sep=",")
    # A piece at a time, cut at commas: numpy holds the GIL while it parses (40 ms for a
    # million ids), and a thread that counts must not stop the window's for so long.
    parts = []
    start = 0
    while start < len(text):
        end = text.find(",", start + INT_TEXT_PIECE)
        if end < 0:
            end = len(text)
        parts.append(np.fromstring(text[start:end], dtype=np.int64, sep=","))
        start = end + 1
    return np.concatenate(parts)


def marks(n: int) -> str:
    """``n`` comma-separated SQL placeholders: ``marks(3) == "?,?,?"``."""
    if n < 0:
        raise ValueError(f"a negative count of placeholders: {n}")
    return ",".join("?" * n)


@contextmanager
def write_transaction(db: Database) -> Iterator[None]:
    """One transaction that takes the write lock first (``BEGIN IMMEDIATE``), or a savepoint
    inside the caller's transaction.

    A deferred transaction that reads before it writes cannot wait for another process's
    write lock: SQLite fails its first write at once ("database is locked") when another
    connection wrote since the read. Taking the lock first waits (busy_timeout) instead.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise

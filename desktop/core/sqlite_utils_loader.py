"""Loads sqlite-utils without the optional libraries it would load with it.

``sqlite_utils.db`` imports pandas and numpy when they are installed, only to accept their
values in inserts. We never pass any, and loading them costs 40-90 ms (numpy) or seconds
(pandas) at the start of every command-line call. While sqlite-utils loads, the two are
marked as unavailable (a ``None`` entry in ``sys.modules`` makes ``import`` raise
ImportError, which sqlite-utils expects); the marks are removed at once, so any later
``import numpy`` (the search ranker's) works as usual. A library already loaded is left alone.
"""

from __future__ import annotations

import sys

OPTIONAL = ("pandas", "numpy")


def load_sqlite_utils() -> None:
    """Import sqlite_utils (once) with its optional pandas and numpy support left out."""
    if "sqlite_utils.db" in sys.modules:
        return
    hidden = [name for name in OPTIONAL if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import sqlite_utils.db  # noqa: F401 - loaded here, used everywhere else
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]

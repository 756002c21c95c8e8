"""The library's clock: timestamps as stored in SQLite."""

from __future__ import annotations

import datetime as dt


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

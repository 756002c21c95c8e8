"""The library's clock: timestamps as stored in SQLite, and the clock tests replace.

Everything that depends on the time of day (when a snoozed paper returns, how old a history
entry is) asks a :data:`Clock` given to it (``LibraryContext.now``, ``Library.clock``), never
``datetime.now`` directly, so tests run it at any moment they like.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

# A function returning the current moment as an aware datetime.
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current moment, in UTC."""
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    """A moment as stored: UTC ISO 8601 with seconds (``2026-12-02T09:56:51+00:00``)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def parse_iso(text: str) -> dt.datetime:
    """A stored timestamp back as an aware datetime (naive ones are taken as UTC)."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return iso(utc_now())

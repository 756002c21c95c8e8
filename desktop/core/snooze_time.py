"""When a snoozed paper returns: the presets and the typed forms, read with datetime alone.

``parse_when("3d", now)`` reads ``tomorrow``, ``next week``, ``next digest``, a weekday
(``mon``, ``friday``, ``next fri``), a count with a unit (``3d``, ``2w``, ``5h``, ``in 3
days``, ``2 weeks``), an ISO date (``2026-12-24``) or date and time (``2026-12-24 14:30``).
A day without a time means that day's morning (``MORNING_HOUR`` local time); hours count from
now. A moment that is not in the future is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MORNING_HOUR = 8
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# The chooser's presets, in order: (name, label, text parse_when reads).
PRESETS: tuple[tuple[str, str, str], ...] = (
    ("tomorrow", "Tomorrow", "tomorrow"),
    ("3 days", "In 3 days", "3d"),
    ("next week", "Next week", "next week"),
    ("next digest", "Until the next digest is imported", "next digest"),
)

_COUNT = re.compile(
    r"^(?:in\s+)?(\d{1,4})\s*(h|hr|hrs|hours?|d|days?|w|wk|wks|weeks?)$", re.IGNORECASE
)
_NEXT_DIGEST = frozenset({"next digest", "next-digest", "digest", "next import", "import"})


class SnoozeTimeError(ValueError):
    """A snooze time that cannot be read or has passed; the message says which forms work."""


@dataclass(frozen=True)
class SnoozeUntil:
    """When a paper returns: a moment (aware, UTC), or None for the next digest imported."""

    moment: dt.datetime | None

    @property
    def next_digest(self) -> bool:
        """True when the paper returns with the next digest imported."""
        return self.moment is None

    def describe(self, tz: dt.tzinfo | None = None) -> str:
        """``until Tue 8 Dec 08:00`` or ``until the next digest`` for people."""
        if self.moment is None:
            return "until the next digest"
        return "until " + local_label(self.moment, tz)


def local_label(moment: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """A moment as people read it in their time zone: ``Tue 8 Dec 2026 08:00``."""
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M}"


def _morning(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(MORNING_HOUR), tzinfo=tz)


def parse_when(text: str, now: dt.datetime, tz: dt.tzinfo | None = None) -> SnoozeUntil:
    """Read a snooze time typed by a person (see the module docstring); ``now`` is aware.

    ``tz`` is the person's time zone (the system's when None). Raises SnoozeTimeError.
    """
    words = " ".join(str(text).strip().lower().split())
    local_now = now.astimezone(tz)
    zone = local_now.tzinfo
    assert zone is not None
    today = local_now.date()
    if not words:
        raise SnoozeTimeError("say when: tomorrow, 3d, 2w, mon, next week, next digest or a date")
    if words in _NEXT_DIGEST:
        return SnoozeUntil(None)
    moment: dt.datetime | None = None
    if words in ("tomorrow", "tom", "tmr", "1 day"):
        moment = _morning(today + dt.timedelta(days=1), zone)
    elif words in ("next week", "week", "1 week"):
        moment = _morning(today + dt.timedelta(days=7 - today.weekday()), zone)
    elif (day := _weekday(words)) is not None:
        ahead = (day - today.weekday() - 1) % 7 + 1  # always a day after today
        moment = _morning(today + dt.timedelta(days=ahead), zone)
    elif (count := _COUNT.match(words)) is not None:
        n, unit = int(count.group(1)), count.group(2)[0]
        if n == 0:
            raise SnoozeTimeError("snooze for at least one hour or day")
        if unit == "h":
            moment = now + dt.timedelta(hours=n)
        else:
            moment = _morning(today + dt.timedelta(days=n * (7 if unit == "w" else 1)), zone)
    else:
        moment = _iso(words, zone)
    if moment is None:
        raise SnoozeTimeError(
            f"cannot read {text.strip()!r} as a time; try tomorrow, 3d, 2w, 5h, mon, "
            "next week, next digest, 2026-12-24 or 2026-12-24 14:30"
        )
    if moment <= now:
        raise SnoozeTimeError(f"{local_label(moment, tz)} has already passed")
    return SnoozeUntil(moment.astimezone(dt.UTC))


def _weekday(words: str) -> int | None:
    name = words.removeprefix("next ").removeprefix("on ")
    if len(name) < 3:
        return None
    for index, day in enumerate(WEEKDAYS):
        if day.startswith(name):
            return index
    return None


def _iso(words: str, zone: dt.tzinfo) -> dt.datetime | None:
    try:
        if len(words) == 10:
            return _morning(dt.date.fromisoformat(words), zone)
        moment = dt.datetime.fromisoformat(words.replace(" ", "T", 1))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)

"""Snooze: papers leave the Inbox until a moment or the next digest, then come back on top.

A snoozed paper has a row in ``snoozes`` (migration m008) with ``until`` (UTC) or
``after_digest`` (the newest digest id when it was snoozed: it returns once a newer digest is
imported). :meth:`Snoozes.wake` brings back every paper whose time has come: it is run when
the library opens, after each import and periodically by the app, so papers also return when
the app was closed meanwhile. A paper that returns is marked unread, taken out of the
Archive and the queue (so it is in the Inbox), and keeps ``returned_at``: the Inbox lists
returned papers first, newest first, until they are read. Snoozing and unsnoozing are
undoable (history kind ``snooze``); waking is not an action of the user and is not recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desktop.core.clock import iso, parse_iso
from desktop.core.context import LibraryContext
from desktop.core.history import Applied, UndoRefusedError
from desktop.core.models import Changes, PaperId
from desktop.core.snooze_time import SnoozeUntil, local_label
from desktop.core.sql import chunks, marks, write_transaction

KIND = "snooze"
# A snoozes row as kept for undo: until, after_digest, snoozed_at, returned_at.
SnoozeRow = tuple[str | None, int | None, str, str | None]
SnoozeSnapshot = dict[int, SnoozeRow | None]

WAITING_SQL = "SELECT paper_id FROM snoozes WHERE returned_at IS NULL"
# Papers back from snooze and read since: they no longer need to be on top of the Inbox.
# Each returned snooze looks its paper up (``paper_id IN (SELECT id … WHERE is_read = 1)``
# would list every read paper first: 6 ms of each command's start at 100,000 papers).
_READ_SINCE = (
    "FROM snoozes WHERE returned_at IS NOT NULL "
    "AND (SELECT p.is_read FROM papers p WHERE p.id = snoozes.paper_id) = 1"
)


class SnoozeError(ValueError):
    """A snooze that cannot be done; the message is one plain sentence."""


@dataclass(frozen=True)
class Snooze:
    """A paper that is snoozed: when it returns (``until`` None: with the next digest)."""

    paper_id: PaperId
    until: dt.datetime | None
    snoozed_at: str

    def describe(self, tz: dt.tzinfo | None = None) -> str:
        """``Tue 8 Dec 2026 08:00`` or ``next digest``."""
        return "next digest" if self.until is None else local_label(self.until, tz)


class Snoozes:
    """Snoozed papers (``library.snoozes``)."""

    def __init__(self, ctx: LibraryContext) -> None:
        self.ctx = ctx
        self.db = ctx.db
        ctx.history.register(KIND, self._apply)

    # -- reading -----------------------------------------------------------------------------
    def get(self, paper_id: int) -> Snooze | None:
        """The paper's snooze while it is snoozed, else None."""
        row = self.db.execute(
            "SELECT paper_id, until, snoozed_at FROM snoozes "
            "WHERE paper_id = ? AND returned_at IS NULL",
            [int(paper_id)],
        ).fetchone()
        return _snooze(row) if row else None

    def waiting(self) -> list[Snooze]:
        """Every snoozed paper, soonest return first (the next digest last)."""
        rows = self.db.execute(
            "SELECT paper_id, until, snoozed_at FROM snoozes WHERE returned_at IS NULL "
            "ORDER BY until IS NULL, until, paper_id"
        )
        return [_snooze(r) for r in rows]

    def of_papers(self, ids: Sequence[int]) -> dict[PaperId, Snooze]:
        """The snoozes of those of ``ids`` that are snoozed."""
        found: dict[PaperId, Snooze] = {}
        for chunk in chunks([int(i) for i in ids]):
            for row in self.db.execute(
                "SELECT paper_id, until, snoozed_at FROM snoozes WHERE returned_at IS NULL "
                f"AND paper_id IN ({marks(len(chunk))})",
                list(chunk),
            ):
                found[PaperId(row[0])] = _snooze(row)
        return found

    def next_return(self) -> dt.datetime | None:
        """The soonest moment a snoozed paper returns (papers waiting for a digest aside)."""
        row = self.db.execute(
            "SELECT MIN(until) FROM snoozes WHERE returned_at IS NULL AND until IS NOT NULL"
        ).fetchone()
        return parse_iso(row[0]) if row and row[0] else None

    # -- writing -----------------------------------------------------------------------------
    def snooze(self, ids: Sequence[int], when: SnoozeUntil) -> Changes:
        """Snooze papers until ``when`` (a moment, or the next digest); one undoable step."""
        wanted = list(dict.fromkeys(int(i) for i in ids))
        if not wanted:
            return Changes()
        stamp = iso(self.ctx.now())
        with write_transaction(self.db):
            present = self._existing(wanted)
            if not present:
                raise SnoozeError(f"no paper with id {', '.join(map(str, wanted))}")
            before = self._snapshot(present)
            (newest,) = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM digests").fetchone()
            row: SnoozeRow = (
                None if when.moment is None else iso(when.moment),
                int(newest) if when.moment is None else None,
                stamp,
                None,
            )
            after: SnoozeSnapshot = dict.fromkeys(present, row)
            self._write(after)
            label = "snooze " + when.describe()
            self.ctx.history.record(
                label if len(present) == 1 else f"{label} ({len(present)} papers)",
                kind=KIND,
                payload=_payload(before, after),
                papers=present,
            )
        return self.ctx.emit(_changes(present))

    def unsnooze(self, ids: Sequence[int]) -> Changes:
        """Bring snoozed papers back now (not marked unread); one undoable step."""
        wanted = list(dict.fromkeys(int(i) for i in ids))
        with write_transaction(self.db):
            before = {k: v for k, v in self._snapshot(wanted).items() if v and v[3] is None}
            if not before:
                return Changes()
            after: SnoozeSnapshot = dict.fromkeys(before)
            self._write(after)
            self.ctx.history.record(
                "unsnooze" if len(before) == 1 else f"unsnooze {len(before)} papers",
                kind=KIND,
                payload=_payload(before, after),
                papers=list(before),
            )
        return self.ctx.emit(_changes(list(before)))

    def wake(self) -> Changes:
        """Bring back every snoozed paper whose time has come (unread, into the Inbox).

        Also forgets returned papers that have been read since. Not an undoable action.
        Nothing is written (no transaction is opened) when nothing is due.
        """
        stamp = iso(self.ctx.now())
        if (
            not self._due(stamp)
            and not self.db.execute(f"SELECT EXISTS (SELECT 1 {_READ_SINCE})").fetchone()[0]
        ):
            return Changes()  # the common case: two reads
        with write_transaction(self.db):
            due = self._due(stamp)  # again, under the write lock
            self.db.conn.execute(f"DELETE {_READ_SINCE}")
            for chunk in chunks(due):
                m = marks(len(chunk))
                self.db.conn.execute(
                    f"UPDATE snoozes SET returned_at = ? WHERE paper_id IN ({m})",
                    [stamp, *chunk],
                )
                self.db.conn.execute(
                    "UPDATE papers SET is_read = 0, read_at = NULL, archived = 0, "
                    f"archived_at = NULL, queue_pos = NULL WHERE id IN ({m})",
                    list(chunk),
                )
        if not due:
            return Changes()
        return self.ctx.emit(
            Changes(frozenset(PaperId(i) for i in due), read=True, membership=True)
        )

    def _due(self, stamp: str) -> list[int]:
        """Snoozed papers whose time has come by ``stamp``, or whose next digest came."""
        return [
            int(r[0])
            for r in self.db.execute(
                "SELECT paper_id FROM snoozes WHERE returned_at IS NULL AND ("
                "(until IS NOT NULL AND until <= ?) OR (after_digest IS NOT NULL AND "
                "EXISTS (SELECT 1 FROM digests d WHERE d.id > after_digest "
                "AND d.removed_at IS NULL)))",
                [stamp],
            )
        ]

    # -- undo --------------------------------------------------------------------------------
    def _apply(self, payload: Any, undo: bool) -> Applied:
        before = _decode(payload["before"])
        after = _decode(payload["after"])
        expected, target = (after, before) if undo else (before, after)
        with write_transaction(self.db):
            present = set(self._existing(list(expected)))
            for paper_id in expected:
                if paper_id not in present:
                    raise UndoRefusedError(
                        f"paper {paper_id} is no longer in the library", permanent=True
                    )
            current = self._snapshot(list(expected))
            for paper_id, row in expected.items():
                if current.get(paper_id) != row:
                    title = self._title(paper_id)
                    raise UndoRefusedError(
                        f"\u201c{title}\u201d was snoozed, unsnoozed or came back since"
                    )
            self._write(target)
        return self.ctx.emit(_changes(list(target))), payload

    # -- helpers -----------------------------------------------------------------------------
    def _title(self, paper_id: int) -> str:
        row = self.db.execute("SELECT title FROM papers WHERE id = ?", [paper_id]).fetchone()
        return str(row[0]) if row else f"paper {paper_id}"

    def _existing(self, ids: Sequence[int]) -> list[int]:
        found: set[int] = set()
        for chunk in chunks(list(ids)):
            found.update(
                int(r[0])
                for r in self.db.execute(
                    f"SELECT id FROM papers WHERE id IN ({marks(len(chunk))})", list(chunk)
                )
            )
        return [i for i in ids if i in found]

    def _snapshot(self, ids: Sequence[int]) -> SnoozeSnapshot:
        snap: SnoozeSnapshot = dict.fromkeys((int(i) for i in ids), None)
        for chunk in chunks(list(ids)):
            for row in self.db.execute(
                "SELECT paper_id, until, after_digest, snoozed_at, returned_at FROM snoozes "
                f"WHERE paper_id IN ({marks(len(chunk))})",
                list(chunk),
            ):
                snap[int(row[0])] = (row[1], row[2], row[3], row[4])
        return snap

    def _write(self, snap: SnoozeSnapshot) -> None:
        gone = [i for i, row in snap.items() if row is None]
        for chunk in chunks(gone):
            self.db.conn.execute(
                f"DELETE FROM snoozes WHERE paper_id IN ({marks(len(chunk))})", list(chunk)
            )
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO snoozes (paper_id, until, after_digest, snoozed_at, "
            "returned_at) VALUES (?, ?, ?, ?, ?)",
            [(i, *row) for i, row in snap.items() if row is not None],
        )


def _snooze(row: Sequence[Any]) -> Snooze:
    return Snooze(PaperId(int(row[0])), parse_iso(row[1]) if row[1] else None, str(row[2]))


def _changes(ids: Sequence[int]) -> Changes:
    return Changes(frozenset(PaperId(int(i)) for i in ids), membership=True)


def _payload(
    before: Mapping[int, SnoozeRow | None], after: Mapping[int, SnoozeRow | None]
) -> dict[str, Any]:
    return {
        "before": [[i, None if r is None else list(r)] for i, r in before.items()],
        "after": [[i, None if r is None else list(r)] for i, r in after.items()],
    }


def _decode(rows: list[Any]) -> SnoozeSnapshot:
    snap: SnoozeSnapshot = {}
    for paper_id, row in rows:
        snap[int(paper_id)] = None if row is None else (row[0], row[1], str(row[2]), row[3])
    return snap

"""Undo and redo of user actions, kept in SQLite so that the history outlasts a restart.

Each action is a row of the ``history`` table (migration m008): its label, its *kind* and a
JSON *payload* holding what the action changed (state before and after, rows removed). A
manager registers one function per kind, ``apply(payload, undo) -> (Changes, payload)``,
that undoes or redoes an action from its payload alone, so an action recorded before a
restart, or by the command line, is undone the same way as one made a second ago. The
function refuses (:class:`UndoRefusedError`) when the library is no longer as the action
left it.

The papers an action touched are listed in ``history_papers``: undoing an action is refused
while a later action on one of its papers is still done, with that action named, so an
entry is never applied over a change made after it. The history is bounded: the last
``MAX_ACTIONS`` actions, none older than ``MAX_AGE_DAYS`` days.

An action recorded with plain functions (``kind`` ``"session"``) lives only as long as the
process that made it: after a restart it is listed but cannot be undone, and ``undo``
passes over it (its papers still block undoing older actions on them). The library's own
managers record none: each of their actions has a kind, so that every undoable action
survives a restart (a test lists the kinds).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from desktop.core.clock import Clock, iso, utc_now
from desktop.core.models import Changes
from desktop.core.sql import write_transaction

MAX_ACTIONS = 1000
MAX_AGE_DAYS = 30
SESSION = "session"

# What a kind's function returns: the Changes it made and the payload to keep from now on.
Applied = tuple[Changes, Any]
ApplyFn = Callable[[Any, bool], Applied]


class UndoRefusedError(ValueError):
    """An undo or redo that cannot be applied correctly; the message says why, plainly.

    ``permanent``: it never can be (its paper is gone); the action then leaves the stack, is
    listed with the reason, and the next undo goes on to the action before it.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Action:
    """One undoable action: a label for people and the two directions."""

    label: str
    undo: Callable[[], Changes]
    redo: Callable[[], Changes]
    id: int = 0
    kind: str = SESSION


@dataclass(frozen=True)
class HistoryEntry:
    """One action as the History panel lists it."""

    id: int
    label: str
    kind: str
    done_at: str
    paper_id: int | None
    subject: str  # the title of its first paper ('' when it touched none)
    paper_count: int
    undone: bool
    available: bool  # False: a session action of another process, or refused for good
    refused: str | None = None  # why it can no longer be undone

    def describe(self) -> str:
        """``mark read: "Title" and 2 more`` for people."""
        text = self.label
        if self.subject:
            text += f": \u201c{self.subject}\u201d"
            if self.paper_count > 1:
                text += f" and {self.paper_count - 1} more"
        elif self.paper_count > 1:
            text += f" ({self.paper_count} papers)"
        return text


def dumps(payload: Any) -> str:
    """A payload as stored (compact JSON; tuples become lists)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


class History:
    """The undo and redo stacks of a library, stored in its database."""

    def __init__(
        self,
        db: Database,
        *,
        now: Clock = utc_now,
        max_actions: int = MAX_ACTIONS,
        max_age_days: int = MAX_AGE_DAYS,
    ) -> None:
        self.db = db
        self.now = now
        self.max_actions = max_actions
        self.max_age_days = max_age_days
        self._kinds: dict[str, ApplyFn] = {}
        self._session: dict[int, Action] = {}  # closures of this process's session actions
        self._actions: dict[int, Action] = {}  # one Action object per row, kept for identity

    # -- kinds -------------------------------------------------------------------------------
    def register(self, kind: str, apply: ApplyFn) -> None:
        """Let actions of ``kind`` be undone and redone by ``apply(payload, undo)``."""
        if kind == SESSION or kind in self._kinds:
            raise ValueError(f"history kind {kind!r} registered twice")
        self._kinds[kind] = apply

    # -- recording ---------------------------------------------------------------------------
    def record(
        self,
        label: str,
        undo: Callable[[], Changes] | None = None,
        redo: Callable[[], Changes] | None = None,
        *,
        kind: str = SESSION,
        payload: Any = None,
        papers: Sequence[int] = (),
        show: int | None = None,
        count: int | None = None,
    ) -> Action:
        """Remember an action that has just been done (in the caller's transaction, if any).

        Either ``kind`` names a registered kind and ``payload`` is what its function needs,
        or ``undo`` and ``redo`` are plain functions (a session action). ``papers`` are the
        papers it changed (a later action on one of them blocks its undo); ``show`` is the
        paper the History panel shows for it (the first of ``papers`` by default) and
        ``count`` how many papers it names (``len(papers)``). A new action forgets the redo
        side.
        """
        if kind == SESSION:
            if undo is None or redo is None:
                raise ValueError("a session action needs undo and redo functions")
        elif kind not in self._kinds:
            raise ValueError(f"unknown history kind {kind!r}")
        ids = list(dict.fromkeys(int(p) for p in papers))
        shown = show if show is not None else (ids[0] if ids else None)
        subject = ""
        if shown is not None:
            row = self.db.execute("SELECT title FROM papers WHERE id = ?", [shown]).fetchone()
            subject = str(row[0]) if row else ""
        with self.db.atomic():
            self._forget_redo()
            cursor = self.db.conn.execute(
                "INSERT INTO history (label, kind, payload, done_at, paper_id, subject, "
                "paper_count) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    label,
                    kind,
                    dumps(payload),
                    iso(self.now()),
                    shown,
                    subject,
                    len(ids) if count is None else count,
                ],
            )
            action_id = int(cursor.lastrowid or 0)
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO history_papers (paper_id, action_id) VALUES (?, ?)",
                [(i, action_id) for i in ids],
            )
            self._prune()
        if kind == SESSION:
            assert undo is not None and redo is not None
            action = Action(label, undo, redo, action_id, SESSION)
            self._session[action_id] = action
            self._actions[action_id] = action
            return action
        return self._action(action_id, label, kind)

    def amend(self, action: Action, payload: Any) -> Action:
        """Give the last recorded action a new payload (consecutive edits merged into one
        step); returns it. The action must be of a registered kind."""
        if action.kind == SESSION:
            raise ValueError("a session action has no payload to amend")
        with self.db.atomic():
            self._forget_redo()
            self.db.conn.execute(
                "UPDATE history SET payload = ?, done_at = ? WHERE id = ?",
                [dumps(payload), iso(self.now()), action.id],
            )
        return action

    def _forget_redo(self) -> None:
        for row in self.db.execute("SELECT id FROM history WHERE undone_seq IS NOT NULL"):
            self._session.pop(int(row[0]), None)
            self._actions.pop(int(row[0]), None)
        self.db.conn.execute("DELETE FROM history WHERE undone_seq IS NOT NULL")

    def _prune(self) -> None:
        """Keep the last ``max_actions`` actions, none older than ``max_age_days``."""
        oldest = iso(self.now() - dt.timedelta(days=self.max_age_days))
        self.db.conn.execute(
            "DELETE FROM history WHERE done_at < ? OR id <= "
            "(SELECT id FROM history ORDER BY id DESC LIMIT 1 OFFSET ?)",
            [oldest, self.max_actions],
        )

    def clear(self) -> None:
        """Forget every action."""
        with self.db.atomic():
            self.db.conn.execute("DELETE FROM history")
        self._session.clear()
        self._actions.clear()

    # -- reading -----------------------------------------------------------------------------
    def _action(self, action_id: int, label: str, kind: str) -> Action:
        cached = self._actions.get(action_id)
        if cached is not None and cached.label == label:
            return cached
        action = Action(
            label,
            undo=lambda: self._apply(action_id, undo=True),
            redo=lambda: self._apply(action_id, undo=False),
            id=action_id,
            kind=kind,
        )
        self._actions[action_id] = action
        return action

    def _available(self, action_id: int, kind: str) -> bool:
        return action_id in self._session if kind == SESSION else kind in self._kinds

    def _top(self, undone: bool) -> tuple[int, str, str] | None:
        """The action undo (or redo) would take: the newest available one."""
        sql = (
            "SELECT id, label, kind FROM history WHERE undone_seq IS NOT NULL "
            "AND refused IS NULL ORDER BY undone_seq DESC"
            if undone
            else "SELECT id, label, kind FROM history WHERE undone_seq IS NULL "
            "AND refused IS NULL ORDER BY id DESC"
        )
        for action_id, label, kind in self.db.execute(sql):
            if self._available(int(action_id), str(kind)):
                return int(action_id), str(label), str(kind)
        return None

    def _count(self, undone: bool) -> int:
        rows = self.db.execute(
            "SELECT id, kind FROM history WHERE refused IS NULL AND undone_seq IS "
            + ("NOT NULL" if undone else "NULL")
        ).fetchall()
        return sum(1 for r in rows if self._available(int(r[0]), str(r[1])))

    @property
    def depth(self) -> int:
        """How many actions can be undone."""
        return self._count(undone=False)

    @property
    def can_undo(self) -> bool:
        """True when there is something to undo."""
        return self._top(undone=False) is not None

    @property
    def can_redo(self) -> bool:
        """True when there is something to redo."""
        return self._top(undone=True) is not None

    def last_action(self) -> Action | None:
        """The action undo would revert, or None."""
        top = self._top(undone=False)
        if top is None:
            return None
        return self._session.get(top[0]) or self._action(*top)

    def undo_label(self) -> str | None:
        """The label of the action undo would revert."""
        top = self._top(undone=False)
        return top[1] if top else None

    def redo_label(self) -> str | None:
        """The label of the action redo would repeat."""
        top = self._top(undone=True)
        return top[1] if top else None

    def entries(self, limit: int = MAX_ACTIONS) -> list[HistoryEntry]:
        """The actions, newest first (undone ones included, flagged)."""
        return self._entries("ORDER BY id DESC LIMIT ?", [limit])

    def _entries(self, tail: str, params: list[Any]) -> list[HistoryEntry]:
        return [
            HistoryEntry(
                id=int(r[0]),
                label=str(r[1]),
                kind=str(r[2]),
                done_at=str(r[3]),
                paper_id=None if r[4] is None else int(r[4]),
                subject=str(r[5]),
                paper_count=int(r[6]),
                undone=r[7] is not None,
                available=r[8] is None and self._available(int(r[0]), str(r[2])),
                refused=r[8],
            )
            for r in self.db.execute(
                "SELECT id, label, kind, done_at, paper_id, subject, paper_count, undone_seq, "
                f"refused FROM history {tail}",
                params,
            )
        ]

    def entry(self, action_id: int) -> HistoryEntry | None:
        """One action by id, or None when it is no longer in the history."""
        found = self._entries("WHERE id = ?", [action_id])
        return found[0] if found else None

    def next_undo(self) -> HistoryEntry | None:
        """The action undo would revert, as the History panel lists it."""
        top = self._top(undone=False)
        return self.entry(top[0]) if top else None

    def payload_of(self, action_id: int) -> Any:
        """The stored payload of an action (None when it is gone)."""
        row = self.db.execute("SELECT payload FROM history WHERE id = ?", [action_id]).fetchone()
        return json.loads(row[0]) if row else None

    def papers_of(self, action_id: int) -> list[int]:
        """The papers an action touched."""
        return [
            int(r[0])
            for r in self.db.execute(
                "SELECT paper_id FROM history_papers WHERE action_id = ? ORDER BY paper_id",
                [action_id],
            )
        ]

    # -- undo and redo -----------------------------------------------------------------------
    def undo(self) -> tuple[str, Changes] | None:
        """Revert the last action; None when there is none. UndoRefusedError says why an
        action cannot be reverted (nothing is changed then)."""
        top = self._top(undone=False)
        if top is None:
            return None
        return top[1], self._apply(top[0], undo=True)

    def redo(self) -> tuple[str, Changes] | None:
        """Repeat the last undone action; None when there is none."""
        top = self._top(undone=True)
        if top is None:
            return None
        return top[1], self._apply(top[0], undo=False)

    def undo_entry(self, action_id: int) -> tuple[str, Changes]:
        """Revert one action of the history, not necessarily the last (the History panel).

        Refused while a later action on one of its papers is still done."""
        found = self.db.execute(
            "SELECT label, undone_seq FROM history WHERE id = ?", [action_id]
        ).fetchone()
        if found is None:
            raise UndoRefusedError("that action is no longer in the history")
        if found[1] is not None:
            raise UndoRefusedError(f"\u201c{found[0]}\u201d is already undone")
        return str(found[0]), self._apply(action_id, undo=True)

    def _conflict(self, action_id: int) -> str | None:
        """Why undoing (or redoing) an action would overwrite a later change, or None."""
        row = self.db.execute(
            "SELECT h.label, h.done_at, p.title FROM history_papers mine "
            "JOIN history_papers hp ON hp.paper_id = mine.paper_id AND hp.action_id > ? "
            "JOIN history h ON h.id = hp.action_id LEFT JOIN papers p ON p.id = hp.paper_id "
            "WHERE mine.action_id = ? AND h.undone_seq IS NULL AND h.refused IS NULL "
            "ORDER BY h.id LIMIT 1",
            [action_id, action_id],
        ).fetchone()
        if row is not None:
            title = f"\u201c{row[2]}\u201d" if row[2] else "its paper"
            return f"{title} was changed later ({row[0]}, {_local_time(row[1])}); undo that first"
        return None

    def _apply(self, action_id: int, *, undo: bool) -> Changes:
        row = self.db.execute(
            "SELECT label, kind, payload FROM history WHERE id = ?", [action_id]
        ).fetchone()
        if row is None:
            raise UndoRefusedError("that action is no longer in the history")
        label, kind, payload = str(row[0]), str(row[1]), json.loads(row[2])
        if not self._available(action_id, kind):
            raise UndoRefusedError(
                f"\u201c{label}\u201d was made before the app was restarted and cannot be undone"
            )
        verb = "undo" if undo else "redo"
        try:
            with write_transaction(self.db):
                reason = self._conflict(action_id)  # under the write lock: nothing slips in
                if reason is not None:
                    raise UndoRefusedError(reason)
                changes, new_payload = self._run(action_id, kind, payload, undo)
                self._mark(action_id, new_payload, undo)
        except UndoRefusedError as exc:
            message = f"Cannot {verb} \u201c{label}\u201d: {exc}."
            if exc.permanent:
                with self.db.atomic():
                    self.db.conn.execute(
                        "UPDATE history SET refused = ? WHERE id = ?", [str(exc), action_id]
                    )
            raise UndoRefusedError(message, permanent=exc.permanent) from None
        return changes

    def _run(self, action_id: int, kind: str, payload: Any, undo: bool) -> Applied:
        if kind == SESSION:
            session = self._session[action_id]
            return (session.undo() if undo else session.redo()), payload
        return self._kinds[kind](payload, undo)

    def _mark(self, action_id: int, new_payload: Any, undo: bool) -> None:
        if undo:
            (seq,) = self.db.execute(
                "SELECT COALESCE(MAX(undone_seq), 0) + 1 FROM history"
            ).fetchone()
            self.db.conn.execute(
                "UPDATE history SET undone_seq = ?, payload = ? WHERE id = ?",
                [seq, dumps(new_payload), action_id],
            )
        else:
            self.db.conn.execute(
                "UPDATE history SET undone_seq = NULL, payload = ? WHERE id = ?",
                [dumps(new_payload), action_id],
            )


def _local_time(stamp: str) -> str:
    """A stored UTC time as local ``YYYY-MM-DD HH:MM`` for messages."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")

"""Triage: read, star, queue and archive papers, each write one undoable transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from desktop.core.clock import now_iso
from desktop.core.context import LibraryContext
from desktop.core.history import Applied, UndoRefusedError
from desktop.core.models import Changes, PaperId
from desktop.core.papers import Papers
from desktop.core.sql import chunks, marks, write_transaction
from desktop.core.views import Views

# Triage state columns, snapshotted for undo. ``queued_at`` (m009) came last: an action
# stored before it holds the first six only, and is undone on those.
STATE_COLUMNS = (
    "is_read",
    "read_at",
    "starred",
    "archived",
    "archived_at",
    "queue_pos",
    "queued_at",
)
_READ_COLUMNS = frozenset({"is_read", "read_at"})
_QUEUE = STATE_COLUMNS.index("queue_pos")

StateSnapshot = dict[int, tuple[Any, ...]]

TOGGLES = ("read", "starred", "queued", "archived")
# The last queue position: the WHERE lets SQLite read it from the end of the partial index
# papers_queue (without it, it reads an entry per paper: 5 ms at 100,000 papers).
QUEUE_END_SQL = "SELECT COALESCE(MAX(queue_pos), 0) FROM papers WHERE queue_pos IS NOT NULL"
KIND = "triage"


def encode_snapshot(snap: StateSnapshot) -> list[Any]:
    """A state snapshot as JSON-ready lists (for the stored history)."""
    return [[paper_id, list(values)] for paper_id, values in snap.items()]


def decode_snapshot(rows: list[Any]) -> StateSnapshot:
    """A state snapshot back from :func:`encode_snapshot`."""
    return {int(paper_id): tuple(values) for paper_id, values in rows}


def _width(snap: StateSnapshot) -> int:
    """How many of STATE_COLUMNS a snapshot holds (fewer in one stored before m009)."""
    return len(next(iter(snap.values()))) if snap else len(STATE_COLUMNS)


def state_changes(before: StateSnapshot, after: StateSnapshot) -> Changes:
    """The Changes of a triage write from the state snapshots around it."""
    read = membership = False
    for paper_id, old in before.items():
        new = after.get(paper_id, old)
        for column, a, b in zip(STATE_COLUMNS, old, new, strict=False):  # old: pre-m009
            if a != b:
                if column in _READ_COLUMNS:
                    read = True
                else:
                    membership = True
    return Changes(frozenset(PaperId(i) for i in before), read=read, membership=membership)


class Triage:
    """Triage state of papers (``library.triage``)."""

    def __init__(self, ctx: LibraryContext, papers: Papers, views: Views) -> None:
        self.ctx = ctx
        self.papers = papers
        self.views = views
        ctx.history.register(KIND, self._apply)

    def _snapshot(self, ids: Sequence[int]) -> StateSnapshot:
        snap: StateSnapshot = {}
        cols = ", ".join(STATE_COLUMNS)
        for chunk in chunks(list(ids)):
            for row in self.ctx.db.execute(
                f"SELECT id, {cols} FROM papers WHERE id IN ({marks(len(chunk))})", list(chunk)
            ):
                snap[row[0]] = tuple(row[1:])
        return snap

    def _restore(self, snap: StateSnapshot) -> Changes:
        current = self._snapshot(list(snap))
        width = _width(snap)
        sets = ", ".join(f"{c} = ?" for c in STATE_COLUMNS[:width])
        with self.ctx.db.atomic():
            self.ctx.db.conn.executemany(
                f"UPDATE papers SET {sets} WHERE id = ?",
                [(*values, paper_id) for paper_id, values in snap.items()],
            )
        return self.ctx.emit(state_changes(current, snap))

    def _write(self, label: str, ids: Sequence[int], sql: str, params: list[Any]) -> Changes:
        """Run one state UPDATE over ``ids`` as a single undoable transaction."""
        ids = list(dict.fromkeys(int(i) for i in ids))
        if not ids:
            return Changes()
        db = self.ctx.db
        with write_transaction(db):
            before = self._snapshot(ids)
            for chunk in chunks(ids):
                db.conn.execute(f"{sql} WHERE id IN ({marks(len(chunk))})", [*params, *chunk])
            after = self._snapshot(ids)
            if after == before:
                return Changes()
            changed = [i for i in before if before[i] != after.get(i)]
            self.ctx.history.record(
                label,
                kind=KIND,
                payload={
                    "before": encode_snapshot({i: before[i] for i in changed}),
                    "after": encode_snapshot({i: after[i] for i in changed}),
                },
                papers=changed,
            )
        return self.ctx.emit(state_changes(before, after))

    def _apply(self, payload: Any, undo: bool) -> Applied:
        """Undo (or redo) a stored triage action, refused when its papers changed since."""
        before = decode_snapshot(payload["before"])
        after = decode_snapshot(payload["after"])
        expected, target = (after, before) if undo else (before, after)
        current = self._snapshot(list(expected))
        width = _width(expected)
        for paper_id, values in expected.items():
            if paper_id not in current:
                raise UndoRefusedError(
                    f"paper {paper_id} is no longer in the library", permanent=True
                )
            if current[paper_id][:width] != values:
                paper = self.papers.get(paper_id)
                title = paper.title if paper else f"paper {paper_id}"
                raise UndoRefusedError(f"\u201c{title}\u201d was changed since")
        return self._restore(target), payload

    def set_read(self, ids: Sequence[int], read: bool = True) -> Changes:
        """Mark papers read (stamping read_at the first time) or unread."""
        if read:
            return self._write(
                "mark read",
                ids,
                "UPDATE papers SET is_read = 1, read_at = COALESCE(read_at, ?)",
                [now_iso()],
            )
        return self._write("mark unread", ids, "UPDATE papers SET is_read = 0, read_at = NULL", [])

    def set_starred(self, ids: Sequence[int], starred: bool = True) -> Changes:
        """Star or unstar papers."""
        return self._write(
            "star" if starred else "unstar", ids, "UPDATE papers SET starred = ?", [int(starred)]
        )

    def set_archived(self, ids: Sequence[int], archived: bool = True) -> Changes:
        """Archive papers (which also takes them out of the queue) or bring them back."""
        if archived:
            return self._write(
                "archive",
                ids,
                "UPDATE papers SET archived = 1, archived_at = ?, queue_pos = NULL",
                [now_iso()],
            )
        return self._write(
            "unarchive", ids, "UPDATE papers SET archived = 0, archived_at = NULL", []
        )

    def set_queued(self, ids: Sequence[int], queued: bool = True) -> Changes:
        """Add papers to the end of the reading queue (in the order given), or remove them."""
        if not queued:
            return self._write("remove from queue", ids, "UPDATE papers SET queue_pos = NULL", [])
        wanted = list(dict.fromkeys(int(i) for i in ids))
        snap = self._snapshot(wanted)
        ids = [i for i in wanted if i in snap and snap[i][_QUEUE] is None]
        if not ids:
            return Changes()
        top = self.ctx.db.execute(QUEUE_END_SQL).fetchone()[0]
        # One CASE keeps this a single UPDATE, so undo sees one action.
        cases = " ".join(f"WHEN {int(i)} THEN {top + n + 1}" for n, i in enumerate(ids))
        return self._write(
            "add to queue",  # m009 finds queue times in the history by this label
            ids,
            "UPDATE papers SET archived = 0, archived_at = NULL, queued_at = ?, "
            f"queue_pos = CASE id {cases} END",
            [now_iso()],
        )

    def toggle(self, what: str, ids: Sequence[int]) -> Changes:
        """Toggle ``read``, ``starred``, ``queued`` or ``archived`` on papers.

        With several papers, the first one decides: if it is off, all are turned on.
        """
        if what not in TOGGLES:
            raise ValueError(f"cannot toggle {what!r}")
        papers = self.papers.many(list(ids), with_sightings=False)
        if not papers:
            return Changes()
        first = papers[0]
        target_ids = [p.id for p in papers]
        if what == "read":
            return self.set_read(target_ids, not first.is_read)
        if what == "starred":
            return self.set_starred(target_ids, not first.starred)
        if what == "queued":
            return self.set_queued(target_ids, not first.queued)
        return self.set_archived(target_ids, not first.archived)

    def move_in_queue(self, paper_id: int, delta: int) -> Changes:
        """Move a queued paper ``delta`` places (negative is up), clamped to the queue."""
        order = self.views.ids("queue")
        if paper_id not in order or delta == 0:
            return Changes()
        index = order.index(PaperId(paper_id))
        target = max(0, min(len(order) - 1, index + delta))
        if target == index:
            return Changes()
        order.insert(target, order.pop(index))
        span = order[min(index, target) : max(index, target) + 1]
        snap = self._snapshot(span)
        positions = sorted(int(snap[i][_QUEUE]) for i in span)
        cases = " ".join(
            f"WHEN {int(i)} THEN {pos}" for i, pos in zip(span, positions, strict=True)
        )
        return self._write(
            "move in queue", span, f"UPDATE papers SET queue_pos = CASE id {cases} END", []
        )

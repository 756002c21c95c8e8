"""The counts of the built-in views and of each digest, kept current write by write.

Counting the six built-in views and every digest from scratch reads every paper (about 60 ms
at 100,000 papers), and the sidebar asks after every triage key. So once a write was heard
after a count, the next count also keeps, per paper id, a byte of the state the counts
depend on (unread, archived, queued, starred, snoozed). A write that names its papers and
changed only their read state or membership (a triage key, a snooze, an undo of either)
then re-reads those papers alone, and the counts move by the difference: the views each
paper left and joined, and the digests it was seen in when it turned read or unread. A
write that adds or removes papers or digests, or names no papers, makes the next count
start from scratch.

So every write of triage state must be announced (the library's writes all are: each
returns and publishes its Changes); a write made with SQL behind the library's back must be
followed by ``library.notify(Changes(library=True))``, as after any write the window did not
hear. Another connection's commit (``PRAGMA data_version`` moved: a background import, the
command line) makes the next count start from scratch by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from desktop.core.models import VIEWS, Changes, DigestId
from desktop.core.snooze import WAITING_SQL
from desktop.core.sql import chunks, int_array, marks
from desktop.core.views import ViewCount, count_views

# A write naming more papers than this counts again from scratch (one pass is cheaper).
INCREMENTAL_MAX = 2000

UNREAD, ARCHIVED, QUEUED, STARRED, WAITING, PRESENT = 1, 2, 4, 8, 16, 32
# The state byte of papers, in SQL over papers ``p`` (WAITING and PRESENT are added in Python).
_BITS_SQL = (
    "(p.is_read = 0) | ((p.archived != 0) << 1) | ((p.queue_pos IS NOT NULL) << 2) "
    "| ((p.starred != 0) << 3)"
)


def _views_of(bits: int) -> tuple[int, ...]:
    """The built-in views (indexes into VIEWS) a paper with this state byte is in."""
    if not bits & PRESENT:
        return ()
    archived, queued, waiting = bits & ARCHIVED, bits & QUEUED, bits & WAITING
    member = {
        "inbox": not archived and not queued and not waiting,
        "queue": not archived and queued,
        "starred": bool(bits & STARRED),
        "archive": bool(archived),
        "all": True,
        "snoozed": bool(waiting),
    }
    return tuple(n for n, view in enumerate(VIEWS) if member[view])


_MEMBERSHIP = [_views_of(bits) for bits in range(64)]


@dataclass(frozen=True)
class CountedViews:
    """Counts made from scratch (``ViewCounts.count_all``): each paper's state byte, the
    built-in views' [total, unread] in VIEWS order, and each digest's."""

    state: bytearray
    views: list[list[int]]
    digests: dict[int, list[int]]


class ViewCounts:
    """Counts of the built-in views and the digests (``library.views.counts()`` and
    ``library.digests.counts()`` ask it); a library listener keeps them current.

    The state byte of every paper is read (about 80 ms at 100,000 papers, against 30 ms for
    the counts alone) only once the counts are wanted again after a write: a command that
    counts once and exits (``digest-desk stats``) counts with SQL alone, as the window does
    until the first triage key.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._state: bytearray | None = None  # per paper id: its state byte (0: no paper)
        self._views: list[list[int]] | None = None  # per VIEWS entry: [total, unread]
        self._digests: dict[int, list[int]] | None = None  # digest id: [total, unread]
        self._marks: int | None = None  # the data_version the counts are of
        self._track = False  # keep each paper's state byte (a write was heard after a count)
        self.recounts = 0  # counts started from scratch (tests check the incremental path)

    # -- reading -----------------------------------------------------------------------------
    def views(self) -> dict[str, ViewCount]:
        """Total and unread papers of every built-in view."""
        self._fresh()
        if self._views is None:
            self._count_views()
        assert self._views is not None
        return {view: ViewCount(t, u) for view, (t, u) in zip(VIEWS, self._views, strict=True)}

    def digests(self) -> dict[DigestId, ViewCount]:
        """Total and unread papers of every digest that has sightings."""
        self._fresh()
        if self._digests is None:
            self._digests = {
                int(r[0]): [int(r[1]), int(r[2])]
                for r in self.db.execute(
                    "SELECT s.digest_id, COUNT(*), COALESCE(SUM(p.is_read = 0), 0) "
                    "FROM sightings s JOIN papers p INDEXED BY papers_read ON p.id = s.paper_id "
                    "GROUP BY s.digest_id"
                )
            }
        return {DigestId(d): ViewCount(t, u) for d, (t, u) in self._digests.items()}

    def _fresh(self) -> None:
        """Forget the counts when another connection committed since they were made."""
        (version,) = self.db.execute("PRAGMA data_version").fetchone()
        if self._marks != int(version):
            self._forget()
            self._marks = int(version)

    def _forget(self) -> None:
        self._state = None
        self._views = None
        self._digests = None

    def _count_views(self) -> None:
        """Count the views from scratch (keeping each paper's state byte when tracking)."""
        self.recounts += 1
        if not self._track:
            counted = count_views(self.db)
            self._views = [[counted[v].total, counted[v].unread] for v in VIEWS]
            return
        import numpy as np  # only here: the command line counts with SQL alone

        waiting = {int(r[0]) for r in self.db.execute(WAITING_SQL)}
        # Two texts numpy reads: no Python object per paper (a million rows as tuples are
        # about 100 MB and a second).
        ids_text, bits_text = self.db.execute(
            f"SELECT group_concat(p.id), group_concat({_BITS_SQL}) FROM papers p"
        ).fetchone()
        ids, bits = int_array(ids_text), int_array(bits_text)
        states = np.zeros(int(ids.max()) + 1 if len(ids) else 1, dtype=np.uint8)
        states[ids] = (bits | PRESENT).astype(np.uint8)
        del ids, bits, ids_text, bits_text
        for paper_id in waiting:
            if paper_id < len(states) and states[paper_id]:
                states[paper_id] |= WAITING
        tally = np.bincount(states, minlength=64).tolist()
        state = bytearray(states.tobytes())
        del states
        views = [[0, 0] for _ in VIEWS]
        for value, n in enumerate(tally):
            if n:
                for place in _MEMBERSHIP[value]:
                    views[place][0] += n
                    if value & UNREAD:
                        views[place][1] += n
        self._state, self._views = state, views

    # -- counting elsewhere -------------------------------------------------------------------
    def count_all(self) -> CountedViews:
        """Count the views (keeping each paper's state byte) and the digests from scratch:
        on a worker's connection, for the window's counts to :meth:`adopt`."""
        self._track = True
        self._forget()
        self._marks = None
        self.views()
        self.digests()
        assert self._state is not None and self._views is not None and self._digests is not None
        return CountedViews(self._state, self._views, self._digests)

    def adopt(self, counted: CountedViews) -> None:
        """Take counts made by :meth:`count_all` on another connection over the library as
        this connection sees it now (the caller checks that no write came in between)."""
        (version,) = self.db.execute("PRAGMA data_version").fetchone()
        self._marks = int(version)
        self._track = True
        self._state = counted.state
        self._views = [list(v) for v in counted.views]
        self._digests = {d: list(c) for d, c in counted.digests.items()}

    # -- keeping current ---------------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        """Library listener: move the counts by what the write changed (see the docstring)."""
        if self._views is None and self._digests is None:
            return  # nothing counted yet
        if changes.library or changes.digests:
            self._forget()
            return
        if changes.read or changes.membership:
            ids = sorted({int(i) for i in changes.papers})
            if self._state is None:
                # Counted with SQL alone: this time again, and from now on per paper.
                self._track = True
                self._forget()
                return
            if not ids or len(ids) > INCREMENTAL_MAX:
                self._forget()
                return
            self._update(ids)

    def _read_state(self, ids: Sequence[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for chunk in chunks(list(ids)):
            m = marks(len(chunk))
            waiting = {
                int(r[0])
                for r in self.db.execute(
                    f"{WAITING_SQL} AND paper_id IN ({m})",
                    list(chunk),
                )
            }
            for paper_id, bits in self.db.execute(
                f"SELECT p.id, {_BITS_SQL} FROM papers p WHERE p.id IN ({m})", list(chunk)
            ):
                found[int(paper_id)] = bits | PRESENT | (WAITING if paper_id in waiting else 0)
        return found

    def _update(self, ids: Sequence[int]) -> None:
        state, views = self._state, self._views
        assert state is not None and views is not None
        new = self._read_state(ids)
        flipped: dict[int, int] = {}  # paper -> +1 turned unread, -1 turned read
        for paper_id in ids:
            old = state[paper_id] if paper_id < len(state) else 0
            value = new.get(paper_id, 0)
            if old == value:
                continue
            if (old & PRESENT) != (value & PRESENT):
                self._forget()  # a paper came or went unannounced: count it all again
                return
            for view in _MEMBERSHIP[old]:
                views[view][0] -= 1
                views[view][1] -= old & UNREAD
            for view in _MEMBERSHIP[value]:
                views[view][0] += 1
                views[view][1] += value & UNREAD
            if (old ^ value) & UNREAD:
                flipped[paper_id] = 1 if value & UNREAD else -1
            state[paper_id] = value
        if flipped and self._digests is not None:
            for chunk in chunks(list(flipped)):
                for paper_id, digest_id in self.db.execute(
                    "SELECT paper_id, digest_id FROM sightings "
                    f"WHERE paper_id IN ({marks(len(chunk))})",
                    list(chunk),
                ):
                    entry = self._digests.get(int(digest_id))
                    if entry is not None:
                        entry[1] += flipped[int(paper_id)]

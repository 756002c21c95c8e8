"""Removing what the user does not want: papers (with their annotations) and digests.

Every removal is one transaction and one undoable action: the rows it deletes are kept in the
undo history and put back as they were (same ids), so undo restores papers with their notes,
highlights, tags and sightings. A removed digest keeps its row, marked ``removed_at``, as the
log of what was imported (the seeds are never imported again into a library that removed
them); importing the same digest again brings it back as new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from desktop.core.clock import now_iso
from desktop.core.context import LibraryContext
from desktop.core.history import Applied, UndoRefusedError
from desktop.core.models import Changes, DigestId, PaperId
from desktop.core.plain_text import clean_name
from desktop.core.sql import chunks, marks

# The tables holding a paper's rows, parents first (the order they are put back in).
PAPER_TABLES = ("papers", "sightings", "notes", "highlights", "paper_tags", "snoozes")
KIND_DELETE = "delete papers"
KIND_REMOVE = "remove digests"
KIND_RENAME = "rename digest"
KIND_IMPORT = "import"


class RemovalError(ValueError):
    """A removal that cannot be done; the message is one plain sentence."""


# One table's rows taken out of the library: its name, column names and rows.
TableRows = tuple[str, tuple[str, ...], tuple[tuple[Any, ...], ...]]


@dataclass(frozen=True)
class RemovedRows:
    """Rows taken out of the library, by table, parents first."""

    tables: tuple[TableRows, ...]

    def encode(self) -> list[Any]:
        """JSON-ready lists, for the stored history."""
        return [[t, list(names), [list(r) for r in rows]] for t, names, rows in self.tables]

    @classmethod
    def decode(cls, data: list[Any]) -> RemovedRows:
        """Rows back from :meth:`encode`."""
        return cls(
            tuple((str(t), tuple(names), tuple(tuple(r) for r in rows)) for t, names, rows in data)
        )


class Removal:
    """Deleting papers, removing and renaming digests (``library.removal``)."""

    def __init__(self, ctx: LibraryContext) -> None:
        self.ctx = ctx
        self.db = ctx.db
        ctx.history.register(KIND_DELETE, self._apply_delete)
        ctx.history.register(KIND_REMOVE, self._apply_remove)
        ctx.history.register(KIND_RENAME, self._apply_rename)
        ctx.history.register(KIND_IMPORT, self._apply_import)

    # -- papers ------------------------------------------------------------------------------
    def _rows(
        self, table: str, ids: Sequence[int]
    ) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        column = "id" if table == "papers" else "paper_id"
        names: tuple[str, ...] = ()
        rows: list[tuple[Any, ...]] = []
        for chunk in chunks(list(ids)):
            cursor = self.db.execute(
                f"SELECT * FROM {table} WHERE {column} IN ({marks(len(chunk))})", list(chunk)
            )
            names = tuple(d[0] for d in cursor.description)
            rows += [tuple(r) for r in cursor.fetchall()]
        if not names:
            names = tuple(r[1] for r in self.db.execute(f"PRAGMA table_info({table})"))
        return names, rows

    def _snapshot(self, ids: Sequence[int]) -> RemovedRows:
        return RemovedRows(
            tuple((t, *self._rows(t, ids)) for t in PAPER_TABLES)  # type: ignore[misc]
        )

    def _delete(self, ids: Sequence[int]) -> TableRows:
        """Delete papers (cascading to their sightings and annotations) and the tags left on
        no paper; returns those tags' rows, for undo."""
        for chunk in chunks(list(ids)):
            self.db.conn.execute(
                f"DELETE FROM papers WHERE id IN ({marks(len(chunk))})", list(chunk)
            )
        unused = "FROM tags WHERE id NOT IN (SELECT tag_id FROM paper_tags)"
        gone = tuple(tuple(r) for r in self.db.execute(f"SELECT id, name {unused}"))
        self.db.conn.execute(f"DELETE {unused}")
        return ("tags", ("id", "name"), gone)

    def _put_back(
        self, removed: RemovedRows, digests: Sequence[tuple[int, str | None]] = ()
    ) -> Changes:
        with self.db.atomic():
            for digest_id, removed_at in digests:
                self.db.conn.execute(
                    "UPDATE digests SET removed_at = ? WHERE id = ?", [removed_at, digest_id]
                )
            for table, names, rows in removed.tables:
                if not rows:
                    continue
                cols = ", ".join(f'"{n}"' for n in names)
                self.db.conn.executemany(
                    f"INSERT OR REPLACE INTO {table} ({cols}) VALUES ({marks(len(names))})", rows
                )
        papers = next(rows for table, _, rows in removed.tables if table == "papers")
        return self.ctx.emit(
            Changes(
                frozenset(PaperId(r[0]) for r in papers),
                library=True,
                annotations=True,
                digests=True,
                tags=True,
            )
        )

    def delete_papers(self, ids: Sequence[int]) -> Changes:
        """Delete papers with their sightings, notes, highlights and tags; undoable."""
        wanted = list(dict.fromkeys(int(i) for i in ids))
        with self.db.atomic():
            removed = self._snapshot(wanted)
            present = [r[0] for r in removed.tables[0][2]]
            if not present:
                return Changes()
            action = self.ctx.history.record(
                "delete paper" if len(present) == 1 else f"delete {len(present)} papers",
                kind=KIND_DELETE,
                payload=None,
                papers=present,
            )
            gone_tags = self._delete(present)
            removed = RemovedRows((gone_tags, *removed.tables))
            self.ctx.history.amend(action, {"ids": present, "removed": removed.encode()})
        return self.ctx.emit(_removed_changes(present))

    def _refuse_unless(self, ids: Sequence[int], *, present: bool) -> None:
        """Refuse an undo or redo unless all of ``ids`` are (or none is) in the library."""
        for chunk in chunks(list(ids)):
            row = self.db.execute(
                f"SELECT id, title FROM papers WHERE id IN ({marks(len(chunk))})", list(chunk)
            ).fetchall()
            if not present and row:
                raise UndoRefusedError(
                    f"another paper (\u201c{row[0][1]}\u201d) has its place in the library now"
                )
            if present and len(row) != len(chunk):
                raise UndoRefusedError(
                    "some of its papers are no longer in the library", permanent=True
                )

    def _apply_delete(self, payload: Any, undo: bool) -> Applied:
        ids = [int(i) for i in payload["ids"]]
        self._refuse_unless(ids, present=not undo)
        if undo:
            return self._put_back(RemovedRows.decode(payload["removed"])), payload
        return self._redo_delete(ids), payload

    def _redo_delete(self, ids: Sequence[int]) -> Changes:
        with self.db.atomic():
            self._delete(ids)
        return self.ctx.emit(_removed_changes(ids))

    # -- digests -----------------------------------------------------------------------------
    def _require_digest(self, digest_id: int) -> None:
        row = self.db.execute(
            "SELECT 1 FROM digests WHERE id = ? AND removed_at IS NULL", [int(digest_id)]
        ).fetchone()
        if row is None:
            raise RemovalError(f"no digest with id {digest_id}")

    def papers_only_in(self, digest_ids: Sequence[int]) -> list[PaperId]:
        """Papers seen in these digests and in no other (not removed) digest."""
        wanted = [int(i) for i in digest_ids]
        if not wanted:
            return []
        m = marks(len(wanted))
        return [
            PaperId(r[0])
            for r in self.db.execute(
                f"SELECT DISTINCT s.paper_id FROM sightings s WHERE s.digest_id IN ({m}) "
                "AND NOT EXISTS (SELECT 1 FROM sightings o JOIN digests d ON d.id = o.digest_id "
                f"WHERE o.paper_id = s.paper_id AND o.digest_id NOT IN ({m}) "
                "AND d.removed_at IS NULL) ORDER BY s.paper_id",
                [*wanted, *wanted],
            )
        ]

    def remove_digests(self, digest_ids: Sequence[int], *, keep_papers: bool = False) -> Changes:
        """Remove digests, with the papers seen only in them (unless ``keep_papers``) and
        those papers' annotations; one undoable step. Papers also seen elsewhere stay."""
        wanted = list(dict.fromkeys(int(i) for i in digest_ids))
        for digest_id in wanted:
            self._require_digest(digest_id)
        if not wanted:
            return Changes()
        with self.db.atomic():
            doomed = [] if keep_papers else self.papers_only_in(wanted)
            action = self.ctx.history.record(
                "remove digest" if len(wanted) == 1 else f"remove {len(wanted)} digests",
                kind=KIND_REMOVE,
                payload=None,
                papers=doomed,
            )
            everything, stamp = self._remove(wanted, doomed)
            self.ctx.history.amend(
                action,
                {
                    "digests": wanted,
                    "doomed": doomed,
                    "stamp": stamp,
                    "removed": everything.encode(),
                },
            )
        touched = {r[0] for r in everything.tables[-1][2]}
        return self.ctx.emit(_removed_changes([*doomed, *touched]))

    def _remove(self, digest_ids: Sequence[int], doomed: Sequence[int]) -> tuple[RemovedRows, str]:
        """Remove digests and the papers ``doomed`` (in the caller's transaction); returns
        every row taken out, the digests' sightings last, and the removal's time stamp."""
        stamp = now_iso()
        removed = self._snapshot(doomed)
        sightings = self._digest_sightings(digest_ids)
        gone_tags = self._delete(doomed)
        self.db.conn.execute(
            f"DELETE FROM sightings WHERE digest_id IN ({marks(len(digest_ids))})",
            list(digest_ids),
        )
        self.db.conn.executemany(
            "UPDATE digests SET removed_at = ? WHERE id = ?", [(stamp, i) for i in digest_ids]
        )
        return RemovedRows((gone_tags, *removed.tables, sightings)), stamp

    def _apply_remove(self, payload: Any, undo: bool) -> Applied:
        digests = [int(i) for i in payload["digests"]]
        doomed = [int(i) for i in payload["doomed"]]
        self._refuse_unless(doomed, present=not undo)
        if undo:
            back = [(i, None) for i in digests]
            return self._put_back(RemovedRows.decode(payload["removed"]), back), payload
        return self._redo_remove(digests, doomed, str(payload["stamp"])), payload

    def import_footprint(self, digest_id: int) -> tuple[int, int]:
        """What undoing an import would remove: (papers seen only in that digest, how many
        of them carry a note, a highlight or a tag)."""
        doomed = self.papers_only_in([digest_id])
        annotated = 0
        for chunk in chunks(doomed):
            m = marks(len(chunk))
            annotated += int(
                self.db.execute(
                    f"SELECT COUNT(*) FROM papers p WHERE p.id IN ({m}) AND ("
                    "EXISTS (SELECT 1 FROM notes n WHERE n.paper_id = p.id) OR "
                    "EXISTS (SELECT 1 FROM highlights h WHERE h.paper_id = p.id) OR "
                    "EXISTS (SELECT 1 FROM paper_tags t WHERE t.paper_id = p.id))",
                    list(chunk),
                ).fetchone()[0]
            )
        return len(doomed), annotated

    def _apply_import(self, payload: Any, undo: bool) -> Applied:
        """Undo an import: remove its digest with the papers it added (those no other digest
        has seen), annotations included; redo puts them back as they were."""
        digest_id = int(payload["digest"])
        row = self.db.execute("SELECT removed_at FROM digests WHERE id = ?", [digest_id]).fetchone()
        if row is None:
            raise UndoRefusedError("the digest is no longer in the library", permanent=True)
        if undo:
            if row[0] is not None:
                raise UndoRefusedError("the digest was removed since")
            doomed = self.papers_only_in([digest_id])
            removed, _ = self._remove([digest_id], doomed)
            touched = {r[0] for r in removed.tables[-1][2]}
            changes = self.ctx.emit(_removed_changes([*doomed, *touched]))
            return changes, {**payload, "doomed": doomed, "removed": removed.encode()}
        if row[0] is None or "removed" not in payload:
            raise UndoRefusedError("the digest is in the library already")
        self._refuse_unless([int(i) for i in payload["doomed"]], present=False)
        back = [(digest_id, None)]
        return self._put_back(RemovedRows.decode(payload["removed"]), back), payload

    def _digest_sightings(self, digest_ids: Sequence[int]) -> TableRows:
        cursor = self.db.execute(
            f"SELECT * FROM sightings WHERE digest_id IN ({marks(len(digest_ids))})",
            list(digest_ids),
        )
        names = tuple(d[0] for d in cursor.description)
        return ("sightings", names, tuple(tuple(r) for r in cursor.fetchall()))

    def _redo_remove(self, digest_ids: Sequence[int], doomed: Sequence[int], stamp: str) -> Changes:
        with self.db.atomic():
            self._delete(doomed)
            self.db.conn.execute(
                f"DELETE FROM sightings WHERE digest_id IN ({marks(len(digest_ids))})",
                list(digest_ids),
            )
            self.db.conn.executemany(
                "UPDATE digests SET removed_at = ? WHERE id = ?", [(stamp, i) for i in digest_ids]
            )
        return self.ctx.emit(_removed_changes(doomed))

    def sample_digest_ids(self) -> list[DigestId]:
        """The sample digests imported on the first start that are still there."""
        return [
            DigestId(r[0])
            for r in self.db.execute(
                "SELECT id FROM digests WHERE sample = 1 AND removed_at IS NULL ORDER BY id"
            )
        ]

    def remove_samples(self) -> Changes:
        """Remove the sample digests and every paper seen only in them, in one undoable step."""
        return self.remove_digests(self.sample_digest_ids())

    def rename_digest(self, digest_id: int, name: str) -> Changes:
        """Give a digest another name (cleaned like imported text); undoable."""
        self._require_digest(digest_id)
        new = clean_name(name)
        if not new:
            raise RemovalError("a digest name cannot be empty")
        (old,) = self.db.execute(
            "SELECT name FROM digests WHERE id = ?", [int(digest_id)]
        ).fetchone()
        if old == new:
            return Changes()
        with self.db.atomic():
            self.ctx.history.record(
                "rename digest",
                kind=KIND_RENAME,
                payload={"digest": int(digest_id), "old": old, "new": new},
            )
            return self._set_name(int(digest_id), new)

    def _apply_rename(self, payload: Any, undo: bool) -> Applied:
        digest_id = int(payload["digest"])
        old, new = payload["old"], payload["new"]
        expected, target = (new, old) if undo else (old, new)
        row = self.db.execute("SELECT name FROM digests WHERE id = ?", [digest_id]).fetchone()
        if row is None or row[0] != expected:
            raise UndoRefusedError("the digest was renamed or removed since")
        return self._set_name(digest_id, str(target)), payload

    def _set_name(self, digest_id: int, name: str) -> Changes:
        with self.db.atomic():
            self.db.conn.execute("UPDATE digests SET name = ? WHERE id = ?", [name, digest_id])
        return self.ctx.emit(Changes(digests=True))


def _removed_changes(ids: Sequence[int]) -> Changes:
    return Changes(
        frozenset(PaperId(int(i)) for i in ids),
        library=True,
        annotations=True,
        digests=True,
        tags=True,
    )

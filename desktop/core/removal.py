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
from desktop.core.models import Changes, DigestId, PaperId
from desktop.core.plain_text import clean_name
from desktop.core.sql import chunks, marks

# The tables holding a paper's rows, parents first (the order they are put back in).
PAPER_TABLES = ("papers", "sightings", "notes", "highlights", "paper_tags")


class RemovalError(ValueError):
    """A removal that cannot be done; the message is one plain sentence."""


# One table's rows taken out of the library: its name, column names and rows.
TableRows = tuple[str, tuple[str, ...], tuple[tuple[Any, ...], ...]]


@dataclass(frozen=True)
class RemovedRows:
    """Rows taken out of the library, by table, parents first."""

    tables: tuple[TableRows, ...]


class Removal:
    """Deleting papers, removing and renaming digests (``library.removal``)."""

    def __init__(self, ctx: LibraryContext) -> None:
        self.ctx = ctx
        self.db = ctx.db

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
            gone_tags = self._delete(present)
        removed = RemovedRows((gone_tags, *removed.tables))
        label = "delete paper" if len(present) == 1 else f"delete {len(present)} papers"
        self.ctx.record(
            label,
            undo=lambda: self._put_back(removed),
            redo=lambda: self._redo_delete(present),
        )
        return self.ctx.emit(_removed_changes(present))

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
        stamp = now_iso()
        with self.db.atomic():
            doomed = [] if keep_papers else self.papers_only_in(wanted)
            removed = self._snapshot(doomed)
            sightings = self._digest_sightings(wanted)
            gone_tags = self._delete(doomed)
            self.db.conn.execute(
                f"DELETE FROM sightings WHERE digest_id IN ({marks(len(wanted))})", wanted
            )
            self.db.conn.executemany(
                "UPDATE digests SET removed_at = ? WHERE id = ?", [(stamp, i) for i in wanted]
            )
        everything = RemovedRows((gone_tags, *removed.tables, sightings))
        label = "remove digest" if len(wanted) == 1 else f"remove {len(wanted)} digests"
        self.ctx.record(
            label,
            undo=lambda: self._put_back(everything, [(i, None) for i in wanted]),
            redo=lambda: self._redo_remove(wanted, doomed, stamp),
        )
        touched = {r[0] for r in sightings[2]}
        return self.ctx.emit(_removed_changes([*doomed, *touched]))

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
        self.ctx.record(
            "rename digest",
            undo=lambda: self._set_name(int(digest_id), old),
            redo=lambda: self._set_name(int(digest_id), new),
        )
        return self._set_name(int(digest_id), new)

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

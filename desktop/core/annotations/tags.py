"""Tags: names on papers, with counts for the sidebar; every change undoable."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from desktop.core.annotations.common import AnnotationError, annotation_changes
from desktop.core.context import LibraryContext
from desktop.core.history import Applied, UndoRefusedError
from desktop.core.models import Changes

TAG_MAX_CHARS = 64
_SPACE = re.compile(r"\s+")

TagSnapshot = dict[str, tuple[str, frozenset[int]] | None]
KIND = "tags"


def _encode(snap: TagSnapshot) -> dict[str, Any]:
    return {k: None if v is None else [v[0], sorted(v[1])] for k, v in snap.items()}


def _decode(data: dict[str, Any]) -> TagSnapshot:
    return {
        k: None if v is None else (str(v[0]), frozenset(int(i) for i in v[1]))
        for k, v in data.items()
    }


def normalize_tag(name: str) -> str:
    """A tag name as stored: NFC, trimmed, inner whitespace folded to one space.

    Raises AnnotationError for an empty name, a comma, a control character, or more than
    ``TAG_MAX_CHARS`` characters.
    """
    folded = _SPACE.sub(" ", unicodedata.normalize("NFC", str(name))).strip()
    if not folded:
        raise AnnotationError("a tag name cannot be empty")
    if "," in folded:
        raise AnnotationError(f"a tag name cannot hold a comma: {folded!r}")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in folded):
        raise AnnotationError(f"a tag name cannot hold control characters: {folded!r}")
    if len(folded) > TAG_MAX_CHARS:
        raise AnnotationError(f"a tag name is at most {TAG_MAX_CHARS} characters")
    return folded


def _tag_key(name: str) -> str:
    """The key under which SQLite's NOCASE collation treats tag names as equal (ASCII only)."""
    return "".join(ch.lower() if ch.isascii() else ch for ch in name)


def tag_view_where(name: str) -> tuple[str, list[Any]]:
    """The SQL condition (over papers aliased ``p``) for the view ``tag:NAME``."""
    return (
        "p.id IN (SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
        "WHERE t.name = ?)",
        [normalize_tag(name)],
    )


class Tags:
    """The tags of a library (``library.tags``)."""

    def __init__(self, ctx: LibraryContext) -> None:
        self.ctx = ctx
        self.db = ctx.db
        ctx.history.register(KIND, self._apply)

    def of_paper(self, paper_id: int) -> list[str]:
        """The tag names of one paper, sorted case-insensitively."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                "WHERE pt.paper_id = ? ORDER BY t.name COLLATE NOCASE",
                [int(paper_id)],
            )
        ]

    def all(self) -> list[tuple[str, int]]:
        """Every tag with how many papers carry it, sorted by name (case-insensitive)."""
        return [
            (r[0], int(r[1]))
            for r in self.db.execute(
                "SELECT t.name, COUNT(pt.paper_id) FROM tags t "
                "LEFT JOIN paper_tags pt ON pt.tag_id = t.id "
                "GROUP BY t.id ORDER BY t.name COLLATE NOCASE"
            )
        ]

    def counts(self) -> list[tuple[str, int, int]]:
        """Every tag as ``(name, papers, unread papers)``, sorted by name (for the sidebar)."""
        return [
            (r[0], int(r[1]), int(r[2]))
            for r in self.db.execute(
                "SELECT t.name, COUNT(p.id), COALESCE(SUM(p.is_read = 0), 0) FROM tags t "
                "LEFT JOIN paper_tags pt ON pt.tag_id = t.id "
                "LEFT JOIN papers p ON p.id = pt.paper_id "
                "GROUP BY t.id ORDER BY t.name COLLATE NOCASE"
            )
        ]

    def _tag_snapshot(self, names: Iterable[str]) -> TagSnapshot:
        snap: TagSnapshot = {}
        for name in names:
            row = self.db.execute("SELECT id, name FROM tags WHERE name = ?", [name]).fetchone()
            key = _tag_key(name)
            if row is None:
                snap.setdefault(key, None)
                continue
            ids = frozenset(
                int(r[0])
                for r in self.db.execute(
                    "SELECT paper_id FROM paper_tags WHERE tag_id = ?", [row[0]]
                )
            )
            snap[key] = (str(row[1]), ids)
        return snap

    def _tag_id(self, name: str, create: bool) -> int | None:
        row = self.db.execute("SELECT id FROM tags WHERE name = ?", [name]).fetchone()
        if row is not None:
            return int(row[0])
        if not create:
            return None
        return int(
            self.db.conn.execute("INSERT INTO tags (name) VALUES (?)", [name]).lastrowid or 0
        )

    def _restore_tags(self, before: TagSnapshot, after: TagSnapshot) -> Changes:
        """Make the tags named in ``after`` exactly as snapshotted (None: no such tag)."""
        touched: set[int] = set()
        with self.db.atomic():
            for key, state in after.items():
                old = before.get(key)
                name = state[0] if state else (old[0] if old else key)
                row = self.db.execute("SELECT id FROM tags WHERE name = ?", [name]).fetchone()
                current: set[int] = set()
                if row is not None:
                    current = {
                        int(r[0])
                        for r in self.db.execute(
                            "SELECT paper_id FROM paper_tags WHERE tag_id = ?", [row[0]]
                        )
                    }
                if state is None:
                    if row is not None:
                        self.db.conn.execute("DELETE FROM paper_tags WHERE tag_id = ?", [row[0]])
                        self.db.conn.execute("DELETE FROM tags WHERE id = ?", [row[0]])
                    touched |= current
                    continue
                wanted = {
                    i
                    for i in state[1]
                    if self.db.execute("SELECT 1 FROM papers WHERE id = ?", [i]).fetchone()
                }
                tag_id = self._tag_id(state[0], create=True)
                assert tag_id is not None
                self.db.conn.execute("UPDATE tags SET name = ? WHERE id = ?", [state[0], tag_id])
                self.db.conn.execute("DELETE FROM paper_tags WHERE tag_id = ?", [tag_id])
                self.db.conn.executemany(
                    "INSERT INTO paper_tags (paper_id, tag_id) VALUES (?, ?)",
                    [(i, tag_id) for i in sorted(wanted)],
                )
                touched |= current ^ wanted
        return self.ctx.emit(annotation_changes(touched) | Changes(tags=True))

    def _tag_action(self, label: str, names: Sequence[str], write: Callable[[], None]) -> Changes:
        """Run ``write`` over the tags ``names`` as one undoable transaction."""
        with self.db.atomic():
            before = self._tag_snapshot(names)
            write()
            after = self._tag_snapshot(names)
            if before == after:
                return Changes()
            touched: set[int] = set()
            for key in set(before) | set(after):
                old, new = before.get(key), after.get(key)
                touched |= (old[1] if old else frozenset()) ^ (new[1] if new else frozenset())
            self.ctx.history.record(
                label,
                kind=KIND,
                payload={
                    "names": list(names),
                    "before": _encode(before),
                    "after": _encode(after),
                },
                papers=sorted(touched),
            )
        return self.ctx.emit(annotation_changes(touched) | Changes(tags=True))

    def _apply(self, payload: Any, undo: bool) -> Applied:
        """Undo (or redo) a stored tag action, refused when those tags changed since."""
        before, after = _decode(payload["before"]), _decode(payload["after"])
        expected, target = (after, before) if undo else (before, after)
        if self._tag_snapshot(payload["names"]) != expected:
            ids = {i for state in expected.values() if state for i in state[1]}
            gone = [i for i in sorted(ids) if not self.ctx.paper_exists(i)]
            if gone:
                raise UndoRefusedError(
                    f"paper {gone[0]} is no longer in the library", permanent=True
                )
            raise UndoRefusedError("those tags were changed since")
        return self._restore_tags(expected, target), payload

    def _existing_paper_ids(self, ids: Sequence[int]) -> list[int]:
        wanted = list(dict.fromkeys(int(i) for i in ids))
        missing = [
            i
            for i in wanted
            if not self.db.execute("SELECT 1 FROM papers WHERE id = ?", [i]).fetchone()
        ]
        if missing:
            raise AnnotationError(f"no paper with id {', '.join(map(str, missing))}")
        return wanted

    def add(self, ids: Sequence[int], name: str) -> Changes:
        """Tag papers with ``name`` (created if new; an existing tag keeps its spelling)."""
        name = normalize_tag(name)
        paper_ids = self._existing_paper_ids(ids)

        def write() -> None:
            tag_id = self._tag_id(name, create=True)
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) VALUES (?, ?)",
                [(i, tag_id) for i in paper_ids],
            )

        return self._tag_action(f"tag {name}", [name], write)

    def remove(self, ids: Sequence[int], name: str) -> Changes:
        """Take the tag ``name`` off papers; a tag left on no paper is deleted."""
        name = normalize_tag(name)
        paper_ids = self._existing_paper_ids(ids)

        def write() -> None:
            tag_id = self._tag_id(name, create=False)
            if tag_id is None:
                return
            self.db.conn.executemany(
                "DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?",
                [(i, tag_id) for i in paper_ids],
            )
            self.db.conn.execute(
                "DELETE FROM tags WHERE id = ? AND NOT EXISTS "
                "(SELECT 1 FROM paper_tags WHERE tag_id = ?)",
                [tag_id, tag_id],
            )

        return self._tag_action(f"untag {name}", [name], write)

    def set_for_paper(self, paper_id: int, names: Sequence[str]) -> Changes:
        """Make ``names`` exactly the tags of one paper, as one undo step (the tag editor).

        New names are created; tags taken off and left on no paper are deleted.
        """
        (paper,) = self._existing_paper_ids([paper_id])
        wanted: dict[str, str] = {}
        for raw in names:
            name = normalize_tag(raw)
            wanted.setdefault(_tag_key(name), name)
        current = self.of_paper(paper)
        affected = list(dict.fromkeys([*current, *wanted.values()]))

        def write() -> None:
            for name in current:
                if _tag_key(name) not in wanted:
                    tag_id = self._tag_id(name, create=False)
                    self.db.conn.execute(
                        "DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?", [paper, tag_id]
                    )
                    self.db.conn.execute(
                        "DELETE FROM tags WHERE id = ? AND NOT EXISTS "
                        "(SELECT 1 FROM paper_tags WHERE tag_id = ?)",
                        [tag_id, tag_id],
                    )
            for name in wanted.values():
                tag_id = self._tag_id(name, create=True)
                self.db.conn.execute(
                    "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) VALUES (?, ?)",
                    [paper, tag_id],
                )

        return self._tag_action("edit tags", affected, write)

    def rename(self, old: str, new: str) -> Changes:
        """Rename a tag; when ``new`` already exists the two are merged into it."""
        old, new = normalize_tag(old), normalize_tag(new)
        old_id = self._tag_id(old, create=False)
        if old_id is None:
            raise AnnotationError(f"no tag named {old!r}")

        def write() -> None:
            new_id = self._tag_id(new, create=False)
            if new_id is None or new_id == old_id:
                self.db.conn.execute("UPDATE tags SET name = ? WHERE id = ?", [new, old_id])
                return
            self.db.conn.execute(
                "INSERT OR IGNORE INTO paper_tags (paper_id, tag_id) "
                "SELECT paper_id, ? FROM paper_tags WHERE tag_id = ?",
                [new_id, old_id],
            )
            self.db.conn.execute("DELETE FROM paper_tags WHERE tag_id = ?", [old_id])
            self.db.conn.execute("DELETE FROM tags WHERE id = ?", [old_id])

        return self._tag_action(f"rename tag {old} to {new}", [old, new], write)

    def delete(self, name: str) -> Changes:
        """Delete a tag from every paper."""
        name = normalize_tag(name)
        if self._tag_id(name, create=False) is None:
            raise AnnotationError(f"no tag named {name!r}")

        def write() -> None:
            self.db.conn.execute(
                "DELETE FROM paper_tags WHERE tag_id IN (SELECT id FROM tags WHERE name = ?)",
                [name],
            )
            self.db.conn.execute("DELETE FROM tags WHERE name = ?", [name])

        return self._tag_action(f"delete tag {name}", [name], write)

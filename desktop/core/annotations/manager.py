"""Highlights, paper notes and tags: the annotation half of the Library facade.

``AnnotationsMixin`` is mixed into :class:`desktop.core.library.Library`. Every write is one
transaction, returns a ``Changes`` with ``annotations=True`` (and is emitted), and is recorded
in the library's undo history. Undo works on row snapshots: a deleted highlight comes back with
its id, and a restored highlight is re-anchored against the paper's current text, so an undo
after a re-import can never put it on the wrong words.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from desktop.core.annotations.text_anchor import CONTEXT, QuoteSelector, anchor, describe
from desktop.core.history import Action
from desktop.core.models import (
    HIGHLIGHT_COLORS,
    Annotations,
    Changes,
    Highlight,
    HighlightId,
    PaperId,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

    from desktop.core.history import History

FIELDS = ("title", "abstract")
DEFAULT_COLOR = "yellow"
TAG_MAX_CHARS = 64
# Consecutive saves of the same paper's note within this many seconds are one undo step.
NOTE_MERGE_SECONDS = 60.0

_HIGHLIGHT_COLUMNS = (
    "id",
    "paper_id",
    "field",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "color",
    "note",
    "orphaned",
    "created_at",
    "updated_at",
)
_HIGHLIGHT_SELECT = ", ".join(f'h."{c}"' for c in _HIGHLIGHT_COLUMNS)
_READING_ORDER = "CASE h.field WHEN 'title' THEN 0 ELSE 1 END, h.start, h.id"
_SPACE = re.compile(r"\s+")

HighlightRow = tuple[Any, ...]
TagSnapshot = dict[str, tuple[str, frozenset[int]] | None]


class AnnotationError(ValueError):
    """An annotation request that cannot be done; the message is one plain sentence."""


class QuoteNotFoundError(AnnotationError):
    """The quote to highlight does not occur in the paper's title or abstract."""


def _now() -> str:
    from desktop.core.library import now_iso  # late: library imports this module

    return now_iso()


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


def check_color(color: str) -> str:
    """``color`` if it is a palette colour name (case-insensitive), else AnnotationError."""
    name = str(color).strip().lower()
    if name not in HIGHLIGHT_COLORS:
        raise AnnotationError(f"unknown colour {color!r}; use one of {', '.join(HIGHLIGHT_COLORS)}")
    return name


def _check_text(text: str, what: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AnnotationError(f"the {what} holds characters that cannot be stored") from exc
    return text


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


def _highlight(row: Sequence[Any]) -> Highlight:
    data = dict(zip(_HIGHLIGHT_COLUMNS, row, strict=True))
    data["id"] = HighlightId(data["id"])
    data["paper_id"] = PaperId(data["paper_id"])
    data["orphaned"] = bool(data["orphaned"])
    return Highlight(**data)


class AnnotationsMixin:
    """Notes, highlights and tags over the library's database (mixed into Library)."""

    if TYPE_CHECKING:
        db: Database
        history: History

        def _emit(self, changes: Changes) -> Changes: ...

    # Replaceable in tests: the clock deciding whether two note saves merge into one undo step.
    note_clock: Callable[[], float] = staticmethod(time.monotonic)
    _note_edit: tuple[int, float, Action] | None = None

    # -- reading ---------------------------------------------------------------------------
    def annotations(self, paper_id: int) -> Annotations:
        """The note, highlights (title first, then by position) and tags of one paper."""
        note = self.db.execute(
            "SELECT body, updated_at FROM notes WHERE paper_id = ?", [int(paper_id)]
        ).fetchone()
        rows = self.db.execute(
            f"SELECT {_HIGHLIGHT_SELECT} FROM highlights h WHERE h.paper_id = ? "
            f"ORDER BY {_READING_ORDER}",
            [int(paper_id)],
        ).fetchall()
        return Annotations(
            paper_id=PaperId(int(paper_id)),
            note=note[0] if note else "",
            note_updated_at=note[1] if note else None,
            highlights=tuple(_highlight(r) for r in rows),
            tags=tuple(self.paper_tags(paper_id)),
        )

    def note(self, paper_id: int) -> str:
        """The paper's note ('' when it has none)."""
        row = self.db.execute(
            "SELECT body FROM notes WHERE paper_id = ?", [int(paper_id)]
        ).fetchone()
        return str(row[0]) if row else ""

    def highlight(self, highlight_id: int) -> Highlight | None:
        """One highlight, or None."""
        row = self.db.execute(
            f"SELECT {_HIGHLIGHT_SELECT} FROM highlights h WHERE h.id = ?", [int(highlight_id)]
        ).fetchone()
        return _highlight(row) if row else None

    def highlight_at(self, paper_id: int, field: str, offset: int) -> Highlight | None:
        """The anchored highlight covering ``offset`` of a field (the newest if several)."""
        row = self.db.execute(
            f"SELECT {_HIGHLIGHT_SELECT} FROM highlights h WHERE h.paper_id = ? AND h.field = ? "
            'AND h.orphaned = 0 AND h.start <= ? AND h."end" > ? ORDER BY h.id DESC LIMIT 1',
            [int(paper_id), field, int(offset), int(offset)],
        ).fetchone()
        return _highlight(row) if row else None

    def highlights(
        self,
        color: str | None = None,
        query: str | None = None,
        *,
        orphaned: bool | None = None,
        order: str = "paper",
    ) -> list[Highlight]:
        """Highlights across the library, for the Highlights view.

        ``color`` keeps one palette colour; ``query`` keeps highlights whose quote, note or paper
        title contains it (case-insensitive); ``orphaned`` keeps only orphaned (True) or only
        anchored (False) ones. ``order`` is ``paper`` (import order, then reading order) or
        ``recent`` (newest first).
        """
        where: list[str] = []
        params: list[Any] = []
        if color is not None:
            where.append("h.color = ?")
            params.append(check_color(color))
        if query:
            like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append(
                "(h.quote LIKE ? ESCAPE '\\' OR h.note LIKE ? ESCAPE '\\' "
                "OR p.title LIKE ? ESCAPE '\\')"
            )
            params += [like, like, like]
        if orphaned is not None:
            where.append("h.orphaned = ?")
            params.append(int(orphaned))
        if order == "paper":
            order_sql = f"p.id, {_READING_ORDER}"
        elif order == "recent":
            order_sql = "h.created_at DESC, h.id DESC"
        else:
            raise ValueError(f"unknown order {order!r}; use paper or recent")
        rows = self.db.execute(
            f"SELECT {_HIGHLIGHT_SELECT} FROM highlights h JOIN papers p ON p.id = h.paper_id "
            f"WHERE {' AND '.join(where) or '1'} ORDER BY {order_sql}",
            params,
        ).fetchall()
        return [_highlight(r) for r in rows]

    def highlight_counts(self) -> dict[str, int]:
        """How many highlights each palette colour has (every colour listed, zeros included)."""
        counts = dict.fromkeys(HIGHLIGHT_COLORS, 0)
        for color, n in self.db.execute("SELECT color, COUNT(*) FROM highlights GROUP BY color"):
            counts[color] = int(n)
        return counts

    def paper_tags(self, paper_id: int) -> list[str]:
        """The tag names of one paper, sorted case-insensitively."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                "WHERE pt.paper_id = ? ORDER BY t.name COLLATE NOCASE",
                [int(paper_id)],
            )
        ]

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with how many papers carry it, sorted by name (case-insensitive)."""
        return [
            (r[0], int(r[1]))
            for r in self.db.execute(
                "SELECT t.name, COUNT(pt.paper_id) FROM tags t "
                "LEFT JOIN paper_tags pt ON pt.tag_id = t.id "
                "GROUP BY t.id ORDER BY t.name COLLATE NOCASE"
            )
        ]

    def tag_counts(self) -> list[tuple[str, int, int]]:
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

    def annotated_paper_ids(self) -> list[PaperId]:
        """Papers with a note, a highlight or a tag, in inbox (import) order."""
        return [
            PaperId(r[0])
            for r in self.db.execute(
                "SELECT p.id FROM papers p WHERE "
                "EXISTS (SELECT 1 FROM notes n WHERE n.paper_id = p.id) "
                "OR EXISTS (SELECT 1 FROM highlights h WHERE h.paper_id = p.id) "
                "OR EXISTS (SELECT 1 FROM paper_tags pt WHERE pt.paper_id = p.id) "
                "ORDER BY p.id"
            )
        ]

    # -- helpers -----------------------------------------------------------------------------
    def _field_text(self, paper_id: int, field: str) -> str:
        if field not in FIELDS:
            raise AnnotationError(f"unknown field {field!r}; use title or abstract")
        row = self.db.execute(
            f"SELECT {field} FROM papers WHERE id = ?", [int(paper_id)]
        ).fetchone()
        if row is None:
            raise AnnotationError(f"no paper with id {paper_id}")
        return str(row[0])

    def _require_paper(self, paper_id: int) -> None:
        if not self.db.execute("SELECT 1 FROM papers WHERE id = ?", [int(paper_id)]).fetchone():
            raise AnnotationError(f"no paper with id {paper_id}")

    def _record(
        self, label: str, undo: Callable[[], Changes], redo: Callable[[], Changes]
    ) -> Action:
        action = Action(label, undo=undo, redo=redo)
        self.history.record(action)
        return action

    @staticmethod
    def _changes(paper_ids: Iterable[int]) -> Changes:
        return Changes(frozenset(PaperId(int(i)) for i in paper_ids), annotations=True)

    # -- notes -------------------------------------------------------------------------------
    def _note_row(self, paper_id: int) -> tuple[str, str] | None:
        row = self.db.execute(
            "SELECT body, updated_at FROM notes WHERE paper_id = ?", [paper_id]
        ).fetchone()
        return (row[0], row[1]) if row else None

    def _write_note(self, paper_id: int, row: tuple[str, str] | None) -> None:
        if row is None:
            self.db.conn.execute("DELETE FROM notes WHERE paper_id = ?", [paper_id])
        else:
            self.db.conn.execute(
                "INSERT INTO notes (paper_id, body, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (paper_id) DO UPDATE SET body = excluded.body, "
                "updated_at = excluded.updated_at",
                [paper_id, row[0], row[1]],
            )

    def _restore_note(self, paper_id: int, row: tuple[str, str] | None) -> Changes:
        with self.db.atomic():
            if not self.db.execute("SELECT 1 FROM papers WHERE id = ?", [paper_id]).fetchone():
                return Changes()
            self._write_note(paper_id, row)
        return self._emit(self._changes([paper_id]))

    def set_note(self, paper_id: int, text: str) -> Changes:
        """Save the paper's note verbatim (Markdown); a blank note deletes it.

        Saves of the same paper's note less than ``NOTE_MERGE_SECONDS`` apart, with nothing
        else done in between, are one undo step (autosave while typing).
        """
        paper_id = int(paper_id)
        text = _check_text(str(text), "note")
        with self.db.atomic():
            self._require_paper(paper_id)
            before = self._note_row(paper_id)
            if (before[0] if before else "") == (text if text.strip() else ""):
                return Changes()
            after = (text, _now()) if text.strip() else None
            self._write_note(paper_id, after)
        now = self.note_clock()
        last = self._note_edit
        if (
            last is not None
            and last[0] == paper_id
            and now - last[1] <= NOTE_MERGE_SECONDS
            and self.history.last_action() is last[2]
        ):
            original = last[2]
            action = Action(
                original.label,
                undo=original.undo,
                redo=lambda: self._restore_note(paper_id, after),
            )
            self.history.replace_last(action)
        else:
            label = "delete note" if after is None else "edit note"
            action = self._record(
                label,
                undo=lambda: self._restore_note(paper_id, before),
                redo=lambda: self._restore_note(paper_id, after),
            )
        self._note_edit = (paper_id, now, action)
        return self._emit(self._changes([paper_id]))

    # -- highlights --------------------------------------------------------------------------
    def _highlight_row(self, highlight_id: int) -> HighlightRow | None:
        row = self.db.execute(
            f"SELECT {_HIGHLIGHT_SELECT} FROM highlights h WHERE h.id = ?", [highlight_id]
        ).fetchone()
        return tuple(row) if row else None

    def _insert_highlight_row(self, row: HighlightRow) -> None:
        cols = ", ".join(f'"{c}"' for c in _HIGHLIGHT_COLUMNS)
        marks = ", ".join("?" * len(_HIGHLIGHT_COLUMNS))
        self.db.conn.execute(f"INSERT OR REPLACE INTO highlights ({cols}) VALUES ({marks})", row)

    def _restore_highlight(self, highlight_id: int, row: HighlightRow | None) -> Changes:
        """Put a highlight back as ``row`` (None deletes it), re-anchored on today's text."""
        with self.db.atomic():
            current = self._highlight_row(highlight_id)
            if row is None:
                self.db.conn.execute("DELETE FROM highlights WHERE id = ?", [highlight_id])
                paper = current[1] if current else None
            else:
                paper = row[1]
                if not self.db.execute("SELECT 1 FROM papers WHERE id = ?", [paper]).fetchone():
                    return Changes()
                self._insert_highlight_row(row)
                self._reanchor_highlight_ids([highlight_id])
        return self._emit(self._changes([paper] if paper is not None else []))

    def _record_highlight(self, label: str, highlight_id: int, before: HighlightRow | None) -> None:
        after = self._highlight_row(highlight_id)
        self._record(
            label,
            undo=lambda: self._restore_highlight(highlight_id, before),
            redo=lambda: self._restore_highlight(highlight_id, after),
        )

    def add_highlight(
        self,
        paper_id: int,
        field: str,
        start: int,
        end: int,
        color: str = DEFAULT_COLOR,
        note: str = "",
    ) -> Highlight:
        """Highlight ``field[start:end]`` of a paper ('title' or 'abstract'); returns it.

        Stores the exact quote with ``CONTEXT`` characters of prefix and suffix. Raises
        AnnotationError for an unknown paper, field or colour, or offsets outside the text.
        """
        paper_id = int(paper_id)
        color = check_color(color)
        note = _check_text(str(note), "highlight note")
        with self.db.atomic():
            text = self._field_text(paper_id, field)
            if not (isinstance(start, int) and isinstance(end, int)):
                raise AnnotationError("highlight offsets must be whole numbers")
            if not 0 <= start < end <= len(text):
                raise AnnotationError(
                    f"highlight {start}-{end} is not inside the {field} ({len(text)} characters)"
                )
            sel = describe(text, start, end, CONTEXT)
            stamp = _now()
            cursor = self.db.conn.execute(
                'INSERT INTO highlights (paper_id, field, start, "end", quote, prefix, suffix, '
                "color, note, orphaned, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                [
                    paper_id,
                    field,
                    start,
                    end,
                    sel.quote,
                    sel.prefix,
                    sel.suffix,
                    color,
                    note,
                    stamp,
                    stamp,
                ],
            )
            highlight_id = int(cursor.lastrowid or 0)
        self._record_highlight("add highlight", highlight_id, None)
        self._emit(self._changes([paper_id]))
        found = self.highlight(highlight_id)
        assert found is not None
        return found

    def find_quote(self, paper_id: int, quote: str) -> tuple[str, int, int]:
        """Where ``quote`` first occurs in the paper: ``(field, start, end)``, abstract first.

        Whitespace in ``quote`` is folded to single spaces (as imported text is) when the exact
        quote is not found. Raises QuoteNotFoundError when it is in neither field.
        """
        if not quote.strip():
            raise QuoteNotFoundError("the quote to highlight is empty")
        tries = [quote]
        folded = _SPACE.sub(" ", quote).strip()
        if folded != quote:
            tries.append(folded)
        for field in ("abstract", "title"):
            text = self._field_text(paper_id, field)
            for attempt in tries:
                at = text.find(attempt)
                if at != -1:
                    return field, at, at + len(attempt)
        shown = folded if len(folded) <= 60 else folded[:57] + "..."
        raise QuoteNotFoundError(f"paper {paper_id} does not contain the text {shown!r}")

    def add_highlight_by_quote(
        self, paper_id: int, quote: str, color: str = DEFAULT_COLOR, note: str = ""
    ) -> Highlight:
        """Highlight the first occurrence of ``quote`` (in the abstract, else the title)."""
        color = check_color(color)
        field, start, end = self.find_quote(paper_id, quote)
        return self.add_highlight(paper_id, field, start, end, color=color, note=note)

    def _update_highlight(self, highlight_id: int, label: str, column: str, value: str) -> Changes:
        highlight_id = int(highlight_id)
        with self.db.atomic():
            before = self._highlight_row(highlight_id)
            if before is None:
                raise AnnotationError(f"no highlight with id {highlight_id}")
            if before[_HIGHLIGHT_COLUMNS.index(column)] == value:
                return Changes()
            self.db.conn.execute(
                f"UPDATE highlights SET {column} = ?, updated_at = ? WHERE id = ?",
                [value, _now(), highlight_id],
            )
        self._record_highlight(label, highlight_id, before)
        return self._emit(self._changes([before[1]]))

    def set_highlight_note(self, highlight_id: int, text: str) -> Changes:
        """Set the note of a highlight ('' clears it)."""
        return self._update_highlight(
            highlight_id, "edit highlight note", "note", _check_text(str(text), "highlight note")
        )

    def set_highlight_color(self, highlight_id: int, color: str) -> Changes:
        """Change the colour of a highlight to another palette colour."""
        return self._update_highlight(
            highlight_id, "change highlight colour", "color", check_color(color)
        )

    def delete_highlight(self, highlight_id: int) -> Changes:
        """Delete a highlight; undo brings it back with the same id."""
        highlight_id = int(highlight_id)
        with self.db.atomic():
            before = self._highlight_row(highlight_id)
            if before is None:
                raise AnnotationError(f"no highlight with id {highlight_id}")
            self.db.conn.execute("DELETE FROM highlights WHERE id = ?", [highlight_id])
        self._record_highlight("delete highlight", highlight_id, before)
        return self._emit(self._changes([before[1]]))

    # -- anchoring ---------------------------------------------------------------------------
    def _reanchor_rows(self, rows: Sequence[Sequence[Any]]) -> set[int]:
        """Re-anchor highlight rows on their paper's current text; return the papers changed.

        Runs inside the caller's transaction.
        """
        changed: set[int] = set()
        texts: dict[tuple[int, str], str] = {}
        for row in rows:
            h = _highlight(row)
            key = (int(h.paper_id), h.field)
            if key not in texts:
                texts[key] = self._field_text(h.paper_id, h.field)
            text = texts[key]
            place = anchor(
                text, QuoteSelector(h.quote, h.prefix, h.suffix, h.start, h.end), CONTEXT
            )
            if place is None:
                if not h.orphaned:
                    self.db.conn.execute(
                        "UPDATE highlights SET orphaned = 1 WHERE id = ?", [int(h.id)]
                    )
                    changed.add(int(h.paper_id))
                continue
            sel = describe(text, place[0], place[1], CONTEXT)
            if (sel.start, sel.end, sel.prefix, sel.suffix, False) != (
                h.start,
                h.end,
                h.prefix,
                h.suffix,
                h.orphaned,
            ):
                self.db.conn.execute(
                    'UPDATE highlights SET start = ?, "end" = ?, prefix = ?, suffix = ?, '
                    "orphaned = 0 WHERE id = ?",
                    [sel.start, sel.end, sel.prefix, sel.suffix, int(h.id)],
                )
                changed.add(int(h.paper_id))
        return changed

    def _reanchor_highlight_ids(self, ids: Sequence[int]) -> set[int]:
        rows: list[Sequence[Any]] = []
        for highlight_id in ids:
            row = self._highlight_row(int(highlight_id))
            if row is not None:
                rows.append(row)
        return self._reanchor_rows(rows)

    def reanchor_papers(self, paper_ids: Sequence[int]) -> set[int]:
        """Re-anchor every highlight of these papers on their current text.

        A highlight whose quote is still found moves with it (offsets and context updated); one
        that cannot be placed is marked orphaned and keeps its quote and last offsets; an
        orphaned one whose quote comes back is anchored again. Runs in the caller's
        transaction (the import calls it in the same one that changed the text); returns the
        ids of papers whose highlights changed.
        """
        rows: list[Sequence[Any]] = []
        for paper_id in paper_ids:
            rows += self.db.execute(
                f"SELECT {_HIGHLIGHT_SELECT} FROM highlights h WHERE h.paper_id = ?",
                [int(paper_id)],
            ).fetchall()
        return self._reanchor_rows(rows)

    # -- tags --------------------------------------------------------------------------------
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
        return self._emit(self._changes(touched) | Changes(tags=True))

    def _tag_action(self, label: str, names: Sequence[str], write: Callable[[], None]) -> Changes:
        """Run ``write`` over the tags ``names`` as one undoable transaction."""
        with self.db.atomic():
            before = self._tag_snapshot(names)
            write()
            after = self._tag_snapshot(names)
        if before == after:
            return Changes()
        self._record(
            label,
            undo=lambda: self._restore_tags(after, before),
            redo=lambda: self._restore_tags(before, after),
        )
        touched: set[int] = set()
        for key in set(before) | set(after):
            old, new = before.get(key), after.get(key)
            touched |= (old[1] if old else frozenset()) ^ (new[1] if new else frozenset())
        return self._emit(self._changes(touched) | Changes(tags=True))

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

    def add_tag(self, ids: Sequence[int], name: str) -> Changes:
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

    def remove_tag(self, ids: Sequence[int], name: str) -> Changes:
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

    def set_paper_tags(self, paper_id: int, names: Sequence[str]) -> Changes:
        """Make ``names`` exactly the tags of one paper, as one undo step (the tag editor).

        New names are created; tags taken off and left on no paper are deleted.
        """
        (paper,) = self._existing_paper_ids([paper_id])
        wanted: dict[str, str] = {}
        for raw in names:
            name = normalize_tag(raw)
            wanted.setdefault(_tag_key(name), name)
        current = self.paper_tags(paper)
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

    def rename_tag(self, old: str, new: str) -> Changes:
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

    def delete_tag(self, name: str) -> Changes:
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

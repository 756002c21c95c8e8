"""Highlights: marked passages of a paper's title or abstract, anchored by their quote."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from desktop.core.annotations.common import (
    AnnotationError,
    QuoteNotFoundError,
    annotation_changes,
    check_text,
    field_text,
)
from desktop.core.clock import now_iso
from desktop.core.context import LibraryContext
from desktop.core.history import Applied, UndoRefusedError
from desktop.core.models import HIGHLIGHT_COLORS, Changes, Highlight, HighlightId, PaperId

DEFAULT_COLOR = "yellow"

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
KIND = "highlight"
# What a person sees of a highlight (its offsets follow the text when it is re-anchored).
_CONTENT = tuple(
    _HIGHLIGHT_COLUMNS.index(c) for c in ("paper_id", "field", "quote", "color", "note")
)


def _content(row: HighlightRow | None) -> tuple[Any, ...] | None:
    return None if row is None else tuple(row[i] for i in _CONTENT)


def check_color(color: str) -> str:
    """``color`` if it is a palette colour name (case-insensitive), else AnnotationError."""
    name = str(color).strip().lower()
    if name not in HIGHLIGHT_COLORS:
        raise AnnotationError(f"unknown colour {color!r}; use one of {', '.join(HIGHLIGHT_COLORS)}")
    return name


def _highlight(row: Sequence[Any]) -> Highlight:
    data = dict(zip(_HIGHLIGHT_COLUMNS, row, strict=True))
    data["id"] = HighlightId(data["id"])
    data["paper_id"] = PaperId(data["paper_id"])
    data["orphaned"] = bool(data["orphaned"])
    return Highlight(**data)


class Highlights:
    """The highlights of a library (``library.highlights``)."""

    def __init__(self, ctx: LibraryContext) -> None:
        self.ctx = ctx
        self.db = ctx.db
        ctx.history.register(KIND, self._apply)

    def get(self, highlight_id: int) -> Highlight | None:
        """One highlight, or None."""
        row = self.db.execute(
            f"SELECT {_HIGHLIGHT_SELECT} FROM highlights h WHERE h.id = ?", [int(highlight_id)]
        ).fetchone()
        return _highlight(row) if row else None

    def at(self, paper_id: int, field: str, offset: int) -> Highlight | None:
        """The anchored highlight covering ``offset`` of a field (the newest if several)."""
        row = self.db.execute(
            f"SELECT {_HIGHLIGHT_SELECT} FROM highlights h WHERE h.paper_id = ? AND h.field = ? "
            'AND h.orphaned = 0 AND h.start <= ? AND h."end" > ? ORDER BY h.id DESC LIMIT 1',
            [int(paper_id), field, int(offset), int(offset)],
        ).fetchone()
        return _highlight(row) if row else None

    def search(
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

    def counts(self) -> dict[str, int]:
        """How many highlights each palette colour has (every colour listed, zeros included)."""
        counts = dict.fromkeys(HIGHLIGHT_COLORS, 0)
        for color, n in self.db.execute("SELECT color, COUNT(*) FROM highlights GROUP BY color"):
            counts[color] = int(n)
        return counts

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
        return self.ctx.emit(annotation_changes([paper] if paper is not None else []))

    def _record_highlight(self, label: str, highlight_id: int, before: HighlightRow | None) -> None:
        after = self._highlight_row(highlight_id)
        paper = (after or before or (None, None))[1]
        self.ctx.history.record(
            label,
            kind=KIND,
            payload={
                "id": highlight_id,
                "before": None if before is None else list(before),
                "after": None if after is None else list(after),
            },
            papers=[] if paper is None else [int(paper)],
        )

    def _apply(self, payload: Any, undo: bool) -> Applied:
        """Undo (or redo) a stored highlight action, refused when the highlight changed."""
        highlight_id = int(payload["id"])
        before = None if payload["before"] is None else tuple(payload["before"])
        after = None if payload["after"] is None else tuple(payload["after"])
        expected, target = (after, before) if undo else (before, after)
        paper = (expected or target or (None, None))[1]
        if not self.ctx.paper_exists(int(paper)):
            raise UndoRefusedError(f"paper {paper} is no longer in the library", permanent=True)
        if _content(self._highlight_row(highlight_id)) != _content(expected):
            raise UndoRefusedError("the highlight was changed since")
        return self._restore_highlight(highlight_id, target), payload

    def add(
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
        from desktop.core.annotations.text_anchor import CONTEXT, describe  # see _reanchor_rows

        paper_id = int(paper_id)
        color = check_color(color)
        note = check_text(str(note), "highlight note")
        with self.db.atomic():
            text = field_text(self.db, paper_id, field)
            if not (isinstance(start, int) and isinstance(end, int)):
                raise AnnotationError("highlight offsets must be whole numbers")
            if not 0 <= start < end <= len(text):
                raise AnnotationError(
                    f"highlight {start}-{end} is not inside the {field} ({len(text)} characters)"
                )
            sel = describe(text, start, end, CONTEXT)
            stamp = now_iso()
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
        self.ctx.emit(annotation_changes([paper_id]))
        found = self.get(highlight_id)
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
            text = field_text(self.db, paper_id, field)
            for attempt in tries:
                at = text.find(attempt)
                if at != -1:
                    return field, at, at + len(attempt)
        shown = folded if len(folded) <= 60 else folded[:57] + "..."
        raise QuoteNotFoundError(f"paper {paper_id} does not contain the text {shown!r}")

    def add_by_quote(
        self, paper_id: int, quote: str, color: str = DEFAULT_COLOR, note: str = ""
    ) -> Highlight:
        """Highlight the first occurrence of ``quote`` (in the abstract, else the title)."""
        color = check_color(color)
        field, start, end = self.find_quote(paper_id, quote)
        return self.add(paper_id, field, start, end, color=color, note=note)

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
                [value, now_iso(), highlight_id],
            )
        self._record_highlight(label, highlight_id, before)
        return self.ctx.emit(annotation_changes([before[1]]))

    def set_note(self, highlight_id: int, text: str) -> Changes:
        """Set the note of a highlight ('' clears it)."""
        return self._update_highlight(
            highlight_id, "edit highlight note", "note", check_text(str(text), "highlight note")
        )

    def set_color(self, highlight_id: int, color: str) -> Changes:
        """Change the colour of a highlight to another palette colour."""
        return self._update_highlight(
            highlight_id, "change highlight colour", "color", check_color(color)
        )

    def delete(self, highlight_id: int) -> Changes:
        """Delete a highlight; undo brings it back with the same id."""
        highlight_id = int(highlight_id)
        with self.db.atomic():
            before = self._highlight_row(highlight_id)
            if before is None:
                raise AnnotationError(f"no highlight with id {highlight_id}")
            self.db.conn.execute("DELETE FROM highlights WHERE id = ?", [highlight_id])
        self._record_highlight("delete highlight", highlight_id, before)
        return self.ctx.emit(annotation_changes([before[1]]))

    def _reanchor_rows(self, rows: Sequence[Sequence[Any]]) -> set[int]:
        """Re-anchor highlight rows on their paper's current text; return the papers changed.

        Runs inside the caller's transaction.
        """
        # Imported when used: anchoring (with difflib) is no part of a command that only
        # reads or triages, and costs 2-3 ms of its start.
        from desktop.core.annotations.text_anchor import CONTEXT, QuoteSelector, anchor, describe

        changed: set[int] = set()
        texts: dict[tuple[int, str], str] = {}
        for row in rows:
            h = _highlight(row)
            key = (int(h.paper_id), h.field)
            if key not in texts:
                texts[key] = field_text(self.db, h.paper_id, h.field)
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

    def of_paper(self, paper_id: int) -> list[Highlight]:
        """The highlights of one paper in reading order (title first, then by position)."""
        rows = self.db.execute(
            f"SELECT {_HIGHLIGHT_SELECT} FROM highlights h WHERE h.paper_id = ? "
            f"ORDER BY {_READING_ORDER}",
            [int(paper_id)],
        ).fetchall()
        return [_highlight(r) for r in rows]

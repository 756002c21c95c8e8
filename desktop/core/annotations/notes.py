"""Paper notes: one Markdown note per paper, autosaved, undoable."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from desktop.core.annotations.common import (
    AnnotationError,
    annotation_changes,
    check_text,
    require_paper,
)
from desktop.core.clock import now_iso
from desktop.core.context import LibraryContext
from desktop.core.history import Action, Applied, UndoRefusedError
from desktop.core.models import Changes

KIND = "note"
NoteRow = tuple[str, str] | None

# Consecutive saves of the same paper's note within this many seconds are one undo step.
NOTE_MERGE_SECONDS = 60.0
# The longest note, in characters (about 2 MB of text: a long paper's worth of notes; larger
# ones made every save, reindex and render take seconds).
NOTE_MAX_CHARS = 2_000_000


class Notes:
    """The paper notes of a library (``library.notes``)."""

    def __init__(self, ctx: LibraryContext) -> None:
        self.ctx = ctx
        self.db = ctx.db
        # Replaceable in tests: the clock deciding whether two note saves merge into one step.
        self.clock: Callable[[], float] = time.monotonic
        self._last_edit: tuple[int, float, Action, NoteRow] | None = None
        ctx.history.register(KIND, self._apply)

    def get(self, paper_id: int) -> str:
        """The paper's note ('' when it has none)."""
        row = self.db.execute(
            "SELECT body FROM notes WHERE paper_id = ?", [int(paper_id)]
        ).fetchone()
        return str(row[0]) if row else ""

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
        return self.ctx.emit(annotation_changes([paper_id]))

    def set(self, paper_id: int, text: str) -> Changes:
        """Save the paper's note verbatim (Markdown); a blank note deletes it.

        Saves of the same paper's note less than ``NOTE_MERGE_SECONDS`` apart, with nothing
        else done in between, are one undo step (autosave while typing). A note over
        ``NOTE_MAX_CHARS`` characters is refused with AnnotationError and nothing is written.
        """
        paper_id = int(paper_id)
        text = check_text(str(text), "note")
        if len(text) > NOTE_MAX_CHARS:
            raise AnnotationError(
                f"a note is at most {NOTE_MAX_CHARS:,} characters; this one has {len(text):,} "
                "(nothing was saved)"
            )
        with self.db.atomic():
            require_paper(self.db, paper_id)
            before = self._note_row(paper_id)
            if (before[0] if before else "") == (text if text.strip() else ""):
                return Changes()
            after = (text, now_iso()) if text.strip() else None
            self._write_note(paper_id, after)
            now = self.clock()
            last = self._last_edit
            if (
                last is not None
                and last[0] == paper_id
                and now - last[1] <= NOTE_MERGE_SECONDS
                and self.ctx.history.last_action() is last[2]
            ):
                action = self.ctx.history.amend(last[2], _payload(paper_id, last[3], after))
                first = last[3]
            else:
                label = "delete note" if after is None else "edit note"
                action = self.ctx.history.record(
                    label, kind=KIND, payload=_payload(paper_id, before, after), papers=[paper_id]
                )
                first = before
        self._last_edit = (paper_id, now, action, first)
        return self.ctx.emit(annotation_changes([paper_id]))

    def _apply(self, payload: Any, undo: bool) -> Applied:
        """Undo (or redo) a stored note edit, refused when the note changed since."""
        paper_id = int(payload["paper"])
        before, after = _row(payload["before"]), _row(payload["after"])
        expected, target = (after, before) if undo else (before, after)
        if not self.db.execute("SELECT 1 FROM papers WHERE id = ?", [paper_id]).fetchone():
            raise UndoRefusedError(f"paper {paper_id} is no longer in the library", permanent=True)
        current = self._note_row(paper_id)
        if (current[0] if current else "") != (expected[0] if expected else ""):
            raise UndoRefusedError("the note was changed since")
        self._last_edit = None
        return self._restore_note(paper_id, target), payload

    def row(self, paper_id: int) -> tuple[str, str] | None:
        """The paper's note and when it was last saved, or None."""
        return self._note_row(int(paper_id))


def _payload(paper_id: int, before: NoteRow, after: NoteRow) -> dict[str, Any]:
    return {"paper": paper_id, "before": before, "after": after}


def _row(value: Any) -> NoteRow:
    return None if value is None else (str(value[0]), str(value[1]))

"""Paper notes: one Markdown note per paper, autosaved, undoable."""

from __future__ import annotations

import time
from collections.abc import Callable

from desktop.core.annotations.common import (
    AnnotationError,
    annotation_changes,
    check_text,
    require_paper,
)
from desktop.core.clock import now_iso
from desktop.core.context import LibraryContext
from desktop.core.history import Action
from desktop.core.models import Changes

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
        self._last_edit: tuple[int, float, Action] | None = None

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
            original = last[2]
            action = Action(
                original.label,
                undo=original.undo,
                redo=lambda: self._restore_note(paper_id, after),
            )
            self.ctx.history.replace_last(action)
        else:
            label = "delete note" if after is None else "edit note"
            action = self.ctx.record(
                label,
                undo=lambda: self._restore_note(paper_id, before),
                redo=lambda: self._restore_note(paper_id, after),
            )
        self._last_edit = (paper_id, now, action)
        return self.ctx.emit(annotation_changes([paper_id]))

    def row(self, paper_id: int) -> tuple[str, str] | None:
        """The paper's note and when it was last saved, or None."""
        return self._note_row(int(paper_id))

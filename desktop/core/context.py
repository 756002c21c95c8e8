"""What the library's managers share: the connection, the undo history and the listeners."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlite_utils import Database

from desktop.core.history import Action, History
from desktop.core.models import Changes


@dataclass
class LibraryContext:
    """The narrow seam every manager of :class:`desktop.core.library.Library` works through.

    ``emit`` tells the library's listeners about a write and returns its Changes; ``today``
    is the date the parser infers year-less dates from (tests replace it).
    """

    db: Database
    history: History
    emit: Callable[[Changes], Changes]
    today: Callable[[], dt.date] = field(default=dt.date.today)

    def record(
        self, label: str, undo: Callable[[], Changes], redo: Callable[[], Changes]
    ) -> Action:
        """Put an action that has just been done on the undo history; returns it."""
        action = Action(label, undo=undo, redo=redo)
        self.history.record(action)
        return action

    def paper_exists(self, paper_id: int) -> bool:
        """True when the library holds a paper with this id."""
        return bool(
            self.db.execute("SELECT 1 FROM papers WHERE id = ?", [int(paper_id)]).fetchone()
        )

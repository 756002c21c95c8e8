"""What the library's managers share: the connection, the undo history and the listeners."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlite_utils import Database

from desktop.core.clock import Clock, utc_now
from desktop.core.history import History
from desktop.core.models import Changes


@dataclass
class LibraryContext:
    """The narrow seam every manager of :class:`desktop.core.library.Library` works through.

    ``emit`` tells the library's listeners about a write and returns its Changes; ``today``
    is the date the parser infers year-less dates from, and ``now`` the clock of snoozes and
    of the history (tests replace both). Undoable actions go on ``history`` with a kind its
    owner registered, so that they can be undone after a restart.
    """

    db: Database
    history: History
    emit: Callable[[Changes], Changes]
    today: Callable[[], dt.date] = field(default=dt.date.today)
    now: Clock = field(default=utc_now)

    def paper_exists(self, paper_id: int) -> bool:
        """True when the library holds a paper with this id."""
        return bool(
            self.db.execute("SELECT 1 FROM papers WHERE id = ?", [int(paper_id)]).fetchone()
        )

"""Reading digests: every imported digest and its paper counts."""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

from desktop.core.models import Digest, DigestId
from desktop.core.views import ViewCount


class Digests:
    """The imported digests of a library (``library.digests``)."""

    def __init__(
        self, db: Database, counter: Callable[[], dict[DigestId, ViewCount]] | None = None
    ) -> None:
        self.db = db
        self._counter = counter  # the library's ViewCounts (kept current per write), or None

    def all(self) -> list[Digest]:
        """Every imported digest, oldest import first."""
        cursor = self.db.execute("SELECT * FROM digests WHERE removed_at IS NULL ORDER BY id")
        names = [d[0] for d in cursor.description]
        out = []
        for row in cursor.fetchall():
            data = dict(zip(names, row, strict=True))
            data["id"] = DigestId(data["id"])
            data["sample"] = bool(data["sample"])
            out.append(Digest(**data))
        return out

    def get(self, digest_id: int) -> Digest | None:
        """One digest (not removed), or None."""
        return next((d for d in self.all() if d.id == int(digest_id)), None)

    def count(self) -> int:
        """How many digests the library holds."""
        return int(
            self.db.execute("SELECT COUNT(*) FROM digests WHERE removed_at IS NULL").fetchone()[0]
        )

    def counts(self) -> dict[DigestId, ViewCount]:
        """Total and unread counts for each digest."""
        if self._counter is not None:
            return self._counter()
        return {
            DigestId(r[0]): ViewCount(int(r[1]), int(r[2]))
            for r in self.db.execute(
                "SELECT s.digest_id, COUNT(*), COALESCE(SUM(p.is_read = 0), 0) "
                "FROM sightings s JOIN papers p INDEXED BY papers_read ON p.id = s.paper_id "
                "GROUP BY s.digest_id"
            )
        }

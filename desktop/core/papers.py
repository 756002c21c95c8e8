"""Reading papers: one or many by id, with the digests they were seen in."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from desktop.core.importing.arxiv_ids import split_id
from desktop.core.models import DigestId, Paper, PaperId, Sighting
from desktop.core.sql import chunks, marks


class Papers:
    """The papers of a library, read by id (``library.papers``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def count(self) -> int:
        """How many papers the library holds."""
        return int(self.db.execute("SELECT COUNT(*) FROM papers").fetchone()[0])

    def get(self, paper_id: int) -> Paper | None:
        """One paper with its sightings, or None."""
        found = self.many([paper_id])
        return found[0] if found else None

    def many(self, ids: Sequence[int], *, with_sightings: bool = True) -> list[Paper]:
        """Papers for ``ids`` in the order given (missing ids are left out)."""
        rows: dict[int, dict[str, Any]] = {}
        for chunk in chunks(list(ids)):
            cursor = self.db.execute(
                f"SELECT * FROM papers WHERE id IN ({marks(len(chunk))})", list(chunk)
            )
            names = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                rows[row[0]] = dict(zip(names, row, strict=True))
        sightings: dict[int, list[Sighting]] = {}
        if with_sightings and rows:
            sightings = self._sightings(list(rows))
        return [paper_from_row(rows[i], sightings.get(i, [])) for i in ids if i in rows]

    def by_arxiv_id(self, text: str) -> PaperId | None:
        """The paper with this arXiv id (``2606.01234``, ``arXiv:2606.01234v2``), or None."""
        bare = text.strip()
        if bare.lower().startswith("arxiv:"):
            bare = bare[6:]
        found = split_id(bare)
        if found is None:
            return None
        row = self.db.execute("SELECT id FROM papers WHERE arxiv_id = ?", [found[0]]).fetchone()
        return PaperId(row[0]) if row else None

    def _sightings(self, ids: list[int]) -> dict[int, list[Sighting]]:
        out: dict[int, list[Sighting]] = {}
        for chunk in chunks(ids):
            for paper_id, digest_id, name, position, date in self.db.execute(
                "SELECT s.paper_id, d.id, d.name, s.position, d.digest_date "
                "FROM sightings s JOIN digests d ON d.id = s.digest_id "
                f"WHERE s.paper_id IN ({marks(len(chunk))}) ORDER BY d.id",
                list(chunk),
            ):
                out.setdefault(paper_id, []).append(
                    Sighting(DigestId(digest_id), name, position, date)
                )
        return out


def paper_from_row(row: dict[str, Any], sightings: list[Sighting]) -> Paper:
    """A Paper from a ``papers`` row (as a column-name dict) and its sightings."""
    return Paper(
        id=PaperId(row["id"]),
        title=row["title"],
        abstract=row["abstract"],
        authors_count=row["authors_count"],
        submitter=row["submitter"],
        published=row["published"],
        published_raw=row["published_raw"],
        published_year_inferred=bool(row["published_year_inferred"]),
        upvotes=row["upvotes"],
        version=row["version"],
        added_at=row["added_at"],
        updated_at=row["updated_at"],
        is_read=bool(row["is_read"]),
        read_at=row["read_at"],
        starred=bool(row["starred"]),
        archived=bool(row["archived"]),
        queue_pos=row["queue_pos"],
        sightings=tuple(sightings),
        arxiv_id=row["arxiv_id"],
        arxiv_version=row["arxiv_version"],
        authors=tuple(json_list(row["authors"])),
        comments=row["comments"],
        arxiv_comments=row["arxiv_comments"],
        categories=tuple(json_list(row["categories"])),
        primary_category=row["primary_category"],
        journal_ref=row["journal_ref"],
    )


def json_list(text: str | None) -> list[str]:
    """A JSON list of strings as stored in a TEXT column ([] for anything else)."""
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []

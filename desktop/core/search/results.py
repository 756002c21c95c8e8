"""What a search returns: ranked hits with marked snippets, a notice, a suggestion, an error."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from desktop.core.models import PaperId

# Snippet term markers: plain control characters that imported text never keeps.
MARK_START = "\x02"
MARK_END = "\x03"
MARKS_RE = re.compile(f"[{MARK_START}{MARK_END}]")


def split_marked(snippet: str) -> list[tuple[str, bool]]:
    """Split a snippet into ``(text, is_match)`` parts, so a front end can style matches."""
    parts: list[tuple[str, bool]] = []
    for n, chunk in enumerate(re.split(f"{MARK_START}|{MARK_END}", snippet)):
        if chunk:
            parts.append((chunk, n % 2 == 1))
    return parts


def strip_marks(snippet: str) -> str:
    """A snippet without its term markers."""
    return MARKS_RE.sub("", snippet)


@dataclass(frozen=True)
class SearchHit:
    """One ranked result: the paper, its score and a snippet with marked terms."""

    id: PaperId
    title: str
    score: float
    snippet: str

    def to_json(self) -> dict[str, Any]:
        """A plain dict for --json output (the snippet keeps its markers)."""
        return {
            "id": int(self.id),
            "title": self.title,
            "score": self.score,
            "snippet": self.snippet,
        }


@dataclass
class SearchResults:
    """Ranked hits for a query, with a notice for degraded queries and a spelling suggestion.

    ``error`` is set (and repeated in ``notice``) when the search itself failed: the hits are
    then empty, and the log has the details.
    """

    query: str
    hits: list[SearchHit] = field(default_factory=list)
    notice: str | None = None
    suggestion: str | None = None
    fallback: bool = False  # answered by the SQLite scan, not the index
    error: str | None = None

    @property
    def ids(self) -> list[PaperId]:
        """Paper ids, best first."""
        return [h.id for h in self.hits]

    def add_notice(self, notice: str) -> None:
        """Append a sentence to the notice (once)."""
        if not notice or (self.notice and notice in self.notice):
            return
        self.notice = f"{self.notice} {notice}" if self.notice else notice

    def __len__(self) -> int:
        return len(self.hits)

"""Typed values the core hands out: ids, papers, digests, import results and changes."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, NewType

from desktop.core.id_runs import IdRuns
from desktop.core.links import paper_links

PaperId = NewType("PaperId", int)
DigestId = NewType("DigestId", int)

VIEWS = ("inbox", "queue", "starred", "archive", "all", "snoozed")


@dataclass(frozen=True)
class Sighting:
    """A paper seen in one digest, at a position."""

    digest_id: DigestId
    digest_name: str
    position: int
    digest_date: str | None = None


@dataclass(frozen=True)
class Paper:
    """One paper with its triage state."""

    id: PaperId
    title: str
    abstract: str
    authors_count: int | None
    submitter: str | None
    published: str | None
    published_raw: str | None
    published_year_inferred: bool
    upvotes: int | None
    version: int
    added_at: str
    updated_at: str
    is_read: bool
    read_at: str | None
    starred: bool
    archived: bool
    queue_pos: int | None
    sightings: tuple[Sighting, ...] = ()
    arxiv_id: str | None = None
    arxiv_version: int | None = None
    authors: tuple[str, ...] = ()
    comments: int | None = None
    arxiv_comments: str | None = None
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    journal_ref: str | None = None

    @property
    def queued(self) -> bool:
        """True when the paper is in the reading queue."""
        return self.queue_pos is not None

    @property
    def digest_names(self) -> list[str]:
        """Names of the digests the paper was seen in, in import order."""
        return [s.digest_name for s in self.sightings]

    def state(self) -> dict[str, Any]:
        """The triage state as a plain dict."""
        return {
            "read": self.is_read,
            "read_at": self.read_at,
            "starred": self.starred,
            "archived": self.archived,
            "queued": self.queued,
            "queue_position": self.queue_pos,
        }

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of a paper (see README)."""
        return {
            "id": int(self.id),
            "arxiv_id": self.arxiv_id,
            "arxiv_version": self.arxiv_version,
            "title": self.title,
            "abstract": self.abstract,
            "authors": list(self.authors),
            "authors_count": self.authors_count,
            "submitter": self.submitter,
            "published": self.published,
            "published_raw": self.published_raw,
            "published_year_inferred": self.published_year_inferred,
            "upvotes": self.upvotes,
            "comments": self.comments,
            "arxiv_comments": self.arxiv_comments,
            "categories": list(self.categories),
            "primary_category": self.primary_category,
            "journal_ref": self.journal_ref,
            "links": paper_links(self.arxiv_id, self.title),
            "version": self.version,
            "added_at": self.added_at,
            "digests": [
                {
                    "id": int(s.digest_id),
                    "name": s.digest_name,
                    "position": s.position,
                    "date": s.digest_date,
                }
                for s in self.sightings
            ],
            "state": self.state(),
        }


@dataclass(frozen=True)
class Digest:
    """One imported digest file (or pasted text)."""

    id: DigestId
    name: str
    source_path: str | None
    sha256: str
    imported_at: str
    digest_date: str | None
    layout: str | None
    encoding: str | None
    entries: int
    new_papers: int
    known_papers: int
    updated_papers: int
    skipped_blocks: int
    format: str | None = None
    removed_at: str | None = None
    sample: bool = False


@dataclass
class ImportResult:
    """What importing one file or text did; ``error`` is set when nothing was stored."""

    name: str
    path: str | None = None
    status: str = "imported"  # imported | unchanged | failed | cancelled
    format: str | None = None  # the digest format found (see desktop/core/importing)
    digest_id: DigestId | None = None
    entries: int = 0
    new_papers: int = 0
    known_papers: int = 0
    updated_papers: int = 0
    skipped_blocks: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    # The new papers' ids, ascending (the import gives them one range: a few numbers even
    # for a snapshot's million papers).
    new_ids: IdRuns[PaperId] = field(default_factory=IdRuns[PaperId])
    updated_ids: list[PaperId] = field(default_factory=list)
    # What the rules did to the new papers ("rule 'agents': 7 tagged"), and the stored run
    # (rule_runs.id) the window's history undoes as one step.
    rules: list[str] = field(default_factory=list)
    rule_run: int | None = None

    @property
    def ok(self) -> bool:
        """True unless the file failed."""
        return self.status in ("imported", "unchanged")

    def changed_ids(self) -> AbstractSet[PaperId]:
        """The new and updated papers' ids, for a Changes: ``new_ids`` itself (no copy of its
        ids) unless papers were updated, a frozenset of both then."""
        if not self.updated_ids:
            return self.new_ids
        return self.new_ids | frozenset(self.updated_ids)

    def summary(self) -> str:
        """One plain line for people."""
        if self.status == "failed":
            return f"{self.name}: error: {self.error}"
        if self.status == "cancelled":
            return f"{self.name}: cancelled, nothing stored"
        if self.status == "unchanged":
            return f"{self.name}: already imported, nothing to do"
        parts = [
            f"{self.entries} entries",
            f"{self.new_papers} new",
            f"{self.known_papers} already known",
        ]
        if self.updated_papers:
            parts.append(f"{self.updated_papers} updated")
        parts.append(f"{self.skipped_blocks} skipped blocks")
        text = f"{self.name}: " + ", ".join(parts)
        if self.format:
            text += f" [{self.format}]"
        for warning in self.warnings:
            text += f" (warning: {warning})"
        if self.rules:
            text += "; " + "; ".join(self.rules)
        return text

    def to_json(self) -> dict[str, Any]:
        """A plain dict for --json output."""
        return {
            "name": self.name,
            "path": self.path,
            "status": self.status,
            "format": self.format,
            "digest_id": self.digest_id,
            "entries": self.entries,
            "new_papers": self.new_papers,
            "known_papers": self.known_papers,
            "updated_papers": self.updated_papers,
            "skipped_blocks": self.skipped_blocks,
            "skipped": [{"line": line, "reason": reason} for line, reason in self.skipped],
            "warnings": self.warnings,
            "error": self.error,
            "rules": self.rules,
        }


@dataclass(frozen=True)
class Changes:
    """What a write changed, so each view can decide from data whether to refresh.

    ``papers`` are the ids whose row or state changed: a frozenset, or an IdRuns for an
    import's new papers (a snapshot's million ids as one run); ``|`` combines either. The
    flags say what kind of change it was, one per thing a screen may show:

    - ``library``: papers or digests were added or removed (views and counts must reload);
    - ``read``: the read state of some of ``papers`` changed (unread counts, bold rows);
    - ``membership``: starred, queued or archived changed, so papers may enter or leave views;
    - ``annotations``: notes, highlights or tags changed;
    - ``digests``: digests were added, removed or renamed (the sidebar's digest list);
    - ``tags``: tag names were added, renamed or removed (the sidebar's tag list);
    - ``views``: saved views were added, deleted, renamed or reordered (the sidebar's list).
    """

    papers: AbstractSet[PaperId] = frozenset()
    library: bool = False
    annotations: bool = False
    read: bool = False
    membership: bool = False
    digests: bool = False
    tags: bool = False
    views: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.papers | other.papers,
            library=self.library or other.library,
            annotations=self.annotations or other.annotations,
            read=self.read or other.read,
            membership=self.membership or other.membership,
            digests=self.digests or other.digests,
            tags=self.tags or other.tags,
            views=self.views or other.views,
        )

    @classmethod
    def union(cls, many: Iterable[Changes]) -> Changes:
        """All of ``many`` in one value."""
        out = cls()
        for changes in many:
            out = out | changes
        return out

    @property
    def counts(self) -> bool:
        """True when view, digest or tag counts may have changed."""
        return (
            self.library or self.read or self.membership or self.tags or self.digests or self.views
        )

    @property
    def indexed_text(self) -> bool:
        """True when text the search index holds may have changed (triage state lives in
        SQLite only)."""
        return self.library or self.annotations

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not (self.papers or self.counts or self.annotations)


HighlightId = NewType("HighlightId", int)

# The highlight palette: key 1-5 in the GUI picks these, in this order.
HIGHLIGHT_COLORS: dict[str, str] = {
    "yellow": "key point",
    "green": "method",
    "blue": "result",
    "red": "doubt",
    "purple": "to follow up",
}


@dataclass(frozen=True)
class Highlight:
    """A marked passage of a paper's title or abstract, stored as a text-quote selector.

    ``start``/``end`` are character offsets into the field's current text; ``quote`` is the
    exact text, with up to 32 characters of ``prefix`` and ``suffix`` context. When the text
    changes and the quote cannot be placed again, ``orphaned`` is set and the offsets keep
    their last known values: the highlight is kept, never silently moved or dropped.
    """

    id: HighlightId
    paper_id: PaperId
    field: str  # "title" | "abstract"
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    color: str
    note: str
    orphaned: bool
    created_at: str
    updated_at: str

    def to_json(self) -> dict[str, Any]:
        """A plain dict for --json output."""
        return {
            "id": int(self.id),
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "color": self.color,
            "color_label": HIGHLIGHT_COLORS.get(self.color, self.color),
            "note": self.note,
            "anchored": not self.orphaned,
            "orphaned": self.orphaned,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class Annotations:
    """Everything a user wrote on one paper: its note, highlights (reading order) and tags."""

    paper_id: PaperId
    note: str = ""
    note_updated_at: str | None = None
    highlights: tuple[Highlight, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """True when the paper has no note, highlight or tag."""
        return not (self.note.strip() or self.highlights or self.tags)

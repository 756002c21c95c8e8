"""What every digest reader returns: entries, skipped blocks and the format found."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

# The stable short names of the formats (the import report, the paste preview and
# ``import --json`` show them).
HF_PAGE = "hf-page"
HF_PAGE_UPVOTES_FIRST = "hf-page-upvotes-first"
HF_COMPACT = "hf-compact"
TITLE_ABSTRACT = "title-abstract"
TEXT_WITH_IDS = "text-with-ids"
LINK_LIST = "link-list"
ARXIV_LIST = "arxiv-list"
ARXIV_EMAIL = "arxiv-email"
ARXIV_ATOM = "arxiv-atom"
RSS_FEED = "rss-feed"
HF_HTML = "hf-html"
ARXIV_SNAPSHOT = "arxiv-snapshot"
JSON_PAPERS = "json-papers"
EMPTY = "empty"
FORMATS = (
    HF_PAGE,
    HF_PAGE_UPVOTES_FIRST,
    HF_COMPACT,
    TITLE_ABSTRACT,
    TEXT_WITH_IDS,
    LINK_LIST,
    ARXIV_LIST,
    ARXIV_EMAIL,
    ARXIV_ATOM,
    RSS_FEED,
    HF_HTML,
    ARXIV_SNAPSHOT,
    JSON_PAPERS,
    EMPTY,
)


@dataclass(frozen=True)
class Entry:
    """One paper as read from a digest.

    ``arxiv_id`` is the bare id (``2606.01234`` or ``hep-th/9901001``), its version apart;
    ``authors`` is empty when the names are unknown (``authors_count`` may still be known);
    ``comments`` is the Hugging Face comment count, ``arxiv_comments`` arXiv's Comments field.
    """

    title: str
    abstract: str
    line: int
    position: int
    authors_count: int | None = None
    submitter: str | None = None
    published: str | None = None
    published_raw: str | None = None
    published_year_inferred: bool = False
    upvotes: int | None = None
    digest_date: str | None = None
    arxiv_id: str | None = None
    arxiv_version: int | None = None
    authors: tuple[str, ...] = ()
    comments: int | None = None
    arxiv_comments: str | None = None
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    journal_ref: str | None = None


# The fields the three original layouts fill (the parser equivalence test compares these).
LEGACY_FIELDS = 11
# Entry's field names in order (snapshot records and rows are tuples in this order).
ENTRY_FIELDS = tuple(f.name for f in fields(Entry))
_ENTRY_DEFAULTS = {f.name: f.default for f in fields(Entry)}


def entry_from_values(values: tuple[Any, ...]) -> Entry:
    """``Entry(*values)``, three times faster: the parser's hot path builds one per paper.

    A frozen dataclass sets each of its fields through ``object.__setattr__``; this fills the
    instance's dict in two calls. The result is equal to (and hashes as) ``Entry(*values)``,
    which tests/core/importing/test_formats.py checks.
    """
    entry = object.__new__(Entry)
    attributes = entry.__dict__
    attributes.update(_ENTRY_DEFAULTS)
    attributes.update(zip(ENTRY_FIELDS, values, strict=False))
    return entry


@dataclass(frozen=True)
class SkippedBlock:
    """Text the parser could not use, with why and where (1-based line)."""

    line: int
    reason: str
    text: str


@dataclass
class ParseResult:
    """Entries found in a text, blocks skipped, and the format recognised.

    ``format`` is one of :data:`FORMATS`. ``layout`` is the older, coarser name stored with each
    digest (``page``, ``compact``, ``paragraphs`` for the Hugging Face text layouts, else the
    format's name).
    """

    entries: list[Entry] = field(default_factory=list)
    skipped: list[SkippedBlock] = field(default_factory=list)
    layout: str = EMPTY
    digest_dates: list[str] = field(default_factory=list)
    format: str = EMPTY

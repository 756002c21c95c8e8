"""What the index holds for a paper: the schema, and documents built from SQLite rows.

This is the one place that decides what is indexed: title and abstract from ``papers``, the
note (``notes.body``), highlights (``highlights.quote`` and ``.note``, their ``color``) and
tags (``tags.name`` through ``paper_tags``), as store.py's migrations define them.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database
from whoosh import columns
from whoosh.fields import COLUMN, ID, KEYWORD, TEXT, Schema

from desktop.core.markdown_plain import markdown_to_plain
from desktop.core.search.analysis import ANALYZER
from desktop.core.sql import chunks, marks

# The index name carries the schema version: an index of another version is rebuilt.
INDEX_NAME = "SEARCH4"
TITLE_BOOST = 3.0
# Free text matched by plain words, with its weight relative to the abstract.
DEFAULT_FIELDS = {"title": TITLE_BOOST, "abstract": 1.0, "note": 1.0, "highlight": 1.0}
PHRASE_FIELDS = ("title", "abstract", "note", "highlight")
TEXT_FIELDS = frozenset(PHRASE_FIELDS)
# Fields whose values are matched whole (lowercased), never analyzed into words.
KEYWORD_FIELDS = frozenset({"tag", "color", "has"})


def make_schema() -> Schema:
    """The index schema: ids and versions as columns, no stored text (SQLite has it).

    Text fields keep word frequencies but no positions: phrases are checked in the text
    (ranker.py), which makes the index smaller and much faster to write.
    """
    return Schema(
        pid=ID(unique=True),
        docid=COLUMN(columns.NumericColumn("q")),
        ver=COLUMN(columns.NumericColumn("q")),
        akey=COLUMN(columns.NumericColumn("Q")),
        title=TEXT(analyzer=ANALYZER, phrase=False),
        abstract=TEXT(analyzer=ANALYZER, phrase=False),
        note=TEXT(analyzer=ANALYZER, phrase=False),
        highlight=TEXT(analyzer=ANALYZER, phrase=False),
        tag=KEYWORD(lowercase=True, commas=True, scorable=True),
        color=KEYWORD(lowercase=True),
        has=KEYWORD(),
    )


@dataclass
class AnnotationText:
    """A paper's annotations as the index sees them."""

    note: str = ""
    highlights: list[str] = field(default_factory=list)
    colors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def annotation_texts(db: Database, ids: Sequence[int]) -> dict[int, AnnotationText]:
    """Notes, highlights and tags of the papers ``ids`` that have any."""
    out: dict[int, AnnotationText] = {}

    def get(pid: int) -> AnnotationText:
        return out.setdefault(pid, AnnotationText())

    for chunk in chunks(ids):
        params = list(chunk)
        holes = marks(len(chunk))
        for pid, body in db.execute(
            f"SELECT paper_id, body FROM notes WHERE paper_id IN ({holes})", params
        ):
            if body and body.strip():
                get(pid).note = body
        for pid, quote, note, color in db.execute(
            "SELECT paper_id, quote, note, color FROM highlights "
            f"WHERE paper_id IN ({holes}) ORDER BY id",
            params,
        ):
            ann = get(pid)
            ann.highlights.append(" ".join(t for t in (quote, note) if t))
            if color:
                ann.colors.append(str(color))
        for pid, name in db.execute(
            "SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
            f"WHERE pt.paper_id IN ({holes}) ORDER BY pt.paper_id, pt.tag_id",
            params,
        ):
            if name:
                get(pid).tags.append(str(name))
    return out


def annotated_ids(db: Database) -> set[int]:
    """Ids of papers that have a note, a highlight or a tag."""
    rows = db.execute(
        "SELECT paper_id FROM notes UNION SELECT paper_id FROM highlights "
        "UNION SELECT paper_id FROM paper_tags"
    )
    return {r[0] for r in rows}


def build_documents(db: Database, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The index documents for papers ``ids`` (missing ids are left out).

    Keys starting with ``_`` are not indexed (see :func:`index_fields`).
    """
    docs: dict[int, dict[str, Any]] = {}
    for chunk in chunks(ids):
        rows = db.execute(
            f"SELECT id, title, abstract, version FROM papers WHERE id IN ({marks(len(chunk))})",
            list(chunk),
        ).fetchall()
        notes = annotation_texts(db, [r[0] for r in rows])
        for pid, title, abstract, version in rows:
            docs[pid] = _document(pid, title, abstract, version, notes.get(pid))
    return docs


def annotation_key(ann: AnnotationText) -> int:
    """A non-zero checksum of everything indexed from a paper's annotations."""
    tags = ",".join(t.replace(",", " ") for t in ann.tags)
    text = "\x1f".join([ann.note, *ann.highlights, tags, *ann.colors])
    return zlib.crc32(text.encode("utf-8")) or 1


def annotation_keys(db: Database, ids: set[int]) -> dict[int, int]:
    """Paper id -> annotation key, for the papers among ``ids`` that have annotations."""
    annotated = sorted(i for i in annotated_ids(db) if i in ids)
    return {pid: annotation_key(ann) for pid, ann in annotation_texts(db, annotated).items()}


def _document(
    pid: int, title: str, abstract: str, version: int, ann: AnnotationText | None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "pid": str(pid),
        "docid": pid,
        "ver": version,
        "akey": 0,
        "title": title,
        "abstract": abstract,
    }
    if ann is not None:
        has = [
            n
            for n, on in (("note", ann.note), ("highlight", ann.highlights), ("tag", ann.tags))
            if on
        ]
        tags = ",".join(t.replace(",", " ") for t in ann.tags)
        doc["akey"] = annotation_key(ann)
        if ann.note:
            doc["note"] = ann.note
        if ann.highlights:
            doc["highlight"] = "\n".join(ann.highlights)
        if tags:
            doc["tag"] = tags
        if ann.colors:
            doc["color"] = " ".join(ann.colors)
        if has:
            doc["has"] = " ".join(has)
        doc["_annotation_text"] = "\n".join([ann.note, *ann.highlights])
    return doc


def index_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """A document's indexed fields (without the ``_`` keys kept for snippets)."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def phrase_texts(db: Database, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """The indexed text fields of papers ``ids``, for checking phrases."""
    docs = build_documents(db, ids)
    return {pid: {f: doc.get(f) or "" for f in PHRASE_FIELDS} for pid, doc in docs.items()}


def annotation_snippet_text(db: Database, pid: int) -> str:
    """The note and highlights of a paper as one text (for a snippet), or ``""``.

    Notes are Markdown: a snippet shows their words, not their syntax (``**``, ``[..](..)``).
    """
    parts = [
        markdown_to_plain(body)
        for (body,) in db.execute("SELECT body FROM notes WHERE paper_id = ?", [pid])
        if body and body.strip()
    ]
    for quote, note in db.execute(
        "SELECT quote, note FROM highlights WHERE paper_id = ? ORDER BY id", [pid]
    ):
        parts.append(" ".join(t for t in (quote, markdown_to_plain(note or "")) if t))
    return "\n".join(parts)

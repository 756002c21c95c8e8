"""What notes, highlights and tags share: errors, text checks and their Changes."""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from desktop.core.models import Changes, PaperId

FIELDS = ("title", "abstract")


class AnnotationError(ValueError):
    """An annotation request that cannot be done; the message is one plain sentence."""


class QuoteNotFoundError(AnnotationError):
    """The quote to highlight does not occur in the paper's title or abstract."""


def check_text(text: str, what: str) -> str:
    """``text`` if it can be stored (encodes as UTF-8), else AnnotationError naming ``what``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AnnotationError(f"the {what} holds characters that cannot be stored") from exc
    return text


def field_text(db: Database, paper_id: int, field: str) -> str:
    """The current text of a paper's ``title`` or ``abstract``; AnnotationError if none."""
    if field not in FIELDS:
        raise AnnotationError(f"unknown field {field!r}; use title or abstract")
    row = db.execute(f"SELECT {field} FROM papers WHERE id = ?", [int(paper_id)]).fetchone()
    if row is None:
        raise AnnotationError(f"no paper with id {paper_id}")
    return str(row[0])


def require_paper(db: Database, paper_id: int) -> None:
    """AnnotationError unless the library holds a paper with this id."""
    if not db.execute("SELECT 1 FROM papers WHERE id = ?", [int(paper_id)]).fetchone():
        raise AnnotationError(f"no paper with id {paper_id}")


def annotation_changes(paper_ids: Iterable[int]) -> Changes:
    """The Changes of an annotation write on these papers."""
    return Changes(frozenset(PaperId(int(i)) for i in paper_ids), annotations=True)

"""Read a JSON document that lists papers: what paper sites' APIs answer, saved as a file.

Shapes read (a list, or an object holding one under ``papers``, ``items``, ``data``,
``results``, ``entries`` or ``dailyPapers``):

- Hugging Face's ``/api/daily_papers`` and ``/api/papers``: ``{"paper": {"id", "title",
  "summary", "authors": [{"name"}], "publishedAt", "upvotes"}, "numComments", …}``, or the
  inner ``paper`` object alone;
- arXiv-style records: ``id``, ``title``, ``abstract``, ``authors`` (a string or a list);
- Semantic Scholar: ``title``, ``abstract``, ``authors: [{"name"}]``, ``externalIds.ArXiv``,
  ``publicationDate``;
- CSL-JSON (Zotero, Better BibTeX): ``title``, ``abstract``, ``author: [{"given", "family"}]``,
  ``URL``, ``issued``.

A record with no title, or whose title no paper has, is reported and skipped; the arXiv id
comes from the record's id when it is one, else from its links. Nothing named is fetched.
"""

from __future__ import annotations

import json
from typing import Any

from desktop.core.importing.arxiv_fields import clean_title, split_authors
from desktop.core.importing.arxiv_ids import find_id, split_id
from desktop.core.importing.plausibility import refusal
from desktop.core.importing.result import EMPTY, JSON_PAPERS, Entry, ParseResult, SkippedBlock
from desktop.core.importing.tex import tex_to_unicode
from desktop.core.importing.textnorm import fold_space

_LIST_KEYS = ("papers", "items", "data", "results", "entries", "dailyPapers", "records")
_LINK_KEYS = ("url", "URL", "link", "pdf_url", "abs_url", "arxiv_url", "DOI", "doi")


def records_of(document: Any) -> list[Any] | None:
    """The list of records a JSON document holds, or None when it holds none."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in _LIST_KEYS:
            value = document.get(key)
            if isinstance(value, list):
                return value
        if "title" in document:
            return [document]  # one paper on its own
    return None


def _str(value: Any) -> str:
    return fold_space(value) if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return split_authors(value)
    names: list[str] = []
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                name = item
            elif isinstance(item, dict):
                name = _str(item.get("name")) or " ".join(
                    p for p in (_str(item.get("given")), _str(item.get("family"))) if p
                )
            else:
                continue
            name = fold_space(tex_to_unicode(name))
            if name:
                names.append(name)
    return tuple(dict.fromkeys(names))


def _date(record: dict[str, Any]) -> str | None:
    for key in ("publishedAt", "publicationDate", "published", "update_date", "date"):
        value = _str(record.get(key))
        if len(value) >= 10 and value[4] == "-" and value[7] == "-":
            return value[:10]
    issued = record.get("issued")
    if isinstance(issued, dict):  # CSL-JSON: {"date-parts": [[2026, 12, 1]]}
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list):
            numbers = [p for p in parts[0] if isinstance(p, int)]
            if len(numbers) == 3:
                return f"{numbers[0]:04d}-{numbers[1]:02d}-{numbers[2]:02d}"
    return None


def _arxiv_id(record: dict[str, Any]) -> tuple[str, int | None] | None:
    for value in (record.get("id"), record.get("arxiv_id"), record.get("arxivId")):
        if isinstance(value, str) and (found := split_id(value.removeprefix("arXiv:"))):
            return found
    external = record.get("externalIds")
    if isinstance(external, dict) and isinstance(external.get("ArXiv"), str):
        found = split_id(external["ArXiv"])
        if found:
            return found
    for key in _LINK_KEYS:
        value = record.get(key)
        if isinstance(value, str) and (found := find_id(value)):
            return found
    return None


def _entry(item: Any, number: int, position: int) -> Entry | str:
    """The paper an item holds, or why it holds none."""
    if not isinstance(item, dict):
        return "not a paper's record"
    inner = item.get("paper")
    paper: dict[str, Any] = inner if isinstance(inner, dict) else item
    title = clean_title(_str(paper.get("title")) or _str(item.get("title")))
    problem = refusal(title, "a record with no title")
    if problem is not None:
        return problem
    abstract = (
        _str(paper.get("summary"))
        or _str(paper.get("abstract"))
        or _str(item.get("summary"))
        or _str(item.get("abstract"))
    )
    authors = _names(paper.get("authors") or paper.get("author") or item.get("authors"))
    found = _arxiv_id(paper) or (_arxiv_id(item) if paper is not item else None)
    return Entry(
        title,
        fold_space(tex_to_unicode(abstract)),
        number,
        position,
        authors_count=len(authors) if authors else None,
        published=_date(paper) or _date(item),
        upvotes=_int(paper.get("upvotes")),
        arxiv_id=found[0] if found else None,
        arxiv_version=found[1] if found else None,
        authors=authors,
        comments=_int(item.get("numComments")),
    )


def parse_json_papers(text: str, document: Any = None) -> ParseResult:
    """Parse a JSON document of paper records (``document``: it already decoded); never raises."""
    result = ParseResult(layout=JSON_PAPERS, format=JSON_PAPERS)
    if document is None:
        try:
            document = json.loads(text.lstrip("\ufeff"))
        except (ValueError, RecursionError) as exc:
            result.skipped.append(SkippedBlock(1, f"not valid JSON ({exc})", text[:200]))
            return result
    records = records_of(document)
    if records is None:
        result.skipped.append(SkippedBlock(1, "JSON that lists no papers", text[:200]))
        return result
    for k, item in enumerate(records, 1):
        got = _entry(item, k, len(result.entries) + 1)
        if isinstance(got, str):
            title = item.get("title") if isinstance(item, dict) else None
            result.skipped.append(SkippedBlock(1, f"record {k}: {got}", _str(title)[:200]))
        else:
            result.entries.append(got)
    if not result.entries and not result.skipped:
        result.layout = result.format = EMPTY
    return result

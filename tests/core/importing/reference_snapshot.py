"""The snapshot record reader as it was before the parallel import (commit 81a48e1), kept as
the reference tests/core/importing/test_snapshot_equivalence.py compares the fast one with.
Only the imports changed: ``fold_space`` is its definition (every whitespace run one space),
since the module's own fast paths are under test. Do not edit."""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

from typing import Any

from desktop.core.importing.arxiv_fields import category_codes, day_month_year
from desktop.core.importing.arxiv_ids import split_id
from desktop.core.importing.plausibility import title_problem
from desktop.core.importing.result import Entry
from desktop.core.importing.tex import tex_to_unicode


def fold_space(text: str) -> str:
    return " ".join(text.split())


def clean_title(text: str) -> str:
    return fold_space(tex_to_unicode(text))


def _strip_parentheses(text: str) -> str:
    out: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(char)
    return "".join(out)


def split_authors(text: str) -> tuple[str, ...]:
    import re

    and_re = re.compile(r",?\s+and\s+|\s*&\s*|\s*;\s*", re.IGNORECASE)
    text = fold_space(tex_to_unicode(_strip_parentheses(text)))
    names: list[str] = []
    for part in text.split(","):
        for name in and_re.split(part):
            name = name.strip(" .")
            if name and any(c.isalpha() for c in name) and name.lower() not in ("et al", "others"):
                names.append(name if not name.endswith(" et al") else name[:-6].strip())
    return tuple(names)


def _authors(record: dict[str, Any]) -> tuple[str, ...]:
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for part in parsed:
            if isinstance(part, list) and part and all(isinstance(p, str) for p in part):
                last, first, suffix = (part + ["", ""])[:3]
                name = fold_space(tex_to_unicode(" ".join(p for p in (first, last, suffix) if p)))
                if name:
                    names.append(name)
        if names:
            return tuple(names)
    raw = record.get("authors")
    return split_authors(raw) if isinstance(raw, str) else ()


def _text(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    return fold_space(value) or None if isinstance(value, str) else None


def record_entry(record: Any, line: int, position: int) -> Entry | str:
    """The entry of one snapshot record, or why the record is not a paper."""
    if not isinstance(record, dict):
        return "a JSON line that is not an object"
    raw_id = record.get("id")
    found = split_id(raw_id) if isinstance(raw_id, str) else None
    if found is None:
        return "a record with no arXiv id"
    title = clean_title(record.get("title") or "") if isinstance(record.get("title"), str) else ""
    if not title:
        return "a record with no title"
    problem = title_problem(title)
    if problem is not None:
        return problem
    abstract = record.get("abstract")
    abstract = fold_space(tex_to_unicode(abstract)) if isinstance(abstract, str) else ""
    versions = record.get("versions")
    version = found[1]
    published = published_raw = None
    if isinstance(versions, list) and versions:
        numbers = [
            int(v["version"][1:])
            for v in versions
            if isinstance(v, dict)
            and isinstance(v.get("version"), str)
            and v["version"][1:].isdigit()
        ]
        version = max(numbers) if numbers else version
        first = versions[0]
        if isinstance(first, dict) and isinstance(first.get("created"), str):
            published_raw = first["created"]
            published = day_month_year(published_raw)
    if published is None and isinstance(record.get("update_date"), str):
        published_raw = record["update_date"]
        published = published_raw if len(published_raw) == 10 else None
    categories_raw = record.get("categories")
    categories = category_codes(categories_raw) if isinstance(categories_raw, str) else ()
    authors = _authors(record)
    return Entry(
        title,
        abstract,
        line,
        position,
        authors_count=len(authors) if authors else None,
        submitter=_text(record, "submitter"),
        published=published,
        published_raw=published_raw,
        arxiv_id=found[0],
        arxiv_version=version,
        authors=authors,
        arxiv_comments=_text(record, "comments"),
        categories=categories,
        primary_category=categories[0] if categories else None,
        journal_ref=_text(record, "journal-ref"),
    )

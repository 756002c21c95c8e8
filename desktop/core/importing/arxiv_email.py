"""Read arXiv e-mail digests (the daily ``new submissions`` mailing).

Each entry sits between ``\\\\`` lines: ``arXiv:ID``, ``Date: …`` (or ``replaced with revised
version … (…kb,v3)``), then ``Title:``, ``Authors:``, ``Categories:``, ``Comments:`` and other
optional ``Label:`` fields whose long values continue on indented lines, then ``\\\\``, the
abstract, and ``\\\\ ( https://arxiv.org/abs/ID ,  12kb)``. Replacements may have no abstract.
Rule lines (``-----``, ``%-%-%-``, ``%%--%%--``, ``%%%---``) and the mail's header are not papers.
"""

from __future__ import annotations

import re

from desktop.core.importing.arxiv_fields import (
    category_codes,
    clean_title,
    day_month_year,
    split_authors,
)
from desktop.core.importing.arxiv_ids import ID_BODY
from desktop.core.importing.plausibility import title_problem
from desktop.core.importing.result import ARXIV_EMAIL, EMPTY, Entry, ParseResult, SkippedBlock
from desktop.core.importing.tex import tex_to_unicode
from desktop.core.importing.textnorm import fold_space

_ID_LINE_RE = re.compile(rf"^\s*arXiv:{ID_BODY}\b")
_FIELD_RE = re.compile(r"^([A-Za-z][A-Za-z -]*?)\s*(?:\([^)]*\))?:\s?(.*)$")
_REPLACED_RE = re.compile(r"^replaced with revised version\s+(.*)$", re.IGNORECASE)
_VERSION_RE = re.compile(r"\(\s*[\d.]+\s*kb\s*,\s*v(\d+)\s*\)", re.IGNORECASE)
_RULE_RE = re.compile(r"^(?:-{8,}|(?:%-){4,}|(?:%%--){3,}|(?:%%%---){2,})")
_SIZE_RE = re.compile(r"\s*\([^)]*kb[^)]*\)\s*$", re.IGNORECASE)
_END_RE = re.compile(r"^\\\\\s*\(")


def parse_arxiv_email(text: str) -> ParseResult:
    """Parse an arXiv e-mail digest; never raises."""
    result = ParseResult(layout=ARXIV_EMAIL, format=ARXIV_EMAIL)
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    k = 0
    total = len(lines)
    first_entry_seen = False
    while k < total:
        line = lines[k].rstrip()
        if not first_entry_seen and line.startswith("Date:") and not result.digest_dates:
            day = day_month_year(line)
            if day is not None:
                result.digest_dates.append(day)
        if line.strip() == "\\\\":
            j = k + 1
            while j < total and not lines[j].strip():
                j += 1
            if j < total and _ID_LINE_RE.match(lines[j]):
                first_entry_seen = True
                k = _read_entry(result, lines, j)
                continue
        k += 1
    if not result.entries and not result.skipped:
        result.layout = result.format = EMPTY
    return result


def _read_entry(result: ParseResult, lines: list[str], start: int) -> int:
    """Read the entry whose ``arXiv:`` line is ``lines[start]``; the index after it."""
    total = len(lines)
    id_match = _ID_LINE_RE.match(lines[start])
    assert id_match is not None
    fields: dict[str, list[str]] = {}
    last: str | None = None
    published = published_raw = None
    version = int(id_match.group("version")) if id_match.group("version") else None
    k = start + 1
    # The header: fields up to the "\\" before the abstract (or the closing "\\ (" line).
    while k < total:
        raw = lines[k].rstrip()
        stripped = raw.strip()
        if stripped == "\\\\" or _END_RE.match(stripped) or _RULE_RE.match(stripped):
            break
        k += 1
        if not stripped:
            last = None
            continue
        replaced = _REPLACED_RE.match(stripped)
        if replaced:
            found = _VERSION_RE.search(stripped)
            if found:
                version = int(found.group(1))
            last = None
            continue
        if raw[:1].isspace() and last is not None:
            fields[last].append(stripped)  # a continuation line
            continue
        field = _FIELD_RE.match(stripped)
        if field:
            last = field.group(1).strip().lower()
            fields.setdefault(last, []).append(field.group(2))
            if last == "date":
                published_raw = _SIZE_RE.sub("", field.group(2)).strip()
                published = day_month_year(published_raw)
                found = _VERSION_RE.search(stripped)
                if found:
                    version = int(found.group(1))
            continue
        if last is not None:
            fields[last].append(stripped)
    abstract: list[str] = []
    if k < total and lines[k].strip() == "\\\\":
        k += 1
        while k < total:
            stripped = lines[k].strip()
            if _END_RE.match(stripped) or _RULE_RE.match(stripped) or stripped == "\\\\":
                break
            abstract.append(stripped)
            k += 1
    if k < total and _END_RE.match(lines[k].strip()):
        k += 1
    number = start + 1
    title = clean_title(" ".join(fields.get("title", [])))
    if not title:
        result.skipped.append(SkippedBlock(number, "an arXiv entry with no title", lines[start]))
        return k
    problem = title_problem(title)
    if problem is not None:
        result.skipped.append(SkippedBlock(number, problem, title[:200]))
        return k
    authors = split_authors(" ".join(fields.get("authors", fields.get("author", []))))
    categories = category_codes(" ".join(fields.get("categories", [])))
    comments = fold_space(" ".join(fields.get("comments", []))) or None
    journal = fold_space(" ".join(fields.get("journal-ref", []))) or None
    result.entries.append(
        Entry(
            title,
            fold_space(tex_to_unicode(" ".join(abstract))),
            number,
            len(result.entries) + 1,
            authors_count=len(authors) if authors else None,
            published=published,
            published_raw=published_raw,
            arxiv_id=id_match.group("id"),
            arxiv_version=version,
            authors=authors,
            arxiv_comments=tex_to_unicode(comments) if comments else None,
            categories=categories,
            primary_category=categories[0] if categories else None,
            journal_ref=journal,
            digest_date=result.digest_dates[0] if result.digest_dates else None,
        )
    )
    return k

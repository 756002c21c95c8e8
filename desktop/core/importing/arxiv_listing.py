"""Read arXiv listing pages (``/list/<cat>/new``, ``/recent``, ``/pastweek``) copied as text.

An entry starts at ``[12] arXiv:2609.01234 [pdf, html, other]`` (optionally ``(cross-list from
cs.LG)`` or ``(replaced)``; the ``[12]`` may sit on a line of its own), then ``Title: …``, the
author names on the next line (``Authors: …`` in older copies), optional ``Comments:``,
``Journal-ref:`` and ``Subjects: … (cs.CL); …`` lines, and on ``/new`` the abstract paragraph.
Section and day headings, the page's header and footer are not papers. An entry with no
abstract (``/recent``) is still a paper: its id and structure vouch for it.
"""

from __future__ import annotations

import re

from desktop.core.importing.arxiv_fields import (
    clean_title,
    day_month_year,
    split_authors,
    subject_codes,
)
from desktop.core.importing.arxiv_ids import ID_BODY
from desktop.core.importing.plausibility import title_problem
from desktop.core.importing.result import ARXIV_LIST, Entry, ParseResult, SkippedBlock
from desktop.core.importing.tex import tex_to_unicode
from desktop.core.importing.textnorm import fold_space

ENTRY_RE = re.compile(
    rf"^(?:\[\d+\]\s*)?arXiv:{ID_BODY}\s*(?:\((?P<kind>cross-list from (?P<from>[^)\s]+)|replaced)"
    r"[^)]*\))?\s*(?:\[[^\]]*\])?\s*(?:\((?P<kind2>cross-list from (?P<from2>[^)\s]+)|replaced)"
    r"[^)]*\))?$"
)
_LABEL_RE = re.compile(
    r"^(Title|Authors?|Comments|Journal-ref|Subjects|MSC classes|ACM classes|Report number|DOI)"
    r"\s*:\s*(.*)$"
)
# Lines of the page that separate or frame entries.
HEADING_RE = re.compile(
    r"^(?:new submissions|cross[- ]submissions|cross-lists|replacement submissions|replacements)"
    r"\b|\(showing (?:first )?\d+ of \d+ entries\)|^no updates (?:today|for this time period)"
    r"|^total of \d+ entries|^showing (?:new listings|up to)"
    r"|^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*, \d{1,2} [a-z]{3,9} \d{4}\b",
    re.IGNORECASE,
)
_NEW_LISTING_DATE_RE = re.compile(r"^showing new listings for [a-z]+, (.+)$", re.IGNORECASE)
# An abstract is a paragraph of prose; shorter text after the fields is page chrome.
MIN_ABSTRACT_WORDS = 20


def _raw_lines(text: str) -> list[str]:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _entry_lines(text: str) -> list[str]:
    return [fold_space(line) for line in _raw_lines(text)]


def _indented(text: str) -> list[bool]:
    """Which lines start with white space: a field's continuation in text-mode copies."""
    return [line[:1].isspace() for line in _raw_lines(text)]


def parse_arxiv_listing(text: str) -> ParseResult:
    """Parse an arXiv listing page copy; never raises."""
    result = ParseResult(layout=ARXIV_LIST, format=ARXIV_LIST)
    lines = _entry_lines(text)
    indented = _indented(text)
    starts: list[tuple[int, re.Match[str]]] = []
    digest_date: str | None = None
    day_of_line: dict[int, str | None] = {}
    for k, line in enumerate(lines):
        if not line:
            continue
        if line.startswith(("[", "arXiv:")):
            match = ENTRY_RE.match(line)
            if match is not None:
                starts.append((k, match))
                day_of_line[k] = digest_date
                continue
        if HEADING_RE.search(line):
            new_date = _NEW_LISTING_DATE_RE.match(line)
            day = day_month_year(new_date.group(1) if new_date else line)
            if day is not None and (new_date or "showing" in line.lower() or line[:3].isalpha()):
                digest_date = day
                if day not in result.digest_dates:
                    result.digest_dates.append(day)
    for n, (k, match) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        _read_entry(result, lines, indented, k, end, match, day_of_line[k])
    if not result.entries:
        result.layout = result.format = "empty" if not result.skipped else ARXIV_LIST
    return result


def _read_entry(
    result: ParseResult,
    lines: list[str],
    indented: list[bool],
    start: int,
    end: int,
    match: re.Match[str],
    digest_date: str | None,
) -> None:
    fields: dict[str, str] = {}
    title_lines: list[str] = []
    authors_line: str | None = None
    abstract: list[str] = []
    in_title = False
    fields_done = False
    authors_guessed = False  # the unlabelled line after the title, taken as the names
    last_field: str | None = None  # the field an indented line continues
    k = start + 1
    while k < end:
        line = lines[k]
        continued = indented[k] and not abstract
        k += 1
        if not line:
            in_title = False
            last_field = None  # a wrapped field never continues past a blank line
            if abstract:
                break  # the abstract is one paragraph; what follows is chrome
            if fields:
                fields_done = True
            continue
        if HEADING_RE.search(line):
            break
        label = None if fields_done else _LABEL_RE.match(line)
        if label is not None:
            name = label.group(1).lower()
            value = label.group(2)
            in_title = False
            if name == "title":
                title_lines = [value] if value else []
                in_title = not value
            elif name.startswith("author"):
                if authors_guessed and authors_line:
                    title_lines.append(authors_line)  # it was the title's second line
                authors_line, authors_guessed = value, False
            else:
                fields[name] = value
            last_field = "authors" if name.startswith("author") else name
            if name == "subjects":
                fields_done = True
            continue
        if continued and last_field is not None and not fields_done:
            # A wrapped field (text-mode copies indent what follows the first line).
            if last_field == "title":
                title_lines.append(line)
            elif last_field == "authors" and authors_line is not None:
                authors_line = f"{authors_line} {line}"
            elif last_field in fields:
                fields[last_field] = f"{fields[last_field]} {line}"
            continue
        if in_title:
            title_lines.append(line)
            in_title = False
            continue
        if title_lines and authors_line is None and not fields_done:
            authors_line, authors_guessed, last_field = line, True, "authors"
            continue
        if title_lines:
            abstract.append(line)
    number = start + 1
    title = clean_title(" ".join(title_lines))
    if not title:
        result.skipped.append(SkippedBlock(number, "an arXiv entry with no title", lines[start]))
        return
    problem = title_problem(title)
    if problem is not None:
        result.skipped.append(SkippedBlock(number, problem, title[:200]))
        return
    abstract_text = " ".join(abstract)
    if abstract_text.count(" ") + 1 < MIN_ABSTRACT_WORDS:
        abstract_text = ""
    version = match.group("version")
    authors = split_authors(authors_line) if authors_line else ()
    categories = subject_codes(fields.get("subjects", ""))
    cross_from = match.group("from") or match.group("from2")
    primary = cross_from or (categories[0] if categories else None)
    if cross_from and cross_from not in categories:
        categories = (cross_from, *categories)
    result.entries.append(
        Entry(
            title,
            tex_to_unicode(abstract_text),
            number,
            len(result.entries) + 1,
            authors_count=len(authors) if authors else None,
            digest_date=digest_date,
            arxiv_id=match.group("id"),
            arxiv_version=int(version) if version else None,
            authors=authors,
            arxiv_comments=fields.get("comments") or None,
            categories=categories,
            primary_category=primary,
            journal_ref=fields.get("journal-ref") or None,
        )
    )

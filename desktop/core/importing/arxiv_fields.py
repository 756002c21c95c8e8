"""Field values shared by the arXiv readers: author lists, categories, dates, labelled lines."""

from __future__ import annotations

import datetime as dt
import re

from desktop.core.importing.tex import tex_to_unicode
from desktop.core.importing.textnorm import fold_space

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
# "Fri, 29 Nov 2024 10:00:00 GMT", "Tue, 20 Jul 21 00:51:12 GMT", "Monday, 1 December 2025".
_DAY_MONTH_YEAR_RE = re.compile(r"(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4}|\d{2})\b")
# A category code in a Subjects line: "Machine Learning (cs.LG)", "(hep-th)", "(math.AG)".
_SUBJECT_CODE_RE = re.compile(r"\(([a-z][a-z-]*(?:\.[A-Za-z-]{2,})?)\)")
_CATEGORY_RE = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z-]{2,})?$")
_AND_RE = re.compile(r",?\s+and\s+|\s*&\s*|\s*;\s*", re.IGNORECASE)


def day_month_year(text: str) -> str | None:
    """The first ``29 Nov 2024`` (or two-digit year) in ``text`` as an ISO date, or None."""
    match = _DAY_MONTH_YEAR_RE.search(text)
    if not match:
        return None
    month = _MONTHS.get(match.group(2).lower())
    if month is None:
        return None
    year = int(match.group(3))
    if year < 100:
        year += 1900 if year >= 91 else 2000  # arXiv started in 1991
    try:
        return dt.date(year, month, int(match.group(1))).isoformat()
    except ValueError:
        return None


def _strip_parentheses(text: str) -> str:
    """``text`` without parenthesised parts (affiliations), nested ones included."""
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
    """``A. Smith (MIT), B. Jones and C. Doe`` → the names, accents as Unicode."""
    text = fold_space(tex_to_unicode(_strip_parentheses(text)))
    names: list[str] = []
    for part in text.split(","):
        for name in _AND_RE.split(part):
            name = name.strip(" .")
            if name and any(c.isalpha() for c in name) and name.lower() not in ("et al", "others"):
                names.append(name if not name.endswith(" et al") else name[:-6].strip())
    return tuple(names)


def subject_codes(text: str) -> tuple[str, ...]:
    """The category codes of a Subjects line, the primary first."""
    return tuple(dict.fromkeys(_SUBJECT_CODE_RE.findall(text)))


def category_codes(text: str) -> tuple[str, ...]:
    """The codes of a space-separated ``Categories:`` value (``cs.CL cs.LG``)."""
    return tuple(dict.fromkeys(c for c in text.split() if _CATEGORY_RE.match(c)))


def clean_title(text: str) -> str:
    """A title with its lines joined, spaces folded and TeX accents as Unicode."""
    return fold_space(tex_to_unicode(text))

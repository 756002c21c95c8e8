"""BibTeX: arXiv-style ``@misc`` entries for papers, with stable, unique citation keys.

Field values are UTF-8 text in braces with BibTeX's special characters escaped (see
:func:`escape`); titles are double-braced so that styles keep their capitals. Keys are
``<first author's last name><year><first title word>`` folded to ASCII (``vaswani2017attention``);
papers whose keys collide within one export get ``a``, ``b``… in arXiv-id (else library) order,
so the same papers always get the same keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

from desktop.core.models import Paper, PaperId

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL = re.compile("|".join(re.escape(c) for c in _ESCAPES))
_SPACE = re.compile(r"\s+")
_STOP_WORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from"})
_NEW_STYLE_ID = re.compile(r"^(\d\d)(\d\d)\.\d{4,5}$")
_OLD_STYLE_ID = re.compile(r"^[a-z\-]+(?:\.[A-Z]{2})?/(\d\d)(\d\d)\d{3}$")


def escape(text: str) -> str:
    """``text`` as the inside of a braced BibTeX value: one line, specials escaped."""
    folded = _SPACE.sub(" ", text).strip()
    # Characters that are neither printable nor spaces (controls, bidi overrides) are dropped.
    folded = "".join(ch for ch in folded if unicodedata.category(ch)[0] != "C")
    return _SPECIAL.sub(lambda m: _ESCAPES[m.group(0)], folded)


def _ascii_word(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum()).lower()


def paper_year(paper: Paper) -> str | None:
    """The year of a paper: from its arXiv id (``2606.01234`` is 2026), else its date."""
    if paper.arxiv_id:
        for pattern in (_NEW_STYLE_ID, _OLD_STYLE_ID):
            found = pattern.match(paper.arxiv_id)
            if found:
                yy = int(found.group(1))
                return str(2000 + yy if yy < 90 else 1900 + yy)
    if paper.published and re.match(r"^\d{4}", paper.published):
        return paper.published[:4]
    return None


def _last_name(name: str) -> str:
    name = name.strip()
    if "," in name:
        return name.split(",", 1)[0]
    parts = name.split()
    return parts[-1] if parts else ""


def base_key(paper: Paper) -> str:
    """The citation key of a paper before collisions are resolved."""
    author = _ascii_word(_last_name(paper.authors[0])) if paper.authors else ""
    words = [_ascii_word(w) for w in paper.title.split()]
    word = next((w for w in words if w and w not in _STOP_WORDS), next((w for w in words if w), ""))
    key = f"{author}{paper_year(paper) or ''}{word}"
    return key or f"paper{int(paper.id)}"


def citation_keys(papers: Sequence[Paper]) -> dict[PaperId, str]:
    """A unique key for each paper (see the module docstring for how collisions are broken)."""
    groups: dict[str, list[Paper]] = {}
    for paper in papers:
        groups.setdefault(base_key(paper), []).append(paper)
    keys: dict[PaperId, str] = {}
    taken = {k for k, group in groups.items() if len(group) == 1}
    for key, group in groups.items():
        if len(group) == 1:
            keys[group[0].id] = key
            continue
        ordered = sorted(group, key=lambda p: (p.arxiv_id is None, p.arxiv_id or "", int(p.id)))
        suffixes = _suffixes()
        for paper in ordered:
            candidate = key + next(suffixes)
            while candidate in taken:
                candidate = key + next(suffixes)
            taken.add(candidate)
            keys[paper.id] = candidate
    return keys


def _suffixes() -> Iterator[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    n = 0
    while True:
        out, m = "", n
        while True:
            out = letters[m % 26] + out
            m = m // 26 - 1
            if m < 0:
                break
        yield out
        n += 1


def _author_field(names: Sequence[str]) -> str:
    parts = []
    for name in names:
        value = escape(name)
        # A name holding the word "and" would be read as two people: keep it one.
        parts.append(f"{{{value}}}" if re.search(r"\band\b", value, re.IGNORECASE) else value)
    return " and ".join(parts)


def bibtex_entry(paper: Paper, key: str) -> str:
    """One ``@misc`` entry."""
    fields: list[tuple[str, str]] = [("title", f"{{{escape(paper.title)}}}")]
    if paper.authors:
        fields.append(("author", _author_field(paper.authors)))
    year = paper_year(paper)
    if year:
        fields.append(("year", year))
    if paper.arxiv_id:
        fields += [("eprint", escape(paper.arxiv_id)), ("archivePrefix", "arXiv")]
        if paper.primary_category:
            fields.append(("primaryClass", escape(paper.primary_category)))
        fields.append(("url", f"https://arxiv.org/abs/{escape(paper.arxiv_id)}"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def bibtex(papers: Sequence[Paper]) -> str:
    """Entries for ``papers`` in the order given, separated by blank lines."""
    keys = citation_keys(papers)
    return "\n".join(bibtex_entry(p, keys[p.id]) for p in papers)

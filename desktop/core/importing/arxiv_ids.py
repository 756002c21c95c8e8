"""arXiv identifiers: found in text, links and ``arXiv:`` labels, split into id and version."""

from __future__ import annotations

import re

# New-style ids (0704.0001 on: YYMM.NNNN, and YYMM.NNNNN from 1501) and old-style ones
# (archive[.SUBJECT]/YYMMNNN, such as hep-th/9901001 or math.GT/0309136).
_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}"
ID_BODY = rf"(?P<id>{_NEW}|{_OLD})(?:v(?P<version>\d{{1,3}}))?"
BARE_ID_RE = re.compile(rf"^{ID_BODY}$")

# An id in running text: an ``arXiv:`` label, or a link to an arXiv abstract or PDF page or to a
# Hugging Face paper page (with or without scheme, ``www.`` or ``export.``; ``.pdf`` optional).
INLINE_ID_RE = re.compile(
    r"(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/"
    r"|(?:https?://)?(?:www\.)?huggingface\.co/papers/"
    r"|\barxiv:\s?)"
    rf"{ID_BODY}(?:\.pdf)?(?![\w/.]*\w)",
    re.IGNORECASE,
)
# Separators left around an id cut out of a title: "Title - arXiv:…", "Title (arXiv:…)".
_EMPTY_BRACKETS_RE = re.compile(r"\(\s*\)|\[\s*\]|\{\s*\}|<\s*>")
_EDGE_JUNK = " \t-–—|:;,·•"


def split_id(text: str) -> tuple[str, int | None] | None:
    """``2401.01234v2`` → ("2401.01234", 2); None when ``text`` is not an arXiv id."""
    match = BARE_ID_RE.match(text.strip())
    if not match:
        return None
    version = match.group("version")
    return match.group("id"), int(version) if version else None


def has_inline_marker(text: str) -> bool:
    """Whether ``text`` may hold an inline id at all (a fast test before the regex)."""
    # "rXiv" covers arXiv and ArXiv, "rxiv" arxiv and Arxiv.
    return "rXiv" in text or "rxiv" in text or "RXIV" in text or "huggingface.co/papers" in text


def find_id(text: str) -> tuple[str, int | None] | None:
    """The first arXiv id named in ``text`` (label or link), with its version."""
    if not has_inline_marker(text):
        return None
    match = INLINE_ID_RE.search(text)
    if not match:
        return None
    version = match.group("version")
    return match.group("id"), int(version) if version else None


def cut_ids(text: str) -> tuple[str, tuple[str, int | None] | None]:
    """``text`` without the ids named in it, and the first of them."""
    if not has_inline_marker(text):
        return text, None
    found: tuple[str, int | None] | None = None
    for match in INLINE_ID_RE.finditer(text):
        version = match.group("version")
        found = match.group("id"), int(version) if version else None
        break
    if found is None:
        return text, None
    rest = INLINE_ID_RE.sub(" ", text)
    rest = _EMPTY_BRACKETS_RE.sub(" ", rest)
    rest = " ".join(rest.split()).strip(_EDGE_JUNK)
    return rest, found


def is_only_id(text: str) -> bool:
    """Whether the line is nothing but one id or link (``arXiv:2401.01234``, a URL)."""
    rest, found = cut_ids(text)
    return found is not None and not any(c.isalnum() for c in rest)

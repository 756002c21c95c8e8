"""Matching queries against a few papers that the library's index does not hold yet.

Rules run on the papers an import adds, inside the import's transaction, before the search
index hears of them. Those papers are matched here in plain Python, against the very
documents the index would hold (documents.py) and the same terms (analysis.py), with the
meaning ranker.py gives each node: a plain word searches the title, abstract, note and
highlights and is also a whole tag; ``word*`` any word starting so; several words, or a
quoted phrase, must follow each other; keyword fields (``tag:``, ``color:``, ``has:``) match
whole values; a node of common words only matches nothing. A test holds this equal to the
index's own answer over a library.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from sqlite_utils import Database

from desktop.core.models import PaperId
from desktop.core.search.analysis import analyze
from desktop.core.search.documents import DEFAULT_FIELDS, KEYWORD_FIELDS, build_documents
from desktop.core.search.query import And, Filter, Node, Not, Or, Phrase, Word

_TEXT = tuple(DEFAULT_FIELDS)  # title, abstract, note, highlight


@dataclass
class _Doc:
    """One paper as the index sees it: its text fields, analysed when first asked about."""

    texts: dict[str, str] = field(default_factory=dict)
    keywords: dict[str, set[str]] = field(default_factory=dict)
    _terms: dict[str, Counter[str]] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)  # " w1 w2 … " for phrase checks
    _lowered: dict[str, str | None] = field(default_factory=dict)  # None: not ASCII
    _sorted: dict[str, list[str]] = field(default_factory=dict)  # made on the first prefix

    def terms(self, fieldname: str) -> Counter[str]:
        """The field's words with their counts."""
        found = self._terms.get(fieldname)
        if found is None:
            found = self._terms[fieldname] = Counter(analyze(self.texts.get(fieldname, "")))
        return found

    def tokens(self, fieldname: str) -> str:
        """The field's words, each between spaces."""
        found = self._tokens.get(fieldname)
        if found is None:
            text = self.texts.get(fieldname, "")
            found = self._tokens[fieldname] = " " + " ".join(analyze(text)) + " "
        return found

    def may_hold(self, fieldname: str, word: str) -> bool:
        """False when the field cannot hold ``word``: an ASCII text is lowercased, then cut
        into words (analysis.py), so each of its words is a part of its lowercased text."""
        if fieldname not in self._lowered:
            text = self.texts.get(fieldname, "")
            self._lowered[fieldname] = text.lower() if text.isascii() else None
        lowered = self._lowered[fieldname]
        return lowered is None or word in lowered

    def has_word(self, fieldname: str, word: str) -> bool:
        """Whether ``word`` is one of the field's words."""
        return self.may_hold(fieldname, word) and word in self.terms(fieldname)

    def has_phrase(self, fieldname: str, words: tuple[str, ...]) -> bool:
        """Whether the words follow each other in the field."""
        if not all(self.may_hold(fieldname, w) for w in words):
            return False
        return " " + " ".join(words) + " " in self.tokens(fieldname)

    def has_prefix(self, fieldname: str, prefix: str) -> bool:
        """Whether a term of the field starts with ``prefix`` (a binary search)."""
        if not self.may_hold(fieldname, prefix):
            return False
        terms = self._sorted.get(fieldname)
        if terms is None:
            terms = self._sorted[fieldname] = sorted(self.terms(fieldname))
        at = bisect_left(terms, prefix)
        return at < len(terms) and terms[at].startswith(prefix)


@lru_cache(maxsize=1024)
def _query_words(text: str) -> tuple[str, ...]:
    """A query's words as analysed (once per query, not once per paper matched)."""
    return tuple(analyze(text))


def _document(doc: dict[str, object]) -> _Doc:
    out = _Doc()
    for name in _TEXT:
        out.texts[name] = str(doc.get(name) or "")
    tags = str(doc.get("tag") or "")
    out.keywords["tag"] = {t.strip().lower() for t in tags.split(",") if t.strip()}
    out.keywords["color"] = {c.lower() for c in str(doc.get("color") or "").split()}
    out.keywords["has"] = set(str(doc.get("has") or "").split())
    return out


class DocMatcher:
    """Matches text trees against the papers ``ids`` (read through ``db``, in its
    transaction)."""

    def __init__(self, db: Database, ids: Sequence[int]) -> None:
        self.docs = {
            PaperId(pid): _document(doc) for pid, doc in build_documents(db, list(ids)).items()
        }

    def matching(self, text: Node) -> set[PaperId]:
        """The papers whose text matches a text tree (as search reads it)."""
        return {pid for pid, doc in self.docs.items() if _matches(text, doc) is True}


# A node's answer for one document: True, False, or None when it holds only common words
# (the index then leaves it out of its parent, as ranker.Engine does).
Answer = bool | None


def _matches(node: Node, doc: _Doc) -> Answer:
    if isinstance(node, Word):
        return _word(node, doc)
    if isinstance(node, Phrase):
        return _text(node.text, node.field, doc, tag_term=False)
    if isinstance(node, Not):
        inner = _matches(node.child, doc)
        return None if inner is None else not inner
    if isinstance(node, And | Or):
        kids = [a for c in node.children if (a := _matches(c, doc)) is not None]
        if not kids:
            return None
        return all(kids) if isinstance(node, And) else any(kids)
    if isinstance(node, Filter):
        raise TypeError(f"a filter is answered by SQLite, not the index: {node!r}")
    raise TypeError(f"not a query node: {node!r}")


def _word(word: Word, doc: _Doc) -> Answer:
    if word.field in KEYWORD_FIELDS:
        value = word.text.strip().lower()
        values = doc.keywords[word.field]
        return any(v.startswith(value) for v in values) if word.prefix else value in values
    if not word.prefix:
        return _text(word.text, word.field, doc, tag_term=True)
    prefix = word.text.lower()
    fields = [word.field] if word.field is not None else list(_TEXT)
    if any(doc.has_prefix(f, prefix) for f in fields):
        return True
    return word.field is None and any(v.startswith(prefix) for v in doc.keywords["tag"])


def _text(text: str, fieldname: str | None, doc: _Doc, *, tag_term: bool) -> Answer:
    if fieldname in KEYWORD_FIELDS:
        return text.strip().lower() in doc.keywords[fieldname]
    words = _query_words(text)
    if not words:
        return None  # only common words
    fields = [fieldname] if fieldname else list(_TEXT)
    if tag_term and fieldname is None and text.strip().lower() in doc.keywords["tag"]:
        return True
    if len(words) == 1:
        return any(doc.has_word(f, words[0]) for f in fields)
    return any(doc.has_phrase(f, words) for f in fields)

"""Ranking our query trees (query.py) a posting block at a time, with numpy.

Whoosh's matchers walk postings one document at a time in Python, which is most of the time
of a search over common words. Here the query tree of query.py is evaluated directly: every
term's postings are read whole (through whoosh_segments.py) and scored as arrays over all
document numbers, with the same BM25F as Whoosh (``idf * tf * (K1 + 1) / (tf + K1 * (1 - B +
B * length / average length))``, times the field's boost; And and Or add up their parts).

A plain word searches the title (weighing ``TITLE_BOOST``), the abstract, the note and the
highlights, and is also a whole tag; ``word*`` adds up every indexed word starting so. The
index holds no positions, so a phrase is matched first as the And of its words (each as often
as the phrase has it), which is the phrase's score, then checked in the text itself: lazily
for the best candidates when only the top of the ranking is wanted, for every candidate
otherwise. A phrase's score never exceeds its And's (and a negated phrase is at first taken to
match everywhere), so checking candidates best first and stopping once the next one cannot
rank higher gives exactly the top of the full ranking.

The work of one query is bounded (:class:`Budget`): a ``prefix*`` expands to at most
``PREFIX_WORDS`` words per field and a query to ``QUERY_PREFIX_WORDS`` in all, and at most
``PHRASE_CHECKS`` papers are checked for phrases. Results are exact when no cap is reached;
when one is, :attr:`Engine.notices` says which and how.

A query can be cancelled mid-way (the text it was typed for changed): ``new_query(cancel)``
gives the engine a function that it asks before each term's postings, each prefix's words and
each phrase check, and :class:`SearchCancelledError` stops the query when it says so.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from desktop.core.search.analysis import analyze
from desktop.core.search.documents import DEFAULT_FIELDS, KEYWORD_FIELDS, TITLE_BOOST
from desktop.core.search.errors import SearchCancelledError
from desktop.core.search.query import And, Filter, Node, Not, Or, Phrase, Word
from desktop.core.search.whoosh_segments import WhooshAccess, length_table
from desktop.core.sql import int_array

K1 = 1.2
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
B = 0.75
# A query's candidates are checked for phrases this many at a time (at least).
CHECK_BATCH = 64
# Candidates are asked of the checks (candidate_checks.py) at least this many at a time.
CHECK_MIN = 16
# Work caps of one query (see Budget).
PREFIX_WORDS = 500
QUERY_PREFIX_WORDS = 3000
PHRASE_CHECKS = 3000

# paper id -> field name -> text (title, abstract, note, highlight)
TextsFn = Callable[[Sequence[int]], dict[int, dict[str, str]]]
# (field, word, boost): a weighted term, as related papers are searched
Term = tuple[str, str, float]
# True when the running query is to stop (see Engine.new_query)
CancelFn = Callable[[], bool]
# Term statistics an engine keeps (related papers look up a hundred words a paper) before it
# forgets them all: about 150 bytes each.
STATS_KEPT = 200_000
# Terms whose per-segment term infos an engine keeps (see Engine._term_parts): about 3 MB
# at 23 segments; related papers need some 150.
INFOS_KEPT = 512
# A prefix's term tables are walked this many words between two looks at the cancel function.
CANCEL_EVERY = 64


class CandidateCheck(Protocol):
    """A condition on documents, asked about a batch of the best candidates at a time
    (candidate_checks.py has the filters and exclusions)."""

    def accept(self, docs: np.ndarray) -> np.ndarray:
        """Whether each of the document numbers ``docs`` passes (a bool array)."""
        ...

    def mask(self) -> np.ndarray:
        """The documents that pass, over all document numbers (a bool array)."""
        ...


@dataclass
class Budget:
    """What one query may still do, and the caps that were reached (as notices)."""

    prefix_words: int = field(default_factory=lambda: QUERY_PREFIX_WORDS)
    phrase_checks: int = field(default_factory=lambda: PHRASE_CHECKS)
    cut: dict[str, int] = field(default_factory=dict)  # prefix -> words searched
    left_out: list[str] = field(default_factory=list)  # prefixes left out
    other: list[str] = field(default_factory=list)

    def note(self, notice: str) -> None:
        """Record a notice once."""
        if notice not in self.other:
            self.other.append(notice)

    @property
    def notices(self) -> list[str]:
        """The caps that were reached, as sentences for people."""
        out: list[str] = []
        if self.cut:
            words = sorted(set(self.cut.values()))
            counts = " or ".join(f"{n:,}" for n in words)
            out.append(
                f"{_listed(self.cut)}: more words start so than a search takes; only the "
                f"first {counts} of each (alphabetically) were searched."
            )
        if self.left_out:
            out.append(
                f"{_listed(self.left_out)}: left out, as a search expands prefixes to at most "
                f"{QUERY_PREFIX_WORDS:,} words in all."
            )
        return out + self.other


def _listed(prefixes: Iterable[str]) -> str:
    return ", ".join(f"{p}*" for p in dict.fromkeys(prefixes))


class _Node:
    """One evaluated query node: which documents may match, and their scores."""

    __slots__ = ("kind", "mask", "score", "children", "fieldname", "words", "pending")

    def __init__(
        self,
        kind: str,
        mask: np.ndarray,
        score: np.ndarray,
        children: list[_Node] | None = None,
        *,
        fieldname: str | None = None,
        words: Sequence[str] = (),
        pending: bool = False,
    ) -> None:
        self.kind = kind
        self.mask = mask
        self.score = score
        self.children = children or []
        self.fieldname = fieldname
        self.words = tuple(words)
        # True when the node holds phrases not yet checked in the text (mask and score are
        # then upper bounds).
        self.pending = pending


def holds_phrase(node: Node) -> bool:
    """True when a text tree holds a phrase (a quoted phrase, or a word of several terms)."""
    if isinstance(node, Word | Phrase):
        if node.field in KEYWORD_FIELDS or (isinstance(node, Word) and node.prefix):
            return False
        return len(analyze(node.text)) > 1
    if isinstance(node, And | Or):
        return any(holds_phrase(c) for c in node.children)
    if isinstance(node, Not):
        return holds_phrase(node.child)
    return False


def searchable(node: Node) -> bool:
    """True when a text tree holds something to search for (not only common words)."""
    if isinstance(node, Word | Phrase):
        if node.field in KEYWORD_FIELDS or (isinstance(node, Word) and node.prefix):
            return True
        return bool(analyze(node.text))
    if isinstance(node, And | Or):
        return any(searchable(c) for c in node.children)
    if isinstance(node, Not):
        return searchable(node.child)
    return False


def searches_default_fields(node: Node) -> bool:
    """True when a text tree has a word or phrase without a field outside any ``Not``.

    Only then does searching the title alone (the first phase of a search) differ from
    searching every field.
    """
    if isinstance(node, Word | Phrase):
        return node.field is None
    if isinstance(node, And | Or):
        return any(searches_default_fields(c) for c in node.children)
    return False


def split_negations(node: Node) -> tuple[Node, list[Node]]:
    """A conjunction's positive part and the children of its top-level ``Not`` parts.

    Only when something positive is left: a query of exclusions alone is kept as it is.
    """
    if not isinstance(node, And):
        return node, []
    negated = [c.child for c in node.children if isinstance(c, Not)]
    positive = [c for c in node.children if not isinstance(c, Not)]
    if not negated or not positive:
        return node, []
    return (positive[0] if len(positive) == 1 else And(tuple(positive))), negated


class Engine:
    """Evaluates query trees over one Whoosh searcher's segments (reopen it after writes)."""

    def __init__(self, searcher: Any, texts: TextsFn, access: WhooshAccess) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
        self.access = access
        reader = searcher.reader()
        self.leaves: list[tuple[Any, int]] = list(reader.leaf_readers())
        self.total = int(reader.doc_count_all())
        self._texts = texts
        live = np.ones(self.total, dtype=bool)
        ids = np.zeros(self.total, dtype=np.int64)
        for segment, offset in self.leaves:
            count = segment.doc_count_all()
            if not count:
                continue
            ids[offset : offset + count] = access.number_array(segment, "docid")
            dead = access.deleted(segment)
            if dead:
                live[offset + np.array(dead, dtype=np.int64)] = False
        self.live = live
        # Document number -> paper id: int32 while every id fits (4 MB at a million papers,
        # in each engine: the window's, the related papers' and the search's own).
        fits = not len(ids) or (int(ids.min()) >= INT32_MIN and int(ids.max()) <= INT32_MAX)
        self.docids = ids.astype(np.int32) if fits else ids
        del ids
        self._pid_docs: np.ndarray | None = None
        self._norms: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._stats: dict[tuple[str, str], tuple[float, int]] = {}
        self._infos: dict[tuple[str, bytes], list[tuple[Any, int, bytes, Any]]] = {}
        self._postings: dict[tuple[str, bytes], tuple[np.ndarray, np.ndarray]] = {}
        self._prefixes: dict[tuple[str, str, float], _Node | None] = {}
        self._texts_read: dict[int, dict[str, str]] = {}
        self._tokens: dict[tuple[int, str], str] = {}
        self.budget = Budget()
        self._exact_mode = False
        # False while a mask alone is wanted (matching): what is read then is not kept, and
        # only phrases are scored (their candidates are checked best first, see _check_all).
        self._keep_reads = True
        self._scores_wanted = True
        self._zero_scores: np.ndarray | None = None
        self.cancel: CancelFn | None = None

    def check_cancelled(self) -> None:
        """Stop the query (SearchCancelledError) if its caller cancelled it."""
        if self.cancel is not None and self.cancel():
            raise SearchCancelledError

    @property
    def notices(self) -> list[str]:
        """The work caps the current query reached, as sentences for people."""
        return self.budget.notices

    # -- documents -------------------------------------------------------------------------
    def docs_for_pids(self, pids: Iterable[int]) -> np.ndarray:
        """A mask of the live documents of the given paper ids."""
        return self._docs_for(np.fromiter(pids, dtype=np.int64))

    def docs_for_pid_text(self, text: str) -> np.ndarray:
        """A mask of the live documents of paper ids given as comma-separated text."""
        return self._docs_for(int_array(text))

    def _docs_for(self, wanted: np.ndarray) -> np.ndarray:
        if self._pid_docs is None:
            live = np.flatnonzero(self.live)
            top = int(self.docids.max(initial=0)) + 1
            inverse = np.full(top, -1, dtype=np.int32 if self.total <= INT32_MAX else np.int64)
            inverse[self.docids[live]] = live
            self._pid_docs = inverse
        inverse = self._pid_docs
        wanted = wanted[(wanted >= 0) & (wanted < len(inverse))]
        docs = inverse[wanted]
        mask = np.zeros(self.total, dtype=bool)
        mask[docs[docs >= 0]] = True
        return mask

    def docs_for_docnums(self, docs: Iterable[int]) -> np.ndarray:
        """A mask of the given document numbers."""
        mask = np.zeros(self.total, dtype=bool)
        mask[np.fromiter(docs, dtype=np.int64)] = True
        return mask

    def new_query(self, cancel: CancelFn | None = None) -> None:
        """Forget what the last query read (postings and checked texts) and renew the budget;
        ``cancel`` (asked often while the query runs) stops it when it returns True."""
        self._postings.clear()
        self._prefixes.clear()
        self._texts_read.clear()
        self._tokens.clear()
        self.budget = Budget()
        self.cancel = cancel

    # -- postings --------------------------------------------------------------------------
    def _length_norms(self, fieldname: str) -> tuple[np.ndarray, np.ndarray]:
        """BM25's length part of each document, ``K1 * ((1 - B) + B * length / average)``,
        made once per field as each document's stored length byte and the part of each of
        the 256 lengths a byte stands for (1 MB a field at a million papers, not 8 as one
        float per document; the same floats: a term's scores then take two gathers and three
        operations)."""
        found = self._norms.get(fieldname)
        if found is None:
            codes = np.zeros(self.total, dtype=np.uint8)  # byte 0: no length, read as 1
            for segment, offset in self.leaves:
                count = segment.doc_count_all()
                if not count:
                    continue
                read = self.access.length_codes(segment, fieldname)
                if read is not None:
                    codes[offset : offset + count] = read
            lengths = np.array(length_table(), dtype=np.float64)
            avgfl = self.searcher.avg_field_length(fieldname) or 1
            found = self._norms[fieldname] = (codes, K1 * ((1 - B) + B * lengths / avgfl))
        return found

    def term_stats(self, fieldname: str, text: str) -> tuple[float, int]:
        """A term's total frequency and document frequency over every segment (deleted
        documents included, as Whoosh counts them): one term-table lookup per segment, kept
        for the engine's life (its segments never change)."""
        key = (fieldname, text)
        found = self._stats.get(key)
        if found is None:
            frequency, documents = 0.0, 0
            if fieldname in self.schema:
                btext = self.schema[fieldname].to_bytes(text)
                for _segment, _offset, _btext, info in self._term_parts(fieldname, btext):
                    frequency += info.weight()
                    documents += info.doc_frequency()
            if len(self._stats) >= STATS_KEPT:
                self._stats.clear()
            found = self._stats[key] = (frequency, documents)
        return found

    def _term_parts(self, fieldname: str, btext: bytes) -> list[tuple[Any, int, bytes, Any]]:
        """``(segment, offset, term, term info)`` of each segment whose term table holds the
        term: one lookup per segment, kept for the ``INFOS_KEPT`` terms looked up last, so
        that a term's statistics, its idf and its postings share it. (Related papers look up
        some 150 words' statistics, then read the postings of the best 20 of them: each
        (term, segment) was three hash-table lookups, now one.)"""
        key = (fieldname, btext)
        parts = self._infos.get(key)
        if parts is None:
            parts = []
            for segment, offset in self.leaves:
                info = self.access.term_info(segment, fieldname, btext)
                if info is not None:
                    parts.append((segment, offset, btext, info))
            if len(self._infos) >= INFOS_KEPT:  # the older half goes, the current query's stay
                for old in list(itertools.islice(self._infos, INFOS_KEPT // 2)):
                    del self._infos[old]
            self._infos[key] = parts
        return parts

    def idf(self, fieldname: str, text: str) -> float:
        """Whoosh's idf of a term (``WeightingModel.idf``, which BM25F keeps), from
        :meth:`term_stats`: ``log(documents / (term's documents + 1)) + 1``, all segments'
        documents counted, deleted ones included, as Whoosh counts them."""
        return math.log(self.total / (self.term_stats(fieldname, text)[1] + 1)) + 1

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (deleted ones may be included) and weights of a term, in order."""
        self.check_cancelled()
        if fieldname not in self.schema:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        btext = self.schema[fieldname].to_bytes(text)
        key = (fieldname, btext)
        if key in self._postings:
            return self._postings[key]
        found = self._read(fieldname, self._term_parts(fieldname, btext))
        if self._keep_reads:
            self._postings[key] = found
        return found

    def _read(
        self, fieldname: str, parts: list[tuple[Any, int, bytes, Any]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The postings of one term, given as ``(segment, offset, term, term info or None)``
        for each segment that holds it: global document numbers and weights."""
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        for segment, offset, btext, info in parts:
            self.check_cancelled()
            ids, weights = self.access.postings(segment, fieldname, btext, info)
            found = np.asarray(ids, dtype=np.int64)
            id_parts.append(found + offset if offset else found)
            weight_parts.append(np.asarray(weights, dtype=np.float64))
        if len(id_parts) == 1:
            return id_parts[0], weight_parts[0]
        if not id_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        return np.concatenate(id_parts), np.concatenate(weight_parts)

    def _bm25(
        self, fieldname: str, ids: np.ndarray, weights: np.ndarray, idf: Any, boost: float
    ) -> Any:
        if self.schema[fieldname].scorable:
            codes, table = self._length_norms(fieldname)
            norms = table[codes[ids]]
            scores = idf * ((weights * (K1 + 1)) / (weights + norms))
        else:
            scores = weights
        return scores * boost if boost != 1.0 else scores

    def term_scores(self, fieldname: str, text: str, boost: float) -> tuple[np.ndarray, Any]:
        """A term's documents and their BM25F scores (Whoosh's statistics and formula)."""
        ids, weights = self.postings(fieldname, text)
        if not len(ids):
            return ids, weights
        idf = self.idf(fieldname, text) if self.schema[fieldname].scorable else 1.0
        return ids, self._bm25(fieldname, ids, weights, idf, boost)

    def _prefix(self, fieldname: str, prefix: str, boost: float) -> _Node | None:
        """Every word of a field starting with ``prefix``, added up (an Or of its words).

        The words and their statistics come from one ordered walk of each segment's term
        table, instead of a lookup per word and segment, and are scored in one pass. At most
        ``PREFIX_WORDS`` words are taken (the first, alphabetically), fewer when the query's
        budget runs low; None when the budget is spent (the prefix is then left out).
        """
        key = (fieldname, prefix, boost)
        if key in self._prefixes:
            return self._prefixes[key]
        node = self._read_prefix(fieldname, prefix, boost)
        if self._keep_reads:
            self._prefixes[key] = node
        return node

    def _read_prefix(self, fieldname: str, prefix: str, boost: float) -> _Node | None:
        mask, score = self._empty()
        if fieldname not in self.schema or not self.total:
            return _Node("terms", mask, score)
        budget = self.budget
        if budget.prefix_words <= 0:
            if prefix not in budget.left_out and prefix not in budget.cut:
                budget.left_out.append(prefix)
            return None
        cap = min(PREFIX_WORDS, budget.prefix_words)
        # Each segment's term table is ordered: its first cap + 1 words hold every word of
        # the first cap of all segments together (and tell whether there are more).
        words: dict[bytes, list[tuple[Any, int, bytes, Any]]] = {}
        for segment, offset in self.leaves:
            for n, (btext, info) in enumerate(segment.iter_prefix(fieldname, prefix)):
                if n > cap:
                    break
                if n % CANCEL_EVERY == 0:
                    self.check_cancelled()
                words.setdefault(btext, []).append((segment, offset, btext, info))
        more = len(words) > cap
        if more:
            words = dict(sorted(words.items())[:cap])
        budget.prefix_words -= len(words)
        if more:
            budget.cut[prefix] = min(len(words), budget.cut.get(prefix, len(words)))
        if not words:
            return _Node("terms", mask, score)
        count = self.searcher.doc_count_all()
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        idfs: list[float] = []
        for btext in sorted(words):  # the order an Or of the words would add them up in
            parts = words[btext]
            ids, weights = self._read(fieldname, parts)
            frequency = sum(info.doc_frequency() for _s, _o, _b, info in parts)
            id_parts.append(ids)
            weight_parts.append(weights)
            idfs.append(math.log(count / (frequency + 1)) + 1)  # Whoosh's idf
        ids = np.concatenate(id_parts)
        if not self._scores_wanted:  # a mask alone (the words' documents, as bincount's)
            del weight_parts
            mask = np.zeros(self.total, dtype=bool)
            mask[ids] = True
            return _Node("terms", mask, self._no_scores())
        per_posting = np.repeat(np.array(idfs), [len(p) for p in id_parts])
        scores = self._bm25(fieldname, ids, np.concatenate(weight_parts), per_posting, boost)
        score = np.bincount(ids, weights=scores, minlength=self.total).astype(np.float64)
        mask = np.bincount(ids, minlength=self.total) > 0
        return _Node("terms", mask, score)

    # -- evaluation ------------------------------------------------------------------------
    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.total, dtype=bool), np.zeros(self.total, dtype=np.float64)

    def terms(self, terms: Sequence[Term], *, conjunction: bool = False) -> _Node:
        """Weighted terms added up: all must match (``conjunction``) or any."""
        if not self._scores_wanted:
            return self._terms_mask(terms, conjunction=conjunction)
        mask, score = self._empty()
        # How many of the terms each document has: a byte each while that is enough.
        narrow = len(terms) < 255
        counts = (
            np.zeros(self.total, dtype=np.uint8 if narrow else np.int32) if conjunction else None
        )
        for fieldname, text, boost in terms:
            ids, scores = self.term_scores(fieldname, text, boost)
            if not len(ids):
                if conjunction:
                    return _Node("terms", *self._empty())
                continue
            score[ids] += scores  # a term's postings name each document once
            if counts is not None:
                counts[ids] += 1
            else:
                mask[ids] = True
        if counts is not None:
            mask = counts == len(terms)
            score[~mask] = 0.0
        return _Node("terms", mask, score)

    def _terms_mask(self, terms: Sequence[Term], *, conjunction: bool) -> _Node:
        """:meth:`terms` when a mask alone is wanted: the documents, unscored."""
        mask = np.zeros(self.total, dtype=bool)
        counts = np.zeros(self.total, dtype=np.uint8 if len(terms) < 255 else np.int32)
        for fieldname, text, _boost in terms:
            ids, _weights = self.postings(fieldname, text)
            if not len(ids):
                if conjunction:
                    return _Node("terms", np.zeros(self.total, dtype=bool), self._no_scores())
                continue
            if conjunction:
                counts[ids] += 1
            else:
                mask[ids] = True
        if conjunction:
            mask = counts == len(terms)
        return _Node("terms", mask, self._no_scores())

    def _no_scores(self) -> np.ndarray:
        """All-zero scores, shared and read-only, for nodes whose scores nothing reads (a
        mask alone is wanted): calloc'd pages never written take no memory."""
        if self._zero_scores is None:
            zeros = np.zeros(self.total, dtype=np.float64)
            zeros.flags.writeable = False
            self._zero_scores = zeros
        return self._zero_scores

    def _phrase(self, fieldname: str, words: list[str], boost: float) -> _Node:
        """A phrase of several words in one field: the And of its words, checked later.

        A word the phrase holds n times must occur at least n times (text fields keep each
        word's count): an exact, cheap first cut of the candidates.
        """
        scores_wanted, self._scores_wanted = self._scores_wanted, True
        try:  # a phrase is scored even for a mask: its best candidates are checked first
            node = self.terms([(fieldname, w, boost) for w in words], conjunction=True)
        finally:
            self._scores_wanted = scores_wanted
        for word, times in Counter(words).items():
            if times > 1 and node.mask.any():
                ids, weights = self.postings(fieldname, word)
                enough = np.zeros(self.total, dtype=bool)
                enough[ids[weights >= times]] = True
                node.mask &= enough
        node.score[~node.mask] = 0.0
        phrase = _Node(
            "phrase", node.mask, node.score, fieldname=fieldname, words=words, pending=True
        )
        if self._exact_mode:
            self._check_all(phrase)
            if not self._scores_wanted:  # checked: its scores served (8 MB a field at 1M)
                phrase.score = self._no_scores()
        return phrase

    def _text(
        self, text: str, fieldname: str | None, *, tag_term: bool, title_only: bool
    ) -> _Node | None:
        """A word or phrase: in one field, or the default fields (and as a whole tag)."""
        if fieldname in KEYWORD_FIELDS:
            return self.terms([(fieldname, text.strip().lower(), 1.0)])
        words = analyze(text)
        if not words:
            return None  # only common words
        if fieldname:
            fields = {fieldname: 1.0}
        elif title_only:
            fields = {"title": TITLE_BOOST}
        else:
            fields = DEFAULT_FIELDS
        extra: list[Term] = []
        if tag_term and fieldname is None and not title_only:
            extra = [("tag", text.strip().lower(), 1.0)]
        if len(words) == 1:
            return self.terms([*((f, words[0], b) for f, b in fields.items()), *extra])
        parts = [self._phrase(f, words, b) for f, b in fields.items()]
        if extra:
            parts.append(self.terms(extra))
        return parts[0] if len(parts) == 1 else self._combine("or", parts)

    def _word(self, word: Word, *, title_only: bool) -> _Node | None:
        if word.field in KEYWORD_FIELDS:
            value = word.text.strip().lower()
            if word.prefix:
                return self._prefix(word.field, value, 1.0)
            return self.terms([(word.field, value, 1.0)])
        if not word.prefix:
            return self._text(word.text, word.field, tag_term=True, title_only=title_only)
        text = word.text.lower()
        if word.field is not None:
            return self._prefix(word.field, text, 1.0)
        if title_only:
            return self._prefix("title", text, TITLE_BOOST)
        parts = [self._prefix(f, text, b) for f, b in DEFAULT_FIELDS.items()]
        parts.append(self._prefix("tag", text, 1.0))
        kept = [p for p in parts if p is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else self._combine("or", kept)

    def evaluate(self, node: Node, *, exact: bool, title_only: bool = False) -> _Node | None:
        """Evaluate a text tree; None when it holds nothing to search for (common words).

        With ``exact``, phrases are checked for every candidate. With ``title_only``, words
        without a field match the title alone (exclusions still apply to every field).
        """
        self._exact_mode = exact
        try:
            return self._evaluate(node, title_only=title_only)
        finally:
            self._exact_mode = False

    def _evaluate(self, node: Node, *, title_only: bool) -> _Node | None:
        self.check_cancelled()
        if isinstance(node, Word):
            return self._word(node, title_only=title_only)
        if isinstance(node, Phrase):
            return self._text(node.text, node.field, tag_term=False, title_only=title_only)
        if isinstance(node, Not):
            # Like Whoosh's inverse matcher, a Not scores 1 where it matches.
            inner = self._evaluate(node.child, title_only=False)
            if inner is None:
                return None
            if inner.pending:
                # Phrases inside are checked per candidate, best first, like any phrase: until
                # then every document may match (an upper bound, as the ranking needs).
                mask = self.live.copy()
                return _Node("not", mask, self._ones_where(mask), [inner], pending=True)
            mask = self.live & ~inner.mask
            return _Node("not", mask, self._ones_where(mask))
        if isinstance(node, And | Or):
            kids = [k for c in node.children if (k := self._evaluate(c, title_only=title_only))]
            if not kids:
                return None
            if isinstance(node, And):
                if all(k.kind == "not" for k in kids):
                    mask = self.live.copy()  # only exclusions: from every document
                    kids.insert(0, _Node("all", mask, self._ones_where(mask)))
                return kids[0] if len(kids) == 1 else self._combine("and", kids)
            return kids[0] if len(kids) == 1 else self._combine("or", kids)
        if isinstance(node, Filter):
            raise TypeError(f"a filter is answered by SQLite, not the index: {node!r}")
        raise TypeError(f"not a query node: {node!r}")

    def _ones_where(self, mask: np.ndarray) -> np.ndarray:
        """Score 1 where ``mask`` is set (as Whoosh's inverse matcher scores), or no scores
        when a mask alone is wanted."""
        return np.where(mask, 1.0, 0.0) if self._scores_wanted else self._no_scores()

    def _combine(self, kind: str, children: list[_Node]) -> _Node:
        mask = children[0].mask.copy()
        for child in children[1:]:
            if kind == "and":
                mask &= child.mask
            else:
                mask |= child.mask
        pending = any(c.pending for c in children)
        if not self._scores_wanted:
            return _Node(kind, mask, self._no_scores(), children, pending=pending)
        score = children[0].score.copy()
        for child in children[1:]:
            score += child.score
        if kind == "and":
            score[~mask] = 0.0
        return _Node(kind, mask, score, children, pending=pending)

    # -- phrases ---------------------------------------------------------------------------
    def _prefetch(self, docs: Iterable[int]) -> None:
        """Read the texts of these documents' papers (analyzed only when checked)."""
        pids = [int(self.docids[d]) for d in docs]
        missing = [p for p in pids if p not in self._texts_read]
        if not missing:
            return
        texts = self._texts(missing)
        for pid in missing:
            self._texts_read[pid] = texts.get(pid, {})

    def _has_phrase(self, node: _Node, doc: int) -> bool:
        self.check_cancelled()  # a check analyses a paper's text: far dearer than this
        pid = int(self.docids[doc])
        key = (pid, node.fieldname or "")
        tokens = self._tokens.get(key)
        if tokens is None:
            if pid not in self._texts_read:
                self._prefetch([doc])
            text = self._texts_read[pid].get(node.fieldname or "") or ""
            tokens = self._tokens[key] = " " + " ".join(analyze(text)) + " "
        return " " + " ".join(node.words) + " " in tokens

    def _spend_checks(self, wanted: int) -> int:
        """How many of ``wanted`` phrase checks the budget allows (noting when it is spent)."""
        allowed = min(wanted, self.budget.phrase_checks)
        self.budget.phrase_checks -= allowed
        if allowed < wanted:
            self.budget.note(
                f"Phrases were checked in the {PHRASE_CHECKS:,} best-ranked candidate papers "
                "only; papers after those may hold them too."
            )
        return allowed

    def _check_all(self, node: _Node) -> None:
        """Check a phrase in every candidate, best first while the budget lasts."""
        docs = np.flatnonzero(node.mask & self.live)
        if len(docs) > 1:
            docs = docs[np.lexsort((docs, -node.score[docs]))]
        allowed = self._spend_checks(len(docs))
        node.mask[docs[allowed:]] = False
        node.score[docs[allowed:]] = 0.0
        for start in range(0, allowed, 500):
            chunk = docs[start : min(allowed, start + 500)]
            self._prefetch(chunk)
            for doc in chunk.tolist():
                if not self._has_phrase(node, doc):
                    node.mask[doc] = False
                    node.score[doc] = 0.0
        node.pending = False

    def _exact(self, node: _Node, doc: int) -> tuple[bool, float]:
        if not node.pending:
            return bool(node.mask[doc]), float(node.score[doc])
        if node.kind == "phrase":
            if node.mask[doc] and self._has_phrase(node, doc):
                return True, float(node.score[doc])
            return False, 0.0
        if node.kind == "not":
            inner, _ = self._exact(node.children[0], doc)
            return (False, 0.0) if inner else (True, float(node.score[doc]))
        parts = [self._exact(c, doc) for c in node.children]
        if node.kind == "and" and not all(ok for ok, _ in parts):
            return False, 0.0
        total = 0.0
        matched = False
        for ok, score in parts:
            if ok:
                total += score
                matched = True
        return matched, total

    # -- ranking ---------------------------------------------------------------------------
    def top(
        self,
        node: Node,
        limit: int | None,
        allow: np.ndarray | None = None,
        deny: np.ndarray | None = None,
        *,
        title_only: bool = False,
        checks: Sequence[CandidateCheck] = (),
    ) -> list[tuple[int, float]]:
        """The best ``limit`` (None: all) documents for a text tree as ``(docnum, score)``.

        Ranked by score, then document number; ``allow`` and ``deny`` are document masks,
        ``checks`` conditions asked of the best candidates only (candidate_checks.py).
        """
        found = self.evaluate(node, exact=limit is None, title_only=title_only)
        if found is None:
            return []
        return self.rank(found, limit, allow, deny, checks)

    def top_terms(
        self, terms: Sequence[Term], limit: int, deny: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The best ``limit`` documents matching any of the weighted terms."""
        return self.rank(self.terms(terms), limit, None, deny)

    def rank(
        self,
        node: _Node,
        limit: int | None,
        allow: np.ndarray | None,
        deny: np.ndarray | None,
        checks: Sequence[CandidateCheck] = (),
    ) -> list[tuple[int, float]]:
        """The best ``limit`` documents of an evaluated node: candidates are walked best first
        (phrases checked, ``checks`` asked, a batch at a time) until nothing left can rank
        higher, which gives exactly the top of the full ranking."""
        candidates = node.mask & self.live
        if allow is not None:
            candidates &= allow
        if deny is not None:
            candidates &= ~deny
        if limit is None:
            for check in checks:
                candidates &= check.mask()
        docs = np.flatnonzero(candidates)
        scores = node.score[docs]
        if limit is None or (not node.pending and not checks):
            return _best(docs, scores, limit)
        accepted: list[tuple[float, int]] = []
        batch = max(CHECK_BATCH, limit + limit // 4)
        for chunk in _best_first(docs, scores, batch):
            if len(accepted) >= limit:
                accepted.sort(key=lambda pair: (-pair[0], pair[1]))
                score_k, doc_k = accepted[limit - 1]
                first = chunk[0]
                if (-score_k, doc_k) < (-scores[first], docs[first]):
                    break  # nothing left can rank above the limit-th
            if not node.pending:
                self._accept_checked(chunk, docs, scores, checks, limit, accepted)
                continue
            for check in checks:
                if len(chunk):
                    chunk = chunk[check.accept(docs[chunk])]
            allowed = self._spend_checks(len(chunk))
            if len(chunk) and not allowed:
                break
            chosen = docs[chunk[:allowed]]
            self._prefetch(chosen)
            for doc in chosen.tolist():
                ok, score = self._exact(node, doc)
                if ok:
                    accepted.append((score, doc))
        accepted.sort(key=lambda pair: (-pair[0], pair[1]))
        return [(doc, score) for score, doc in accepted[:limit]]

    @staticmethod
    def _accept_checked(
        chunk: np.ndarray,
        docs: np.ndarray,
        scores: np.ndarray,
        checks: Sequence[CandidateCheck],
        limit: int,
        accepted: list[tuple[float, int]],
    ) -> None:
        """Add the candidates of ``chunk`` (in ranking order) that pass every check to
        ``accepted``, asking the checks about a few more than are still needed at a time."""
        pos = 0
        while pos < len(chunk) and len(accepted) < limit:
            need = max(CHECK_MIN, (limit - len(accepted)) * 3 // 2)
            part = chunk[pos : pos + need]
            pos += need
            for check in checks:
                if len(part):
                    part = part[check.accept(docs[part])]
            accepted.extend(zip(scores[part].tolist(), docs[part].tolist(), strict=True))

    def matching(self, node: Node) -> np.ndarray:
        """A mask of the live documents matching a text tree exactly.

        What it reads is not kept for the rest of the query (it is used once): a common
        phrase's postings in every field are tens of MB at a million papers, and a saved
        view's count would hold them until the next query."""
        keep, scores_wanted = self._keep_reads, self._scores_wanted
        self._keep_reads = self._scores_wanted = False
        try:
            found = self.evaluate(node, exact=True)
        finally:
            self._keep_reads, self._scores_wanted = keep, scores_wanted
        if found is None:
            return np.zeros(self.total, dtype=bool)
        return found.mask & self.live


def _best_first(docs: np.ndarray, scores: np.ndarray, size: int) -> Iterator[np.ndarray]:
    """Positions into ``docs`` in ranking order (score, then document number), ``size`` at a
    time: the best few are sorted first, the rest only when the walk reaches them (in tiers
    four times larger each time), so a walk that stops early sorts little."""
    remaining = np.arange(len(docs))
    tier = size
    while len(remaining):
        if len(remaining) > 2 * tier:
            part = scores[remaining]
            kth = np.partition(part, len(part) - tier)[len(part) - tier]
            top = remaining[part >= kth]  # every tie of the kth score
            remaining = remaining[part < kth]
        else:
            top, remaining = remaining, remaining[:0]
        ordered = top[np.lexsort((docs[top], -scores[top]))]
        for start in range(0, len(ordered), size):
            yield ordered[start : start + size]
        tier *= 4


def _best(docs: np.ndarray, scores: np.ndarray, limit: int | None) -> list[tuple[int, float]]:
    if limit is not None and len(docs) > limit:
        cut = len(scores) - limit
        kth = np.partition(scores, cut)[cut]
        keep = scores >= kth
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))
    if limit is not None:
        order = order[:limit]
    return list(zip(docs[order].tolist(), scores[order].tolist(), strict=True))

"""Ranking Whoosh queries a posting block at a time, with numpy.

Whoosh's matchers walk postings one document at a time in Python, which is most of the time
of a search over common words. Here every term's postings are read a block at a time from
Whoosh's own index files and scored as arrays over all document numbers, with the same BM25F
as Whoosh (``idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average length))``, times
the term's boost; And and Or add up their parts).

The index holds no positions, so a phrase is matched first as the And of its words (the
phrase's score), then checked in the text itself: lazily for the best candidates when only
the top of the ranking is wanted, for every candidate otherwise. A phrase's score never
exceeds its And's (and a negated phrase is at first taken to match everywhere), so checking
candidates best first and stopping once the next one cannot rank higher gives exactly the
top of the full ranking. A ``prefix*`` takes its words from one ordered walk of each
segment's term table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from whoosh import query

from desktop.core.search.index_writer import analyze, load_numbers, segment_lengths, term_blocks

K1 = 1.2
B = 0.75
# A query's candidates are checked for phrases this many at a time (at least).
CHECK_BATCH = 64

# paper id -> field name -> text (title, abstract, note, highlight)
TextsFn = Callable[[Sequence[int]], dict[int, dict[str, str]]]


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


class Engine:
    """Evaluates queries over one Whoosh searcher's segments (reopen it after writes)."""

    def __init__(self, searcher: Any, texts: TextsFn) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
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
            ids[offset : offset + count] = load_numbers(
                segment.column_reader("docid", translate=False)
            )
            if segment.has_deletions():
                dead = np.fromiter(segment._perdoc.deleted_docs(), dtype=np.int64)
                live[offset + dead] = False
        self.live = live
        self.docids = ids  # document number -> paper id
        self._pid_docs: np.ndarray | None = None
        self._lengths: dict[str, np.ndarray] = {}
        self._postings: dict[tuple[str, bytes], tuple[np.ndarray, np.ndarray]] = {}
        self._texts_read: dict[int, dict[str, str]] = {}
        self._tokens: dict[tuple[int, str], str] = {}

    # -- documents -------------------------------------------------------------------------
    def docs_for_pids(self, pids: Iterable[int]) -> np.ndarray:
        """A mask of the live documents of the given paper ids."""
        if self._pid_docs is None:
            live = np.flatnonzero(self.live)
            top = int(self.docids.max(initial=0)) + 1
            inverse = np.full(top, -1, dtype=np.int64)
            inverse[self.docids[live]] = live
            self._pid_docs = inverse
        inverse = self._pid_docs
        wanted = np.fromiter(pids, dtype=np.int64)
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

    def new_query(self) -> None:
        """Forget what the last query read (postings and checked texts)."""
        self._postings.clear()
        self._texts_read.clear()
        self._tokens.clear()

    # -- postings --------------------------------------------------------------------------
    def _field_lengths(self, fieldname: str) -> np.ndarray:
        found = self._lengths.get(fieldname)
        if found is None:
            found = np.ones(self.total, dtype=np.float64)
            for segment, offset in self.leaves:
                count = segment.doc_count_all()
                if not count:
                    continue
                lengths = segment_lengths(segment._perdoc, fieldname)
                if lengths is not None:
                    found[offset : offset + count] = lengths
            self._lengths[fieldname] = found
        return found

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (deleted ones included) and weights of a term, in order."""
        if fieldname not in self.schema:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        btext = self.schema[fieldname].to_bytes(text)
        key = (fieldname, btext)
        if key in self._postings:
            return self._postings[key]
        found = self._read(
            fieldname,
            [(segment, offset, btext, None) for segment, offset in self.leaves if key in segment],
        )
        self._postings[key] = found
        return found

    def _read(
        self, fieldname: str, parts: list[tuple[Any, int, bytes, Any]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The postings of one term, given as ``(segment, offset, term, term info or None)``
        for each segment that holds it: global document numbers and weights."""
        id_parts: list[np.ndarray] = []
        weight_parts: list[float] = []
        for segment, offset, btext, info in parts:
            ids: list[int] = []
            for block_ids, weights, _values in term_blocks(segment, fieldname, btext, info):
                ids.extend(block_ids)
                if weights is None:
                    weight_parts.extend([1.0] * len(block_ids))
                elif isinstance(weights, float):
                    weight_parts.extend([weights] * len(block_ids))
                else:
                    weight_parts.extend(weights)
            id_parts.append(np.array(ids, dtype=np.int64) + offset)
        return (
            np.concatenate(id_parts) if id_parts else np.zeros(0, dtype=np.int64),
            np.array(weight_parts, dtype=np.float64),
        )

    def _bm25(
        self, fieldname: str, ids: np.ndarray, weights: np.ndarray, idf: Any, boost: float
    ) -> Any:
        if self.schema[fieldname].scorable:
            avgfl = self.searcher.avg_field_length(fieldname) or 1
            lengths = self._field_lengths(fieldname)[ids]
            scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / avgfl)))
        else:
            scores = weights
        return scores * boost if boost != 1.0 else scores

    def _prefix(self, fieldname: str, prefix: str, boost: float) -> _Node:
        """Every word of a field starting with ``prefix``, added up (an Or of its words).

        The words and their statistics come from one ordered walk of each segment's term
        table, instead of a lookup per word and segment, and are scored in one pass.
        """
        mask, score = self._empty()
        if fieldname not in self.schema or not self.total:
            return _Node("terms", mask, score)
        words: dict[bytes, list[tuple[Any, int, bytes, Any]]] = {}
        for segment, offset in self.leaves:
            for btext, info in segment.iter_prefix(fieldname, prefix):
                words.setdefault(btext, []).append((segment, offset, btext, info))
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
        per_posting = np.repeat(np.array(idfs), [len(p) for p in id_parts])
        scores = self._bm25(fieldname, ids, np.concatenate(weight_parts), per_posting, boost)
        score = np.bincount(ids, weights=scores, minlength=self.total).astype(np.float64)
        mask = np.bincount(ids, minlength=self.total) > 0
        return _Node("terms", mask, score)

    def term_scores(self, fieldname: str, text: str, boost: float) -> tuple[np.ndarray, Any]:
        """A term's documents and their BM25F scores (Whoosh's statistics and formula)."""
        ids, weights = self.postings(fieldname, text)
        if not len(ids):
            return ids, weights
        idf = self.searcher.idf(fieldname, text) if self.schema[fieldname].scorable else 1.0
        return ids, self._bm25(fieldname, ids, weights, idf, boost)

    # -- evaluation ------------------------------------------------------------------------
    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.total, dtype=bool), np.zeros(self.total, dtype=np.float64)

    def _terms(self, terms: list[tuple[str, str, float]], conjunction: bool) -> _Node:
        """Terms added up: all must match (And) or any (Or)."""
        mask, score = self._empty()
        counts = np.zeros(self.total, dtype=np.int32) if conjunction else None
        for fieldname, text, boost in terms:
            ids, scores = self.term_scores(fieldname, text, boost)
            if not len(ids):
                if conjunction:
                    return _Node("terms", *self._empty())
                continue
            score[ids] += scores
            if counts is not None:
                counts[ids] += 1
            else:
                mask[ids] = True
        if counts is not None:
            mask = counts == len(terms)
            score[~mask] = 0.0
        return _Node("terms", mask, score)

    def _expand(self, q: Any) -> list[tuple[str, str, float]] | None:
        """A Term as ``(field, word, boost)`` terms; None for other queries."""
        if type(q) is query.Term:
            return [(q.fieldname, q.text, q.boost)]
        return None

    def evaluate(self, q: Any, *, exact: bool) -> _Node:
        """Evaluate ``q``; with ``exact``, phrases are checked for every candidate."""
        if q is query.NullQuery or isinstance(q, type(query.NullQuery)):
            return _Node("none", *self._empty())
        terms = self._expand(q)
        if terms is not None:
            return self._terms(terms, conjunction=False)
        if type(q) is query.Prefix:
            return self._prefix(q.fieldname, q.text, q.boost)
        if isinstance(q, query.Every):
            mask = self.live.copy()
            return _Node("all", mask, np.where(mask, float(q.boost), 0.0))
        if isinstance(q, query.Phrase):
            words = [w for w in q.words if w]
            node = self._terms([(q.fieldname, w, q.boost) for w in words], conjunction=True)
            node = _Node("phrase", node.mask, node.score, fieldname=q.fieldname, words=words)
            node.pending = len(words) > 1
            if exact and node.pending:
                self._check_all(node)
            return node
        if isinstance(q, query.Not):
            # Like Whoosh's inverse matcher, a Not scores its boost where it matches.
            inner = self.evaluate(q.query, exact=exact)
            if inner.pending:
                # Phrases inside are checked per candidate, best first, like any phrase: until
                # then every document may match (an upper bound, as the ranking needs).
                mask = self.live.copy()
                node = _Node("not", mask, np.where(mask, float(q.boost), 0.0), [inner])
                node.pending = True
                return node
            mask = self.live & ~inner.mask
            return _Node("not", mask, np.where(mask, float(q.boost), 0.0))
        if isinstance(q, query.And | query.Or):
            conjunction = isinstance(q, query.And)
            plain: list[tuple[str, str, float]] = []
            others: list[_Node] = []
            for sub in q.subqueries:
                expanded = self._expand(sub)
                if expanded is not None:
                    plain += [(f, t, b * q.boost) for f, t, b in expanded]
                else:
                    others.append(self.evaluate(sub, exact=exact))
            children = ([self._terms(plain, conjunction)] if plain else []) + others
            return self._combine("and" if conjunction else "or", children)
        raise TypeError(f"query type not supported by the engine: {type(q).__name__}")

    def _combine(self, kind: str, children: list[_Node]) -> _Node:
        if not children:
            return _Node(kind, *self._empty())
        mask = children[0].mask.copy()
        score = children[0].score.copy()
        for child in children[1:]:
            if kind == "and":
                mask &= child.mask
            else:
                mask |= child.mask
            score += child.score
        if kind == "and":
            score[~mask] = 0.0
        pending = any(c.pending for c in children)
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
        pid = int(self.docids[doc])
        key = (pid, node.fieldname or "")
        tokens = self._tokens.get(key)
        if tokens is None:
            if pid not in self._texts_read:
                self._prefetch([doc])
            text = self._texts_read[pid].get(node.fieldname or "") or ""
            tokens = self._tokens[key] = " " + " ".join(analyze(text)) + " "
        return " " + " ".join(node.words) + " " in tokens

    def _check_all(self, node: _Node) -> None:
        docs = np.flatnonzero(node.mask & self.live)
        for start in range(0, len(docs), 500):
            chunk = docs[start : start + 500]
            self._prefetch(chunk)
            for doc in chunk:
                if not self._has_phrase(node, int(doc)):
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
        q: Any,
        limit: int | None,
        allow: np.ndarray | None = None,
        deny: np.ndarray | None = None,
    ) -> list[tuple[int, float]]:
        """The best ``limit`` (None: all) documents for ``q`` as ``(docnum, score)``.

        Ranked by score, then document number; ``allow`` and ``deny`` are document masks.
        """
        node = self.evaluate(q, exact=limit is None)
        candidates = node.mask & self.live
        if allow is not None:
            candidates &= allow
        if deny is not None:
            candidates &= ~deny
        docs = np.flatnonzero(candidates)
        scores = node.score[docs]
        if not node.pending:
            return _best(docs, scores, limit)
        assert limit is not None
        order = np.lexsort((docs, -scores))
        accepted: list[tuple[float, int]] = []
        pos = 0
        batch = max(CHECK_BATCH, limit + limit // 4)
        while pos < len(order):
            chunk = docs[order[pos : pos + batch]]
            pos += batch
            self._prefetch(chunk)
            for doc in chunk.tolist():
                ok, score = self._exact(node, doc)
                if ok:
                    accepted.append((score, doc))
            if len(accepted) >= limit and pos < len(order):
                accepted.sort(key=lambda pair: (-pair[0], pair[1]))
                score_k, doc_k = accepted[limit - 1]
                following = order[pos]
                if (-score_k, doc_k) < (-scores[following], docs[following]):
                    break  # nothing left can rank above the limit-th
        accepted.sort(key=lambda pair: (-pair[0], pair[1]))
        return [(doc, score) for score, doc in accepted[:limit]]

    def matching(self, q: Any) -> np.ndarray:
        """A mask of the live documents matching ``q`` exactly."""
        return self.evaluate(q, exact=True).mask & self.live


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

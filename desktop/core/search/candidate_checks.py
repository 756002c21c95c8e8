"""Conditions checked on a search's best candidates only, before falling back to all papers.

A state filter (``is:unread memory``) or an exclusion (``attention -memory``) used to become a
mask over every document before ranking: SQLite listed the hundreds of thousands of papers
``is:unread`` keeps at a million papers, and the excluded word's postings were read whole.
Only the top of the ranking is wanted, though, and most of the best candidates pass. So
:meth:`ranker.Engine.rank` walks its candidates best first and asks each check about a batch
at a time: a filter through SQLite (``id IN (…) AND condition``), an exclusion through the
very documents the index would hold (doc_match.py). A check that has looked at
``cap`` candidates, or that keeps few of the first ones (a filter that keeps few papers, a word
in most of them), computes its full mask once, as before, and answers from it: the cost is
bounded by the old one, and the answer is the same either way (a test compares both).
"""

from __future__ import annotations

import json

import numpy as np
from sqlite_utils import Database

from desktop.core.search.filter_sql import filter_sql, filtered_ids
from desktop.core.search.query import Node
from desktop.core.search.ranker import CandidateCheck, Engine

__all__ = ["CandidateCheck", "ExclusionCheck", "FilterCheck"]

# How many candidates a check looks at one by one before it reads its answer for every paper.
FILTER_CAP = 20_000  # one SQLite lookup by id each: about 2 µs
EXCLUSION_CAP = 1_000  # a paper's document read (and analysed when it may match)
# After SAMPLE candidates, a filter that keeps fewer than MIN_PASSING of them keeps few papers
# in all (``is:queued``): listing those is cheap, and walking on would ask many batches.
SAMPLE = 64
MIN_PASSING = 0.25


class _Capped:
    """Answers a batch at a time until ``cap`` documents were asked, then from the full mask."""

    min_passing = 0.0  # the share of the first SAMPLE candidates below which the mask is read

    def __init__(self, engine: Engine, cap: int) -> None:
        self.engine = engine
        self.cap = cap  # (0: the full mask at once)
        self.asked = 0
        self.passed = 0
        self._mask: np.ndarray | None = None

    def accept(self, docs: np.ndarray) -> np.ndarray:
        if self._mask is None and (
            self.asked + len(docs) > self.cap
            or (self.asked >= SAMPLE and self.passed < self.min_passing * self.asked)
        ):
            self._mask = self._full()
        if self._mask is not None:
            return self._mask[docs]
        answer = self._batch(docs)
        self.asked += len(docs)
        self.passed += int(np.count_nonzero(answer))
        return answer

    @property
    def listed(self) -> bool:
        """Whether the full mask answers now (the cap was reached, or few passed)."""
        return self._mask is not None

    def mask(self) -> np.ndarray:
        if self._mask is None:
            self._mask = self._full()
        return self._mask

    def _batch(self, docs: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _full(self) -> np.ndarray:
        raise NotImplementedError


class FilterCheck(_Capped):
    """Papers a filter tree keeps (``is:unread``, ``digest:``, dates), asked of SQLite."""

    min_passing = MIN_PASSING  # a filter that keeps few papers lists them cheaply

    def __init__(self, db: Database, filters: Node, engine: Engine, cap: int | None = None):
        super().__init__(engine, FILTER_CAP if cap is None else cap)
        self.db = db
        self.filters = filters
        self._sql, self._params = filter_sql(filters)

    def _batch(self, docs: np.ndarray) -> np.ndarray:
        pids = self.engine.docids[docs]
        rows = self.db.execute(
            "SELECT p.id FROM papers p WHERE p.id IN (SELECT value FROM json_each(?)) "
            f"AND ({self._sql})",
            [json.dumps(pids.tolist()), *self._params],
        ).fetchall()
        kept = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        return np.isin(pids, kept)

    def _full(self) -> np.ndarray:
        pid_text, excluded = filtered_ids(self.db, self.filters)
        docs = self.engine.docs_for_pid_text(pid_text)
        return self.engine.live & ~docs if excluded else docs


class ExclusionCheck(_Capped):
    """Papers that do not match a text tree (the ``-word`` parts of a query).

    Only the cap reads the full mask: when few candidates pass, the excluded word is in most
    papers, and its postings are the dearest to read.
    """

    def __init__(self, db: Database, excluded: Node, engine: Engine, cap: int | None = None):
        super().__init__(engine, EXCLUSION_CAP if cap is None else cap)
        self.db = db
        self.excluded = excluded

    def _batch(self, docs: np.ndarray) -> np.ndarray:
        from desktop.core.search.doc_match import DocMatcher

        pids = self.engine.docids[docs]
        matched = DocMatcher(self.db, pids.tolist()).matching(self.excluded)
        return ~np.isin(pids, np.fromiter(matched, dtype=np.int64, count=len(matched)))

    def _full(self) -> np.ndarray:
        return self.engine.live & ~self.engine.matching(self.excluded)

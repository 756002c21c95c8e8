"""Matching queries against a few papers that the library's index does not hold yet.

Rules run on the papers an import adds, inside the import's transaction, before the search
index hears of them. To give a rule exactly the meaning the same query has in search, those
papers are put in a private in-memory index of their own (same schema, same documents, same
query evaluator), which is thrown away afterwards.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from sqlite_utils import Database
from whoosh import scoring

from desktop.core.models import PaperId
from desktop.core.search.documents import (
    INDEX_NAME,
    TEXT_FIELDS,
    build_documents,
    index_fields,
    make_schema,
    phrase_texts,
)
from desktop.core.search.query import Node
from desktop.core.search.ranker import Engine
from desktop.core.search.whoosh_segments import PrivateRamStorage, segment_access


class SubsetIndex:
    """An in-memory index of the papers ``ids`` (read through ``db``, in its transaction)."""

    def __init__(self, db: Database, ids: Sequence[int]) -> None:
        self.db = db
        self.ids = [int(i) for i in ids]
        self._storage: PrivateRamStorage | None = None
        self._searcher: Any = None
        self._engine: Engine | None = None

    def _open(self) -> Engine:
        if self._engine is None:
            access = segment_access()
            self._storage = PrivateRamStorage()
            ix = self._storage.create_index(make_schema(), indexname=INDEX_NAME)
            writer = access.writer(ix, TEXT_FIELDS)
            for doc in build_documents(self.db, self.ids).values():
                writer.add_document(**index_fields(doc))
            writer.commit()
            self._searcher = ix.searcher(weighting=scoring.BM25F())
            self._engine = Engine(self._searcher, functools.partial(phrase_texts, self.db), access)
        return self._engine

    def matching(self, text: Node) -> set[PaperId]:
        """The papers of this subset whose text matches a text tree (as search reads it)."""
        if not self.ids:
            return set()
        engine = self._open()
        engine.new_query()
        mask = engine.matching(text)
        return {PaperId(int(i)) for i in engine.docids[mask].tolist()}

    def close(self) -> None:
        """Throw the in-memory index away."""
        if self._searcher is not None:
            self._searcher.close()
        if self._storage is not None:
            self._storage.own_tmp.cleanup()
        self._searcher = self._engine = self._storage = None

    def __enter__(self) -> SubsetIndex:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

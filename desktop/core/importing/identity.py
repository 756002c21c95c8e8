"""Which stored paper an imported entry is: by arXiv id first, then by folded title.

A paper's identity is its arXiv id when known, else its folded title (``title_key``). An entry
with an id is the paper with that id; failing that, the paper with its folded title, provided
that paper has no id yet (it gets this one). Two different ids are two papers even when their
titles fold alike: the second is stored under a ``title_key`` made unique with its id (see
migration m005). An entry without an id is the paper its folded title names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from desktop.core.importing.digest_parser import Entry
from desktop.core.sql import chunks, marks


@dataclass(frozen=True)
class StoredPaper:
    """What matching needs of a stored paper."""

    id: int
    title_key: str
    abstract: str
    arxiv_id: str | None


@dataclass(frozen=True)
class Match:
    """One entry's identity: the stored paper it is (None: a new paper) and the key it is
    stored under if new. ``same_as`` is the index of an earlier entry of this import that
    is the same paper (the entry is then counted, not stored again)."""

    paper: StoredPaper | None
    title_key: str
    same_as: int | None = None


def disambiguated_key(title_key: str, arxiv_id: str) -> str:
    """The ``title_key`` of a paper whose folded title another paper (another id) holds."""
    return f"{title_key}#{arxiv_id}"


def _fetch(db: Database, column: str, values: Sequence[str]) -> dict[str, StoredPaper]:
    found: dict[str, StoredPaper] = {}
    for chunk in chunks(list(values)):
        for pid, key, abstract, arxiv_id in db.execute(
            f"SELECT id, title_key, abstract, arxiv_id FROM papers "
            f"WHERE {column} IN ({marks(len(chunk))})",
            list(chunk),
        ):
            paper = StoredPaper(int(pid), str(key), str(abstract), arxiv_id)
            found[str(arxiv_id if column == "arxiv_id" else key)] = paper
    return found


def stored_key_sql(key: str, arxiv_id: str) -> str:
    """The ``title_key`` a paper new to the library is stored under, as an SQL expression of
    the parameters ``key`` (its folded title) and ``arxiv_id`` (its id, never NULL), for an
    INSERT of rows that :func:`match_keys` would all make new papers.

    It is the key as it stands when no paper holds it; the key made unique with its id
    (:func:`disambiguated_key`) when a paper with an id holds it (one stored earlier in the
    same batch too: each row's INSERT sees the rows before it); and NULL when a paper without
    an id holds it. That paper *is* the entry (it would get the id), so the NULL makes the
    INSERT fail on the column's NOT NULL, as a held id fails on papers_arxiv_id and a held
    unique key on title_key's UNIQUE: the caller then undoes the batch and matches it with
    match_keys. One probe of the title index an entry, in SQLite.
    """
    return (
        f"CASE (SELECT arxiv_id IS NULL FROM papers WHERE title_key = {key}) "
        f"WHEN 0 THEN {key} || '#' || {arxiv_id} WHEN 1 THEN NULL ELSE {key} END"
    )


def match_entries(db: Database, entries: Sequence[Entry], keys: Sequence[str]) -> list[Match]:
    """The identity of each entry (``keys`` are their folded titles), in order."""
    return match_keys(db, [e.arxiv_id for e in entries], keys)


def match_keys(db: Database, arxiv_ids: Sequence[str | None], keys: Sequence[str]) -> list[Match]:
    """The identity of each entry given as its arXiv id (or None) and folded title, in order."""
    ids = list(dict.fromkeys(aid for aid in arxiv_ids if aid))
    by_id = _fetch(db, "arxiv_id", ids) if ids else {}
    by_key = _fetch(db, "title_key", sorted(set(keys)))
    # A paper stored under a disambiguated key got it with its id, while another paper held
    # the folded title: only an id not found, whose title is held, is looked up so (a
    # snapshot's first import would otherwise probe the title index twice a paper).
    odd = {
        disambiguated_key(k, aid)
        for aid, k in zip(arxiv_ids, keys, strict=True)
        if aid and aid not in by_id and k in by_key
    }
    if odd:
        by_key.update(_fetch(db, "title_key", sorted(odd)))
    out: list[Match] = []
    here_id: dict[str, int] = {}  # arXiv id -> index of its first entry here
    here_key: dict[str, int] = {}  # stored title_key -> index of the entry holding it here
    claimed: set[int] = set()  # stored papers without an id that an entry here gave one
    for index, (aid, key) in enumerate(zip(arxiv_ids, keys, strict=True)):
        if aid and aid in here_id:
            out.append(Match(out[here_id[aid]].paper, out[here_id[aid]].title_key, here_id[aid]))
            continue
        if aid:
            paper = by_id.get(aid)
            if paper is None:
                holder = by_key.get(key)
                if holder is not None and holder.arxiv_id is None and holder.id not in claimed:
                    paper = holder
                    claimed.add(holder.id)
            if paper is None:
                paper = by_key.get(disambiguated_key(key, aid))
            if paper is not None:
                out.append(Match(paper, paper.title_key))
            else:
                earlier = here_key.get(key)
                if earlier is not None and arxiv_ids[earlier] is None:
                    # The same title earlier in this file, without an id: that entry is it.
                    out.append(Match(out[earlier].paper, out[earlier].title_key, earlier))
                    here_id[aid] = earlier
                    continue
                taken = key in by_key or key in here_key
                stored_key = disambiguated_key(key, aid) if taken else key
                out.append(Match(None, stored_key))
            here_id[aid] = index
            here_key.setdefault(out[-1].title_key, index)
            continue
        earlier = here_key.get(key)
        if earlier is not None:
            out.append(Match(out[earlier].paper, out[earlier].title_key, earlier))
            continue
        out.append(Match(by_key.get(key), key))
        here_key[key] = index
    return out

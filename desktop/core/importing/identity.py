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


def _any_held(db: Database, column: str, values: Sequence[str]) -> bool:
    """Whether some stored paper has one of ``values`` in ``column``."""
    return any(
        db.execute(
            f"SELECT 1 FROM papers WHERE {column} IN ({marks(len(chunk))}) LIMIT 1", list(chunk)
        ).fetchone()
        for chunk in chunks(values)
    )


def new_paper_keys(
    db: Database, arxiv_ids: Sequence[str | None], keys: Sequence[str]
) -> list[str] | None:
    """The ``title_key`` each entry is stored under when :func:`match_keys` would make every
    one a new paper, else None. The question a snapshot's import asks of each batch,
    answered with two index probes an entry and no Match built.

    Only entries that all have an id, each once, none held by the library, are answered
    (any other batch gets None, and match_keys). Such an entry is a known paper only when
    a paper without an id holds its folded title (it would get the id), or one holds the
    key made unique with its id: None then too. Otherwise it is new, stored under its
    folded title, or under the key made unique with its id when the library or an earlier
    entry here holds that title.
    """
    if not all(arxiv_ids) or len(set(arxiv_ids)) != len(arxiv_ids):
        return None
    ids = [aid for aid in arxiv_ids if aid]
    if _any_held(db, "arxiv_id", ids):
        return None
    holders: dict[str, str | None] = {}  # a folded title held -> its holder's arXiv id
    for chunk in chunks(sorted(set(keys))):
        holders.update(
            db.execute(
                f"SELECT title_key, arxiv_id FROM papers WHERE title_key IN ({marks(len(chunk))})",
                list(chunk),
            ).fetchall()
        )
    if not holders and len(set(keys)) == len(keys):
        return list(keys)
    if any(holder is None for holder in holders.values()):
        return None
    unique = [disambiguated_key(k, aid) for aid, k in zip(ids, keys, strict=True) if k in holders]
    if unique and _any_held(db, "title_key", unique):
        return None
    stored: list[str] = []
    taken = set(holders)
    for aid, key in zip(ids, keys, strict=True):
        if key in taken:
            stored.append(disambiguated_key(key, aid))
        else:
            stored.append(key)
            taken.add(key)
    return stored


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

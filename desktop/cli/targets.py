"""The papers and digests a command's arguments name: ids, or arXiv ids, checked to exist."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from desktop.cli.output import CliError

if TYPE_CHECKING:
    from desktop.core.library import Library


def paper_ids(lib: Library, raw: Sequence[str]) -> list[int]:
    """The paper ids that ``raw`` names (ids or arXiv ids); a CliError for any unknown one."""
    ids: list[int] = []
    for text in raw:
        if text.isdigit():
            ids.append(int(text))
            continue
        found = lib.papers.by_arxiv_id(text)
        if found is None:
            raise CliError(f"not a paper id or a known arXiv id: {text!r}")
        ids.append(int(found))
    known = {p.id for p in lib.papers.many(ids, with_sightings=False)}
    missing = [i for i in ids if i not in known]
    if missing:
        raise CliError(f"no paper with id {', '.join(map(str, missing))}")
    return ids


def digest_id(text: str) -> int:
    """The digest id in ``text`` (``12`` or ``digest:12``)."""
    try:
        return int(str(text).removeprefix("digest:"))
    except ValueError as exc:
        raise CliError(f"not a digest id: {text!r}") from exc

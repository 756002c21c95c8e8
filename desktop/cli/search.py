"""Searching: ``search`` (the query language in the README) and ``related``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

from desktop.cli.output import CliError, notice, print_json
from desktop.cli.targets import paper_ids

if TYPE_CHECKING:
    from desktop.core.library import Library
    from desktop.core.search.results import SearchHit, SearchResults


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    """A search hit for --json: the snippet as plain text, with match offsets into it."""
    from desktop.core.search.results import split_marked

    text, matches, pos = [], [], 0
    for part, is_match in split_marked(hit.snippet):
        if is_match:
            matches.append([pos, pos + len(part)])
        text.append(part)
        pos += len(part)
    return {
        "id": int(hit.id),
        "title": hit.title,
        "score": hit.score,
        "snippet": "".join(text),
        "matches": matches,
    }


def _write_results(results: SearchResults, args: argparse.Namespace, out: TextIO) -> None:
    """Print search results as JSON or lines; the notice and suggestion go to stderr."""
    from desktop.core.search.results import MARK_END, MARK_START

    if results.notice:
        notice(results.notice)
    if results.suggestion:
        notice(f"did you mean: {results.suggestion}")
    if args.json:
        print_json([_hit_json(h) for h in results.hits], out)
        return
    for hit in results.hits:
        snippet = hit.snippet.replace(MARK_START, "[").replace(MARK_END, "]")
        out.write(f"{hit.id:>6} {hit.score:7.2f}  {hit.title}\n        {snippet}\n")
    out.write(f"{len(results.hits)} results\n")


def cmd_search(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Search the library (query language in the README); best matches first."""
    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    _write_results(lib.index.search(args.query, limit=args.limit), args, out)
    return 0


def cmd_related(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """List the papers most similar to one paper."""
    (paper_id,) = paper_ids(lib, [args.id])
    _write_results(lib.index.related(paper_id, limit=args.limit), args, out)
    return 0

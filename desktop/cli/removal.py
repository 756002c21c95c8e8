"""Taking things out of the library: ``delete`` (papers) and ``digests`` (rename, remove)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from desktop.cli.output import CliError, plural, print_json, print_listing
from desktop.cli.targets import digest_id, paper_ids

if TYPE_CHECKING:
    from desktop.core.library import Library
    from desktop.core.models import Digest


def cmd_delete(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Delete papers with their notes, highlights and tags."""
    ids = paper_ids(lib, args.ids)
    lib.removal.delete_papers(ids)
    if args.json:
        print_json({"deleted": [int(i) for i in ids]}, out)
    else:
        out.write(f"deleted {plural(len(ids), 'paper')}\n")
    return 0


def cmd_digests(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """List digests; rename or remove them (with the papers seen only in them)."""
    from desktop.core.removal import RemovalError

    try:
        if args.rename:
            lib.removal.rename_digest(digest_id(args.rename[0]), args.rename[1])
        elif args.remove:
            ids: Sequence[int] = [digest_id(i) for i in args.remove]
            gone = len(lib.removal.papers_only_in(ids)) if not args.keep_papers else 0
            lib.removal.remove_digests(ids, keep_papers=args.keep_papers)
            out.write(f"removed {len(ids)} digest(s) and {gone} paper(s) seen only there\n")
        elif args.remove_samples:
            ids = lib.removal.sample_digest_ids()
            gone = len(lib.removal.papers_only_in(ids))
            lib.removal.remove_samples()
            out.write(f"removed {len(ids)} sample digest(s) and {gone} paper(s)\n")
    except RemovalError as exc:
        raise CliError(str(exc)) from exc
    digests = lib.digests.all()
    counts = lib.digests.counts()

    def row(d: Digest) -> dict[str, object]:
        return {
            "id": int(d.id),
            "name": d.name,
            "date": d.digest_date,
            "format": d.format,
            "imported_at": d.imported_at,
            "sample": d.sample,
            "papers": counts[d.id].total if d.id in counts else 0,
            "unread": counts[d.id].unread if d.id in counts else 0,
        }

    def line(d: Digest) -> str:
        c = counts.get(d.id)
        sample = " (sample)" if d.sample else ""
        return f"{int(d.id):>5}  {c.total if c else 0:>5} papers  {d.name}{sample}"

    print_listing(out, digests, as_json=args.json, to_json=row, to_line=line, noun="digest")
    return 0

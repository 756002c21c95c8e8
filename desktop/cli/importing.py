"""``import``: digest files or folders of them into the library."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from desktop.cli.output import CliError, print_json

if TYPE_CHECKING:
    from desktop.core.library import Library


def cmd_import(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Import digest files or folders of them."""
    results = lib.importer.import_paths(args.paths)
    if args.json:
        print_json([r.to_json() for r in results], out)
    else:
        for result in results:
            out.write(result.summary() + "\n")
            for line, reason in result.skipped:
                out.write(f"  skipped line {line}: {reason}\n")
        total_new = sum(r.new_papers for r in results)
        total_known = sum(r.known_papers for r in results)
        failed = sum(1 for r in results if not r.ok)
        out.write(
            f"total: {len(results)} files, {total_new} new papers, {total_known} already known, "
            f"{failed} failed; library has {lib.papers.count()} papers\n"
        )
    if not results:
        raise CliError("no files to import")
    return 0 if all(r.ok for r in results) else 1

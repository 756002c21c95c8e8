"""``export``: papers with their highlights and notes as Markdown, or as BibTeX."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from desktop.cli.output import CliError, notice, print_json
from desktop.cli.targets import paper_ids

if TYPE_CHECKING:
    from desktop.core.export.markdown import Selection
    from desktop.core.library import Library


def cmd_export(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Export papers with their highlights and notes as Markdown."""
    if not args.out.strip():  # Path("") is the current folder: never an export's place by chance
        raise CliError("--out needs a file or folder name (--out . exports into this folder)")
    from desktop.core.export.contents_links import links_for_folder
    from desktop.core.export.export_folder import not_a_folder
    from desktop.core.export.markdown import (
        DEFAULT_FILE_NAME,
        ExportError,
        Selection,
        export_json,
        plan_export,
        write_export,
    )

    if args.all:
        selection = Selection.everything()
    elif args.view:
        selection = Selection.of_view(args.view)
    elif args.query is not None:
        selection = Selection.of_query(args.query)
    elif args.ids:
        selection = Selection.of_ids(paper_ids(lib, args.ids))
    else:
        selection = Selection.annotated()
    if args.format == "bibtex":
        return _export_bibtex(lib, selection, args.out, args.json, out)
    shape = "per-paper" if args.per_paper else "single"
    target = Path(args.out)
    if shape == "per-paper" or target.is_dir() or _names_a_folder(args.out):
        folder, file_name = target, DEFAULT_FILE_NAME
    else:
        folder, file_name = target.parent, target.name if target.suffix else target.name + ".md"
    problem = not_a_folder(args.out, folder)
    if problem:
        raise CliError(problem)
    try:
        links = links_for_folder(folder, args.links)
        plan = plan_export(lib, selection, shape, file_name=file_name, links=links)
        if not plan.papers:
            out.write(f"nothing to export: no {selection.describe()}\n")
            return 0
        result = write_export(plan, folder)
    except ValueError as exc:  # an unknown view, an unsafe file name
        raise CliError(str(exc)) from exc
    except ExportError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print_json(export_json(plan, result), out)
    else:
        out.write(f"exported {plan.summary()}: {result.summary()}\n")
    for old, new in result.kept:
        where = f"; the new export is in {new}" if new else ""
        notice(f"kept {old}: it was edited since it was exported{where}")
    return 0


def _names_a_folder(out: str) -> bool:
    """True when ``--out`` ends with a separator (a folder, even one still to be made):
    ``Path`` drops the separator, so the text itself is asked."""
    return out.endswith(("/", "\\"))


def _export_bibtex(
    lib: Library, selection: Selection, out_arg: str, as_json: bool, out: TextIO
) -> int:
    """Write the selected papers as BibTeX to ``out_arg`` (a .bib file, or a folder)."""
    from desktop.core.atomic_file import atomic_write_text
    from desktop.core.export.bibtex import bibtex
    from desktop.core.export.export_folder import not_a_folder
    from desktop.core.export.markdown import selected_ids

    target = Path(out_arg)
    if target.is_dir() or _names_a_folder(out_arg):
        target = target / "papers.bib"
    elif not target.suffix:
        target = target.with_suffix(".bib")
    problem = not_a_folder(out_arg, target.parent)
    if problem:
        raise CliError(problem)
    try:
        ids = selected_ids(lib, selection)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    if not ids:
        out.write(f"nothing to export: no {selection.describe()}\n")
        return 0
    papers = lib.papers.many(ids, with_sightings=False)
    text = bibtex(papers)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(target, text)
    except OSError as exc:
        raise CliError(f"could not write {target}: {exc.strerror or exc}") from exc
    if as_json:
        print_json({"format": "bibtex", "path": str(target), "papers": len(papers)}, out)
    else:
        out.write(f"exported {len(papers)} papers as BibTeX to {target}\n")
    return 0

"""Notes, highlights and tags: ``note``, ``highlight``, ``highlights``, ``tag``, ``tags``."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from desktop.cli.output import CliError, plural, print_json, print_listing
from desktop.cli.targets import paper_ids
from desktop.core.models import HIGHLIGHT_COLORS, Annotations, Highlight

if TYPE_CHECKING:
    from desktop.core.library import Library

# Highlight colour of `highlight` without --color (desktop.core.annotations.highlights has it too;
# a test keeps them equal, so the parser need not import the annotations module).
DEFAULT_COLOR = "yellow"


def write_annotations(annotations: Annotations, out: TextIO) -> None:
    """The tags, note and highlights of a paper as plain text (after `show`)."""
    if annotations.tags:
        out.write("\ntags: " + ", ".join(annotations.tags) + "\n")
    if annotations.note:
        out.write("\nnote:\n")
        for line in annotations.note.splitlines():
            out.write(f"  {line}\n")
    if annotations.highlights:
        out.write("\nhighlights:\n")
        for h in annotations.highlights:
            out.write(highlight_line(h) + "\n")
            if h.note:
                for line in h.note.splitlines():
                    out.write(f"      {line}\n")


def highlight_line(h: Highlight) -> str:
    """One highlight as an indented line: id, colour, place, state and quote."""
    where = f"{h.field} {h.start}-{h.end}"
    state = " ORPHANED (text changed; quote not found)" if h.orphaned else ""
    label = HIGHLIGHT_COLORS.get(h.color, h.color)
    return f"  [{h.id}] {h.color} ({label}) {where}{state}: {h.quote!r}"


def cmd_note(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Print a paper's note, or set it (TEXT, or - to read it from stdin; empty deletes it)."""
    from desktop.core.annotations.common import AnnotationError

    (paper_id,) = paper_ids(lib, [args.id])
    if args.text is None:
        note = lib.notes.get(paper_id)
        if note:
            out.write(note if note.endswith("\n") else note + "\n")
        return 0
    text = sys.stdin.read() if args.text == "-" else args.text
    try:
        lib.notes.set(paper_id, text)
    except AnnotationError as exc:
        raise CliError(str(exc)) from exc
    out.write(f"note {'saved' if text.strip() else 'deleted'} for paper {paper_id}\n")
    return 0


def cmd_highlight(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Highlight the first occurrence of a quote in a paper's abstract (else its title)."""
    from desktop.core.annotations.common import AnnotationError

    (paper_id,) = paper_ids(lib, [args.id])
    try:
        h = lib.highlights.add_by_quote(paper_id, args.quote, color=args.color, note=args.note)
    except AnnotationError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print_json(h.to_json(), out)
    else:
        out.write(f"highlighted paper {paper_id}:\n{highlight_line(h)}\n")
    return 0


def cmd_highlights(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """List highlights across the library, optionally of one colour or matching a text."""
    from desktop.core.annotations.common import AnnotationError

    try:
        found = lib.highlights.search(color=args.color, query=args.query)
    except AnnotationError as exc:
        raise CliError(str(exc)) from exc
    print_listing(
        out,
        found,
        as_json=args.json,
        to_json=lambda h: {"paper_id": int(h.paper_id), **h.to_json()},
        to_line=lambda h: f"paper {h.paper_id}{highlight_line(h)}",
        noun="highlight",
    )
    return 0


def cmd_tag(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Add a tag to papers, or remove it from them."""
    from desktop.core.annotations.common import AnnotationError

    ids = paper_ids(lib, args.ids)
    try:
        if args.add is not None:
            changes = lib.tags.add(ids, args.add)
            verb, name = "tagged", args.add
        else:
            changes = lib.tags.remove(ids, args.remove)
            verb, name = "untagged", args.remove
    except AnnotationError as exc:
        raise CliError(str(exc)) from exc
    out.write(f"{verb} {plural(len(changes.papers), 'paper')}: {' '.join(name.split())}\n")
    return 0


def cmd_tags(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """List tags with their paper counts, or rename or delete one."""
    from desktop.core.annotations.common import AnnotationError

    try:
        if args.rename:
            lib.tags.rename(*args.rename)
        elif args.delete is not None:
            lib.tags.delete(args.delete)
    except AnnotationError as exc:
        raise CliError(str(exc)) from exc
    print_listing(
        out,
        lib.tags.all(),
        as_json=args.json,
        to_json=lambda tag: {"name": tag[0], "count": tag[1]},
        to_line=lambda tag: f"{tag[1]:>6}  {tag[0]}",
        noun="tag",
    )
    return 0

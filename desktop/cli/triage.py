"""Reading the library and changing papers' state: ``list``, ``show`` and ``mark``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from desktop.cli.annotate import write_annotations
from desktop.cli.output import CliError, plural, print_json
from desktop.cli.targets import paper_ids
from desktop.cli.views import saved_view_key

if TYPE_CHECKING:
    from desktop.core.library import Library

MARK_FLAGS = {
    "read": ("read", True),
    "unread": ("read", False),
    "star": ("starred", True),
    "unstar": ("starred", False),
    "queue": ("queued", True),
    "dequeue": ("queued", False),
    "archive": ("archived", True),
    "unarchive": ("archived", False),
}


def cmd_list(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """List the papers of a view (built-in, digest:ID, tag:NAME or a saved view's name)."""
    view = saved_view_key(lib, args.view)
    try:
        ids = lib.views.ids(view)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    papers = lib.papers.many(ids)
    snoozed = lib.snoozes.of_papers(ids) if args.view == "snoozed" else {}
    if args.json:
        rows = [p.to_json() for p in papers]
        for row in rows:
            if (found := snoozed.get(row["id"])) is not None:
                row["snoozed_until"] = found.until.isoformat() if found.until else "next-digest"
        print_json(rows, out)
        return 0
    for p in papers:
        flags = (
            ("*" if p.starred else " ") + ("Q" if p.queued else " ") + (" " if p.is_read else "N")
        )
        until = f"until {snoozed[p.id].describe()}  " if p.id in snoozed else ""
        out.write(f"{p.id:>6} {flags} {p.published or '':10}  {until}{p.title}\n")
    out.write(f"{len(papers)} papers in {args.view}\n")
    return 0


def cmd_show(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Show one paper."""
    (paper_id,) = paper_ids(lib, [args.id])
    paper = lib.papers.get(paper_id)
    assert paper is not None
    annotations = lib.annotations(paper_id)
    if args.json:
        print_json(
            {
                **paper.to_json(),
                "note": annotations.note,
                "note_updated_at": annotations.note_updated_at,
                "highlights": [h.to_json() for h in annotations.highlights],
                "tags": list(annotations.tags),
            },
            out,
        )
        return 0
    state = [
        name
        for name, on in (
            ("read" if paper.is_read else "unread", True),
            ("starred", paper.starred),
            ("queued", paper.queued),
            ("archived", paper.archived),
        )
        if on
    ]
    out.write(f"{paper.title}\n")
    meta = [f"id {paper.id}"]
    if paper.published:
        meta.append(
            f"published {paper.published}"
            + (" (year inferred)" if paper.published_year_inferred else "")
        )
    if paper.authors_count:
        meta.append(f"{paper.authors_count} authors")
    if paper.submitter:
        meta.append(f"submitted by {paper.submitter}")
    if paper.upvotes:
        meta.append(f"{paper.upvotes} upvotes")
    out.write(" · ".join(meta) + "\n")
    out.write("state: " + ", ".join(state) + "\n")
    out.write("digests: " + ", ".join(paper.digest_names) + "\n\n")
    out.write(paper.abstract + "\n")
    write_annotations(annotations, out)
    return 0


def cmd_mark(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Change the triage state of papers."""
    ids = paper_ids(lib, args.ids)
    if args.snooze is not None or args.action == "unsnooze":
        return _snooze(lib, ids, args.snooze, out)
    what, value = MARK_FLAGS[args.action]
    setters = {
        "read": lib.triage.set_read,
        "starred": lib.triage.set_starred,
        "queued": lib.triage.set_queued,
        "archived": lib.triage.set_archived,
    }
    setters[what](ids, value)
    out.write(f"{args.action}: {plural(len(ids), 'paper')}\n")
    return 0


def _snooze(lib: Library, ids: Sequence[int], when: str | None, out: TextIO) -> int:
    """``mark --snooze WHEN`` and ``mark --unsnooze``."""
    from desktop.core.snooze_time import SnoozeTimeError, parse_when

    count = plural(len(ids), "paper")
    if when is None:
        changes = lib.snoozes.unsnooze(ids)
        out.write(f"unsnoozed: {len(changes.papers)} of {count}\n")
        return 0
    try:
        until = parse_when(when, lib.clock())
    except SnoozeTimeError as exc:
        raise CliError(str(exc)) from exc
    lib.snoozes.snooze(ids, until)
    out.write(f"snoozed {until.describe()}: {count}\n")
    return 0

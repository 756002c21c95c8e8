"""The `digest-desk` command line: a thin layer over desktop.core.Library.

Each subcommand is a `cmd_*` function registered in `build_parser`. With no subcommand the
desktop app starts.

Start-up is kept short: modules a command does not need (the search index with Whoosh and
numpy, the exporter, backups) are imported inside the commands that use them. Everything
printed goes through ``_Output``/``_error``, which escape control characters and bidi
overrides (``desktop.core.plain_text``). Every command holds the library's access lock while
it runs (shared; ``restore`` takes it exclusively), and says on stderr when it waits.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from desktop import __version__
from desktop.core.data_dir import DataDirError, check_data_dir, is_read_only, resolve_data_dir
from desktop.core.instance_lock import ALREADY_RUNNING, AccessLock, InstanceLock, WriteTurn
from desktop.core.models import HIGHLIGHT_COLORS, VIEWS, Annotations, Highlight
from desktop.core.plain_text import terminal_safe
from desktop.core.store import StoreError

if TYPE_CHECKING:
    from desktop.core.export.markdown import Selection
    from desktop.core.library import Library
    from desktop.core.search.results import SearchHit, SearchResults

# Highlight colour of `highlight` without --color (desktop.core.annotations.highlights has it too;
# a test keeps them equal, so the parser need not import the annotations module).
DEFAULT_COLOR = "yellow"
# How long `restore` waits for running commands to finish before it gives up, in seconds.
RESTORE_WAIT_SECONDS = 10.0
# Exit code after the reader of our output went away (`digest-desk list | head`): 128 + SIGPIPE.
EXIT_BROKEN_PIPE = 141

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


class CliError(Exception):
    """A user-facing error: printed as one line, exit code 1 (or ``code``)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class _Output:
    """The one way the CLI writes to stdout: control characters and bidi overrides escaped."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.json = False  # set while JSON is written: escapes are then JSON's own

    def write(self, text: str) -> int:
        """Write ``text`` with unsafe characters escaped."""
        return self.stream.write(terminal_safe(text, json=self.json))

    def flush(self) -> None:
        """Flush the stream underneath."""
        self.stream.flush()


def _error(message: str) -> None:
    """Print one error line on stderr, escaped like all output."""
    line = " ".join(terminal_safe(str(message)).splitlines())
    print(f"digest-desk: error: {line}", file=sys.stderr)


def _notice(message: str) -> None:
    """Print one notice line on stderr (such as a wait), escaped like all output."""
    print(f"digest-desk: {terminal_safe(message)}", file=sys.stderr, flush=True)


def _print_json(data: Any, out: TextIO) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if isinstance(out, _Output):
        out.json = True
        try:
            out.write(text)
        finally:
            out.json = False
    else:
        out.write(terminal_safe(text, json=True))


def _paper_ids(lib: Library, raw: Sequence[str]) -> list[int]:
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


def cmd_import(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Import digest files or folders of them."""
    results = lib.importer.import_paths(args.paths)
    if args.json:
        _print_json([r.to_json() for r in results], out)
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


def cmd_list(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """List the papers of a view (built-in, digest:ID, tag:NAME or a saved view's name)."""
    view = _saved_view_key(lib, args.view)
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
        _print_json(rows, out)
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
    (paper_id,) = _paper_ids(lib, [args.id])
    paper = lib.papers.get(paper_id)
    assert paper is not None
    annotations = lib.annotations(paper_id)
    if args.json:
        _print_json(
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
    _write_annotations(annotations, out)
    return 0


def cmd_mark(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Change the triage state of papers."""
    ids = _paper_ids(lib, args.ids)
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
    out.write(f"{args.action}: {len(ids)} paper{'s' if len(ids) != 1 else ''}\n")
    return 0


def _snooze(lib: Library, ids: Sequence[int], when: str | None, out: TextIO) -> int:
    """``mark --snooze WHEN`` and ``mark --unsnooze``."""
    from desktop.core.snooze_time import SnoozeTimeError, parse_when

    count = f"{len(ids)} paper{'s' if len(ids) != 1 else ''}"
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


def cmd_stats(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Print library totals."""
    from desktop.core.progress import progress

    stats = lib.stats()
    if args.json:
        _print_json({**stats, "progress": progress(lib.db).to_json()}, out)
        return 0
    out.write(
        f"{stats['papers']} papers ({stats['unread']} unread) from {stats['digests']} digests\n"
    )
    for view, counts in stats["views"].items():
        out.write(f"  {view:8} {counts['total']:>7} ({counts['unread']} unread)\n")
    if not args.progress:  # the 90 days read every paper's dates: 0.1-0.4 s at 100,000
        return 0
    figures = progress(lib.db)
    totals, age = figures.totals(), figures.queue_age
    out.write(
        f"last {len(figures.days)} days: {totals['arrived']} arrived, {totals['read']} read, "
        f"{totals['archived']} archived\n"
    )
    if age.papers:
        out.write(
            f"queue: {age.papers} papers, oldest arrived {age.oldest_days:g} days ago "
            f"(median {age.median_days:g})\n"
        )
    return 0


def _write_annotations(annotations: Annotations, out: TextIO) -> None:
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
            out.write(_highlight_line(h) + "\n")
            if h.note:
                for line in h.note.splitlines():
                    out.write(f"      {line}\n")


def _highlight_line(h: Highlight) -> str:
    where = f"{h.field} {h.start}-{h.end}"
    state = " ORPHANED (text changed; quote not found)" if h.orphaned else ""
    label = HIGHLIGHT_COLORS.get(h.color, h.color)
    return f"  [{h.id}] {h.color} ({label}) {where}{state}: {h.quote!r}"


def cmd_note(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Print a paper's note, or set it (TEXT, or - to read it from stdin; empty deletes it)."""
    from desktop.core.annotations.common import AnnotationError

    (paper_id,) = _paper_ids(lib, [args.id])
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

    (paper_id,) = _paper_ids(lib, [args.id])
    try:
        h = lib.highlights.add_by_quote(paper_id, args.quote, color=args.color, note=args.note)
    except AnnotationError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        _print_json(h.to_json(), out)
    else:
        out.write(f"highlighted paper {paper_id}:\n{_highlight_line(h)}\n")
    return 0


def cmd_highlights(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """List highlights across the library, optionally of one colour or matching a text."""
    from desktop.core.annotations.common import AnnotationError

    try:
        found = lib.highlights.search(color=args.color, query=args.query)
    except AnnotationError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        _print_json([{"paper_id": int(h.paper_id), **h.to_json()} for h in found], out)
        return 0
    for h in found:
        out.write(f"paper {h.paper_id}{_highlight_line(h)}\n")
    out.write(f"{len(found)} highlight{'s' if len(found) != 1 else ''}\n")
    return 0


def cmd_tag(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Add a tag to papers, or remove it from them."""
    from desktop.core.annotations.common import AnnotationError

    ids = _paper_ids(lib, args.ids)
    try:
        if args.add is not None:
            changes = lib.tags.add(ids, args.add)
            verb, name = "tagged", args.add
        else:
            changes = lib.tags.remove(ids, args.remove)
            verb, name = "untagged", args.remove
    except AnnotationError as exc:
        raise CliError(str(exc)) from exc
    n = len(changes.papers)
    out.write(f"{verb} {n} paper{'s' if n != 1 else ''}: {' '.join(name.split())}\n")
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
    tags = lib.tags.all()
    if args.json:
        _print_json([{"name": name, "count": count} for name, count in tags], out)
        return 0
    for name, count in tags:
        out.write(f"{count:>6}  {name}\n")
    out.write(f"{len(tags)} tag{'s' if len(tags) != 1 else ''}\n")
    return 0


def cmd_delete(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Delete papers with their notes, highlights and tags."""
    ids = _paper_ids(lib, args.ids)
    lib.removal.delete_papers(ids)
    if args.json:
        _print_json({"deleted": [int(i) for i in ids]}, out)
    else:
        out.write(f"deleted {len(ids)} paper{'s' if len(ids) != 1 else ''}\n")
    return 0


def cmd_digests(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """List digests; rename or remove them (with the papers seen only in them)."""
    from desktop.core.removal import RemovalError

    try:
        if args.rename:
            lib.removal.rename_digest(_digest_id(args.rename[0]), args.rename[1])
        elif args.remove:
            ids: Sequence[int] = [_digest_id(i) for i in args.remove]
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
    if args.json:
        _print_json(
            [
                {
                    "id": int(d.id),
                    "name": d.name,
                    "date": d.digest_date,
                    "format": d.format,
                    "imported_at": d.imported_at,
                    "sample": d.sample,
                    "papers": counts[d.id].total if d.id in counts else 0,
                    "unread": counts[d.id].unread if d.id in counts else 0,
                }
                for d in digests
            ],
            out,
        )
        return 0
    for d in digests:
        c = counts.get(d.id)
        sample = " (sample)" if d.sample else ""
        out.write(f"{int(d.id):>5}  {c.total if c else 0:>5} papers  {d.name}{sample}\n")
    out.write(f"{len(digests)} digest{'s' if len(digests) != 1 else ''}\n")
    return 0


def _digest_id(text: str) -> int:
    try:
        return int(str(text).removeprefix("digest:"))
    except ValueError as exc:
        raise CliError(f"not a digest id: {text!r}") from exc


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
        _notice(results.notice)
    if results.suggestion:
        _notice(f"did you mean: {results.suggestion}")
    if args.json:
        _print_json([_hit_json(h) for h in results.hits], out)
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
    (paper_id,) = _paper_ids(lib, [args.id])
    _write_results(lib.index.related(paper_id, limit=args.limit), args, out)
    return 0


def cmd_reindex(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Rebuild the search index from the library."""
    count = lib.index.rebuild()
    if not lib.index.usable:
        raise CliError(lib.index.broken_reason or "the search index could not be rebuilt")
    out.write(f"search index rebuilt: {count} papers\n")
    return 0


def cmd_gui(lib: Library | None, args: argparse.Namespace, out: TextIO) -> int:
    """Start the desktop app (the default with no subcommand)."""
    from desktop.gui.platform_check import prepare_platform  # before anything loads Qt

    problem = prepare_platform()
    if problem:
        raise CliError(problem.removeprefix("digest-desk: "))
    try:
        from desktop.gui.app import run_app
    except ImportError:  # a core-only install: report the library instead
        run: Callable[[argparse.Namespace], int] | None = None
    else:
        run = run_app
    if run is None:
        from desktop.core.library import Library
        from desktop.core.seeds import seed_if_empty

        data_dir = resolve_data_dir(args.data_dir)
        with Library.open(data_dir) as library:
            seed_if_empty(library)
            library.importer.import_paths(getattr(args, "files", []))
            out.write(f"library has {library.papers.count()} papers ({data_dir})\n")
        return 0
    return int(run(args))


def cmd_desktop_entry(lib: Library | None, args: argparse.Namespace, out: TextIO) -> int:
    """Install the Linux application-menu entry and icon for this user."""
    from desktop.gui.desktop_entry import install_desktop_entry

    for path in install_desktop_entry():
        out.write(f"wrote {path}\n")
    return 0


def cmd_keys(lib: Library | None, args: argparse.Namespace, out: TextIO) -> int:
    """Print the keys in effect (or a preset's), or check the keymap file."""
    from desktop.gui.keymap import report
    from desktop.gui.keymap.catalogue import command_docs
    from desktop.gui.keymap.presets import PRESETS
    from desktop.gui.keymap.user_keys import keymap_path, load_keymap_file, preset_keymap

    docs = command_docs()
    if args.preset is not None:
        if args.preset not in PRESETS:
            raise CliError(f"unknown preset {args.preset!r} (one of {', '.join(PRESETS)})")
        if args.check:
            text, fine = report.preset_check_report(args.preset, docs)
            out.write(text)
            return 0 if fine else 1
        preset, table = args.preset, preset_keymap(args.preset)
        header = f"# preset {preset}: {PRESETS[preset].description}\n"
    else:
        loaded = load_keymap_file(keymap_path(), docs)
        if args.check:
            out.write(report.check_report(loaded, keymap_path()))
            return 0 if loaded.ok else 1
        for problem in loaded.problems:
            _notice(f"{keymap_path()}: {problem}")
        preset, table, header = loaded.preset, loaded.keymap, report.header(loaded, keymap_path())
    if args.toml:
        out.write(report.render_keymap_file(preset, table))
    else:
        out.write(header + report.keys_table(table, docs))
    return 0


def cmd_backup(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Take a verified backup of the library now, or list the backups."""
    from desktop.core.backup import backup_dir, list_backups, take_backup

    assert lib.data_dir is not None
    if args.list:
        backups = list_backups(lib.data_dir)
        for info in backups:
            size = info.path.stat().st_size
            out.write(
                f"{info.taken_at:%Y-%m-%d %H:%M:%S} UTC  {info.reason:13} "
                f"{size / 1e6:7.1f} MB  {info.path}\n"
            )
        out.write(f"{len(backups)} backups in {backup_dir(lib.data_dir)}\n")
        return 0
    notices: list[str] = []
    path = take_backup(lib.db, lib.data_dir, "manual", notices=notices)
    out.write(f"backup written and verified: {path}\n")
    for notice in notices:
        _notice(notice)
    return 0


def cmd_restore(lib: Library | None, args: argparse.Namespace, out: TextIO) -> int:
    """Replace the library database with a backup; the current one is moved aside."""
    from desktop.core.backup import BackupError, restore_backup
    from desktop.core.library import Library

    data_dir = resolve_data_dir(args.data_dir)
    lock = InstanceLock(data_dir)
    if not lock.try_acquire():
        pid = lock.holder_pid()
        holder = f" (process {pid})" if pid else ""
        raise CliError(f"{ALREADY_RUNNING}{holder}; quit it before restoring.")
    access = AccessLock(data_dir)
    try:
        # Wait for the commands using the library now (an import) and hold back new ones.
        waited = access.acquire(
            exclusive=True,
            timeout=RESTORE_WAIT_SECONDS,
            on_wait=lambda: _notice(
                "waiting for another digest-desk command using this library to finish "
                f"(at most {RESTORE_WAIT_SECONDS:.0f} s)…"
            ),
        )
        if not waited:
            raise CliError(
                "not restored: another digest-desk command (an import?) is still using this "
                f"library after {RESTORE_WAIT_SECONDS:.0f} s; run restore again when it is done"
            )
        try:
            result = restore_backup(data_dir, args.file)
        except BackupError as exc:
            raise CliError(f"not restored: {exc}") from exc
        out.write(f"restored {result.restored_from} as {result.database}\n")
        if result.previous is not None:
            out.write(f"the previous database was moved to {result.previous}\n")
        with Library.open(data_dir) as restored:
            out.write(f"library has {restored.papers.count()} papers\n")
    finally:
        access.release()
        lock.release()
    return 0


def cmd_export(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Export papers with their highlights and notes as Markdown."""
    from desktop.core.export.contents_links import links_for_folder
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
        selection = Selection.of_ids(_paper_ids(lib, args.ids))
    else:
        selection = Selection.annotated()
    if args.format == "bibtex":
        return _export_bibtex(lib, selection, Path(args.out), args.json, out)
    shape = "per-paper" if args.per_paper else "single"
    target = Path(args.out)
    if shape == "per-paper" or target.is_dir() or str(args.out).endswith(("/", "\\")):
        folder, file_name = target, DEFAULT_FILE_NAME
    else:
        folder, file_name = target.parent, target.name if target.suffix else target.name + ".md"
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
        _print_json(export_json(plan, result), out)
    else:
        out.write(f"exported {plan.summary()}: {result.summary()}\n")
    for old, new in result.kept:
        where = f"; the new export is in {new}" if new else ""
        _notice(f"kept {old}: it was edited since it was exported{where}")
    return 0


def _export_bibtex(
    lib: Library, selection: Selection, target: Path, as_json: bool, out: TextIO
) -> int:
    """Write the selected papers as BibTeX to ``target`` (a .bib file, or a folder)."""
    from desktop.core.atomic_file import atomic_write_text
    from desktop.core.export.bibtex import bibtex
    from desktop.core.export.markdown import selected_ids

    try:
        ids = selected_ids(lib, selection)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    if not ids:
        out.write(f"nothing to export: no {selection.describe()}\n")
        return 0
    if target.is_dir() or str(target).endswith(("/", "\\")):
        target = target / "papers.bib"
    elif not target.suffix:
        target = target.with_suffix(".bib")
    papers = lib.papers.many(ids, with_sightings=False)
    text = bibtex(papers)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(target, text)
    except OSError as exc:
        raise CliError(f"could not write {target}: {exc.strerror or exc}") from exc
    if as_json:
        _print_json({"format": "bibtex", "path": str(target), "papers": len(papers)}, out)
    else:
        out.write(f"exported {len(papers)} papers as BibTeX to {target}\n")
    return 0


def _saved_view_key(lib: Library, view: str) -> str:
    """``view`` itself for a built-in, digest or tag view; else the saved view it names
    (``saved:ID``), with the search index opened to answer it."""
    if view in VIEWS or view.startswith(("digest:", "tag:")):
        return view
    from desktop.core.saved_views import SavedViewError

    try:
        saved = lib.saved_views.get(view)
    except SavedViewError:
        return view  # the views say it is unknown, as before saved views
    if saved.error:
        raise CliError(f"the saved view {saved.name!r} cannot be shown: {saved.error}")
    _open_index(lib)
    return saved.key


def _open_index(lib: Library) -> None:
    """Open the search index of a library opened without it (saved views and rules ask it)."""
    if lib.index.generation < 0:
        lib.index.open()


def cmd_views(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """List saved views with their counts; add, rename, move or delete one."""
    from desktop.core.saved_views import SavedViewError

    _open_index(lib)
    try:
        if args.add:
            lib.saved_views.add(*args.add)
        elif args.rename:
            lib.saved_views.rename(*args.rename)
        elif args.move:
            name, delta = args.move
            try:
                places = int(delta)
            except ValueError as exc:
                raise CliError(f"--move takes a number of places, not {delta!r}") from exc
            lib.saved_views.move(name, places)
        elif args.delete is not None:
            lib.saved_views.delete(args.delete)
    except SavedViewError as exc:
        raise CliError(str(exc)) from exc
    views = lib.saved_views.all()
    counts = lib.saved_views.counts()
    if args.json:
        _print_json(
            [
                {**v.to_json(), "total": counts[v.key].total, "unread": counts[v.key].unread}
                for v in views
            ],
            out,
        )
        return 0
    for v in views:
        c = counts[v.key]
        state = f"cannot run: {v.error}" if v.error else f"{c.unread} unread of {c.total}"
        out.write(f"{v.position:>3}  {v.name}  [{v.query}]  {state}\n")
    out.write(f"{len(views)} saved view{'s' if len(views) != 1 else ''}\n")
    return 0


def cmd_rules(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """List rules; add, delete, try or apply one."""
    from desktop.core.rules import RuleError

    action = args.rules_command or "list"
    try:
        if action == "add":
            acts = [a for a in ("star", "queue", "archive", "mute") if getattr(args, a)]
            rule = lib.rules.add(args.name, args.query, acts, tag=args.tag)
            if not args.json:
                out.write(f"added rule {rule.name!r}: {rule.query} -> {rule.describe()}\n")
        elif action == "delete":
            rule = lib.rules.delete(args.name)
            if not args.json:
                out.write(f"deleted rule {rule.name!r}\n")
        elif action in ("enable", "disable"):
            lib.rules.set_enabled(args.name, action == "enable")
        elif action in ("try", "apply"):
            _open_index(lib)
            outcome = (
                lib.rules.try_rule(args.name)
                if action == "try"
                else lib.rules.apply(args.name).outcomes[0]
            )
            if args.json:
                _print_json({"action": action, **outcome.to_json()}, out)
                return 0 if outcome.error is None else 1
            verb = "would change" if action == "try" else "changed"
            out.write(f"{outcome.summary()}\n")
            out.write(f"{outcome.matched} papers match; {verb} {sum(outcome.changed.values())}\n")
            return 0 if outcome.error is None else 1
    except RuleError as exc:
        raise CliError(str(exc)) from exc
    rules = lib.rules.all()
    if args.json:
        _print_json([r.to_json() for r in rules], out)
        return 0
    if action == "list":
        for r in rules:
            state = "" if r.enabled else "  (off)"
            if r.error:
                state += f"  cannot run: {r.error}"
            out.write(f"{r.position:>3}  {r.name}  [{r.query}] -> {r.describe()}{state}\n")
        out.write(f"{len(rules)} rule{'s' if len(rules) != 1 else ''}\n")
    return 0


Handler = Callable[["Library", argparse.Namespace, TextIO], int]
# Commands that search (or keep the search index current); the others open the library
# without its index, so they neither import Whoosh nor wait for an import's index writes.
SEARCHING = frozenset({"import", "search", "related", "reindex", "export"})
# Writers that commit in batches: they let short writers go between batches (WriteTurn).
LONG_WRITERS = frozenset({"import", "reindex"})


def _writes(args: argparse.Namespace) -> bool:
    """Whether the command asked for changes the library (a read-only one refuses it)."""
    command = args.command
    if command in ("import", "mark", "highlight", "tag", "reindex"):
        return True
    if command == "note":
        return args.text is not None
    if command == "tags":
        return bool(args.rename) or args.delete is not None
    if command == "backup":
        return not args.list
    if command == "views":
        return bool(args.add or args.rename or args.move) or args.delete is not None
    if command == "rules":
        return args.rules_command not in (None, "list")
    return False


def _open_library(data_dir: Path, command: str) -> Library:
    """The Library for one command: with its search index only for commands that use it.

    The page-by-page integrity check runs first when it is due (after a crash, a change made
    outside our sessions, or a day after the last: integrity.py), not on every command, so
    that scripts calling a command in a loop are not slowed by it at 100,000 papers.
    """
    from desktop.core import integrity
    from desktop.core.library import DB_FILE, Library

    if (data_dir / DB_FILE).is_file():
        integrity.check_if_due(data_dir)
    return Library.open(data_dir, defer_integrity_check=True, open_index=command in SEARCHING)


@contextmanager
def _shared_access(data_dir: Path) -> Iterator[None]:
    """Hold the library's access lock (shared) while a command runs; say when it waits."""
    access = AccessLock(data_dir)
    if data_dir.is_dir():
        access.acquire(
            exclusive=False,
            on_wait=lambda: _notice("waiting for a restore of this library to finish…"),
        )
    try:
        yield
    finally:
        access.release()


def _watch_write_waits(lib: Library) -> None:
    """Say on stderr when a write has waited a second for another process's transaction.

    SQLite waits for the write lock inside a statement (busy_timeout), without a callback;
    a trace callback sees each statement start, and a timer fires if a write statement is
    still running a second later while no later statement started.
    """
    import threading
    import time

    state: dict[str, Any] = {"serial": 0, "told": False}
    writes = ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE", "INSERT", "UPDATE", "DELETE", "REPLACE")

    def check(serial: int) -> None:
        if state["serial"] == serial and not state["told"]:
            state["told"] = True
            _notice("waiting for another process writing to this library (an import?)…")

    def trace(statement: str) -> None:
        state["serial"] += 1
        timer = state.pop("timer", None)
        if timer is not None:
            timer.cancel()
        if statement.lstrip().upper().startswith(writes):
            serial = state["serial"]
            timer = threading.Timer(1.0, check, [serial])
            timer.daemon = True
            state["timer"] = timer
            state["started"] = time.monotonic()
            timer.start()

    lib.db.conn.set_trace_callback(trace)


def _run_on_library(handler: Handler, args: argparse.Namespace, out: TextIO) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    check_data_dir(data_dir)
    from desktop.core.library import DB_FILE

    if _writes(args) and is_read_only(data_dir, data_dir / DB_FILE):
        raise CliError(
            f"the library folder {data_dir} is read-only: `{args.command}` cannot change it "
            "(reading commands such as list, show and stats still work)"
        )
    turn = WriteTurn(data_dir)
    short_writer = _writes(args) and args.command not in LONG_WRITERS
    with _shared_access(data_dir):
        if short_writer and data_dir.is_dir():
            # go before the next batch of an import running now (see WriteTurn)
            turn.acquire(on_wait=lambda: _notice("waiting for another command to finish…"))
        try:
            lib = _open_library(data_dir, args.command)
        except BaseException:
            turn.release()
            raise
        try:
            for notice in lib.notices:
                _notice(notice)
            if short_writer:
                _watch_write_waits(lib)  # replaces the turn hook, which it does not need
            return handler(lib, args, out)
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc):
                raise CliError(f"the library folder {data_dir} is read-only: {exc}") from exc
            raise
        except sqlite3.DatabaseError as exc:  # damage a read met (no check was due)
            from desktop.core import backup, store

            if not store.is_corruption(exc):
                raise
            raise store.CorruptDatabaseError(
                data_dir / DB_FILE, str(exc), backup.latest_backup(data_dir)
            ) from exc
        finally:
            lib.close()
            turn.release()


def _open_files(argv: list[str], parser: argparse.ArgumentParser) -> tuple[list[str], list[str]]:
    """``digest-desk [--data-dir DIR] FILE...`` (no command): the options, and the files the
    app imports (``--`` before a file named like a command or an option)."""
    commands = {
        c
        for a in parser._actions  # noqa: SLF001 - argparse lists its subcommands nowhere else
        if isinstance(a, argparse._SubParsersAction)  # noqa: SLF001
        for c in a.choices
    }
    options: list[str] = []
    files: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            files.extend(words)
        elif word == "--data-dir":
            options += [word, *[value for value in [next(words, None)] if value is not None]]
        elif word.startswith("-") and word != "-":
            options.append(word)
        elif not files and (word in commands or not _names_a_file(word)):
            return argv, []  # a command (a mistyped one is argparse's to report)
        else:
            files.append(word)
    return options, files


def _names_a_file(word: str) -> bool:
    """True for an existing path, or one written as a path (``a.txt``, ``dir/x``)."""
    return os.path.exists(word) or bool(Path(word).suffix) or any(s in word for s in "/\\")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="digest-desk",
        description="Triage research-paper digests from the keyboard.",
        epilog="With no command the app starts; digest-desk FILE... starts it (or brings the "
        "running one forward) and imports the files.",
    )
    parser.add_argument("--version", action="version", version=f"digest-desk {__version__}")
    parser.add_argument(
        "--data-dir",
        help="library folder (default: $DIGEST_DESK_HOME, else the platform's data folder)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("import", help="import digest files or folders")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("list", help="list the papers of a view")
    p.add_argument(
        "--view", default="inbox", help=f"{'|'.join(VIEWS)}, digest:ID or a saved view's name"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", help="show one paper")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("mark", help="change the state of papers")
    p.add_argument("ids", nargs="+", metavar="ID")
    group = p.add_mutually_exclusive_group(required=True)
    for flag in MARK_FLAGS:
        group.add_argument(f"--{flag}", dest="action", action="store_const", const=flag)
    group.add_argument(
        "--snooze",
        metavar="WHEN",
        help="out of the Inbox until WHEN: tomorrow, 3d, 2w, mon, next week, next digest, "
        "2026-12-24",
    )
    group.add_argument("--unsnooze", dest="action", action="store_const", const="unsnooze")
    p.set_defaults(handler=cmd_mark)

    p = sub.add_parser("stats", help="library totals")
    p.add_argument("--json", action="store_true", help="also the Progress view's figures")
    p.add_argument(
        "--progress", action="store_true", help="also the last 90 days and the queue's age"
    )
    p.set_defaults(handler=cmd_stats)

    p = sub.add_parser("search", help="search the library (see README for the query language)")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=20, help="at most N results (default 20)")
    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("related", help="papers similar to one paper")
    p.add_argument("id")
    p.add_argument("--limit", type=int, default=10, help="at most N results (default 10)")
    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.set_defaults(handler=cmd_related)

    p = sub.add_parser("reindex", help="rebuild the search index from the library")
    p.set_defaults(handler=cmd_reindex)

    p = sub.add_parser("backup", help="take a verified backup now (--list shows backups)")
    p.add_argument("--list", action="store_true", help="list the backups, newest first")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="replace the library with a backup file")
    p.add_argument("file", type=Path, metavar="FILE")
    p.set_defaults(handler=cmd_restore, without_library=True)

    p = sub.add_parser("note", help="print a paper's note, or set it")
    p.add_argument("id")
    p.add_argument("text", nargs="?", help="the note (Markdown); - reads stdin; empty deletes")
    p.set_defaults(handler=cmd_note)

    p = sub.add_parser("highlight", help="highlight a quote in a paper")
    p.add_argument("id")
    p.add_argument("--quote", required=True, help="text of the abstract (or title) to mark")
    p.add_argument("--color", default=DEFAULT_COLOR, help="|".join(HIGHLIGHT_COLORS))
    p.add_argument("--note", default="", help="a note on the highlight")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_highlight)

    p = sub.add_parser("highlights", help="list highlights across the library")
    p.add_argument("--color", help="|".join(HIGHLIGHT_COLORS))
    p.add_argument("--query", help="keep highlights whose quote, note or paper title has this")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_highlights)

    p = sub.add_parser("tag", help="add a tag to papers or remove it")
    p.add_argument("ids", nargs="+", metavar="ID")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--add", metavar="TAG")
    group.add_argument("--remove", metavar="TAG")
    p.set_defaults(handler=cmd_tag)

    p = sub.add_parser("tags", help="list tags with counts; rename or delete one")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"), help="merges into NEW")
    group.add_argument("--delete", metavar="TAG")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_tags)

    p = sub.add_parser("views", help="list saved views (searches); add, rename or delete one")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--add", nargs=2, metavar=("NAME", "QUERY"), help="save a search")
    group.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"))
    group.add_argument("--move", nargs=2, metavar=("NAME", "PLACES"), help="-1 is one up")
    group.add_argument("--delete", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_views)

    p = sub.add_parser("rules", help="rules run on import: list, add, delete, try, apply")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_rules)
    rules = p.add_subparsers(dest="rules_command", metavar="ACTION")
    r = rules.add_parser("list", help="list the rules in running order")
    r.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    r = rules.add_parser("add", help="add a rule: a query and at least one action")
    r.add_argument("name")
    r.add_argument("query")
    r.add_argument("--tag", metavar="TAG", help="tag the papers it matches")
    for flag, text in (
        ("star", "star them"),
        ("queue", "add them to the reading queue"),
        ("archive", "archive them"),
        ("mute", "archive them with the reason 'muted by rule NAME'"),
    ):
        r.add_argument(f"--{flag}", action="store_true", help=text)
    r.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    for verb, text in (
        ("delete", "delete a rule"),
        ("enable", "let a rule run on imports again"),
        ("disable", "keep a rule from running on imports"),
        ("try", "how many papers of the library a rule would change (changes nothing)"),
        ("apply", "apply a rule to the whole library now"),
    ):
        r = rules.add_parser(verb, help=text)
        r.add_argument("name")
        r.add_argument("--json", action="store_true", default=argparse.SUPPRESS)

    p = sub.add_parser("delete", help="delete papers with their notes, highlights and tags")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_delete)

    p = sub.add_parser("digests", help="list digests; rename or remove them")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--rename", nargs=2, metavar=("ID", "NAME"))
    group.add_argument("--remove", nargs="+", metavar="ID", help="with papers seen only there")
    group.add_argument("--remove-samples", action="store_true", help="the first start's samples")
    p.add_argument("--keep-papers", action="store_true", help="with --remove: keep the papers")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_digests)

    p = sub.add_parser("export", help="export highlights and notes as Markdown")
    p.add_argument("--out", required=True, metavar="PATH", help="a .md file, or a folder")
    p.add_argument("--per-paper", action="store_true", help="one file per paper in PATH")
    p.add_argument(
        "--format", choices=("markdown", "bibtex"), default="markdown", help="default: markdown"
    )
    p.add_argument(
        "--links",
        choices=("github", "obsidian", "both"),
        help="the contents list's links (default: obsidian inside an Obsidian vault, else github)",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument("--view", help=f"{'|'.join(VIEWS)}, digest:ID or tag:NAME")
    group.add_argument("--query", metavar="Q", help="the papers a search finds")
    group.add_argument("--all", action="store_true", help="every paper")
    group.add_argument("--id", dest="ids", action="append", metavar="ID", help="repeatable")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("keys", help="print the keys in effect, or check the keymap file")
    p.add_argument("--preset", metavar="NAME", help="print a preset's keys: default|vim|gmail")
    p.add_argument("--check", action="store_true", help="check the keymap file or --preset")
    p.add_argument("--toml", action="store_true", help="print them as a keymap file to start from")
    p.set_defaults(handler=cmd_keys, without_library=True)

    p = sub.add_parser("desktop-entry", help="add Digest Desk to the Linux application menu")
    p.set_defaults(handler=cmd_desktop_entry, without_library=True)

    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    stream = out or sys.stdout
    safe = cast(TextIO, _Output(stream))
    parser = build_parser()
    options, files = _open_files(list(sys.argv[1:] if argv is None else argv), parser)
    args = parser.parse_args(options)
    args.files = files
    handler: Handler | None = getattr(args, "handler", None)
    try:
        if handler is None:
            return cmd_gui(None, args, safe)
        if getattr(args, "without_library", False):  # e.g. restore: the db may be damaged
            if args.command == "restore":
                check_data_dir(resolve_data_dir(args.data_dir))
            return handler(None, args, safe)  # type: ignore[arg-type]
        return _run_on_library(handler, args, safe)
    except BrokenPipeError:
        return _broken_pipe(stream)
    except CliError as exc:
        _error(str(exc))
        return exc.code
    except (StoreError, DataDirError) as exc:
        _error(str(exc))
        return 2
    except OSError as exc:
        _error(str(exc))
        return 2
    except sqlite3.OperationalError as exc:  # such as "database is locked" after 30 s
        _error(f"the library database could not be used: {exc}")
        return 2


def _broken_pipe(stream: TextIO) -> int:
    """The reader of our output went away (``| head``): stop quietly, as other tools do."""
    if stream is sys.stdout:
        # Point stdout at devnull, so the interpreter's final flush does not complain.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
    return EXIT_BROKEN_PIPE

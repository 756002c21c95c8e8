"""The `digest-desk` command line: a thin layer over desktop.core.Library.

This module holds the argument parser and `main`; each subcommand is a `cmd_*` function in the
module of its group (triage.py: list, show, mark; annotate.py: note, highlight, tags…; views.py:
saved views and rules; maintenance.py: stats, reindex, backup, restore; …), and session.py
runs it on the library. With no subcommand the desktop app starts (app.py).

Start-up is kept short: modules a command does not need (the search index with Whoosh and
numpy, the exporter, backups) are imported inside the commands that use them. Everything
printed goes through ``output.Output``/``output.error``, which escape control characters and
bidi overrides (``desktop.core.plain_text``).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO, cast

from desktop import __version__
from desktop.cli.annotate import (
    DEFAULT_COLOR,
    cmd_highlight,
    cmd_highlights,
    cmd_note,
    cmd_tag,
    cmd_tags,
)
from desktop.cli.app import cmd_desktop_entry, cmd_gui
from desktop.cli.export import cmd_export
from desktop.cli.importing import cmd_import
from desktop.cli.keys import cmd_keys
from desktop.cli.maintenance import cmd_backup, cmd_reindex, cmd_restore, cmd_stats
from desktop.cli.output import CliError, Output, error
from desktop.cli.removal import cmd_delete, cmd_digests
from desktop.cli.search import cmd_related, cmd_search
from desktop.cli.session import Handler, run_on_library
from desktop.cli.triage import MARK_FLAGS, cmd_list, cmd_mark, cmd_show
from desktop.cli.views import cmd_rules, cmd_views
from desktop.core.data_dir import DataDirError, check_data_dir, resolve_data_dir
from desktop.core.models import HIGHLIGHT_COLORS, VIEWS
from desktop.core.store import StoreError

__all__ = ["DEFAULT_COLOR", "EXIT_BROKEN_PIPE", "build_parser", "main"]

# Exit code after the reader of our output went away (`digest-desk list | head`): 128 + SIGPIPE.
EXIT_BROKEN_PIPE = 141


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subcommands ``parser`` knows, with their parsers."""
    return {
        name: sub
        for a in parser._actions  # noqa: SLF001 - argparse lists its subcommands nowhere else
        if isinstance(a, argparse._SubParsersAction)  # noqa: SLF001
        for name, sub in a.choices.items()
    }


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    """The subcommands ``parser`` knows."""
    return set(_subcommands(parser))


def _first_word(argv: list[str]) -> str | None:
    """The first word of ``argv`` that is neither an option nor ``--data-dir``'s value."""
    words = iter(argv)
    for word in words:
        if word == "--data-dir":
            next(words, None)
        elif word == "--":
            return None
        elif not word.startswith("-") or word == "-":
            return word
    return None


def _parser_for(argv: list[str]) -> argparse.ArgumentParser:
    """The parser of the command ``argv`` names alone, else the whole one (help, files, typos)."""
    word = _first_word(argv)
    if word is not None:
        parser = build_parser(word)
        if word in _commands(parser):
            return parser
    return build_parser()


def _open_files(argv: list[str], parser: argparse.ArgumentParser) -> tuple[list[str], list[str]]:
    """``digest-desk [--data-dir DIR] FILE...`` (no command): the options, and the files the
    app imports (``--`` before a file named like a command or an option)."""
    commands = _commands(parser)
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


class HelpFormatter(argparse.HelpFormatter):
    """argparse's own formatter, told the width it would find itself (``shutil`` finds it,
    loading the compression modules with it: 3 ms of every command's start)."""

    def __init__(self, prog: str, **kwargs: Any) -> None:
        kwargs.setdefault("width", _terminal_columns() - 2)
        super().__init__(prog, **kwargs)


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else stdout's terminal, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand, or with ``only`` that one (when it is one).

    A command-line call needs the parser of its own command alone: making all thirty costs
    more than a tenth of a quick command's start (each parser looks for translations).
    """
    parser = argparse.ArgumentParser(
        prog="digest-desk",
        formatter_class=HelpFormatter,
        description="Triage research-paper digests from the keyboard.",
        epilog="With no command the app starts; digest-desk FILE... starts it (or brings the "
        "running one forward) and imports the files.",
    )
    parser.add_argument("--version", action="version", version=f"digest-desk {__version__}")
    parser.add_argument(
        "--data-dir",
        help="library folder (default: $DIGEST_DESK_HOME, else the platform's data folder)",
    )
    # prog given: argparse would format the whole usage to find this very name (a few ms)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog=parser.prog)

    def command(name: str, **kwargs: Any) -> argparse.ArgumentParser | None:
        """The subcommand's parser, or None when only another command's is wanted."""
        if only not in (None, name):
            return None
        return sub.add_parser(name, formatter_class=HelpFormatter, **kwargs)

    if p := command("import", help="import digest files or folders"):
        p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        p.add_argument("--json", action="store_true", help="print results as JSON")
        p.set_defaults(handler=cmd_import)

    if p := command("list", help="list the papers of a view"):
        p.add_argument(
            "--view", default="inbox", help=f"{'|'.join(VIEWS)}, digest:ID or a saved view's name"
        )
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=cmd_list)

    if p := command("show", help="show one paper"):
        p.add_argument("id")
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=cmd_show)

    if p := command("mark", help="change the state of papers"):
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

    if p := command("stats", help="library totals"):
        p.add_argument("--json", action="store_true", help="also the Progress view's figures")
        p.add_argument(
            "--progress", action="store_true", help="also the last 90 days and the queue's age"
        )
        p.set_defaults(handler=cmd_stats)

    if p := command("search", help="search the library (see README for the query language)"):
        p.add_argument("query", metavar="QUERY")
        p.add_argument("--limit", type=int, default=20, help="at most N results (default 20)")
        p.add_argument("--json", action="store_true", help="print results as JSON")
        p.set_defaults(handler=cmd_search)

    if p := command("related", help="papers similar to one paper"):
        p.add_argument("id")
        p.add_argument("--limit", type=int, default=10, help="at most N results (default 10)")
        p.add_argument("--json", action="store_true", help="print results as JSON")
        p.set_defaults(handler=cmd_related)

    if p := command("reindex", help="rebuild the search index from the library"):
        p.set_defaults(handler=cmd_reindex)

    if p := command("backup", help="take a verified backup now (--list shows backups)"):
        p.add_argument("--list", action="store_true", help="list the backups, newest first")
        p.set_defaults(handler=cmd_backup)

    if p := command("restore", help="replace the library with a backup file"):
        p.add_argument("file", type=Path, metavar="FILE")
        p.set_defaults(handler=cmd_restore, without_library=True)

    if p := command("note", help="print a paper's note, or set it"):
        p.add_argument("id")
        p.add_argument("text", nargs="?", help="the note (Markdown); - reads stdin; empty deletes")
        p.set_defaults(handler=cmd_note)

    if p := command("highlight", help="highlight a quote in a paper"):
        p.add_argument("id")
        p.add_argument("--quote", required=True, help="text of the abstract (or title) to mark")
        p.add_argument("--color", default=DEFAULT_COLOR, help="|".join(HIGHLIGHT_COLORS))
        p.add_argument("--note", default="", help="a note on the highlight")
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=cmd_highlight)

    if p := command("highlights", help="list highlights across the library"):
        p.add_argument("--color", help="|".join(HIGHLIGHT_COLORS))
        p.add_argument("--query", help="keep highlights whose quote, note or paper title has this")
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=cmd_highlights)

    if p := command("tag", help="add a tag to papers or remove it"):
        p.add_argument("ids", nargs="+", metavar="ID")
        group = p.add_mutually_exclusive_group(required=True)
        group.add_argument("--add", metavar="TAG")
        group.add_argument("--remove", metavar="TAG")
        p.set_defaults(handler=cmd_tag)

    if p := command("tags", help="list tags with counts; rename or delete one"):
        group = p.add_mutually_exclusive_group()
        group.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"), help="merges into NEW")
        group.add_argument("--delete", metavar="TAG")
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=cmd_tags)

    if p := command("views", help="list saved views (searches); add, rename or delete one"):
        group = p.add_mutually_exclusive_group()
        group.add_argument("--add", nargs=2, metavar=("NAME", "QUERY"), help="save a search")
        group.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"))
        group.add_argument("--move", nargs=2, metavar=("NAME", "PLACES"), help="-1 is one up")
        group.add_argument("--delete", metavar="NAME")
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=cmd_views)

    if p := command("rules", help="rules run on import: list, add, delete, try, apply"):
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=cmd_rules)
        rules = p.add_subparsers(dest="rules_command", metavar="ACTION")
        r = rules.add_parser(
            "list", help="list the rules in running order", formatter_class=HelpFormatter
        )
        r.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
        r = rules.add_parser(
            "add", help="add a rule: a query and at least one action", formatter_class=HelpFormatter
        )
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
            r = rules.add_parser(verb, help=text, formatter_class=HelpFormatter)
            r.add_argument("name")
            r.add_argument("--json", action="store_true", default=argparse.SUPPRESS)

    if p := command("delete", help="delete papers with their notes, highlights and tags"):
        p.add_argument("ids", nargs="+", metavar="ID")
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=cmd_delete)

    if p := command("digests", help="list digests; rename or remove them"):
        group = p.add_mutually_exclusive_group()
        group.add_argument("--rename", nargs=2, metavar=("ID", "NAME"))
        group.add_argument("--remove", nargs="+", metavar="ID", help="with papers seen only there")
        group.add_argument(
            "--remove-samples", action="store_true", help="the first start's samples"
        )
        p.add_argument("--keep-papers", action="store_true", help="with --remove: keep the papers")
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=cmd_digests)

    if p := command("export", help="export highlights and notes as Markdown"):
        p.add_argument("--out", required=True, metavar="PATH", help="a .md file, or a folder")
        p.add_argument("--per-paper", action="store_true", help="one file per paper in PATH")
        p.add_argument(
            "--format", choices=("markdown", "bibtex"), default="markdown", help="default: markdown"
        )
        p.add_argument(
            "--links",
            choices=("github", "obsidian", "both"),
            help="the contents list's links "
            "(default: obsidian inside an Obsidian vault, else github)",
        )
        group = p.add_mutually_exclusive_group()
        group.add_argument("--view", help=f"{'|'.join(VIEWS)}, digest:ID or tag:NAME")
        group.add_argument("--query", metavar="Q", help="the papers a search finds")
        group.add_argument("--all", action="store_true", help="every paper")
        group.add_argument("--id", dest="ids", action="append", metavar="ID", help="repeatable")
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=cmd_export)

    if p := command("keys", help="print the keys in effect, or check the keymap file"):
        p.add_argument("--preset", metavar="NAME", help="print a preset's keys: default|vim|gmail")
        p.add_argument("--check", action="store_true", help="check the keymap file or --preset")
        p.add_argument(
            "--toml", action="store_true", help="print them as a keymap file to start from"
        )
        p.set_defaults(handler=cmd_keys, without_library=True)

    if p := command("desktop-entry", help="add Digest Desk to the Linux application menu"):
        p.set_defaults(handler=cmd_desktop_entry, without_library=True)

    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    stream = out or sys.stdout
    safe = cast(TextIO, Output(stream))
    words = list(sys.argv[1:] if argv is None else argv)
    parser = _parser_for(words)
    options, files = _open_files(words, parser)
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
        return run_on_library(handler, args, safe)
    except BrokenPipeError:
        return _broken_pipe(stream)
    except CliError as exc:
        error(str(exc))
        return exc.code
    except (StoreError, DataDirError) as exc:
        error(str(exc))
        return 2
    except OSError as exc:
        error(str(exc))
        return 2
    except sqlite3.OperationalError as exc:  # such as "database is locked" after 30 s
        error(f"the library database could not be used: {exc}")
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

"""The desktop app from the command line: starting it (no command) and ``desktop-entry``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from desktop.cli.output import CliError
from desktop.core.data_dir import resolve_data_dir

if TYPE_CHECKING:
    from desktop.core.library import Library


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

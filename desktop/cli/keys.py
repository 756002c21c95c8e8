"""``keys``: the keys in effect (or a preset's), as a table or a keymap file; or a check."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from desktop.cli.output import CliError, notice

if TYPE_CHECKING:
    from desktop.core.library import Library


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
            notice(f"{keymap_path()}: {problem}")
        preset, table, header = loaded.preset, loaded.keymap, report.header(loaded, keymap_path())
    if args.toml:
        out.write(report.render_keymap_file(preset, table))
    else:
        out.write(header + report.keys_table(table, docs))
    return 0

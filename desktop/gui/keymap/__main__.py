"""``python -m desktop.gui.keymap [--write-readme]``: print or update the README key table."""

from __future__ import annotations

import sys

from desktop.gui.keymap.readme import render_key_table, write_readme


def main(argv: list[str]) -> int:
    """Print the key table, or write it into README.md with ``--write-readme``."""
    if "--write-readme" in argv:
        print("README.md updated" if write_readme() else "README.md already up to date")
    else:
        print(render_key_table(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

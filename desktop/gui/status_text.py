"""What the status bar may say: short sentences, never a file path (of a backup or else)."""

from __future__ import annotations

import re

# An absolute path (POSIX, ~, or a Windows drive or share), after a space, quote or the start,
# so the paths inside web addresses are left alone.
_PATH = re.compile(r"""(?:(?<=^)|(?<=[\s'"(=]))(?:~?/|[A-Za-z]:[\\/]|\\\\)[^\s'")]+""")


def without_paths(text: str) -> str:
    """``text`` with every absolute file path replaced by ``…``."""
    return _PATH.sub("…", text)


def backup_taken() -> str:
    """The status line after the daily backup (where backups are lives in the README and
    ``digest-desk backup --list``)."""
    return "Daily backup taken   ·   digest-desk backup --list shows them"


def backup_failed(message: str) -> str:
    """The status line when the daily backup failed, its reason without paths."""
    return f"The daily backup was not taken: {without_paths(message)}"

"""Temporary files of ours (backups, restores, exports): named with their pid, cleaned later.

A killed process leaves its temporary copies behind. Their names carry the pid of the process
that made them (``<prefix><pid>-<anything>``), so the next run removes the files of processes
that are gone, and files of any process once they are old enough, never those of a process
that is still writing them.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

# Temporary files of a process that may still be alive are removed only after this long.
STALE_SECONDS = 3600.0


def temp_prefix(prefix: str) -> str:
    """The name prefix of this process's temporary files: ``<prefix><pid>-``."""
    return f"{prefix}{os.getpid()}-"


def _pid_in(name: str, prefix: str) -> int | None:
    head = name[len(prefix) :].split("-", 1)[0]
    return int(head) if head.isdigit() else None


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid runs (always assumed alive where that cannot be told)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover - os.kill(pid, 0) would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to someone else
    return True


def remove_stale(folder: Path, prefix: str, *, age: float = STALE_SECONDS) -> list[Path]:
    """Remove files named ``<prefix>...`` in ``folder`` left by processes that are gone (or
    older than ``age`` seconds); return what was removed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        with contextlib.suppress(OSError):
            if not entry.is_file(follow_symlinks=False):
                continue
            pid = _pid_in(entry.name, prefix)
            dead = pid is not None and pid != os.getpid() and not pid_alive(pid)
            if dead or now - entry.stat(follow_symlinks=False).st_mtime > age:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed

"""Writing a whole file atomically: a reader sees the old file or the new one, never a part."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from desktop.core import temp_files

# Temporary files of atomic writes; one left by a killed process is removed by the next write.
TEMP_PREFIX = ".digest-desk-write-"


def atomic_write_text(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` through an fsynced temporary file and a rename."""
    temp_files.remove_stale(target.parent, TEMP_PREFIX)
    fd, temp = tempfile.mkstemp(
        prefix=temp_files.temp_prefix(TEMP_PREFIX), suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

"""Whether an export can go where it was asked to: a file standing where a folder must be."""

from __future__ import annotations

from pathlib import Path


def file_in_the_way(folder: Path) -> Path | None:
    """The file at ``folder``, or at the nearest of the folders above it that exists; None
    when the nearest existing one is a folder (the rest can then be created)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return None if candidate.is_dir() else candidate
    return None


def not_a_folder(target: Path | str, folder: Path) -> str | None:
    """Why an export to ``target`` (a file in ``folder``, or ``folder`` itself) cannot be
    written because a file stands where a folder must be, naming both; None when none does."""
    blocker = file_in_the_way(folder)
    if blocker is None:
        return None
    if blocker == Path(target):
        return f"cannot export to {target}: it is a file, not a folder"
    return f"cannot export to {target}: {blocker} is a file, not a folder"

"""Where the library lives: --data-dir, then $DIGEST_DESK_HOME, then the platform data dir."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platformdirs import PlatformDirs

APP_NAME = "digest-desk"
ENV_VAR = "DIGEST_DESK_HOME"


def platform_dirs() -> PlatformDirs:
    """The platformdirs helper for this app (no author folder on Windows)."""
    from platformdirs import PlatformDirs  # 5 ms: not loaded when --data-dir names the folder

    return PlatformDirs(APP_NAME, appauthor=False)


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data directory to use; it is not created here."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return platform_dirs().user_data_path


class DataDirError(Exception):
    """The library folder cannot be used as one; the message says why in one line."""


def check_data_dir(data_dir: Path) -> None:
    """Raise DataDirError when ``data_dir`` (or a folder above it) is a file, not a folder."""
    path = Path(data_dir)
    for candidate in (path, *path.parents):
        if candidate.exists():
            if not candidate.is_dir():
                where = "it" if candidate == path else f"{candidate}"
                raise DataDirError(
                    f"the library folder {path} cannot be used: {where} is a file, not a "
                    f"folder (check --data-dir and ${ENV_VAR})"
                )
            return


def is_read_only(data_dir: Path, database: Path) -> bool:
    """True when the library exists but this process cannot write its folder or database."""
    if not Path(data_dir).is_dir() or not database.exists():
        return False
    return not (os.access(data_dir, os.W_OK | os.X_OK) and os.access(database, os.W_OK))

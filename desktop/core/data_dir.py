"""Where the library lives: --data-dir, then $DIGEST_DESK_HOME, then the platform data dir."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "digest-desk"
ENV_VAR = "DIGEST_DESK_HOME"


def platform_dirs() -> PlatformDirs:
    """The platformdirs helper for this app (no author folder on Windows)."""
    return PlatformDirs(APP_NAME, appauthor=False)


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data directory to use; it is not created here."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return platform_dirs().user_data_path

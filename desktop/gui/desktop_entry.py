"""Install a Linux desktop entry and icon, so Digest Desk shows up in the application menu.

pip does not install ``.desktop`` files; ``digest-desk desktop-entry`` does it for the user.
Plain Python: no Qt is needed to write two files.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

APP_ID = "digest-desk"
ICON = Path(__file__).resolve().parent / "icons" / "app.svg"


def data_home() -> Path:
    """``$XDG_DATA_HOME``, else ``~/.local/share``."""
    env = os.environ.get("XDG_DATA_HOME")
    return Path(env) if env else Path.home() / ".local" / "share"


def launch_command() -> str:
    """How the menu entry starts the app: the installed script, else this Python."""
    script = shutil.which(APP_ID)
    if script:
        return script
    return f"{sys.executable} -m desktop"


def desktop_file_text(command: str) -> str:
    """The contents of digest-desk.desktop."""
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Digest Desk\n"
        "GenericName=Paper digest reader\n"
        "Comment=Triage research-paper digests from the keyboard\n"
        f"Exec={command}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "Categories=Office;Education;Science;\n"
        "Keywords=papers;research;digest;arxiv;reading;\n"
        f"StartupWMClass={APP_ID}\n"
    )


def install_desktop_entry(home: Path | None = None) -> list[Path]:
    """Write the desktop file and the icon under ``home`` (the XDG data folder)."""
    base = home or data_home()
    desktop_file = base / "applications" / f"{APP_ID}.desktop"
    icon_file = base / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    desktop_file.parent.mkdir(parents=True, exist_ok=True)
    icon_file.parent.mkdir(parents=True, exist_ok=True)
    desktop_file.write_text(desktop_file_text(launch_command()), encoding="utf-8")
    shutil.copyfile(ICON, icon_file)
    return [desktop_file, icon_file]

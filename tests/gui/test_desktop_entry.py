"""`digest-desk desktop-entry` writes a valid desktop file and the icon for the user."""

from __future__ import annotations

import configparser
import io
from pathlib import Path

import pytest

from desktop.cli import main


def test_desktop_entry_is_installed_under_xdg_data_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    out = io.StringIO()
    assert main(["desktop-entry"], out=out) == 0
    desktop = tmp_path / "share" / "applications" / "digest-desk.desktop"
    icon = tmp_path / "share" / "icons" / "hicolor" / "scalable" / "apps" / "digest-desk.svg"
    assert f"wrote {desktop}" in out.getvalue()
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(desktop, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Name"] == "Digest Desk"
    assert section["Icon"] == "digest-desk"
    assert section["Exec"]
    assert icon.read_text(encoding="utf-8").startswith("<svg")
    assert not (tmp_path / "share" / "data").exists(), "no library is opened for this"

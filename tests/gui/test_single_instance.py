"""The app's start: a second instance on the same library is refused with a clear message,
and a damaged library is refused with the file named and the latest backup offered."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from desktop.core import backup
from desktop.core.instance_lock import InstanceLock
from desktop.core.library import DB_FILE, Library
from desktop.gui import app


def _capture(monkeypatch: pytest.MonkeyPatch, kind: str) -> list[str]:
    shown: list[str] = []

    def box(parent: QWidget | None, title: str, text: str, *args: object) -> int:
        shown.append(f"{title}: {text}")
        return 0

    monkeypatch.setattr(app.QMessageBox, kind, box)
    return shown


def test_a_second_start_on_the_same_library_says_so_and_exits(
    qtbot: object, seeded_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _capture(monkeypatch, "warning")
    with InstanceLock(seeded_dir):  # the first instance
        code = app.run_app(argparse.Namespace(data_dir=str(seeded_dir)))
    assert code == 1
    (message,) = shown
    assert "Digest Desk is already running on this library" in message
    assert f"process {os.getpid()}" in message and str(seeded_dir) in message


def test_a_damaged_library_is_refused_naming_the_file_and_the_backup(
    qtbot: object, seeded_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Library.open(seeded_dir).close()  # takes the daily backup
    offered = backup.latest_backup(seeded_dir)
    assert offered is not None
    db_path = seeded_dir / DB_FILE
    data = bytearray(db_path.read_bytes())
    data[:100] = b"\xa5" * 100
    db_path.write_bytes(bytes(data))
    shown = _capture(monkeypatch, "critical")
    code = app.run_app(argparse.Namespace(data_dir=str(seeded_dir)))
    assert code == 2
    (message,) = shown
    assert str(db_path) in message and f"digest-desk restore {offered}" in message
    assert db_path.read_bytes() == bytes(data)
    assert InstanceLock(seeded_dir).try_acquire()  # the refused start let go of the lock

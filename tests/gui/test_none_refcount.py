"""PySide6 6.12 drops a reference to None on every void call; desktop.gui guards against it."""

from __future__ import annotations

import sys

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication

import desktop.gui


def test_many_void_qt_calls_leave_none_alive(qapp: QApplication) -> None:
    desktop.gui.keep_none_alive()  # idempotent
    action = QAction("x")
    before = sys.getrefcount(None)
    for _ in range(100_000):
        action.setEnabled(True)
    after = sys.getrefcount(None)
    assert after > 1 << 30, "None must stay far from a zero reference count"
    assert before - after <= 100_000
    assert sys.getrefcount(True) > 1 << 30 and sys.getrefcount(False) > 1 << 30

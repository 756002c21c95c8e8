"""Brings snoozed papers back while the app runs: a timer that wakes them when due."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from desktop.core.library import Library

WAKE_EVERY_MS = 60_000  # at most a minute late; the library also wakes them on open


class SnoozeWaker(QObject):
    """Calls ``library.wake_snoozed()`` once a minute (papers waiting for a digest return
    with the import itself)."""

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.timer = QTimer(self)
        self.timer.setInterval(WAKE_EVERY_MS)
        self.timer.timeout.connect(self.wake)
        self.timer.start()

    def wake(self) -> None:
        """Bring back every snoozed paper whose time has come (the window hears it)."""
        self.library.wake_snoozed()

    def stop(self) -> None:
        """Stop waking (the window is closing)."""
        self.timer.stop()

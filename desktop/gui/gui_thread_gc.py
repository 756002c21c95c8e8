"""Python's cyclic garbage collector, run on the GUI thread only.

Automatic collection runs in whichever thread happens to allocate when a generation's
threshold is crossed. When that is a worker thread (search, related papers, the first count)
and the garbage holds a Qt object (a closed dialog in a reference cycle), Qt destroys a
widget outside the GUI thread and the process crashes. So, while the application runs,
automatic collection is off, and a timer on the GUI thread collects what the automatic
collector would have: the generations whose thresholds the counts have crossed.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

# How often the counts are looked at. Objects that are not in cycles are freed at once by
# reference counting; only cyclic garbage waits, at most this long.
CHECK_MS = 500
NAME = "digest-desk-gui-thread-gc"


class GuiThreadCollector(QObject):
    """Turns automatic collection off and collects from a timer on the owner's thread."""

    def __init__(self, parent: QObject, interval_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self.setObjectName(NAME)
        self.thresholds = gc.get_threshold()
        self.was_enabled = gc.isenabled()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        """Collect the oldest generation whose threshold the counts crossed, as Python's own
        trigger would (a young generation is collected with every older one's check)."""
        counts = gc.get_count()
        generation = -1
        for g in range(3):
            if counts[g] > self.thresholds[g]:
                generation = g
            else:
                break
        if generation >= 0:
            gc.collect(generation)

    def stop(self) -> None:
        """Collect everything here, on the GUI thread, and turn automatic collection back on."""
        self.timer.stop()
        gc.collect()
        if self.was_enabled:
            gc.enable()


def collect_on_gui_thread(app: QObject) -> GuiThreadCollector:
    """The application's collector (made on the first call; the same one after)."""
    found = app.findChild(GuiThreadCollector, NAME)
    return found if isinstance(found, GuiThreadCollector) else GuiThreadCollector(app)

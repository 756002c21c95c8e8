"""The Progress figures, computed on a thread of their own (120–290 ms at 100,000 papers).

The worker thread opens its own read-only SQLite connection (connections belong to the thread
that opened them), computes :func:`desktop.core.progress.progress` and hands the figures back
to the GUI thread as a signal; it never touches a widget. A library in memory cannot be read
by a second connection: its figures are computed on the GUI thread (they are small there).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from sqlite_utils import Database

from desktop.core import store
from desktop.core.library import DB_FILE, Library
from desktop.core.progress import Progress, progress

log = logging.getLogger(__name__)

# Workers still running: kept here so that none is collected before it reports.
_running: set[ProgressWorker] = set()


class ProgressWorker(QObject):
    """Computes the figures once on a worker thread; ``computed(Progress)`` or
    ``failed(message)`` arrives on the GUI thread."""

    computed = Signal(object)
    failed = Signal(str)

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="progress", daemon=True)

    def start(self) -> None:
        """Start computing."""
        _running.add(self)
        self._thread.start()

    def _run(self) -> None:
        try:
            conn = store.open_read_only(self.db_path)
            try:
                figures = progress(Database(conn, execute_plugins=False))
            finally:
                conn.close()
        except Exception as exc:  # noqa: BLE001 - reported to the GUI, which says it
            log.exception("computing the progress figures failed")
            self.failed.emit(f"{exc.__class__.__name__}: {exc}")
        else:
            self.computed.emit(figures)
        finally:
            self.done.set()
            _running.discard(self)


def compute_progress(
    library: Library,
    on_done: Callable[[Progress], None],
    on_error: Callable[[str], None],
) -> ProgressWorker | None:
    """Compute the library's figures in the background and call ``on_done`` with them on the
    GUI thread (``on_error`` with a message when that failed). Returns the worker, or None
    for a library in memory, whose figures are computed here at once."""
    if library.data_dir is None:
        on_done(progress(library.db))
        return None
    worker = ProgressWorker(Path(library.data_dir) / DB_FILE)
    worker.computed.connect(on_done)
    worker.failed.connect(on_error)
    worker.start()
    return worker

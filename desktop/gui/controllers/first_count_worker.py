"""The sidebar's first count on a thread of its own (core/first_count.py).

A large library's first count (every view, every digest, each saved view's text and
filters) takes seconds at a million papers; the window asks it of a worker thread, which
opens its own read-only connection and index reader, says how far it is
(``progressed(done, total)``) and hands back a ``FirstCount`` (``counted``) or nothing
(``counted(None)``: it failed or was cancelled, the window then counts on its own thread).
On the GUI thread the window gives it to the library (``Library.adopt_first_count``), which
keeps it only when no write came in between. The worker never touches a widget.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop.core.first_count import CountCancelledError, CountStamp, FirstCount, count_elsewhere
from desktop.core.library import DB_FILE, Library

log = logging.getLogger(__name__)

# Below this many papers the window counts on its own thread (under 50 ms at 10,000); a
# larger library is counted by the worker.
WORKER_MIN_PAPERS = 20_000

# Workers still running: kept here so that none is collected before it reports.
_running: set[FirstCountWorker] = set()


class FirstCountWorker(QObject):
    """Counts once on a worker thread; ``counted(FirstCount | None)`` and
    ``progressed(done, total)`` arrive on the GUI thread."""

    counted = Signal(object)
    progressed = Signal(int, int)

    def __init__(self, db_path: Path, index_path: Path, stamp: CountStamp) -> None:
        super().__init__()
        self.db_path, self.index_path, self.stamp = db_path, index_path, stamp
        self.done = threading.Event()
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="first-count", daemon=True)

    def start(self) -> None:
        """Start counting."""
        _running.add(self)
        self._thread.start()

    def cancel(self) -> None:
        """Stop at the next step; ``counted(None)`` follows."""
        self._cancel.set()

    def _run(self) -> None:
        found: FirstCount | None = None
        try:
            found = count_elsewhere(
                self.db_path,
                self.index_path,
                self.stamp,
                progress=self.progressed.emit,
                cancel=self._cancel.is_set,
            )
        except CountCancelledError:
            pass
        except Exception:  # noqa: BLE001 - the window then counts on its own thread
            log.exception("the first count on a worker failed")
        finally:
            self.counted.emit(found)
            self.done.set()
            _running.discard(self)


def large_enough(library: Library) -> bool:
    """Whether the library's first count belongs on a worker (on disk, and large)."""
    if library.data_dir is None:
        return False  # a second connection cannot read a library in memory
    (top,) = library.db.execute("SELECT COALESCE(MAX(id), 0) FROM papers").fetchone()
    return int(top) >= WORKER_MIN_PAPERS


def count_in_background(
    library: Library,
    on_done: Callable[[FirstCount | None], None],
    on_progress: Callable[[int, int], None] | None = None,
) -> FirstCountWorker:
    """Count on a worker thread; ``on_done`` (and ``on_progress``) run on the GUI thread."""
    from desktop.core.search.index import INDEX_DIR

    assert library.data_dir is not None
    data = Path(library.data_dir)
    worker = FirstCountWorker(data / DB_FILE, data / INDEX_DIR, library.count_stamp())
    worker.counted.connect(on_done)
    if on_progress is not None:
        worker.progressed.connect(on_progress)
    worker.start()
    return worker

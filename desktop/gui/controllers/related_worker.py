"""Related papers looked up on a thread of their own.

The detail pane shows the papers most like the current one a moment after it is selected:
a search over the words of its title and abstract, 13 ms at 100,000 papers but about 0.3 s
at a million, too long for the GUI thread after every move. The worker thread owns an
:class:`~desktop.core.search.reader.IndexReader` (its own connection and searcher); only the
latest paper asked for counts (one overtaken before it started is skipped, and an answer for
a paper no longer shown is dropped by the pane). Answers come back as a signal; the worker
never touches a widget.
"""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop.core.library import DB_FILE, Library
from desktop.core.search.index import INDEX_DIR
from desktop.core.search.reader import IndexReader

log = logging.getLogger(__name__)

_STOP = None


class RelatedWorker(QObject):
    """Finds related papers on a worker thread; ``found(serial, paper_id, ids)`` arrives on
    the GUI thread (``ids`` empty when the index could not answer)."""

    found = Signal(int, int, object)

    def __init__(self, db_path: Path, index_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_path, self.index_path = db_path, index_path
        self.latest = 0
        self._requests: queue.SimpleQueue[tuple[int, int, int] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="related", daemon=True)
        self._thread.start()

    def submit(self, paper_id: int, limit: int) -> int:
        """Ask for the papers related to ``paper_id``; returns the request's serial."""
        self.latest += 1
        self._requests.put((self.latest, int(paper_id), limit))
        return self.latest

    def stop(self, timeout: float = 2.0) -> None:
        """End the thread after the lookup running now (waits at most ``timeout`` seconds)."""
        self.latest += 1
        self._requests.put(_STOP)
        self._thread.join(timeout)

    def _loop(self) -> None:
        reader: IndexReader | None = None
        try:
            while (request := self._requests.get()) is not _STOP:
                serial, paper_id, limit = request
                if serial != self.latest:
                    continue  # another paper was asked for meanwhile
                ids: list[int] = []
                try:
                    if reader is None:
                        reader = IndexReader(self.db_path, self.index_path)
                    ids = [int(h.id) for h in reader.related(paper_id, limit=limit).hits]
                except Exception:  # noqa: BLE001 - the pane then shows none
                    log.exception("related papers of %s failed", paper_id)
                self.found.emit(serial, paper_id, ids)
        finally:
            if reader is not None:
                reader.close()


def related_worker(library: Library, parent: QObject | None = None) -> RelatedWorker | None:
    """A worker for the library's related papers; None for a library in memory (no second
    connection can see it: they are looked up on the GUI thread)."""
    if library.data_dir is None:
        return None
    data_dir = Path(library.data_dir)
    return RelatedWorker(data_dir / DB_FILE, data_dir / INDEX_DIR, parent)

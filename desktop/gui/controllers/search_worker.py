"""The search worker: runs the search field's queries on a thread of its own.

A query that takes a second (64 one-letter prefixes, a long repeated phrase) must not freeze
typing. The worker thread owns an :class:`~desktop.core.search.reader.IndexReader` (its own
SQLite connection and Whoosh searcher: both belong to the thread that opened them). Only the
latest query counts: one that was overtaken by newer text before it started is skipped, and
one overtaken while it runs is cancelled mid-way (the ranker asks, between terms, prefix
words and phrase checks, whether it is still the latest; SQLite asks every few thousand
steps), so the worker is free for the newer text within milliseconds. Results of an
overtaken query are never shown. Results come back to the GUI thread as a signal; the worker
never touches a widget.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop.core.library import DB_FILE, Library
from desktop.core.search.errors import SearchCancelledError
from desktop.core.search.index import INDEX_DIR
from desktop.core.search.reader import IndexReader
from desktop.core.search.results import SearchResults

log = logging.getLogger(__name__)

_STOP = None


class SearchWorker(QObject):
    """Searches on a worker thread; ``found(serial, results)`` arrives on the GUI thread."""

    found = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, db_path: Path, index_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.index_path = index_path
        self.damage_seen = False  # the reader found the index files damaged
        self._latest = 0
        self.cancelled = 0  # queries stopped mid-way because newer text came (tests count)
        self._requests: queue.SimpleQueue[tuple[int, str, int] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="search", daemon=True)
        self._thread.start()

    @property
    def latest(self) -> int:
        """The serial of the newest query asked for."""
        return self._latest

    def submit(self, text: str, limit: int) -> int:
        """Ask for a search; returns its serial (older queries not yet started are skipped,
        and the one running is cancelled)."""
        self._latest += 1
        self._requests.put((self._latest, text, limit))
        return self._latest

    def drop_pending(self) -> None:
        """Make every query asked for so far stale, cancelling the one running (the text
        changed, the field was cleared, or a search ran on the GUI thread)."""
        self._latest += 1

    def stop(self, timeout: float = 2.0) -> None:
        """End the thread after the query running now (waits at most ``timeout`` seconds)."""
        self.drop_pending()
        self._requests.put(_STOP)
        self._thread.join(timeout)

    def _overtaken(self, serial: int) -> bool:
        """True once newer text was asked for than query ``serial`` (any thread may ask)."""
        return serial != self._latest

    def _loop(self) -> None:
        reader: IndexReader | None = None
        try:
            while (request := self._requests.get()) is not _STOP:
                serial, text, limit = request
                if serial != self._latest:
                    continue  # overtaken before it started
                try:
                    if reader is None:
                        reader = IndexReader(self.db_path, self.index_path)
                    results: SearchResults = reader.search(
                        text, limit=limit, cancel=functools.partial(self._overtaken, serial)
                    )
                    self.damage_seen = self.damage_seen or reader.damage_seen
                except SearchCancelledError:
                    self.cancelled += 1
                    continue  # overtaken while it ran: stopped, nothing to show
                except Exception as exc:  # noqa: BLE001 - reported to the GUI, which says it
                    log.exception("background search of %r failed", text)
                    self.failed.emit(serial, f"Search failed: {exc.__class__.__name__}: {exc}")
                    continue
                if serial == self._latest:
                    self.found.emit(serial, results)
        finally:
            if reader is not None:
                reader.close()


def search_worker(library: Library, parent: QObject | None = None) -> SearchWorker | None:
    """A worker for the library's searches; None for a library in memory (no second
    connection can see it: its searches run on the GUI thread)."""
    if library.data_dir is None:
        return None
    data_dir = Path(library.data_dir)
    return SearchWorker(data_dir / DB_FILE, data_dir / INDEX_DIR, parent)

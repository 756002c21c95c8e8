"""The first count of the saved views, with its index work on a thread of its own.

Counting a saved view from scratch asks the search index which papers its text matches:
about 0.5 s for 20 views at 100,000 papers and seconds at a million, too long for the GUI
thread after the first paint. The worker opens its own read-only reader of the same index
files (core/search/reader.py: an SQLite connection and searcher of its own), matches the
texts and hands the answers back as a signal; on the GUI thread they go into the library's
query cache (``QuerySelection.prime``, kept only when the index has not changed since), and
the counts that follow are SQL and numpy alone. The worker never touches a widget.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop.core.id_set import IdSet
from desktop.core.library import DB_FILE, Library
from desktop.core.search.query import Node

log = logging.getLogger(__name__)

# Workers still running: kept here so that none is collected before it reports.
_running: set[TextMatchWorker] = set()
# One answer: the text, the index generation it was read at, the papers it matched.
Match = tuple[Node, int, IdSet]


class TextMatchWorker(QObject):
    """Matches texts once on a worker thread; ``matched(list[Match])`` arrives on the GUI
    thread (an empty list when the index could not answer)."""

    matched = Signal(object)

    def __init__(self, db_path: Path, index_path: Path, texts: list[Node]) -> None:
        super().__init__()
        self.db_path, self.index_path, self.texts = db_path, index_path, texts
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="text-match", daemon=True)

    def start(self) -> None:
        """Start matching."""
        _running.add(self)
        self._thread.start()

    def _run(self) -> None:
        from desktop.core.search.reader import IndexReader

        found: list[Match] = []
        try:
            reader = IndexReader(self.db_path, self.index_path)
            try:
                for text in self.texts:
                    answer = reader.matching(text)
                    if answer is not None:
                        found.append((text, *answer))
            finally:
                reader.close()
        except Exception:  # noqa: BLE001 - the window then counts on its own thread
            log.exception("matching the saved views' texts failed")
        finally:
            self.matched.emit(found)
            self.done.set()
            _running.discard(self)


def match_in_background(
    library: Library, texts: list[Node], on_done: Callable[[list[Match]], None]
) -> TextMatchWorker | None:
    """Match ``texts`` on a worker thread and call ``on_done`` with the answers on the GUI
    thread (which keeps them: ``library.selection.prime``). None, and nothing done, when
    there is nothing to match or the library is in memory (a second connection cannot read
    it)."""
    if library.data_dir is None or not texts:
        return None
    from desktop.core.search.index import INDEX_DIR

    data = Path(library.data_dir)
    worker = TextMatchWorker(data / DB_FILE, data / INDEX_DIR, texts)
    worker.matched.connect(on_done)
    worker.start()
    return worker

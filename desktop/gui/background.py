"""Background work on one worker thread, with progress and cancel, results on the GUI thread.

Workers never touch widgets and never use the GUI's Library: SQLite connections belong to
the thread that opened them, so a worker opens its own ``Library`` on the data dir.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

_pool: QThreadPool | None = None
_running: set[Job] = set()


def pool() -> QThreadPool:
    """The one-thread pool every background job runs on (one writer at a time)."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
    return _pool


class Job(QObject):
    """A handle on a background job: progress reports, cancel, and the final outcome.

    The worker function receives the Job and may call ``report(done, total, label)`` and
    check ``cancelled()``. Signals are delivered on the GUI thread.
    """

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()
        self.done = threading.Event()
        self.result: Any = None
        self.error: str | None = None

    def cancel(self) -> None:
        """Ask the worker to stop at its next check."""
        self._cancel.set()

    def cancelled(self) -> bool:
        """True once cancel() was called."""
        return self._cancel.is_set()

    def report(self, done: int, total: int, label: str = "") -> None:
        """Report progress from the worker thread."""
        self.progressed.emit(done, total, label)


class _Runner(QRunnable):
    def __init__(self, job: Job, fn: Callable[[Job], Any]) -> None:
        super().__init__()
        self.job = job
        self.fn = fn
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            self.job.result = self.fn(self.job)
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the GUI
            self.job.error = f"{exc.__class__.__name__}: {exc}"
            traceback.print_exc()
            self.job.failed.emit(self.job.error)
        else:
            self.job.succeeded.emit(self.job.result)
        finally:
            self.job.done.set()


class _Receiver(QObject):
    """Lives on the GUI thread so the job's signals are queued to it."""

    def __init__(
        self,
        job: Job,
        on_done: Callable[[Any], None],
        on_error: Callable[[str], None],
        on_progress: Callable[[int, int, str], None] | None,
    ) -> None:
        super().__init__()
        self.job = job
        self.on_done = on_done
        self.on_error = on_error
        self.on_progress = on_progress
        job.progressed.connect(self._progress)
        job.succeeded.connect(self._done)
        job.failed.connect(self._error)

    @Slot(int, int, str)
    def _progress(self, done: int, total: int, label: str) -> None:
        if self.on_progress:
            self.on_progress(done, total, label)

    @Slot(object)
    def _done(self, result: Any) -> None:
        _running.discard(self.job)
        self.on_done(result)

    @Slot(str)
    def _error(self, message: str) -> None:
        _running.discard(self.job)
        self.on_error(message)


def run_in_background(
    fn: Callable[[Job], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None],
    on_progress: Callable[[int, int, str], None] | None = None,
) -> Job:
    """Run ``fn(job)`` on the worker thread; ``on_done``/``on_error`` run on the GUI thread."""
    job = Job()
    job.receiver = _Receiver(job, on_done, on_error, on_progress)  # type: ignore[attr-defined]
    _running.add(job)
    pool().start(_Runner(job, fn))
    return job


def busy() -> bool:
    """True while a background job is queued or running."""
    return bool(_running)

"""Background jobs of the window: imports and the search index build, with the status bar's
progress bar and Cancel button."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QProgressBar, QPushButton, QWidget

from desktop.core.library import Library
from desktop.core.models import Changes, ImportResult
from desktop.core.search.index import RebuildCancelledError
from desktop.gui.background import Job, run_in_background
from desktop.gui.dialogs.import_dialog import ImportResultDialog, totals_line
from desktop.gui.plain_text import plain_tooltip

# The check of a cleanly closed search index starts this long after the window asks for it
# (after a crash the comparison starts at once): at a million papers the sidebar's first
# count takes about five seconds on its own thread, and the two would slow the window.
CLEAN_CHECK_DELAY_MS = 10_000


class JobsController:
    """Starts, reports and cancels the import and the index build (a ``Jobs``)."""

    def __init__(
        self,
        library: Library,
        progress: QProgressBar,
        cancel_button: QPushButton,
        *,
        say: Callable[[str], None],
        show_results: Callable[[ImportResultDialog], None],
        index_ready: Callable[[], None],
        closed: Callable[[], bool],
        dialog_parent: QWidget | None = None,
    ) -> None:
        self.library = library
        self.progress = progress
        self.cancel_button = cancel_button
        self.say = say
        self.show_results = show_results  # open the per-file result dialog
        self.index_ready = index_ready  # a new index is open: search again
        self.closed = closed  # the window closed: late results only clean up
        self._clean_check_waited = False
        self.dialog_parent = dialog_parent
        self.import_job: Job | None = None
        self.index_job: Job | None = None
        self.last_import_results: list[ImportResult] | None = None
        cancel_button.clicked.connect(self.cancel)

    # -- imports ---------------------------------------------------------------------------
    def start_import(self, paths: Sequence[str | Path]) -> Job | None:
        """Import files and folders on the worker thread, with progress and cancel."""
        if self.import_job is not None:
            self.say("An import is already running")
            return None
        data_dir = self.library.data_dir
        if data_dir is None:
            self.import_done(self.library.importer.import_paths(list(paths)))
            return None
        today = self.library.today
        wanted = [Path(p) for p in paths]

        def work(job: Job) -> list[ImportResult]:
            # A missing index is not built here (the index build does that, with progress).
            lib = Library.open_for_job(data_dir)
            try:
                lib.today = today
                return lib.importer.import_paths(wanted, progress=job.report, cancel=job.cancelled)
            finally:
                lib.close()

        self._show_progress("Importing…")
        self.say("Importing in the background; keep triaging")
        self.import_job = run_in_background(
            work, self.import_done, self.import_failed, self.import_progress
        )
        return self.import_job

    def import_progress(self, done: int, total: int, name: str) -> None:
        """Show how far the import is (on the GUI thread)."""
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done}/{total} files" if total else "Importing…")
        if name:
            self.progress.setToolTip(plain_tooltip(name) or "")

    def _finish_import(self) -> None:
        self.import_job = None
        self.progress.hide()
        self.cancel_button.hide()

    def import_done(self, results: list[ImportResult]) -> None:
        """Tell every view about the new papers and show what happened to each file."""
        self._finish_import()
        self.last_import_results = list(results)
        # Combined as they are (a snapshot's new ids stay one run, not a million ints).
        touched = Changes.union(Changes(r.changed_ids()) for r in results).papers
        # What the rules did to the new papers is undone here, as one step (u); recorded
        # first, so that the window's undo action is enabled when it hears of the import.
        self.library.rules.record_import_undo(results)
        # Written by another connection: the GUI's library hears about it here.
        self.library.notify(Changes(touched, library=True))
        self.say(totals_line(results))
        self.show_results(ImportResultDialog(results, self.dialog_parent))

    def import_failed(self, message: str) -> None:
        """Reload what the import wrote before it failed, and say why it failed."""
        self._finish_import()
        self.library.notify(Changes(library=True))
        self.say(f"Import failed: {message}")

    # -- the index build -------------------------------------------------------------------
    def start_index_build(self) -> Job | None:
        """Build the search index on the worker thread when the library opened without one
        (first start after an upgrade, a damaged index), with progress and cancel. Until it
        is done, searches answer from a slower scan of the database."""
        data_dir = self.library.data_dir
        if data_dir is None or self.index_job or self.closed():
            return None
        index = self.library.index
        if index.reconcile_due and not index.needs_rebuild:
            if index.taken_stamp is not None and not self._clean_check_waited:
                # A cleanly closed index is almost always right: its check waits until the
                # start's own work (the sidebar's first count) is done, not to compete with it.
                self._clean_check_waited = True
                QTimer.singleShot(CLEAN_CHECK_DELAY_MS, self.progress, self.start_index_build)
                return None
            return self._start_reconcile(data_dir)
        if not self.library.index.needs_rebuild:
            return None

        def work(job: Job) -> int:
            try:
                return Library.build_search_index(
                    data_dir, progress=job.report, cancel=job.cancelled
                )
            except RebuildCancelledError:
                return -1

        if self.import_job is None:
            self._show_progress("Indexing…")
        self.say("Building the search index in the background; search is slower until then")
        self.index_job = run_in_background(
            work, self._index_built, self._index_failed, self._index_progress
        )
        return self.index_job

    def _start_reconcile(self, data_dir: Path) -> Job:
        """Check the index against the database on the worker thread: the clean-close check
        (a few hundred milliseconds at a million papers), and after a crash the comparison of
        every paper (seconds). Search uses the index as it is meanwhile."""
        stamp = self.library.index.taken_stamp
        crashed = stamp is None

        def work(_job: Job) -> int | None:
            return Library.reconcile_search_index(data_dir, stamp)

        if crashed:  # a clean start's check is short and says nothing
            if self.import_job is None:
                self._show_progress("Checking the search index…")
                self.cancel_button.hide()  # a comparison half done is no use
            self.say("Checking the search index against the library after an unclean close")
        self.index_job = run_in_background(
            work,
            lambda count: self._index_reconciled(count, crashed),
            self._index_failed,
            self._index_progress,
        )
        return self.index_job

    def _index_reconciled(self, count: int | None, crashed: bool) -> None:
        self.index_job = None
        if self.closed():  # the window (and its progress bar) may be gone already
            return
        if count is None:  # the index must be built again: the usual open says so
            self._finish_index_build()
            self.start_index_build()
            return
        self._hide_progress()
        self.library.index.checked_elsewhere()
        if count:
            self.index_ready()  # a search on screen runs again, over the papers added
        if crashed or count:
            noun = "paper" if count == 1 else "papers"
            self.say(f"Search index checked: {count:,} {noun} brought up to date")

    def _index_progress(self, done: int, total: int, _label: str) -> None:
        if self.import_job is None:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)
            self.progress.setFormat(f"Indexing {done:,}/{total:,}")

    def _finish_index_build(self) -> None:
        self.index_job = None
        if self.closed():  # the window (and its progress bar) may be gone already
            return
        self._hide_progress()
        # Picks the new index up, with the changes made meanwhile; never builds one here.
        self.library.index.open(defer_rebuild=True)
        self.index_ready()  # the results came from the database scan

    def _index_built(self, count: int) -> None:
        self._finish_index_build()
        if self.closed():
            return
        if count < 0:
            self.say("Search index build cancelled: search uses the database until next start")
        else:
            self.say(f"Search index built: {count:,} papers")

    def _index_failed(self, message: str) -> None:
        self._finish_index_build()
        if not self.closed():
            self.say(f"The search index could not be built: {message}")

    def _hide_progress(self) -> None:
        """Hide the progress bar and Cancel after an index job, unless an import shows them."""
        if self.import_job is None:
            self.progress.hide()
            self.cancel_button.hide()

    # -- both ------------------------------------------------------------------------------
    def _show_progress(self, label: str) -> None:
        """The status bar's progress bar (busy until the first report) and Cancel button."""
        self.progress.setRange(0, 0)
        self.progress.setFormat(label)
        self.progress.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()

    def cancel(self) -> None:
        """Stop the running import after the current file (or the search index build)."""
        job = self.import_job or self.index_job
        if job is not None:
            job.cancel()
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("Cancelling…")

    def stop(self) -> None:
        """Cancel every job and wait for it (the window is closing)."""
        for job in (self.import_job, self.index_job):
            if job is not None:
                job.cancel()
                job.done.wait(10)

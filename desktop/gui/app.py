"""Starting the desktop app: the QApplication, the library, the main window."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from desktop.core.data_dir import platform_dirs, resolve_data_dir
from desktop.core.instance_lock import ALREADY_RUNNING, InstanceLock
from desktop.core.library import Library
from desktop.core.seeds import seed_if_empty
from desktop.core.store import StoreError
from desktop.gui import theme
from desktop.gui.background import run_in_background
from desktop.gui.gui_thread_gc import collect_on_gui_thread
from desktop.gui.icons import app_icon
from desktop.gui.malloc_tuning import tune_allocator
from desktop.gui.single_instance import InstanceServer, connect_window, hand_over
from desktop.gui.status_text import backup_failed, backup_taken

if TYPE_CHECKING:  # imported when a window is built: a second start hands over without it
    from desktop.gui.keymap.user_keys import LoadedKeymap
    from desktop.gui.main_window import MainWindow

# The daily backup copies and verifies the whole database (seconds on a large library): it
# starts on the worker thread this long after the window is built, once the first paint and
# the deferred start-up work are done, so it does not compete with them.
DAILY_BACKUP_DELAY_MS = 2000
# A search index to build (none, or one of an older version) starts building this long after
# the window is built, after its first frame; the search ranker is made ready a bit later.
INDEX_BUILD_DELAY_MS = 200
SEARCH_WARM_UP_DELAY_MS = 1500
# How long the status bar says what was wrong with the keymap file.
KEYMAP_MESSAGE_MS = 30000


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once, styled the same on every platform."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        collect_on_gui_thread(existing)
        return existing
    tune_allocator()  # large freed blocks go back to the system (malloc_tuning.py)
    app = QApplication(argv if argv is not None else sys.argv[:1])
    collect_on_gui_thread(app)  # never in a worker thread: it may destroy Qt objects
    app.setApplicationName("Digest Desk")
    app.setOrganizationName("digest-desk")
    app.setDesktopFileName("digest-desk")
    app.setWindowIcon(app_icon())
    apply_style(app)
    return app


def apply_style(app: QApplication, scheme: str = "system") -> None:
    """Fusion with the palette of the colour scheme (``system``, ``light`` or ``dark``; the
    window applies the one chosen in its View menu).

    The style is set only when it is not Fusion already: ``setStyle`` deletes the old style
    object, and widgets still waiting for their deferred deletion may point at it.
    """
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    theme.set_current(theme.resolve(scheme))


def default_settings() -> QSettings:
    """Where window state is kept: gui-state.ini in the user config folder."""
    folder = platform_dirs().user_config_path
    folder.mkdir(parents=True, exist_ok=True)
    return QSettings(str(folder / "gui-state.ini"), QSettings.Format.IniFormat)


def create_main_window(
    data_dir: Path | str, settings: QSettings | None = None, *, show_dialogs: bool = False
) -> MainWindow:
    """A main window on the library in ``data_dir`` (opened for it, closed with it).

    The library opens as ``run_app`` opens it: the daily backup is left out of the start and
    taken on the worker thread a moment after the window is up (``schedule_daily_backup``).
    Nothing modal is shown unless ``show_dialogs``; benchmarks and tests build windows this way.
    """
    make_application()
    data_dir = Path(data_dir)
    library = Library.open(
        data_dir, defer_daily_backup=True, defer_index_rebuild=True, defer_index_reconcile=True
    )
    window = window_on(library, settings)
    schedule_daily_backup(window, data_dir)
    return window


class IndexWritten(QObject):
    """Brings the background index writer's commits to the GUI thread: saved views are
    counted again from the index that now holds the edit."""

    written = Signal()

    def tell(self, _paper_ids: frozenset[int]) -> None:
        """Called on the writer's thread after a commit."""
        with contextlib.suppress(RuntimeError):  # the window is already gone
            self.written.emit()


def window_on(library: Library, settings: QSettings | None) -> MainWindow:
    """The main window on an open library, which it then owns; open notices go to the status
    bar. A search index the library opened without is built on the worker thread once the
    window is up, and the search ranker is readied when the start-up work is done."""
    from desktop.gui.commands import COMMANDS
    from desktop.gui.keymap.user_keys import keymap_path, load_keymap_file
    from desktop.gui.main_window import MainWindow

    keys = load_keymap_file(keymap_path(), COMMANDS)
    window = MainWindow(library, settings, keymap=keys.keymap)
    relay = IndexWritten(window)
    relay.written.connect(window.refresh_counts)  # on the GUI thread: window is a QObject
    library.write_index_in_background(relay.tell)
    window.owns_library = True
    for notice in library.notices:
        window.statusBar().showMessage(notice, 15000)
    if not keys.ok:  # the broken lines fell back to the preset's keys; say so
        show_keymap_problems(window, keys)
    QTimer.singleShot(INDEX_BUILD_DELAY_MS, window, window.start_index_build)
    QTimer.singleShot(
        SEARCH_WARM_UP_DELAY_MS,
        window,
        lambda: None if window.closed else library.index.warm_up(),
    )
    return window


def show_keymap_problems(window: MainWindow, keys: LoadedKeymap) -> None:
    """Say what was wrong with the keymap file: the first problem in the status bar and on
    stderr, and a mark that stays in the status bar with every problem as its tooltip."""
    print(f"digest-desk: {keys.message()}", file=sys.stderr)
    window.statusBar().showMessage(keys.message(), KEYMAP_MESSAGE_MS)
    count = len(keys.problems)
    name = keys.path.name if keys.path is not None else "keymap file"
    mark = QLabel(f"{name}: {count} problem{'s' if count != 1 else ''}", window)
    mark.setObjectName("keymap-problems")
    mark.setTextFormat(Qt.TextFormat.PlainText)
    mark.setStyleSheet("color: #b45309")
    mark.setToolTip("\n".join(str(p) for p in keys.problems) + "\n(digest-desk keys --check)")
    window.statusBar().addPermanentWidget(mark)


def schedule_daily_backup(
    window: MainWindow, data_dir: Path, delay_ms: int = DAILY_BACKUP_DELAY_MS
) -> None:
    """Start the daily backup ``delay_ms`` after now (so after the first paint), unless the
    window was closed by then."""

    def start() -> None:
        if not window.closed:
            start_daily_backup(window, data_dir)

    QTimer.singleShot(delay_ms, window, start)


def start_daily_backup(window: MainWindow, data_dir: Path) -> None:
    """Take the daily backup on the worker thread once the window is up (it copies the whole
    database, over a second on a large library); the outcome goes to the status bar."""

    def done(path: object) -> None:
        if path is not None and not window.closed:
            window.statusBar().showMessage(backup_taken(), 5000)  # never the file's path

    def failed(message: str) -> None:
        if not window.closed:
            window.statusBar().showMessage(backup_failed(message), 15000)

    run_in_background(lambda job: Library.take_daily_backup(data_dir), done, failed)


def run_app(args: argparse.Namespace) -> int:
    """Start the app on ``--data-dir`` (or the default library) and run until quit; with the
    library already open in another app, hand that one ``args.files`` and return at once."""
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    data_dir.mkdir(parents=True, exist_ok=True)
    files = [str(f) for f in getattr(args, "files", None) or []]
    lock = InstanceLock(data_dir)
    if not lock.try_acquire():
        return hand_over_to_running_app(data_dir, lock, files)
    app = make_application()
    server = InstanceServer(data_dir)
    server.listen()  # before the library opens: a second start meanwhile waits for it
    try:
        try:
            library = Library.open(
                data_dir,
                defer_daily_backup=True,
                defer_index_rebuild=True,
                defer_index_reconcile=True,
            )
        except StoreError as exc:
            QMessageBox.critical(None, "Digest Desk cannot open the library", str(exc))
            return 2
        seed_if_empty(library)
        window = window_on(library, default_settings())
        window.show()
        if files:  # imported once the window is up, as the files of a second start are
            server.pending_request(files)
        connect_window(
            server,
            lambda token: bring_forward(window, token),
            lambda paths: import_when_idle(window, paths),
        )
        schedule_daily_backup(window, data_dir)
        return int(app.exec())
    finally:
        server.close()
        lock.release()


def hand_over_to_running_app(data_dir: Path, lock: InstanceLock, files: list[str]) -> int:
    """A second start: the running app's window comes forward and imports ``files``; one line
    on the terminal says so (0), or that the app holding the library did not answer (1)."""
    pid = lock.holder_pid()
    running = f"{ALREADY_RUNNING}" + (f" (process {pid})" if pid else "") + f": {data_dir}"
    if hand_over(data_dir, files):
        handed = f" and given {len(files)} file{'s' if len(files) != 1 else ''} to import"
        print(f"{running}; its window was brought forward{handed if files else ''}.")
        return 0
    print(
        f"{running}; it did not answer (it may be a command such as restore, or busy).",
        file=sys.stderr,
    )
    return 1


def bring_forward(window: MainWindow, activation_token: str | None = None) -> None:
    """Show the window un-minimized, on top and active (a Wayland compositor needs the
    activation token of the second start to let it take the focus)."""
    if window.closed:
        return
    if activation_token and sys.platform.startswith("linux"):
        # Qt's wayland plugin reads it when the window asks to be activated.
        os.environ["XDG_ACTIVATION_TOKEN"] = activation_token
        os.environ["DESKTOP_STARTUP_ID"] = activation_token
    window.setWindowState(
        (window.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
    )
    window.show()
    window.raise_()
    window.activateWindow()


def import_when_idle(window: MainWindow, paths: list[Path]) -> bool:
    """Import ``paths`` in the window; False (asked again later) while an import is running."""
    if window.closed:
        return True  # nobody to import them any more
    if window.import_job is not None:
        return False
    window.start_import(paths)
    return True

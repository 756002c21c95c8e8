"""A child process for the crash tests: does one kind of write, to be killed at random.

Run as ``python -m tests.reliability.crash_driver MODE DATA_DIR [ARGS...]``. It opens the
library, prints ``go`` when the work starts and ``done SECONDS`` when it has finished; the
parent kills it with SIGKILL somewhere in between.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import whoosh.index

from desktop.core import backup
from desktop.core.instance_lock import InstanceLock
from desktop.core.library import Library
from desktop.core.search.documents import INDEX_NAME
from desktop.core.search.index import INDEX_DIR
from tests.reliability.crash_support import TODAY, note_text


def _say(word: str) -> None:
    sys.stdout.write(word + "\n")
    sys.stdout.flush()


def run_import(lib: Library, paths: list[str]) -> None:
    """Import the files in order (all or nothing each, committed in batches).

    ``DIGEST_DESK_IMPORT_BATCH_FILES`` and ``DIGEST_DESK_IMPORT_BATCH_SECONDS`` set the group
    commit (the app's own when unset), and ``DIGEST_DESK_CRASH_FILE_PAUSE`` a pause in seconds
    before each file, so that kills also land between files of an open batch.
    """
    if "DIGEST_DESK_IMPORT_BATCH_FILES" in os.environ:
        lib.importer.batch_files = int(os.environ["DIGEST_DESK_IMPORT_BATCH_FILES"])
    if "DIGEST_DESK_IMPORT_BATCH_SECONDS" in os.environ:
        lib.importer.batch_seconds = float(os.environ["DIGEST_DESK_IMPORT_BATCH_SECONDS"])
    pause = float(os.environ.get("DIGEST_DESK_CRASH_FILE_PAUSE", "0"))

    def before_each_file(done: int, total: int, name: str) -> None:
        if pause and name:
            time.sleep(pause)

    results = lib.importer.import_paths([Path(p) for p in paths], progress=before_each_file)
    bad = [r for r in results if not r.ok]
    if bad:
        raise SystemExit(f"import failed: {bad[0].summary()}")


def run_snapshot_import(lib: Library, paths: list[str], *, wal: bool = False) -> None:
    """Import a small snapshot the way a large one is: read by worker processes in many
    ranges, stored in many batches with a rollback journal (the library is the driver's
    alone) or, with ``wal``, in WAL mode as when the app's window has the library open, the
    sort indexes dropped after the first and built again at the end."""
    from desktop.core.importing import import_writer, snapshot_workers

    import_writer.SNAPSHOT_BATCH = 40
    import_writer.ROLLBACK_JOURNAL_MIN_BYTES = None if wal else 0
    import_writer.DEFER_INDEXES_MIN_PAPERS = 0
    snapshot_workers.PARALLEL_MIN_BYTES = 0
    snapshot_workers.RANGE_BYTES = 16 * 1024
    lib.importer.snapshot_readers = 2
    run_import(lib, paths)


def run_index(lib: Library, paths: list[str]) -> None:
    """Import files that add and change papers (incremental index writes), then reindex."""
    run_import(lib, paths)
    lib.index.rebuild()


def hold_index_writer(lib: Library, args: list[str]) -> None:
    """Take the search index's write lock and keep it until killed (or ``args[0]`` seconds)."""
    assert lib.data_dir is not None
    index = whoosh.index.open_dir(str(lib.data_dir / INDEX_DIR), indexname=INDEX_NAME)
    writer = index.writer()
    _say("locked")
    time.sleep(float(args[0]) if args else 3600)
    writer.cancel()


def edit_annotations(lib: Library, args: list[str]) -> None:
    """Save a note again and again (as autosave does after each pause), with a tag and a
    highlight now and then; print ``saved N`` once each save has returned."""
    ids = lib.views.ids("all")
    for n in range(100000):
        pid = ids[n % len(ids)]
        lib.notes.set(pid, note_text(n))
        if n % 5 == 0:
            lib.tags.add([pid], f"crash-{n}")
        if n % 7 == 0:
            title = lib.papers.many([pid], with_sightings=False)[0].title
            lib.highlights.add(pid, "title", 0, min(8, len(title)), note=f"highlight {n}")
        _say(f"saved {n}")


def gui_note(lib: Library, args: list[str]) -> None:
    """In the real window, type a note, stop for longer than the autosave pause, say
    ``paused``, then keep typing without a pause until killed."""
    from PySide6.QtTest import QTest

    from desktop.gui.app import make_application
    from desktop.gui.main_window import MainWindow
    from desktop.gui.widgets.annotation_layer import NOTE_SAVE_DELAY_MS

    app = make_application()
    win = MainWindow(lib, None)
    win.show()
    win.go_to_paper(lib.views.ids("all")[0])
    layer = win.annotations
    layer.open_note_editor()
    QTest.keyClicks(layer.note_editor, args[0])
    pause_end = time.monotonic() + NOTE_SAVE_DELAY_MS / 1000 + 1.0
    while time.monotonic() < pause_end:  # the user stops typing for a while
        app.processEvents()
        time.sleep(0.01)
    _say("paused")
    while True:  # and types on, faster than the autosave pause
        QTest.keyClicks(layer.note_editor, " more")
        app.processEvents()
        time.sleep(0.05)


def run_backups(lib: Library, args: list[str]) -> None:
    """Take manual backups one after another (each verified, then rotated)."""
    assert lib.data_dir is not None
    for _ in range(int(args[0])):
        backup.take_backup(lib.db, lib.data_dir, "manual")


def run_restore(lib: Library, args: list[str]) -> None:
    """Close the library and restore the file ``args[0]`` over it."""
    assert lib.data_dir is not None
    lib.close()
    backup.restore_backup(lib.data_dir, Path(args[0]))


def hold_instance_lock(lib: Library, args: list[str]) -> None:
    """Take the single-instance lock of the library and keep it until killed."""
    assert lib.data_dir is not None
    lock = InstanceLock(lib.data_dir).acquire()  # kept referenced: dropping it unlocks
    _say("locked")
    time.sleep(3600)
    lock.release()


def background_notes(lib: Library, args: list[str]) -> None:
    """Save long notes one after another, the index written by the background writer (as
    the app does); print ``saved N`` as each save returns."""
    lib.write_index_in_background()
    ids = lib.views.ids("all")[:5]
    body = " ".join(f"w{i}" for i in range(20_000))
    for n in range(int(args[0])):
        lib.notes.set(ids[n % len(ids)], f"{body} marker{n}x")
        _say(f"saved {n}")


MODES = {
    "import": run_import,
    "import-snapshot": run_snapshot_import,
    "import-snapshot-wal": lambda lib, paths: run_snapshot_import(lib, paths, wal=True),
    "index": run_index,
    "hold-index-writer": hold_index_writer,
    "hold-instance-lock": hold_instance_lock,
    "annotate": edit_annotations,
    "background-notes": background_notes,
    "gui-note": gui_note,
    "backup": run_backups,
    "restore": run_restore,
}


def main(argv: list[str]) -> int:
    """Run one mode against the library in ``argv[1]``."""
    mode, data_dir, *rest = argv
    lib = Library.open(Path(data_dir))
    lib.today = lambda: TODAY
    _say("go")
    start = time.perf_counter()
    MODES[mode](lib, rest)
    _say(f"done {time.perf_counter() - start:.6f}")
    lib.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

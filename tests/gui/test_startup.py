"""The start path: the window comes up first, and slower work (the daily backup, the sidebar
counts, related papers) follows once it is on screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desktop.core import backup
from desktop.core.library import Library
from desktop.core.models import PaperId
from desktop.gui import app, background
from desktop.gui.main_window import MainWindow
from desktop.gui.models.paper_list import FIRST_ROWS


def test_the_daily_backup_is_taken_after_the_window_is_up(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings
) -> None:
    assert backup.daily_backup_due(seeded_dir)
    win = app.create_main_window(seeded_dir, settings)
    qtbot.addWidget(win)
    assert backup.latest_backup(seeded_dir) is None, "the start does not wait for the backup"
    win.show()
    qtbot.waitUntil(lambda: backup.latest_backup(seeded_dir) is not None, timeout=15000)
    qtbot.waitUntil(lambda: not background.busy(), timeout=15000)
    assert "Daily backup taken" in win.statusBar().currentMessage()
    win.close()


def test_no_backup_is_started_for_a_window_closed_before_it_was_due(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings
) -> None:
    win = app.create_main_window(seeded_dir, settings)
    qtbot.addWidget(win)
    win.show()
    win.close()
    qtbot.wait(app.DAILY_BACKUP_DELAY_MS + 300)
    assert not background.busy()
    assert backup.latest_backup(seeded_dir) is None


def test_counts_and_related_papers_come_once_the_window_is_on_screen(
    qtbot: QtBot, seeded: Library, settings: QSettings
) -> None:
    win = MainWindow(seeded, settings)
    qtbot.addWidget(win)
    assert win.detail.paper is not None, "the first paper is shown from the start"
    assert win.counts is None and win.detail.related is None, "both wait for the first frame"
    qtbot.wait(300)
    assert win.counts is None and win.detail.related is None, "not before it is shown"
    win.show()
    qtbot.waitUntil(lambda: win.counts is not None)
    inbox = win.sidebar_model.entries[win.sidebar_model.row_of("inbox")]
    assert inbox.unread == win.counts["inbox"].unread > 0
    assert f"of {win.counts['all'].total} papers" in win.counts_label.text()
    qtbot.waitUntil(lambda: win.detail.related is not None)
    assert "Looking for related papers" not in win.detail.plain_text()
    win.close()


def test_a_restored_sort_order_queries_the_view_once_already_sorted(
    qtbot: QtBot, seeded: Library, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = MainWindow(seeded, settings)
    qtbot.addWidget(first)
    first.sorting.choose("title")
    first.sorting.choose("title")  # again: Z to A
    first.close()
    calls: list[tuple[object, ...]] = []
    real = seeded.views.ids

    def counted(*args: Any, **kwargs: Any) -> list[PaperId]:
        calls.append((*args, *sorted(kwargs.items())))
        return real(*args, **kwargs)

    monkeypatch.setattr(seeded.views, "ids", counted)
    second = MainWindow(seeded, settings)
    qtbot.addWidget(second)
    # Once, and of a large list only the first screen's window (the rest follows in steps).
    window = ("limit", FIRST_ROWS)
    assert calls == [
        ("inbox", ("descending", True), window, ("sort", "title"), ("unread_only", False))
    ]
    assert second.model.ids == real("inbox", sort="title", descending=True)
    header = second.list.horizontalHeader()
    assert header.sortIndicatorSection() == 0
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    second.close()


def test_a_restored_paper_far_down_the_list_is_in_sight_in_the_first_frame(
    qtbot: QtBot, seeded: Library, settings: QSettings
) -> None:
    far = seeded.views.ids("inbox")[200]
    first = MainWindow(seeded, settings)
    qtbot.addWidget(first)
    first.go_to_paper(far)
    first.close()
    second = MainWindow(seeded, settings)
    qtbot.addWidget(second)
    second.show()
    assert second.current_id() == far
    index = second.model.index(second.current_row(), 0)
    assert second.list.viewport().rect().contains(second.list.visualRect(index))
    second.close()


def _window_without_index(qtbot: QtBot, data_dir: Path, settings: QSettings) -> MainWindow:
    """A window on a library whose search index was deleted."""
    import shutil

    shutil.rmtree(data_dir / "index")
    win = app.create_main_window(data_dir, settings)
    qtbot.addWidget(win)
    return win


def test_a_missing_search_index_is_built_in_the_background_after_the_window_is_up(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings
) -> None:
    win = _window_without_index(qtbot, seeded_dir, settings)
    index = win.library.index
    assert index.needs_rebuild, "the window does not wait for the index"
    assert win.library.index.search("DiskGNN").fallback  # the database answers meanwhile
    win.show()
    win.search_field.setText("DiskGNN")
    win.search.run()
    qtbot.waitUntil(lambda: win.index_job is not None, timeout=5000)
    qtbot.waitUntil(lambda: win.index_job is None, timeout=30000)
    assert index.usable and not index.needs_rebuild
    assert "Search index built: 286 papers" in win.statusBar().currentMessage()
    assert not win.library.index.search("DiskGNN").fallback
    assert win.model.search_query == "DiskGNN"  # the search on screen was run again
    assert not win.progress.isVisible()
    win.close()


def test_the_search_index_build_can_be_cancelled(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings
) -> None:
    win = _window_without_index(qtbot, seeded_dir, settings)
    win.show()
    qtbot.waitUntil(lambda: win.index_job is not None, timeout=5000)
    assert win.cancel_button.isVisible()
    win.index_job.cancel()  # as the Cancel button does, before the first batch is checked
    qtbot.waitUntil(lambda: win.index_job is None, timeout=30000)
    message = win.statusBar().currentMessage()
    if "cancelled" in message:  # the build may also have finished first on a fast machine
        assert win.library.index.needs_rebuild
        assert win.library.index.search("DiskGNN").fallback
    else:
        assert "Search index built" in message
    win.close()


def test_an_index_found_damaged_by_a_search_is_rebuilt_in_the_background(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings
) -> None:
    win = app.create_main_window(seeded_dir, settings)
    qtbot.addWidget(win)
    win.show()
    index = win.library.index
    assert index.usable
    # The core has no public way to drop its open searcher (the files are rewritten below).
    index._close_searcher()  # noqa: SLF001
    # The postings and the term tables (a rare word's postings are in its term's entry), as
    # a failing disk might leave them.
    for pattern in ("*.pst", "*.trm"):
        for path in (seeded_dir / "index").glob(pattern):
            path.write_bytes(b"\x00damaged" * 50)
    win.search_field.setText("DiskGNN")
    win.search.run()
    assert win.model.search_query == "DiskGNN"  # answered from the database meanwhile
    assert win.index_job is not None, "the GUI thread did not rebuild it"
    qtbot.waitUntil(lambda: win.index_job is None and index.usable, timeout=30000)
    assert not win.library.index.search("DiskGNN").fallback
    assert win.library.index.search("DiskGNN").hits[0].title.startswith("DiskGNN")
    win.close()


def test_an_index_left_by_a_crash_is_checked_in_the_background_after_the_window_is_up(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings
) -> None:
    with Library.open(seeded_dir) as library:
        library.db.execute(  # as if the app died after SQLite's commit, before the index's
            "INSERT INTO papers (title, title_key, abstract, added_at, updated_at) "
            "VALUES ('Echidna Paper', 'echidna paper', 'spiny', 'x', 'x')"
        )
    next((seeded_dir / "index").glob("*.stamp")).unlink()  # the crash left no clean-close stamp
    win = app.create_main_window(seeded_dir, settings)
    qtbot.addWidget(win)
    index = win.library.index
    assert index.reconcile_due, "the window does not wait for the comparison"
    assert index.usable and not index.search("DiskGNN").fallback  # the index answers meanwhile
    win.show()
    qtbot.waitUntil(lambda: win.index_job is not None, timeout=5000)
    assert win.progress.isVisible() and not win.cancel_button.isVisible()
    qtbot.waitUntil(lambda: win.index_job is None, timeout=30000)
    assert not index.reconcile_due
    assert "Search index checked: 1 paper brought up to date" in win.statusBar().currentMessage()
    assert len(index.search("echidna").ids) == 1
    assert not win.progress.isVisible()
    win.close()


def test_a_clean_start_checks_the_index_on_the_worker_thread_and_says_nothing(
    qtbot: QtBot, seeded_dir: Path, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.gui.controllers import jobs

    monkeypatch.setattr(jobs, "CLEAN_CHECK_DELAY_MS", 300)
    win = app.create_main_window(seeded_dir, settings)
    qtbot.addWidget(win)
    index = win.library.index
    assert index.reconcile_due and index.taken_stamp is not None
    win.show()
    win.statusBar().showMessage("before")
    qtbot.waitUntil(lambda: not index.reconcile_due and win.index_job is None, timeout=30000)
    assert index.usable
    assert not win.progress.isVisible()
    assert "Search index" not in win.statusBar().currentMessage()
    win.close()
    assert next((seeded_dir / "index").glob("*.stamp"), None) is not None

"""The window refreshes from the core's Changes flags, not from which command ran.

Before, per-digest unread counts were recomputed only after commands named in a
``READ_COMMANDS`` list, so a read-state write made any other way left them stale.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.gui.main_window import MainWindow
from desktop.gui.models.sidebar import UnreadRole


def digest_unread(win: MainWindow, view: str) -> int:
    row = win.sidebar_model.row_of(view)
    assert row >= 0, view
    return int(win.sidebar_model.index(row, 0).data(UnreadRole))


def test_a_read_write_outside_any_command_updates_the_digest_counts(
    qtbot: QtBot, win: MainWindow
) -> None:
    win.refresh_counts()
    paper = win.library.papers.get(win.model.ids[0])
    assert paper is not None and not paper.is_read
    view = f"digest:{paper.sightings[0].digest_id}"
    before = digest_unread(win, view)
    win.library.triage.set_read([paper.id], True)  # not through a command
    qtbot.waitUntil(lambda: digest_unread(win, view) == before - 1)
    assert win.sidebar_model.entries[0].unread == win.library.views.counts()["inbox"].unread


def test_a_note_refreshes_the_detail_pane_but_not_the_digest_counts(
    qtbot: QtBot, win: MainWindow
) -> None:
    win.refresh_counts()
    assert not win.digests_changed
    paper_id = win.current_id()
    assert paper_id is not None
    win.library.notes.set(paper_id, "a note about counting")
    assert "a note about counting" in win.detail.plain_text()
    assert not win.digests_changed, "a note changes no read state"

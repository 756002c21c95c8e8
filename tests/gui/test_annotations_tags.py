"""Tags: the editor with completion, chips, sidebar entries with counts, rename and delete."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.gui.dialogs.tag_editor import TagEditor, split_tags
from desktop.gui.main_window import MainWindow
from desktop.gui.models.sidebar import TotalRole
from tests.gui.conftest import press


def editor(win: MainWindow) -> TagEditor:
    dialog = win.last_dialog
    assert isinstance(dialog, TagEditor) and dialog.isVisible()
    return dialog


def sidebar_count(win: MainWindow, name: str) -> int | None:
    win.refresh_counts()  # do not wait for the debounce timer
    row = win.sidebar_model.row_of(f"tag:{name}")
    return None if row < 0 else int(win.sidebar_model.index(row, 0).data(TotalRole))


# The completion popup is a real popup; the offscreen platform says it cannot raise it.
@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_t_edits_tags_with_completion_chips_and_sidebar_counts(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    inbox = fresh.views.ids("inbox")
    win.library.tags.add([inbox[5], inbox[6]], "graph neural nets")
    paper_id = win.current_id()
    press(qtbot, "t")
    dialog = editor(win)
    qtbot.keyClicks(dialog.line, "gra")
    completer = dialog.completer
    assert completer.completionPrefix() == "gra"
    assert completer.completionCount() == 1
    assert completer.currentCompletion() == "graph neural nets, "
    # Taking the suggestion keeps what was typed before the last comma.
    dialog.line.setText("ml, gra")
    assert completer.pathFromIndex(completer.currentIndex()).startswith("ml, ")
    dialog.line.setText("ML, graph neural nets, ml")
    qtbot.keyClick(dialog.line, Qt.Key.Key_Return)
    assert fresh.tags.of_paper(paper_id) == ["graph neural nets", "ML"]
    text = win.detail.plain_text()
    assert "#ML" in text and "#graph neural nets" in text
    assert sidebar_count(win, "graph neural nets") == 3
    assert sidebar_count(win, "ML") == 1
    # Searchable as tag:
    win.search_field.setText('tag:"graph neural nets"')
    win.search.run()
    assert sorted(win.model.ids) == sorted([paper_id, inbox[5], inbox[6]])
    # One undo step takes both tags off again.
    press(qtbot, "Esc u")
    assert fresh.tags.of_paper(paper_id) == []


def test_tag_chip_opens_the_tag_view(qtbot: QtBot, win: MainWindow) -> None:
    from PySide6.QtCore import QUrl

    paper_id = win.current_id()
    win.library.tags.add([paper_id], "to read / maybe")
    win.detail.browser.anchorClicked.emit(QUrl("dd:tag/to%20read%20%2F%20maybe"))
    assert win.view == "tag:to read / maybe"
    assert win.model.ids == [paper_id]


def test_rename_and_delete_from_the_sidebar(qtbot: QtBot, win: MainWindow, fresh: Library) -> None:
    inbox = fresh.views.ids("inbox")
    win.library.tags.add(inbox[:3], "diffusion")
    win.library.tags.add(inbox[2:4], "video")
    win.refresh_counts()
    row = win.sidebar_model.row_of("tag:diffusion")
    rect = win.sidebar.visualRect(win.sidebar_model.index(row, 0))
    menu = win.build_sidebar_menu(rect.center())
    assert menu is not None
    assert [a.objectName() for a in menu.actions()] == ["rename-tag", "delete-tag"]
    menu.actions()[0].trigger()
    dialog = win.last_dialog
    assert dialog is not None and dialog.line.text() == "diffusion"
    dialog.line.setText("video")  # onto an existing tag: the two merge
    dialog.accept()
    assert dict(fresh.tags.all()) == {"video": 4}
    assert sidebar_count(win, "diffusion") is None
    assert sidebar_count(win, "video") == 4
    press(qtbot, "u")
    assert dict(fresh.tags.all()) == {"diffusion": 3, "video": 2}
    # Delete the tag of the current tag view with its key; the view goes back to the Inbox.
    win.set_view("tag:video")
    qtbot.keyClick(win.list, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert dict(fresh.tags.all()) == {"diffusion": 3}
    assert win.view == "inbox"
    assert sidebar_count(win, "video") is None
    press(qtbot, "u")
    assert dict(fresh.tags.all()) == {"diffusion": 3, "video": 2}


def test_split_tags() -> None:
    assert split_tags(" a ,, b  c, A ,") == ["a", "b c"]

"""The paper note: n opens the editor, typing autosaves, leaving and closing save too."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.gui.main_window import MainWindow
from desktop.gui.widgets.annotation_layer import NOTE_SAVE_DELAY_MS
from tests.gui.annotation_helpers import open_digest_paper
from tests.gui.conftest import open_window, press


def type_note(qtbot: QtBot, win: MainWindow, *lines: str) -> None:
    """Press n and type lines into the note editor."""
    press(qtbot, "n")
    editor = win.annotations.note_editor
    assert editor.hasFocus()
    for n, line in enumerate(lines):
        if n:
            qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.keyClicks(editor, line)


def test_note_autosaves_after_a_pause_and_is_there_when_reopened(
    qtbot: QtBot, win: MainWindow, fresh: Library, settings: QSettings
) -> None:
    paper_id = win.current_id()
    type_note(qtbot, win, "# Why it matters", "Compare with **MariusGNN**; j and k are text here")
    assert win.current_id() == paper_id  # j and k typed into the note did not move the list
    assert fresh.notes.get(paper_id) == ""  # not yet: it waits for typing to stop
    expected = "# Why it matters\nCompare with **MariusGNN**; j and k are text here"
    qtbot.waitUntil(lambda: fresh.notes.get(paper_id) == expected, timeout=NOTE_SAVE_DELAY_MS * 5)
    # The rendered view shows the Markdown as formatted text, not its markup.
    text = win.detail.plain_text()
    assert "Why it matters" in text and "Compare with MariusGNN" in text
    assert "**" not in text
    # Leaving the paper and coming back: the note is there.
    press(qtbot, "Esc j k")
    assert win.current_id() == paper_id
    assert "Compare with MariusGNN" in win.detail.plain_text()
    # A new window on the same library shows it too, and n opens it for editing.
    library = win.library
    win.close()
    again = open_window(qtbot, library, settings)
    assert again.current_id() == paper_id
    assert "Compare with MariusGNN" in again.detail.plain_text()
    press(qtbot, "n")
    assert again.annotations.note_editor.toPlainText() == expected
    again.close()


def test_note_is_saved_on_close_without_waiting(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    paper_id = win.current_id()
    type_note(qtbot, win, "written just before quitting")
    assert fresh.notes.get(paper_id) == ""
    press(qtbot, "Ctrl+Q")
    assert not win.isVisible()
    assert fresh.notes.get(paper_id) == "written just before quitting"


def test_ctrl_enter_and_esc_leave_the_editor_and_save(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    paper_id = win.current_id()
    type_note(qtbot, win, "first")
    press(qtbot, "Ctrl+Return")
    assert win.list.hasFocus()
    assert not win.annotations.note_box.isVisible()
    assert fresh.notes.get(paper_id) == "first"
    type_note(qtbot, win, " and second")
    press(qtbot, "Esc")
    assert win.list.hasFocus()
    assert fresh.notes.get(paper_id) == "first and second"
    # Undo: autosaves of one note a moment apart are one step.
    press(qtbot, "u")
    assert fresh.notes.get(paper_id) == ""
    assert "Compare" not in win.detail.plain_text()
    press(qtbot, "Ctrl+Shift+Z")
    assert fresh.notes.get(paper_id) == "first and second"


def test_clicking_another_paper_saves_the_note_to_its_own_paper(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    first = win.current_id()
    type_note(qtbot, win, "belongs to the first paper")
    rect = win.list.visualRect(win.model.index(3, 1))
    qtbot.mouseClick(win.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.current_id() != first
    assert fresh.notes.get(first) == "belongs to the first paper"
    assert fresh.notes.get(win.current_id()) == ""
    assert not win.annotations.note_box.isVisible()


def test_hostile_note_renders_literally_and_never_as_html(qtbot: QtBot, win: MainWindow) -> None:
    paper_id = open_digest_paper(qtbot, win)
    note = "<script>alert(1)</script> <img src=x onerror=alert(2)> [link](javascript:alert(3))"
    win.library.notes.set(paper_id, note)
    text = win.detail.plain_text()
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(2)>" in text
    assert "<b>not bold</b>" in text  # the hostile title, as typed
    html = win.detail.document().toHtml()
    assert "<script" not in html and "<img" not in html
    # A javascript: link in a note is not followed.
    before = list(win.detail.opened_urls)
    from PySide6.QtCore import QUrl

    win.detail.browser.anchorClicked.emit(QUrl("javascript:alert(3)"))
    assert win.detail.opened_urls == before


def test_n_with_no_paper_does_not_open_an_editor(qtbot: QtBot, win: MainWindow) -> None:
    press(qtbot, "g,e")  # the archive is empty
    assert win.current_id() is None
    win.annotations.open_note_editor()
    assert not win.annotations.note_box.isVisible()
    assert QApplication.focusWidget() is not win.annotations.note_editor


def test_a_note_that_cannot_be_saved_keeps_the_window_open_once(
    qtbot: QtBot, win: MainWindow, fresh: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    paper_id = win.current_id()
    type_note(qtbot, win, "precious words")

    def full_disk(_paper_id: int, _text: str) -> None:
        raise OSError("database or disk is full")

    monkeypatch.setattr(win.library.notes, "set", full_disk)
    win.close()
    assert win.isVisible()
    assert "could not be saved" in win.statusBar().currentMessage()
    assert win.annotations.note_editor.toPlainText() == "precious words"
    monkeypatch.undo()
    win.close()  # the disk has room again: saved and closed
    assert not win.isVisible()
    assert fresh.notes.get(paper_id) == "precious words"


def test_note_headings_are_modest_and_n_scrolls_to_the_rendered_note(
    qtbot: QtBot, win: MainWindow
) -> None:
    paper_id = win.current_id()
    win.library.notes.set(paper_id, "# Big heading\n\nbody text")
    doc = win.detail.document()
    found = doc.find("Big heading")
    assert not found.isNull()
    size = found.charFormat().font().pointSizeF()
    assert size <= win.detail.browser.font().pointSizeF() * 1.3
    bar = win.detail.browser.verticalScrollBar()
    assert bar.value() == 0
    press(qtbot, "n")
    assert bar.value() > 0  # the rendered note is in view while the editor is open

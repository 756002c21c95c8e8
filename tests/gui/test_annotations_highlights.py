"""Highlights in the detail pane: keyboard selection, h, colour keys, notes, delete, undo."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from desktop.core.annotations.text_anchor import utf16_offset
from desktop.core.library import Library
from desktop.gui.highlight_colors import highlight_bg
from desktop.gui.main_window import MainWindow
from tests.gui.annotation_helpers import (
    ABSTRACT,
    DIGEST,
    TITLE,
    move_caret,
    open_digest_paper,
    select_in_abstract,
)
from tests.gui.conftest import press


def drawn(win: MainWindow) -> list[tuple[str, str]]:
    """The highlighted passages drawn in the text, with their background colour."""
    out = []
    for extra in win.detail.browser.extraSelections():
        fmt = extra.format
        out.append((extra.cursor.selectedText(), fmt.background().color().name()))
    return out


def test_keyboard_selection_and_h_store_the_right_offsets_past_wide_characters(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    paper_id = open_digest_paper(qtbot, win)
    start = ABSTRACT.index("offline sampling")
    shown = select_in_abstract(qtbot, win, start, len("offline sampling"))
    assert shown == "offline sampling"
    press(qtbot, "h")
    (h,) = fresh.annotations(paper_id).highlights
    assert (h.field, h.start, h.end) == ("abstract", start, start + len("offline sampling"))
    assert h.quote == "offline sampling" == ABSTRACT[h.start : h.end]
    assert h.color == "yellow"
    assert h.prefix == ABSTRACT[max(0, start - 32) : start]
    # Drawn over exactly those words, and selected (the caret sits at its end).
    assert [text for text, _color in drawn(win)] == ["offline sampling"]
    assert win.annotations.selected == h.id
    assert "Highlights (1)".upper() in win.detail.plain_text().upper()
    assert "“offline sampling”" in win.detail.plain_text()


def test_a_title_highlight_after_an_emoji(qtbot: QtBot, win: MainWindow, fresh: Library) -> None:
    paper_id = open_digest_paper(qtbot, win)
    press(qtbot, "v")
    browser = win.detail.browser
    # The caret starts at the abstract; Ctrl+Home goes to the title's start.
    qtbot.keyClick(browser, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(TITLE.index("Science")):
        qtbot.keyClick(browser, Qt.Key.Key_Right)
    for _ in range(len("Science")):
        qtbot.keyClick(browser, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, "h")
    (h,) = fresh.annotations(paper_id).highlights
    assert (h.field, h.quote) == ("title", "Science")
    assert TITLE[h.start : h.end] == "Science"


def test_colour_keys(qtbot: QtBot, win: MainWindow, fresh: Library) -> None:
    paper_id = open_digest_paper(qtbot, win)
    # With text selected, a colour key highlights it in that colour.
    select_in_abstract(qtbot, win, ABSTRACT.index("deep"), len("deep nets"))
    press(qtbot, "3")
    (h,) = fresh.annotations(paper_id).highlights
    assert (h.quote, h.color) == ("deep nets", "blue")
    # With a highlight selected (the caret in it), a colour key recolours it.
    move_caret(qtbot, win, -3)
    assert win.annotations.selected == h.id
    press(qtbot, "4")
    assert fresh.highlights.get(h.id).color == "red"
    assert drawn(win) == [("deep nets", QColor(highlight_bg("red", selected=True)).name())]
    # With nothing selected, a colour key picks the colour of the next highlight.
    move_caret(qtbot, win, 10)
    assert win.annotations.selected is None
    press(qtbot, "5")
    assert win.annotations.color == "purple"
    assert fresh.highlights.get(h.id).color == "red"
    move_caret(qtbot, win, -1)
    qtbot.keyClick(win.detail.browser, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(
        win.detail.browser,
        Qt.Key.Key_Right,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    press(qtbot, "h")
    colors = {x.quote.strip(): x.color for x in fresh.annotations(paper_id).highlights}
    assert colors["deep nets"] == "red"
    assert "purple" in colors.values()
    # The red one is drawn in its colour, no longer selected.
    assert ("deep nets", QColor(highlight_bg("red")).name()) in drawn(win)


def test_highlight_note_delete_and_undo(qtbot: QtBot, win: MainWindow, fresh: Library) -> None:
    paper_id = open_digest_paper(qtbot, win)
    select_in_abstract(qtbot, win, ABSTRACT.index("key idea"), len("key idea"))
    press(qtbot, "h")
    (h,) = fresh.annotations(paper_id).highlights
    assert win.annotations.selected == h.id
    # n on a selected highlight edits that highlight's note, not the paper's.
    press(qtbot, "n")
    dialog = win.last_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.editor, "the trick <i>itself</i>")
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible()
    assert fresh.highlights.get(h.id).note == "the trick <i>itself</i>"
    assert fresh.notes.get(paper_id) == ""
    assert "the trick <i>itself</i>" in win.detail.plain_text()
    with qtbot.waitActive(win):
        win.activateWindow()
    win.detail.browser.setFocus()
    qtbot.keyClick(win.detail.browser, Qt.Key.Key_Delete)
    assert fresh.annotations(paper_id).highlights == ()
    assert win.detail.browser.extraSelections() == []
    press(qtbot, "u")
    (back,) = fresh.annotations(paper_id).highlights
    assert (back.id, back.quote, back.note) == (h.id, "key idea", "the trick <i>itself</i>")
    assert len(win.detail.browser.extraSelections()) == 1
    press(qtbot, "u")  # undoes the note
    assert fresh.highlights.get(h.id).note == ""
    press(qtbot, "u")  # undoes the highlight
    assert fresh.highlights.get(h.id) is None


def test_clicking_a_highlight_selects_it(qtbot: QtBot, win: MainWindow) -> None:
    paper_id = open_digest_paper(qtbot, win)
    start = ABSTRACT.index("smiles")
    h = win.library.highlights.add(paper_id, "abstract", start, start + len("smiles"), "green")
    browser = win.detail.browser
    assert win.annotations.selected is None
    cursor = browser.textCursor()
    extra = browser.extraSelections()[0]
    cursor.setPosition(extra.cursor.selectionStart() + 2)
    point = browser.cursorRect(cursor).center()
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: win.annotations.selected == h.id)
    # Clicking the quote in the list under the abstract selects it too.
    win.annotations.selected = None
    browser.anchorClicked.emit(QUrl(f"dd:highlight/{h.id}"))
    assert win.annotations.selected == h.id


def test_orphaned_highlights_are_listed_with_their_quote_and_not_drawn(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    paper_id = open_digest_paper(qtbot, win)
    start = ABSTRACT.index("offline sampling")
    win.library.highlights.add(paper_id, "abstract", start, start + 16, "blue")
    kept = ABSTRACT.index("deep nets")
    win.library.highlights.add(paper_id, "abstract", kept, kept + 9, "green")
    result = win.library.importer.import_text(
        DIGEST.replace("offline sampling", "online sampling"), "v2"
    )
    assert paper_id in result.updated_ids
    orphan, anchored = sorted(fresh.annotations(paper_id).highlights, key=lambda x: x.color)
    assert orphan.orphaned and not anchored.orphaned
    text = win.detail.plain_text()
    assert "orphaned" in text and "“offline sampling”" in text and "“deep nets”" in text
    assert drawn(win) == [("deep nets", QColor(highlight_bg("green")).name())]


def test_context_menu_offers_highlighting(qtbot: QtBot, win: MainWindow, fresh: Library) -> None:
    paper_id = open_digest_paper(qtbot, win)
    select_in_abstract(qtbot, win, 0, len("We study"))
    menu = win.annotations.build_context_menu()
    labels = [a.text().split("\t")[0] for a in menu.actions()]  # the key follows a tab
    assert "Highlight" in labels and any("method" in x.lower() for x in labels)
    green = next(a for a in menu.actions() if "method" in a.text().lower())
    green.trigger()
    (h,) = fresh.annotations(paper_id).highlights
    assert (h.quote, h.color) == ("We study", "green")


def test_hostile_title_and_highlight_note_show_literally(qtbot: QtBot, win: MainWindow) -> None:
    paper_id = open_digest_paper(qtbot, win)
    h = win.library.highlights.add(paper_id, "abstract", 0, 8, note="<script>alert(1)</script>")
    assert h.note
    text = win.detail.plain_text()
    assert "<b>not bold</b>" in text
    assert "<script>alert(1)</script>" in text
    assert "<b>" not in win.detail.document().toHtml().replace("&lt;b&gt;", "")


def test_brackets_step_through_highlights_from_the_list(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    paper_id = open_digest_paper(qtbot, win)
    later = ABSTRACT.index("offline")
    second = win.library.highlights.add(paper_id, "abstract", later, later + 7, "green")
    first = win.library.highlights.add(paper_id, "title", 0, 6, "blue")
    assert win.list.hasFocus()
    qtbot.keyClick(win.list, Qt.Key.Key_BracketRight)
    assert win.annotations.selected == first.id  # reading order: the title first
    qtbot.keyClick(win.list, Qt.Key.Key_BracketRight)
    assert win.annotations.selected == second.id
    qtbot.keyClick(win.list, Qt.Key.Key_BracketRight)
    assert win.annotations.selected == first.id  # wraps around
    qtbot.keyClick(win.list, Qt.Key.Key_BracketLeft)
    assert win.annotations.selected == second.id
    press(qtbot, "1")
    assert fresh.highlights.get(second.id).color == "yellow"
    qtbot.keyClick(win.list, Qt.Key.Key_Delete)
    assert fresh.highlights.get(second.id) is None
    assert [h.id for h in fresh.annotations(paper_id).highlights] == [first.id]


def test_mouse_selection_click_then_shift_click_and_h(
    qtbot: QtBot, win: MainWindow, fresh: Library
) -> None:
    paper_id = open_digest_paper(qtbot, win)
    browser = win.detail.browser
    base = win.detail.abstract_range[0]

    def point(index: int):  # noqa: ANN202 - a QPoint at the caret before ABSTRACT[index]
        cursor = browser.textCursor()
        cursor.setPosition(base + utf16_offset(ABSTRACT, index))
        return browser.cursorRect(cursor).center()

    start = ABSTRACT.index("smiles")
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point(start))
    qtbot.mouseClick(
        browser.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        point(start + len("smiles in deep")),
    )
    assert browser.textCursor().selectedText() == "smiles in deep"
    press(qtbot, "h")
    (h,) = fresh.annotations(paper_id).highlights
    assert (h.quote, h.start) == ("smiles in deep", start)


def test_double_clicking_a_highlight_opens_its_note(qtbot: QtBot, win: MainWindow) -> None:
    paper_id = open_digest_paper(qtbot, win)
    start = ABSTRACT.index("deep nets")
    h = win.library.highlights.add(paper_id, "abstract", start, start + 9, "blue")
    browser = win.detail.browser
    cursor = browser.textCursor()
    cursor.setPosition(win.detail.abstract_range[0] + utf16_offset(ABSTRACT, start + 3))
    qtbot.mouseDClick(
        browser.viewport(), Qt.MouseButton.LeftButton, pos=browser.cursorRect(cursor).center()
    )
    dialog = win.last_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.highlight.id == h.id and win.annotations.selected == h.id
    dialog.editor.setPlainText("double-clicked")
    dialog.accept()
    assert win.library.highlights.get(h.id).note == "double-clicked"


def test_esc_lets_go_of_the_highlight_so_n_edits_the_paper_note(
    qtbot: QtBot, win: MainWindow
) -> None:
    paper_id = open_digest_paper(qtbot, win)
    h = win.library.highlights.add(paper_id, "abstract", 0, 8, "green")
    win.run_command("next-highlight")
    assert win.annotations.selected == h.id
    win.run_command("escape")  # as the palette runs it, not only the key
    assert win.annotations.selected is None
    press(qtbot, "n")
    assert win.annotations.note_editor.hasFocus()

"""Highlights, the paper note and tags in the detail pane.

The layer adds a section to the detail pane (tag chips, the list of highlights, the rendered
note), draws highlights over the title and abstract as extra selections (character formats
only: imported text stays plain text), lets the keyboard put a caret in the text (Shift+arrows
select), and owns the note editor, which autosaves a moment after typing stops, when the
paper changes, when the editor loses focus and when the window closes.

Offsets: the core stores Python ``str`` offsets into a field; Qt counts UTF-16 code units.
``text_anchor.utf16_offset`` and ``str_index`` convert between the two.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote as url_quote
from urllib.parse import unquote

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.annotations.text_anchor import str_index, utf16_offset
from desktop.core.models import HIGHLIGHT_COLORS, Annotations, Highlight, Paper
from desktop.gui.sidebar_model import HIGHLIGHTS, ViewRole
from desktop.gui.widgets.safe_text import insert_markdown

if TYPE_CHECKING:
    from desktop.gui.main_window import MainWindow

NOTE_SAVE_DELAY_MS = 800
COLOR_KEYS = tuple(HIGHLIGHT_COLORS)  # 1-5 in palette order
# Background of a highlight in the text, and of the selected highlight.
HIGHLIGHT_BG = {
    "yellow": "#fde68a",
    "green": "#bbf7d0",
    "blue": "#bfdbfe",
    "red": "#fecaca",
    "purple": "#e9d5ff",
}
SELECTED_BG = {
    "yellow": "#fbbf24",
    "green": "#4ade80",
    "blue": "#60a5fa",
    "red": "#f87171",
    "purple": "#c084fc",
}
ORPHAN_BG = "#e5e7eb"
TAG_BG = "#e0e7ff"
TAG_FG = "#3730a3"
TEXT = QColor("#1f2937")
MUTED = QColor("#6b7280")
# Keys the detail text keeps for moving its caret instead of the window's shortcuts.
CARET_KEYS = {
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
}


def color_label(color: str) -> str:
    """A palette colour as people read it: ``yellow (key point)``."""
    return f"{color} ({HIGHLIGHT_COLORS.get(color, color)})"


def tag_href(name: str) -> str:
    """The internal link of a tag chip."""
    return "dd:tag/" + url_quote(name, safe="")


class AnnotationLayer(QObject):
    """Highlights, note and tags for the paper in the detail pane; commands call into it."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.win = win
        self.library = win.library
        self.detail = win.detail
        self.browser = win.detail.browser
        self.color = "yellow"  # the colour of the next highlight
        self.selected: int | None = None  # the selected highlight's id
        self.ann: Annotations | None = None
        self.last_dialog: QWidget | None = None
        self._paper_id: int | None = None
        self._caret: int | None = None
        self._in_render = False
        self._close_refused = False
        self._note_pos = 0  # where the note section starts in the pane's document
        self._renders = 0  # counts renders, to tell the user's caret moves from a render's

        flags = (
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.browser.setTextInteractionFlags(flags)
        self.browser.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.browser.customContextMenuRequested.connect(self._context_menu)
        self.browser.cursorPositionChanged.connect(self._on_caret)
        self.browser.anchorClicked.connect(self._on_link)
        self.browser.installEventFilter(self)
        # Kept, so the event filter compares identities without calling into Qt (a window
        # being destroyed still sends events while its widgets are half gone).
        self._viewport = self.browser.viewport()
        self._viewport.installEventFilter(self)

        self._build_note_editor()
        self.detail.sections.append(self._section)
        self.detail.rendered.connect(self._after_render)
        win.installEventFilter(self)
        win.sidebar.activated.connect(self._on_sidebar_entry)
        win.sidebar.clicked.connect(self._on_sidebar_entry)
        self.detail.refresh()

    def _on_sidebar_entry(self, index: QModelIndex) -> None:
        if index.data(ViewRole) == HIGHLIGHTS:
            QTimer.singleShot(0, self, self._open_highlights_once)

    def _open_highlights_once(self) -> None:
        shown = self.win.last_dialog
        if not (
            shown is not None and shown.objectName() == "highlights-view" and shown.isVisible()
        ):
            self.win.run_command("go-highlights")

    def let_go(self) -> None:
        """Esc lets go of the selected highlight (n then edits the paper's note)."""
        if self.selected is not None:
            self.selected = None
            self.detail.refresh()

    # -- note editor -----------------------------------------------------------------------
    def _build_note_editor(self) -> None:
        self.note_box = QFrame(self.detail)
        self.note_box.setObjectName("note-box")
        self.note_box.setFrameShape(QFrame.Shape.StyledPanel)
        box = QVBoxLayout(self.note_box)
        box.setContentsMargins(10, 6, 10, 8)
        box.setSpacing(4)
        self.note_label = QLabel(self.note_box)
        self.note_label.setTextFormat(Qt.TextFormat.PlainText)
        self.note_label.setText("Note (Markdown), saved as you type · Ctrl+Enter: done")
        self.note_label.setWordWrap(True)  # never widens the pane
        palette = self.note_label.palette()
        palette.setColor(self.note_label.foregroundRole(), MUTED)
        self.note_label.setPalette(palette)
        self.note_editor = QPlainTextEdit(self.note_box)
        self.note_editor.setObjectName("note-editor")
        self.note_editor.setPlaceholderText("Write your note on this paper…")
        self.note_editor.setTabChangesFocus(True)
        self.note_editor.setMinimumHeight(150)
        box.addWidget(self.note_label)
        box.addWidget(self.note_editor)
        layout = self.detail.layout()
        layout.addWidget(self.note_box)
        if isinstance(layout, QVBoxLayout):
            layout.setStretchFactor(self.browser, 3)
            layout.setStretchFactor(self.note_box, 2)
        self.note_box.hide()
        self.note_paper: int | None = None  # the paper the editor's text belongs to
        self._note_saved = ""
        self.note_timer = QTimer(self)
        self.note_timer.setSingleShot(True)
        self.note_timer.setInterval(NOTE_SAVE_DELAY_MS)
        self.note_timer.timeout.connect(self.save_note)
        self.note_editor.textChanged.connect(self._on_note_typed)
        self.note_editor.installEventFilter(self)

    def _on_note_typed(self) -> None:
        if self.note_paper is not None:
            self.note_timer.start()

    def edit_note(self) -> None:
        """Open the note editor on the shown paper and give it the keyboard."""
        paper = self.detail.paper
        if paper is None:
            self.win._say("No paper to write a note on")  # noqa: SLF001
            return
        if self.note_paper != paper.id:
            self.save_note()
            text = self.library.note(paper.id)
            self.note_paper = None  # loading is not typing
            self.note_editor.setPlainText(text)
            self._note_saved = text
            self.note_paper = paper.id
        self.note_box.show()
        self.note_editor.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._show_rendered_note()
        self.win._say(  # noqa: SLF001
            "Writing the paper's note: saved as you type; Ctrl+Enter or Esc goes back to the list"
        )
        self.note_editor.moveCursor(QTextCursor.MoveOperation.End)

    def _show_rendered_note(self) -> None:
        """Scroll the pane to the rendered note (it follows the editor as it autosaves)."""
        self.note_box.layout().activate()
        c = QTextCursor(self.browser.document())
        c.setPosition(min(self._note_pos, self.browser.document().characterCount() - 1))
        bar = self.browser.verticalScrollBar()
        bar.setValue(bar.value() + self.browser.cursorRect(c).top() - 12)

    def save_note(self) -> bool:
        """Save the editor's text to its paper now if it changed; False when saving failed."""
        self.note_timer.stop()
        paper_id = self.note_paper
        if paper_id is None:
            return True
        text = self.note_editor.toPlainText()
        if text == self._note_saved:
            return True
        try:
            self.library.set_note(paper_id, text)
        except Exception as exc:  # noqa: BLE001 - keep the text and say why
            self.win._say(f"The note was not saved: {exc}")  # noqa: SLF001
            return False
        self._note_saved = text
        return True

    def finish_note(self) -> None:
        """Save the note, close the editor and give the keyboard back to the list."""
        if self.note_box.isVisible():
            self.save_note()
            self.note_box.hide()
        self.win.list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _close_note_editor(self) -> None:
        self.save_note()
        self.note_box.hide()
        self.note_paper = None

    # -- the section in the detail pane ----------------------------------------------------
    def _section(self, cursor: QTextCursor, paper: Paper) -> None:
        self._in_render = True
        try:
            self.ann = self.library.annotations(paper.id)
        except Exception:  # noqa: BLE001 - a paper deleted meanwhile
            self.ann = None
            return
        ann = self.ann
        d = self.detail
        if ann.tags:
            d._block(cursor, top=2, bottom=6)  # noqa: SLF001
            for n, name in enumerate(ann.tags):
                if n:
                    cursor.insertText("  ", QTextCharFormat())
                fmt = QTextCharFormat()
                fmt.setAnchor(True)
                fmt.setAnchorHref(tag_href(name))
                fmt.setBackground(QColor(TAG_BG))
                fmt.setForeground(QColor(TAG_FG))
                cursor.insertText(f"\u2009#{name}\u2009", fmt)
        if ann.highlights:
            d._heading(cursor, f"Highlights ({len(ann.highlights)})")  # noqa: SLF001
            for h in ann.highlights:
                self._highlight_entry(cursor, h)
        self._note_pos = cursor.position()
        d._heading(cursor, "Note")  # noqa: SLF001
        d._block(cursor, bottom=4)  # noqa: SLF001
        if ann.note.strip():
            start, end = insert_markdown(cursor, ann.note)  # images become their alt text
            self._tame_headings(start, end)
        else:
            cursor.insertText("No note yet. Press n to write one; t adds tags.", d._muted())  # noqa: SLF001

    def _tame_headings(self, start: int, end: int) -> None:
        """Note headings a little larger than the text, not poster-sized."""
        doc = self.browser.document()
        base = self.browser.font().pointSizeF()
        adjust = QTextFormat.Property.FontSizeAdjustment
        spans = []
        block = doc.findBlock(start)
        while block.isValid() and block.position() <= end:
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                size = fragment.charFormat().property(adjust)
                if isinstance(size, int) and size > 0:
                    spans.append((fragment.position(), fragment.length(), size))
                it += 1
            block = block.next()
        for position, length, size in spans:
            c = QTextCursor(doc)
            c.setPosition(position)
            c.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setProperty(adjust, 0)
            fmt.setFontPointSize(base * (1.25 if size >= 3 else 1.1))
            fmt.setFontWeight(QFont.Weight.Bold)
            c.mergeCharFormat(fmt)

    def _highlight_entry(self, cursor: QTextCursor, h: Highlight) -> None:
        d = self.detail
        d._block(cursor, top=4, bottom=1)  # noqa: SLF001
        chip = QTextCharFormat()
        chip.setFontPointSize(self.browser.font().pointSizeF() * 0.85)
        chip.setFontWeight(QFont.Weight.DemiBold)
        if h.orphaned:
            chip.setBackground(QColor(ORPHAN_BG))
            chip.setForeground(MUTED)
            label = "orphaned"
        else:
            chip.setBackground(QColor(HIGHLIGHT_BG.get(h.color, ORPHAN_BG)))
            chip.setForeground(TEXT)
            label = HIGHLIGHT_COLORS.get(h.color, h.color)
        if h.id == self.selected:
            chip.setBackground(QColor(SELECTED_BG.get(h.color, "#9ca3af")))
        cursor.insertText(f"\u2009{label}\u2009", chip)
        cursor.insertText("  ", QTextCharFormat())
        quote = QTextCharFormat()
        quote.setAnchor(True)
        quote.setAnchorHref(f"dd:highlight/{h.id}")
        quote.setForeground(MUTED if h.orphaned else TEXT)
        if h.id == self.selected:
            quote.setFontUnderline(True)
        cursor.insertText(f"“{' '.join(h.quote.split())}”", quote)
        if h.note.strip():
            d._block(cursor, bottom=2)  # noqa: SLF001
            note = QTextCharFormat()
            note.setForeground(MUTED)
            note.setFontItalic(True)
            cursor.insertText("    " + " ".join(h.note.split()), note)

    # -- drawing highlights ----------------------------------------------------------------
    def _field_range(self, field: str) -> tuple[int, int]:
        return self.detail.title_range if field == "title" else self.detail.abstract_range

    def _field_text(self, paper: Paper, field: str) -> str:
        return paper.title if field == "title" else paper.abstract

    def _doc_span(self, paper: Paper, h: Highlight) -> tuple[int, int] | None:
        text = self._field_text(paper, h.field)
        if h.orphaned or not text or h.end > len(text):
            return None
        base = self._field_range(h.field)[0]
        return base + utf16_offset(text, h.start), base + utf16_offset(text, h.end)

    def _after_render(self) -> None:
        self._in_render = False
        self._renders += 1
        paper = self.detail.paper
        new_id = paper.id if paper is not None else None
        if new_id != self._paper_id:
            self._paper_id = new_id
            self.selected = None
            self._caret = None
            if paper is None:
                self.ann = None
            if self.note_paper is not None and self.note_paper != new_id:
                self._close_note_editor()  # may render again (the save is a write)
                return
        self._decorate()

    def _decorate(self) -> None:
        paper = self.detail.paper
        ann = self.ann
        extra: list[QTextEdit.ExtraSelection] = []
        if paper is not None and ann is not None and ann.paper_id == paper.id:
            doc = self.browser.document()
            for h in ann.highlights:
                span = self._doc_span(paper, h)
                if span is None:
                    continue
                sel = QTextEdit.ExtraSelection()
                c = QTextCursor(doc)
                c.setPosition(span[0])
                c.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
                fmt = QTextCharFormat()
                chosen = h.id == self.selected
                colors = SELECTED_BG if chosen else HIGHLIGHT_BG
                fmt.setBackground(QColor(colors.get(h.color, ORPHAN_BG)))
                if chosen:
                    fmt.setFontUnderline(True)
                sel.cursor = c  # type: ignore[attr-defined]
                sel.format = fmt  # type: ignore[attr-defined]
                extra.append(sel)
        self.browser.setExtraSelections(extra)
        if self._caret is not None and self.browser.hasFocus():
            bar = self.browser.verticalScrollBar()
            scroll = bar.value()
            c = QTextCursor(self.browser.document())
            c.setPosition(min(self._caret, self.browser.document().characterCount() - 1))
            self._in_render = True
            try:
                self.browser.setTextCursor(c)
            finally:
                self._in_render = False
            bar.setValue(scroll)

    def select_highlight(self, highlight_id: int | None) -> None:
        """Make a highlight the selected one (colour keys, n and Delete act on it)."""
        if highlight_id == self.selected:
            return
        self.selected = highlight_id
        if highlight_id is not None:
            h = self.library.highlight(highlight_id)
            if h is not None:
                what = "orphaned highlight" if h.orphaned else f"{color_label(h.color)} highlight"
                self.win._say(  # noqa: SLF001
                    f"Selected a {what}: n edits its note, 1–5 its colour, Delete removes it"
                )
        self.detail.refresh()

    # -- caret and mouse -------------------------------------------------------------------
    def _field_at(self, position: int) -> tuple[str, int] | None:
        paper = self.detail.paper
        if paper is None:
            return None
        for field in ("title", "abstract"):
            start, end = self._field_range(field)
            text = self._field_text(paper, field)
            if text and start <= position <= end:
                return field, str_index(text, position - start)
        return None

    def _on_caret(self) -> None:
        # Decide once the key or click is fully handled, and only for carets the user moved:
        # a render in between (which resets the caret) makes the event stale.
        if self._in_render or not self.browser.hasFocus() or self.detail.paper is None:
            return
        serial = self._renders
        QTimer.singleShot(0, self, lambda: self._caret_moved(serial))  # dropped with self

    def _caret_moved(self, serial: int) -> None:
        if serial != self._renders or self.detail.paper is None or not self.browser.hasFocus():
            return
        cursor = self.browser.textCursor()
        self._caret = cursor.position()
        if cursor.hasSelection():
            return
        at = self._field_at(cursor.position())
        found = None
        if at is not None:
            h = self.library.highlight_at(self.detail.paper.id, at[0], at[1])
            found = h.id if h is not None else None
        if found != self.selected:
            self.selected = found
            self.detail.refresh()

    def _double_click(self, point: QPoint) -> bool:
        """Double-clicking a highlight opens its note; True when one was hit."""
        paper = self.detail.paper
        at = self._field_at(self.browser.cursorForPosition(point).position())
        if paper is None or at is None:
            return False
        h = self.library.highlight_at(paper.id, at[0], at[1])
        if h is None:
            return False
        self.select_highlight(h.id)
        self.edit_highlight_note(h)
        return True

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() != "dd":
            return
        kind, _, ident = url.path().partition("/")
        if kind == "highlight" and ident.isdigit():
            self.select_highlight(int(ident))
        elif kind == "tag" and ident:
            self.win.set_view("tag:" + unquote(ident))

    def focus_text(self) -> None:
        """Put a caret at the start of the abstract (Shift+arrows then select text)."""
        if self.detail.paper is None:
            return
        self.browser.setFocus(Qt.FocusReason.ShortcutFocusReason)
        c = QTextCursor(self.browser.document())
        c.setPosition(self.detail.abstract_range[0])
        self.browser.setTextCursor(c)
        self.browser.ensureCursorVisible()
        self.win._say(  # noqa: SLF001
            "Caret in the text: arrows move, Shift+arrows select, h highlights, Esc goes back"
        )

    def _context_menu(self, pos: QPoint) -> None:
        menu = self.build_context_menu()
        menu.exec(self.browser.viewport().mapToGlobal(pos))

    def build_context_menu(self) -> QMenu:
        """The detail text's context menu: copy, highlight in each colour, note, delete."""
        menu = QMenu(self.browser)
        copy = menu.addAction("Copy")
        copy.setEnabled(self.browser.textCursor().hasSelection())
        copy.triggered.connect(self.browser.copy)
        menu.addSeparator()
        actions = self.win.actions_by_name
        menu.addAction(actions["highlight"])
        for n in range(1, len(COLOR_KEYS) + 1):
            menu.addAction(actions[f"color-{n}"])
        menu.addSeparator()
        for name in ("edit-note", "delete-highlight", "edit-tags"):
            menu.addAction(actions[name])
        return menu

    # -- highlight commands ----------------------------------------------------------------
    def selected_span(self) -> tuple[str, int, int] | None:
        """The selected text as ``(field, start, end)`` str offsets, trimmed of spaces."""
        paper = self.detail.paper
        cursor = self.browser.textCursor()
        if paper is None or not cursor.hasSelection():
            return None
        a, b = cursor.selectionStart(), cursor.selectionEnd()
        for field in ("abstract", "title"):
            start, end = self._field_range(field)
            text = self._field_text(paper, field)
            if not text or b <= start or a >= end:
                continue
            s = str_index(text, max(a, start) - start)
            e = str_index(text, min(b, end) - start)
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if s < e:
                return field, s, e
        return None

    def highlight(self, color: str | None = None) -> None:
        """Highlight the selected text in ``color`` (default: the current colour)."""
        paper = self.detail.paper
        span = self.selected_span()
        if paper is None or span is None:
            self.win._say(  # noqa: SLF001
                "Select text in the title or abstract first: v puts a caret there, "
                "Shift+arrows select (or drag with the mouse)"
            )
            return
        field, start, end = span
        try:
            h = self.library.add_highlight(paper.id, field, start, end, color=color or self.color)
        except Exception as exc:  # noqa: BLE001 - say why, keep going
            self.win._say(f"Could not highlight: {exc}")  # noqa: SLF001
            return
        span_in_doc = self._doc_span(paper, h)
        self._caret = span_in_doc[1] if span_in_doc else None
        self.selected = h.id
        self.detail.refresh()
        self.win._say(  # noqa: SLF001
            f"Highlighted in {color_label(h.color)}: n adds a note, u undoes"
        )

    def step_highlight(self, delta: int) -> None:
        """Select the next (+1) or previous (-1) highlight of the paper, in reading order."""
        paper, ann = self.detail.paper, self.ann
        if paper is None or ann is None or ann.paper_id != paper.id or not ann.highlights:
            self.win._say("This paper has no highlights")  # noqa: SLF001
            return
        ids = [h.id for h in ann.highlights]
        if self.selected in ids:
            index = (ids.index(self.selected) + delta) % len(ids)
        else:
            index = 0 if delta > 0 else len(ids) - 1
        h = ann.highlights[index]
        span = self._doc_span(paper, h)
        if span is not None and self.browser.hasFocus():
            self._caret = span[0]
        self.select_highlight(h.id)
        if span is not None:
            c = QTextCursor(self.browser.document())
            c.setPosition(span[0])
            self._in_render = True
            try:
                self.browser.setTextCursor(c)
                self.browser.ensureCursorVisible()
            finally:
                self._in_render = False

    def pick_color(self, number: int) -> None:
        """Colour ``number`` (1–5): recolour the selected highlight, or highlight the selected
        text in it, or use it for the next highlight."""
        color = COLOR_KEYS[number - 1]
        if self.selected_span() is not None:
            self.color = color
            self.highlight(color)
            return
        if self.selected is not None and self.library.highlight(self.selected) is not None:
            try:
                self.library.set_highlight_color(self.selected, color)
            except Exception as exc:  # noqa: BLE001
                self.win._say(f"Could not change the colour: {exc}")  # noqa: SLF001
                return
            self.win._say(f"Highlight is now {color_label(color)}")  # noqa: SLF001
            return
        self.color = color
        self.win._say(f"Next highlight: {color_label(color)}")  # noqa: SLF001

    def note_key(self) -> None:
        """n: edit the selected highlight's note, else the paper's note."""
        if self.selected is not None:
            h = self.library.highlight(self.selected)
            if h is not None:
                self.edit_highlight_note(h)
                return
        self.edit_note()

    def edit_highlight_note(self, h: Highlight) -> None:
        """Open a small editor on a highlight's note."""
        from desktop.gui.highlight_note_dialog import HighlightNoteDialog

        dialog = HighlightNoteDialog(h, self.win)
        self.last_dialog = dialog

        def save() -> None:
            try:
                self.library.set_highlight_note(h.id, dialog.text())
            except Exception as exc:  # noqa: BLE001
                self.win._say(f"The highlight note was not saved: {exc}")  # noqa: SLF001

        dialog.accepted.connect(save)
        dialog.open()

    def delete_selected(self) -> None:
        """Delete the selected highlight."""
        if self.selected is None or self.library.highlight(self.selected) is None:
            self.win._say(  # noqa: SLF001
                "No highlight selected: click one, or move the caret into it (v)"
            )
            return
        self.library.delete_highlight(self.selected)
        self.selected = None
        self.detail.refresh()
        self.win._say("Highlight deleted   ·   u undoes")  # noqa: SLF001

    # -- events ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.browser and kind == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if event.key() in CARET_KEYS and not event.modifiers() & (
                Qt.KeyboardModifier.AltModifier
            ):
                event.accept()
                return True
        elif (
            watched is self._viewport
            and kind == QEvent.Type.MouseButtonDblClick
            and isinstance(event, QMouseEvent)
            and self._double_click(event.position().toPoint())
        ):
            return True
        elif watched is self.note_editor and kind == QEvent.Type.FocusOut:
            self.save_note()
            reason = getattr(event, "reason", lambda: None)()
            if reason not in (
                Qt.FocusReason.ActiveWindowFocusReason,
                Qt.FocusReason.PopupFocusReason,
            ):
                self.note_box.hide()
        elif (
            watched is self.win
            and kind == QEvent.Type.Close
            and not self.save_note()
            and not self._close_refused
        ):
            # Keep the window (and the unsaved text) once; a second close discards it.
            self._close_refused = True
            self.win._say(  # noqa: SLF001
                "The note could not be saved; copy it somewhere, or close again to discard it"
            )
            event.ignore()
            return True
        return super().eventFilter(watched, event)

    def stop(self) -> None:
        """Save what is pending (the window is closing)."""
        self.save_note()

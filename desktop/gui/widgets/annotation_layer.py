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

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QTextBlockFormat,
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
)

from desktop.core.annotations.text_anchor import str_index, utf16_offset
from desktop.core.models import HIGHLIGHT_COLORS, Annotations, Highlight, Paper
from desktop.gui import theme
from desktop.gui.core_errors import CORE_ERRORS
from desktop.gui.highlight_colors import COLOR_KEYS, color_label, highlight_bg, orphan_bg
from desktop.gui.widgets.detail_pane import DetailPane
from desktop.gui.widgets.safe_text import insert_markdown

if TYPE_CHECKING:
    from desktop.gui.context import WindowContext

NOTE_SAVE_DELAY_MS = 800
# The detail pane renders this much of a note; laying out a 1 MB note took Qt seconds on each
# autosave. The editor (n) always holds the whole note.
RENDERED_NOTE_CHARS = 20_000


def rendered_part(note: str, limit: int = RENDERED_NOTE_CHARS) -> str:
    """The start of a long note that the pane renders: up to ``limit`` characters, cut at
    the last paragraph (else line, else word) break before the limit."""
    if len(note) <= limit:
        return note
    head = note[:limit]
    for mark in ("\n\n", "\n", " "):
        cut = head.rfind(mark)
        if cut > limit // 2:
            return head[:cut]
    return head


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


def tag_href(name: str) -> str:
    """The internal link of a tag chip."""
    return "dd:tag/" + url_quote(name, safe="")


class AnnotationLayer(QObject):
    """Highlights, note and tags for the paper in the detail pane (an ``AnnotationView``).

    It draws and keeps the selection; the commands (``commands/annotations.py``) decide what
    a key does and make the writes.
    """

    def __init__(self, ctx: WindowContext, detail: DetailPane) -> None:
        super().__init__(detail)
        self.ctx = ctx
        self.library = ctx.library
        self.detail = detail
        self.browser = detail.browser
        self.color = "yellow"  # the colour of the next highlight
        self.selected: int | None = None  # the selected highlight's id
        self.ann: Annotations | None = None
        self._paper_id: int | None = None
        self._caret: int | None = None
        self._in_render = False
        self.close_refused = False  # a close was refused once for an unsaved note
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
        self.detail.refresh()

    def let_go(self) -> None:
        """Esc lets go of the selected highlight (n then edits the paper's note)."""
        if self.selected is not None:
            self.selected = None
            self.detail.refresh()

    # -- note editor -----------------------------------------------------------------------
    def restyle(self) -> None:
        """Take the current theme's colours (the pane re-renders on its own)."""
        palette = self.note_label.palette()
        palette.setColor(self.note_label.foregroundRole(), theme.current().color("muted"))
        self.note_label.setPalette(palette)

    def _build_note_editor(self) -> None:
        self.note_box = QFrame(self.detail)
        self.note_box.setObjectName("note-box")
        self.note_box.setFrameShape(QFrame.Shape.StyledPanel)
        box = self.note_layout = QVBoxLayout(self.note_box)
        box.setContentsMargins(10, 6, 10, 8)
        box.setSpacing(4)
        self.note_label = QLabel(self.note_box)
        self.note_label.setTextFormat(Qt.TextFormat.PlainText)
        self.note_label.setText("Note (Markdown), saved as you type · Ctrl+Enter: done")
        self.note_label.setWordWrap(True)  # never widens the pane
        palette = self.note_label.palette()
        palette.setColor(self.note_label.foregroundRole(), theme.current().color("muted"))
        self.note_label.setPalette(palette)
        self.note_editor = QPlainTextEdit(self.note_box)
        self.note_editor.setObjectName("note-editor")
        self.note_editor.setPlaceholderText("Write your note on this paper…")
        self.note_editor.setTabChangesFocus(True)
        self.note_editor.setMinimumHeight(150)
        box.addWidget(self.note_label)
        box.addWidget(self.note_editor)
        layout = self.detail.column
        layout.addWidget(self.note_box)
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

    def open_note_editor(self) -> bool:
        """Open the note editor on the shown paper and give it the keyboard; False when no
        paper is shown."""
        paper = self.detail.paper
        if paper is None:
            return False
        if self.note_paper != paper.id:
            self.save_note()
            text = self.library.notes.get(paper.id)
            self.note_paper = None  # loading is not typing
            self.note_editor.setPlainText(text)
            self._note_saved = text
            self.note_paper = paper.id
        self.note_box.show()
        self.note_editor.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._show_rendered_note()
        self.note_editor.moveCursor(QTextCursor.MoveOperation.End)
        return True

    def _show_rendered_note(self) -> None:
        """Scroll the pane to the rendered note (it follows the editor as it autosaves)."""
        self.note_layout.activate()
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
            self.library.notes.set(paper_id, text)
        except CORE_ERRORS as exc:  # keep the text and say why
            self.ctx.say(f"The note was not saved: {exc}")
            return False
        self._note_saved = text
        return True

    def close_note_editor(self) -> None:
        """Save the note and hide the editor if it is open."""
        if self.note_box.isVisible():
            self.save_note()
            self.note_box.hide()

    def may_close(self) -> bool:
        """Whether the window may close: the note is saved, or a close was refused once
        already (a second close discards the unsaved text)."""
        if self.save_note() or self.close_refused:
            return True
        self.close_refused = True
        self.ctx.say("The note could not be saved; copy it somewhere, or close again to discard it")
        return False

    def _close_note_editor(self) -> None:
        self.save_note()
        self.note_box.hide()
        self.note_paper = None

    # -- the section in the detail pane ----------------------------------------------------
    def _section(self, cursor: QTextCursor, paper: Paper) -> None:
        self._in_render = True
        try:
            self.ann = self.library.annotations(paper.id)
        except CORE_ERRORS:  # a paper deleted meanwhile
            self.ann = None
            return
        ann = self.ann
        d = self.detail
        colors = theme.current()
        if ann.tags:
            d.block(cursor, top=2, bottom=6)
            for n, name in enumerate(ann.tags):
                if n:
                    cursor.insertText("  ", QTextCharFormat())
                fmt = QTextCharFormat()
                fmt.setAnchor(True)
                fmt.setAnchorHref(tag_href(name))
                fmt.setBackground(colors.color("tag_bg"))
                fmt.setForeground(colors.color("tag_fg"))
                cursor.insertText(f"\u2009#{name}\u2009", fmt)
        if ann.highlights:
            d.heading(cursor, f"Highlights ({len(ann.highlights)})")
            for h in ann.highlights:
                self._highlight_entry(cursor, h)
        self._note_pos = cursor.position()
        d.heading(cursor, "Note")
        d.block(cursor, bottom=4)
        if ann.note.strip():
            shown = rendered_part(ann.note)
            start, end = insert_markdown(cursor, shown)  # images become their alt text
            self._tame_headings(start, end)
            if len(shown) < len(ann.note):
                d.block(cursor, top=4)
                rest = len(ann.note) - len(shown)
                cursor.insertText(
                    f"… and {rest:,} more characters of this note: press n to read all of it.",
                    d.muted(),
                )
        else:
            cursor.insertText("No note yet. Press n to write one; t adds tags.", d.muted())

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
        colors = theme.current()
        d.block(cursor, top=4, bottom=1)
        chip = QTextCharFormat()
        chip.setFontPointSize(self.browser.font().pointSizeF() * 0.85)
        chip.setFontWeight(QFont.Weight.DemiBold)
        if h.orphaned:
            chip.setBackground(QColor(orphan_bg()))
            chip.setForeground(colors.color("muted"))
            label = "orphaned"
        else:
            chip.setBackground(QColor(highlight_bg(h.color)))
            chip.setForeground(colors.color("text"))
            label = HIGHLIGHT_COLORS.get(h.color, h.color)
        if h.id == self.selected:
            chip.setBackground(QColor(highlight_bg(h.color, selected=True)))
        cursor.insertText(f"\u2009{label}\u2009", chip)
        cursor.insertText("  ", QTextCharFormat())
        quote = QTextCharFormat()
        quote.setAnchor(True)
        quote.setAnchorHref(f"dd:highlight/{h.id}")
        quote.setForeground(colors.color("muted" if h.orphaned else "text"))
        if h.id == self.selected:
            quote.setFontUnderline(True)
        cursor.insertText(f"“{' '.join(h.quote.split())}”", quote)
        if h.note.strip():
            d.block(cursor, bottom=2)
            # Markdown, like the paper's note (never HTML; images become their alt text).
            start, end = insert_markdown(cursor, h.note)
            self._tame_headings(start, end)
            self._indent_muted(start, end)

    def _indent_muted(self, start: int, end: int) -> None:
        """Indent a highlight's note under its quote, in the muted colour (links keep theirs)."""
        doc = self.browser.document()
        blocks = []
        plain: list[tuple[int, int]] = []
        block = doc.findBlock(start)
        while block.isValid() and block.position() <= end:
            blocks.append(block.position())
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if not fragment.charFormat().isAnchor():
                    lo = max(fragment.position(), start)
                    plain.append((lo, min(fragment.position() + fragment.length(), end)))
                it += 1
            block = block.next()
        for position in blocks:
            c = QTextCursor(doc)
            c.setPosition(position)
            fmt = QTextBlockFormat()
            fmt.setLeftMargin(c.blockFormat().leftMargin() + 22)
            fmt.setBottomMargin(2)
            c.mergeBlockFormat(fmt)
        muted = QTextCharFormat()
        muted.setForeground(theme.current().color("muted"))
        for lo, hi in plain:
            c = QTextCursor(doc)
            c.setPosition(lo)
            c.setPosition(hi, QTextCursor.MoveMode.KeepAnchor)
            c.mergeCharFormat(muted)

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
                fmt.setBackground(QColor(highlight_bg(h.color, selected=chosen)))
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
            h = self.library.highlights.get(highlight_id)
            if h is not None:
                what = "orphaned highlight" if h.orphaned else f"{color_label(h.color)} highlight"
                self.ctx.say(
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
            h = self.library.highlights.at(self.detail.paper.id, at[0], at[1])
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
        h = self.library.highlights.at(paper.id, at[0], at[1])
        if h is None:
            return False
        self.select_highlight(h.id)
        self.ctx.run_command("edit-note")  # the selected highlight's note
        return True

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() != "dd":
            return
        kind, _, ident = url.path().partition("/")
        if kind == "highlight" and ident.isdigit():
            self.select_highlight(int(ident))
        elif kind == "tag" and ident:
            self.ctx.set_view("tag:" + unquote(ident))

    def focus_text(self) -> bool:
        """Put a caret at the start of the abstract (Shift+arrows then select text); False
        when no paper is shown."""
        if self.detail.paper is None:
            return False
        self.browser.setFocus(Qt.FocusReason.ShortcutFocusReason)
        c = QTextCursor(self.browser.document())
        c.setPosition(self.detail.abstract_range[0])
        self.browser.setTextCursor(c)
        self.browser.ensureCursorVisible()
        return True

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
        menu.addAction(self.ctx.action("highlight"))
        for n in range(1, len(COLOR_KEYS) + 1):
            menu.addAction(self.ctx.action(f"color-{n}"))
        menu.addSeparator()
        for name in ("edit-note", "delete-highlight", "edit-tags"):
            menu.addAction(self.ctx.action(name))
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

    def shown_highlights(self) -> list[Highlight]:
        """The highlights of the shown paper, in reading order."""
        paper, ann = self.detail.paper, self.ann
        if paper is None or ann is None or ann.paper_id != paper.id:
            return []
        return list(ann.highlights)

    def show_new_highlight(self, highlight: Highlight) -> None:
        """Select a highlight just made, with the caret after it."""
        paper = self.detail.paper
        span = self._doc_span(paper, highlight) if paper is not None else None
        self._caret = span[1] if span else None
        self.selected = highlight.id
        self.detail.refresh()

    def step_to(self, highlight: Highlight) -> None:
        """Select a highlight and bring the caret and the view to it."""
        paper = self.detail.paper
        span = self._doc_span(paper, highlight) if paper is not None else None
        if span is not None and self.browser.hasFocus():
            self._caret = span[0]
        self.select_highlight(highlight.id)
        if span is not None:
            c = QTextCursor(self.browser.document())
            c.setPosition(span[0])
            self._in_render = True
            try:
                self.browser.setTextCursor(c)
                self.browser.ensureCursorVisible()
            finally:
                self._in_render = False

    def refresh(self) -> None:
        """Redraw the shown paper with its annotations."""
        self.detail.refresh()

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
            reason = event.reason() if isinstance(event, QFocusEvent) else None
            if reason not in (
                Qt.FocusReason.ActiveWindowFocusReason,
                Qt.FocusReason.PopupFocusReason,
            ):
                self.note_box.hide()
        return super().eventFilter(watched, event)

    def stop(self) -> None:
        """Save what is pending (the window is closing)."""
        self.save_note()

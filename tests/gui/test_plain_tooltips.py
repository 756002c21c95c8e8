"""Tooltips built from imported text render literally, whatever the text looks like."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication

from desktop.gui.plain_text import plain_tooltip


def shown(tip: str) -> str:
    from PySide6.QtGui import Qt

    doc = QTextDocument()
    if Qt.mightBeRichText(tip):
        doc.setHtml(tip)
    else:
        doc.setPlainText(tip)
    return doc.toPlainText()


def test_markup_like_text_is_escaped(qapp: QApplication) -> None:
    for text in [
        "<b>x</b><img src=y>",
        "a < b & c > d",
        "<qt>bold</qt>",
        "&amp; stays &amp;",
        "line one\n<i>line two</i>",
    ]:
        tip = plain_tooltip(text)
        assert tip is not None
        literal = shown(tip).replace("\u2028", "\n").replace("\u2029", "\n")
        assert literal == text


def test_ordinary_text_is_left_alone(qapp: QApplication) -> None:
    assert plain_tooltip("Attention Is All You Need") == "Attention Is All You Need"
    assert plain_tooltip("") == ""
    assert plain_tooltip(None) is None

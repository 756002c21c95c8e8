"""Showing imported text literally in places Qt may read as HTML (tooltips, auto-format labels)."""

from __future__ import annotations

import html

from PySide6.QtGui import Qt


def plain_tooltip(text: str | None) -> str | None:
    """A tooltip that shows ``text`` literally.

    Qt renders a tooltip as HTML when ``mightBeRichText`` says it looks like markup, so
    ``<img src=x>`` in a title would become an image. Such text is escaped and wrapped so
    the HTML renderer shows exactly the characters, line breaks included.
    """
    if not text:
        return text
    if not Qt.mightBeRichText(text) and "&" not in text:
        return text
    body = html.escape(text, quote=False).replace("\n", "<br>")
    return f"<p style='white-space:pre-wrap'>{body}</p>"

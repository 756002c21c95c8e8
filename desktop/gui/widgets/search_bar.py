"""The search bar above the paper list: the field, the scope button saying where a search
looks (the whole library or the view shown), and the "did you mean" line under them."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget

from desktop.gui import theme
from desktop.gui.icons import icon


# Style sheets go on single cheap widgets only: an application-wide style sheet routes every
# paint through QStyleSheetStyle and makes the paper list about twice as slow to paint (the
# list's focus frame is therefore a widget of its own, focus_ring.py).
def search_style(t: theme.Theme) -> str:
    """The search field's style sheet in a theme (a visible border when it has focus)."""
    return (
        f"QLineEdit {{ padding: 5px 6px; border: 1px solid {t.field_border}; border-radius: 5px;"
        f" background: {t.field_bg}; color: {t.text}; }}"
        f"QLineEdit:focus {{ border: 2px solid {t.field_focus}; padding: 4px 5px; }}"
    )


class SearchBar(QWidget):
    """The search field with its scope button, and the suggestion line."""

    suggestion_taken = Signal()  # the "did you mean" link was clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit(self)
        self.field.setObjectName("search")
        self.field.setClearButtonEnabled(True)
        self.field.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.scope_button = QToolButton(self)
        self.scope_button.setObjectName("search-scope")
        self.scope_button.setCheckable(True)
        self.scope_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+Shift+F, or a click
        self.scope_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.suggestion = QLabel(self)
        self.suggestion.setObjectName("did-you-mean")
        self.suggestion.setTextFormat(Qt.TextFormat.RichText)
        self.suggestion.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.suggestion.linkActivated.connect(lambda _link: self.suggestion_taken.emit())
        self.suggestion.setAccessibleName("Did you mean")
        self.suggestion.hide()
        row = QHBoxLayout()
        row.setContentsMargins(6, 0, 6, 0)
        row.setSpacing(6)
        row.addWidget(self.field, 1)
        row.addWidget(self.scope_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addLayout(row)
        column.addWidget(self.suggestion)
        self.show_scope(False, "Inbox", "")

    def show_scope(self, in_view: bool, view: str, key: str) -> None:
        """Say on the button and in the field where searches look."""
        self.scope_button.setChecked(in_view)
        self.scope_button.setText(f"Only {view}" if in_view else "Whole library")
        where = view if in_view else "the whole library"
        self.scope_button.setToolTip(
            f"Searches look in {where}. Click or press {key} to search "
            + ("the whole library" if in_view else "only the view shown")
            if key
            else f"Searches look in {where}"
        )
        self.scope_button.setAccessibleName(f"Search scope: {where}")
        self.field.setPlaceholderText(f"Search {where}   ( / )")

    def show_suggestion(self, suggestion: str | None, key: str) -> None:
        """Show "Did you mean …?" as a link (and the key that takes it), or hide it."""
        if not suggestion:
            self.suggestion.hide()
            self.suggestion.clear()
            return
        link = theme.current().link
        words = html.escape(suggestion)
        self.suggestion.setText(
            f"Did you mean <a href='suggestion' style='color:{link}'>{words}</a>?"
            + (f"  <span>({html.escape(key)})</span>" if key else "")
        )
        self.suggestion.setAccessibleDescription(f"Search for {suggestion}")
        self.suggestion.setContentsMargins(10, 0, 6, 0)
        self.suggestion.show()

    def restyle(self, t: theme.Theme) -> None:
        """Draw the field in theme ``t``."""
        self.field.setStyleSheet(search_style(t))

"""Asking for a saved view's name: when saving a search, and when renaming a view."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from desktop.gui.dialogs.name_dialog import NameDialog


class SavedViewNameDialog(NameDialog):
    """One line for a name, with the query it is for shown as plain text."""

    def __init__(
        self, title: str, query: str, name: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(
            title,
            f"Name of the view for the search “{query}”:",
            name,
            "saved-view-name-line",
            parent,
        )
        self.setObjectName("saved-view-name")

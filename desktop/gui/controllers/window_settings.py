"""What the window remembers per user (geometry, pane sizes) and per library (the view, the
selected paper); the sorts are the sort controller's."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

from desktop.core.library import Library


def library_key(library: Library) -> str:
    """A short stable key for per-library settings (view, selected paper)."""
    if library.data_dir is None:
        return "memory"
    path = str(Path(library.data_dir).resolve())
    return hashlib.sha1(path.encode("utf-8")).hexdigest()[:12]


class WindowSettings:
    """Reads and writes the window's settings (nothing at all without a settings file)."""

    def __init__(self, settings: QSettings | None, library: Library) -> None:
        self.settings = settings
        self.prefix = f"library-{library_key(library)}"

    def key(self, name: str) -> str:
        """The settings key of one per-library value."""
        return f"{self.prefix}/{name}"

    def restore_geometry(self, window: QMainWindow, splitter: QSplitter) -> bool:
        """Give the window its size and the panes theirs; True when the panes had sizes."""
        s = self.settings
        if s is None:
            return False
        geometry = s.value("window/geometry")
        if geometry is not None:
            window.restoreGeometry(geometry)
        state = s.value("window/splitter")
        return state is not None and bool(splitter.restoreState(state))

    def place(self) -> tuple[str, int | None]:
        """The view and the paper shown last (``inbox`` and None at first)."""
        if self.settings is None:
            return "inbox", None
        view = str(self.settings.value(self.key("view"), "inbox"))
        raw = self.settings.value(self.key("paper"))
        paper_id = int(raw) if raw not in (None, "") and str(raw).isdigit() else None
        return view, paper_id

    def legacy_sort(self) -> tuple[int, bool]:
        """The one sort (column, descending) earlier versions kept for every view."""
        if self.settings is None:
            return -1, False
        column = int(str(self.settings.value(self.key("sort-column"), -1)))
        descending = str(self.settings.value(self.key("sort-descending"), "false")) == "true"
        return column, descending

    def save(
        self, window: QMainWindow, splitter: QSplitter, view: str, paper_id: int | None
    ) -> None:
        """Remember the geometry, the pane sizes, the view and the selected paper."""
        s = self.settings
        if s is None:
            return
        s.setValue("window/geometry", window.saveGeometry())
        s.setValue("window/splitter", splitter.saveState())
        s.setValue(self.key("view"), view)
        s.setValue(self.key("paper"), "" if paper_id is None else int(paper_id))
        s.remove(self.key("sort-column"))  # the sorts are kept per view now
        s.remove(self.key("sort-descending"))
        s.sync()

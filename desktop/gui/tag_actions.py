"""Tag actions of the window: the tag editor (t), renaming and deleting tags from the sidebar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtWidgets import QMenu

from desktop.gui.models.sidebar import ViewRole

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog

    from desktop.gui.main_window import MainWindow


class TagActions(QObject):
    """Edits tags through the library; the sidebar's context menu offers rename and delete."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.win = win
        self.library = win.library
        self.last_dialog: QDialog | None = None
        win.sidebar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        win.sidebar.customContextMenuRequested.connect(self._sidebar_menu)
        self._menu_tag: str | None = None

    def _say(self, message: str) -> None:
        self.win._say(message)  # noqa: SLF001

    # -- t ---------------------------------------------------------------------------------
    def edit_tags(self) -> None:
        """Open the tag editor on the target papers."""
        ids = self.win.targets()
        if not ids:
            self._say("No paper to tag")
            return
        known = [name for name, _count in self.library.tags()]
        current = self.library.paper_tags(ids[0]) if len(ids) == 1 else []
        from desktop.gui.dialogs.tag_editor import TagEditor  # imported when first used

        dialog = TagEditor(current, known, self.win, papers=len(ids))
        self.last_dialog = dialog

        def save() -> None:
            names = dialog.names()
            try:
                if len(ids) == 1:
                    changes = self.library.set_paper_tags(ids[0], names)
                    if changes.empty:
                        self._say("Tags unchanged")
                        return
                    shown = ", ".join(f"#{n}" for n in self.library.paper_tags(ids[0]))
                    self._say(f"Tags: {shown or 'none'}   ·   u undoes")
                else:
                    for name in names:
                        self.library.add_tag(ids, name)
                    self._say(f"Tagged {len(ids)} papers   ·   u undoes")
            except Exception as exc:  # noqa: BLE001 - a refused name is said, not raised
                self._say(f"Tags not saved: {exc}")

        dialog.accepted.connect(save)
        dialog.open()

    # -- rename and delete -----------------------------------------------------------------
    def target_tag(self) -> str | None:
        """The tag to rename or delete: the one right-clicked, else the current tag view."""
        if self._menu_tag:
            return self._menu_tag
        index = self.win.sidebar.currentIndex()
        view = str(index.data(ViewRole) or "") if index.isValid() else ""
        if not view.startswith("tag:"):
            view = self.win.view
        return view.split(":", 1)[1] if view.startswith("tag:") else None

    def rename_tag(self) -> None:
        """Ask for a new name for the target tag and rename it."""
        old = self.target_tag()
        self._menu_tag = None
        if old is None:
            self._say("Pick a tag in the sidebar first (g then d), then rename it (F2)")
            return
        from desktop.gui.dialogs.tag_editor import TagRenameDialog

        dialog = TagRenameDialog(old, self.win)
        self.last_dialog = dialog

        def save() -> None:
            new = dialog.new_name()
            if not new or new == old:
                return
            try:
                self.library.rename_tag(old, new)
            except Exception as exc:  # noqa: BLE001
                self._say(f"Could not rename #{old}: {exc}")
                return
            self._say(f"Renamed #{old} to #{new}   ·   u undoes")
            if self.win.view.casefold() == f"tag:{old}".casefold():
                self.win.set_view(f"tag:{self._spelling(new)}")

        dialog.accepted.connect(save)
        dialog.open()

    def _spelling(self, name: str) -> str:
        for known, _count in self.library.tags():
            if known.casefold() == name.casefold():
                return known
        return name

    def delete_tag(self) -> None:
        """Delete the target tag from every paper (undoable)."""
        name = self.target_tag()
        self._menu_tag = None
        if name is None:
            self._say("Pick a tag in the sidebar first (g then d), then delete it")
            return
        try:
            self.library.delete_tag(name)
        except Exception as exc:  # noqa: BLE001
            self._say(f"Could not delete #{name}: {exc}")
            return
        if self.win.view.casefold() == f"tag:{name}".casefold():
            self.win.set_view("inbox")
        self._say(f"Deleted tag #{name}   ·   u undoes")

    def _sidebar_menu(self, pos: QPoint) -> None:
        menu = self.build_sidebar_menu(pos)
        if menu is not None:
            menu.exec(self.win.sidebar.viewport().mapToGlobal(pos))
            self._menu_tag = None

    def build_sidebar_menu(self, pos: QPoint) -> QMenu | None:
        """The sidebar's context menu for the tag under ``pos`` (None elsewhere)."""
        index = self.win.sidebar.indexAt(pos)
        view = str(index.data(ViewRole) or "") if index.isValid() else ""
        if not view.startswith("tag:"):
            return None
        self._menu_tag = view.split(":", 1)[1]
        menu = QMenu(self.win.sidebar)
        menu.addAction(self.win.actions_by_name["rename-tag"])
        menu.addAction(self.win.actions_by_name["delete-tag"])
        return menu

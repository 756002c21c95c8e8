"""The tag editor (t): comma-separated tags with completion from the library's tags."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.gui.dialogs.name_dialog import NameDialog


def split_tags(text: str) -> list[str]:
    """Tag names typed as ``a, b, c`` (blank parts dropped, order kept, case-folded once)."""
    seen: dict[str, str] = {}
    for part in text.split(","):
        name = " ".join(part.split())
        if name:
            seen.setdefault(name.casefold(), name)
    return list(seen.values())


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma, keeping the ones before it."""

    def __init__(self, names: Sequence[str], line: QLineEdit) -> None:
        super().__init__(line)
        self.names = QStringListModel(list(names), self)  # owned here, or Python frees it
        self.setModel(self.names)
        self.line = line
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        done = self.line.text().rsplit(",", 1)
        head = done[0] + ", " if len(done) > 1 else ""
        return head + str(index.data()) + ", "


class TagEditor(QDialog):
    """Edits one paper's tags (or adds tags to several papers)."""

    def __init__(
        self,
        current: Sequence[str],
        known: Sequence[str],
        parent: QWidget | None = None,
        *,
        papers: int = 1,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tags" if papers == 1 else f"Add tags to {papers} papers")
        self.resize(460, 130)
        layout = QVBoxLayout(self)
        what = "Tags of this paper" if papers == 1 else f"Tags to add to {papers} papers"
        label = QLabel(f"{what}, separated by commas (Tab or Enter takes a suggestion):", self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(label)
        self.line = QLineEdit(self)
        self.line.setObjectName("tag-line")
        self.line.setText(", ".join(current) + (", " if current else ""))
        self.line.setPlaceholderText("e.g. diffusion, reading group")
        self.completer = TagCompleter(known, self.line)
        self.line.setCompleter(self.completer)
        layout.addWidget(self.line)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.line.setFocus()

    def names(self) -> list[str]:
        """The tags as typed."""
        return split_tags(self.line.text())


class TagRenameDialog(NameDialog):
    """Asks for a tag's new name."""

    def __init__(self, old: str, parent: QWidget | None = None) -> None:
        super().__init__(
            "Rename tag",
            f"New name for #{old} (an existing tag's name merges the two):",
            old,
            "tag-rename-line",
            parent,
        )
        self.old = old

    def new_name(self) -> str:
        """The name typed."""
        return self.name()

"""Dialogs around importing: the per-file result list and the paste preview."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.importing.import_writer import ImportPreview
from desktop.core.models import ImportResult
from desktop.gui import theme
from desktop.gui.plain_text import plain_tooltip


def describe(result: ImportResult) -> str:
    """What happened to one file, in plain words."""
    if result.status == "failed":
        return f"Not imported: {result.error}."
    if result.status == "cancelled":
        return "Cancelled before it was read; nothing stored."
    if result.status == "unchanged":
        return "Already imported; nothing to do."
    parts = [f"{result.new_papers} new paper{'s' if result.new_papers != 1 else ''}"]
    if result.known_papers:
        parts.append(f"{result.known_papers} already in the library")
    if result.updated_papers:
        parts.append(f"{result.updated_papers} with a revised abstract")
    if result.skipped_blocks:
        parts.append(
            f"{result.skipped_blocks} block{'s' if result.skipped_blocks != 1 else ''} skipped"
        )
    text = ", ".join(parts) + "."
    for warning in result.warnings:
        text += f" Warning: {warning}."
    if result.rules:  # what the rules did: "rule 'agents': 7 tagged; rule 'x': 3 muted"
        text += " " + "; ".join(result.rules) + "."
    return text


def totals_line(results: Sequence[ImportResult]) -> str:
    """One sentence summing up an import."""
    new = sum(r.new_papers for r in results)
    known = sum(r.known_papers for r in results)
    failed = sum(1 for r in results if r.status == "failed")
    cancelled = sum(1 for r in results if r.status == "cancelled")
    text = (
        f"{len(results)} file{'s' if len(results) != 1 else ''}: {new} new "
        f"paper{'s' if new != 1 else ''}, {known} already known"
    )
    if failed:
        text += f", {failed} not imported"
    if cancelled:
        text += f", {cancelled} cancelled"
    return text + "."


class ImportResultDialog(QDialog):
    """Lists each imported file with what happened to it."""

    def __init__(self, results: Sequence[ImportResult], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import finished")
        self.resize(720, 360)
        self.results = list(results)
        summary = QLabel(totals_line(results), self)
        summary.setTextFormat(Qt.TextFormat.PlainText)
        summary.setWordWrap(True)
        self.table = QTreeWidget(self)
        self.table.setHeaderLabels(["File", "Result", "Format"])
        self.table.setRootIsDecorated(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)
        for result in results:
            # The format found (the README's format table names them), for what was read.
            found = result.format if result.status not in ("failed", "cancelled") else None
            item = QTreeWidgetItem([result.name, describe(result), found or ""])
            item.setToolTip(0, plain_tooltip(result.path or result.name) or "")
            item.setToolTip(1, plain_tooltip(describe(result)) or "")
            if result.status == "failed":
                item.setForeground(1, theme.current().color("error"))
            self.table.addTopLevelItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def lines(self) -> list[tuple[str, str]]:
        """(file, result) rows as shown."""
        items = [self.table.topLevelItem(n) for n in range(self.table.topLevelItemCount())]
        return [(item.text(0), item.text(1)) for item in items if item is not None]


class PasteDialog(QDialog):
    """Shows what a pasted digest holds before it is imported."""

    def __init__(self, preview: ImportPreview, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Paste digest")
        self.resize(640, 420)
        self.preview = preview
        skipped = len(preview.skipped)
        skipped_text = f", {skipped} block{'s' if skipped != 1 else ''} skipped" if skipped else ""
        ids = f", {preview.with_ids} with an arXiv id" if preview.with_ids else ""
        if preview.entries and preview.already_imported:
            text = (
                f"This text was already imported (format {preview.format}, "
                f"{preview.entries} paper{'s' if preview.entries != 1 else ''}): importing it "
                "again would add no digest and no paper."
            )
        elif preview.entries:
            text = (
                f"Found {preview.entries} paper{'s' if preview.entries != 1 else ''}: "
                f"{preview.new_papers} new, {preview.known_papers} already in the library"
                f"{skipped_text}."
                f"\nRead as {preview.format}{ids}. They will be imported as the digest “{name}”."
            )
        else:
            text = (
                "No papers were found in the clipboard text. Copy a digest listing from your "
                "browser (the whole page, or the part with the papers) and try again."
            )
        self.summary = QLabel(text, self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        lines = [f"• {title}" for title in preview.titles[:200]]
        if len(preview.titles) > 200:
            lines.append(f"… and {len(preview.titles) - 200} more")
        if preview.skipped:
            lines.append("")
            lines.append("Skipped:")
            lines.extend(f"  line {line}: {reason}" for line, reason in preview.skipped[:50])
        self.details.setPlainText("\n".join(lines))
        buttons = QDialogButtonBox(self)
        self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.setEnabled(preview.entries > 0 and not preview.already_imported)
        self.import_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.details)
        layout.addWidget(buttons)

"""The export dialog (Ctrl+E): what to export, in which shape, where; a preview of the first
file; the export itself runs in the background with progress and cancel."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from desktop.core.export.contents_links import links_for_folder
from desktop.core.export.markdown import (
    DEFAULT_FILE_NAME,
    ExportError,
    ExportPlan,
    ExportResult,
    Selection,
    plan_export,
    selected_ids,
    write_export,
)
from desktop.core.library import Library
from desktop.gui import theme
from desktop.gui.background import Job, run_in_background
from desktop.gui.core_errors import CORE_ERRORS
from desktop.gui.models.sidebar import view_label

if TYPE_CHECKING:
    from desktop.gui.context import WindowContext

PREVIEW_PAPERS = 20  # a one-file preview renders at most this many papers
WHAT = ("annotated", "view", "selected", "paper")
SHAPES = ("single", "per-paper")
# The contents list's links: (choice, label); None picks by the folder (an Obsidian vault).
LINK_CHOICES: tuple[tuple[str | None, str], ...] = (
    (None, "Automatic: Obsidian's inside an Obsidian vault, else GitHub's"),
    ("github", "GitHub anchors: [Title](#title)"),
    ("obsidian", "Obsidian wiki links: [[#Title]]"),
    ("both", "Both, side by side"),
)
# What a preview may raise: a bad file name, a bad query, a refused read.
PREVIEW_ERRORS: tuple[type[Exception], ...] = (ExportError, *CORE_ERRORS)


def default_target(shape: str) -> str:
    """Where an export goes unless the user picks another place."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    base = Path(docs or Path.home())
    if shape == "single":
        return str(base / DEFAULT_FILE_NAME)
    return str(base / "Digest Desk notes")


def _plain_error(message: str) -> str:
    for prefix in ("ExportError: ", "OSError: ", "PermissionError: "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


class ExportDialog(QDialog):
    """Chooses a selection and a shape, previews the first file, and writes the export."""

    def __init__(self, ctx: WindowContext) -> None:
        super().__init__(ctx.dialog_parent)
        self.ctx = ctx
        self.library: Library = ctx.library
        self.job: Job | None = None
        self.export_result: ExportResult | None = None
        self.error: str | None = None
        self.setWindowTitle("Export notes as Markdown")
        self.resize(820, 640)
        self.targets = {shape: default_target(shape) for shape in SHAPES}
        layout = QVBoxLayout(self)

        what_box = QGroupBox("What to export", self)
        what_layout = QVBoxLayout(what_box)
        self.what_group = QButtonGroup(self)
        self.what_buttons: dict[str, QRadioButton] = {}
        for n, key in enumerate(WHAT):
            button = QRadioButton(self._what_label(key), what_box)
            button.setObjectName(f"export-{key}")
            self.what_group.addButton(button, n)
            self.what_buttons[key] = button
            what_layout.addWidget(button)
        self.what_buttons["annotated"].setChecked(True)
        if not self._ids_for("paper"):
            self.what_buttons["paper"].setEnabled(False)
            self.what_buttons["selected"].setEnabled(False)

        shape_box = QGroupBox("Shape", self)
        shape_layout = QVBoxLayout(shape_box)
        self.shape_group = QButtonGroup(self)
        self.shape_buttons = {
            "single": QRadioButton("One Markdown file with a contents list", shape_box),
            "per-paper": QRadioButton(
                "A folder with one file per paper (YAML front matter; Obsidian, Logseq)",
                shape_box,
            ),
        }
        for n, (key, button) in enumerate(self.shape_buttons.items()):
            button.setObjectName(f"export-shape-{key}")
            self.shape_group.addButton(button, n)
            shape_layout.addWidget(button)
        self.shape_buttons["single"].setChecked(True)

        top = QHBoxLayout()
        top.addWidget(what_box, 3)
        top.addWidget(shape_box, 2)
        layout.addLayout(top)

        target_row = QGridLayout()
        self.target_label = QLabel(self)
        self.target = QLineEdit(self)
        self.target.setObjectName("export-target")
        self.browse = QPushButton("Choose…", self)
        self.browse.clicked.connect(self._choose_target)
        target_row.addWidget(self.target_label, 0, 0)
        target_row.addWidget(self.target, 0, 1)
        target_row.addWidget(self.browse, 0, 2)
        self.links_label = QLabel("Contents links:", self)
        self.links = QComboBox(self)
        self.links.setObjectName("export-links")
        for choice, label in LINK_CHOICES:
            self.links.addItem(label, choice)
        self.links.currentIndexChanged.connect(lambda _i: self.update_preview())
        target_row.addWidget(self.links_label, 1, 0)
        target_row.addWidget(self.links, 1, 1, 1, 2)
        layout.addLayout(target_row)

        self.preview_label = QLabel(self)
        self.preview_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.preview_label)
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("export-preview")
        self.preview.setReadOnly(True)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.preview.setFont(mono)
        layout.addWidget(self.preview, 1)

        self.message = QLabel(self)
        self.message.setObjectName("export-message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        bottom = QHBoxLayout()
        self.progress = QProgressBar(self)
        self.progress.hide()
        bottom.addWidget(self.progress, 1)
        bottom.addStretch(0)
        self.export_button = QPushButton("Export", self)
        self.export_button.setObjectName("export-run")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Close", self)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.cancel_button)
        layout.addLayout(bottom)

        self.what_group.idToggled.connect(self._what_toggled)
        self.shape_group.idToggled.connect(self._shape_toggled)
        self.target.textEdited.connect(lambda text: self.targets.__setitem__(self.shape(), text))
        self.target.textEdited.connect(lambda _t: self.update_preview())
        self._shape_changed()

    def _what_toggled(self, _id: int, on: bool) -> None:
        if on:
            self.update_preview()

    def _shape_toggled(self, _id: int, on: bool) -> None:
        if on:
            self._shape_changed()

    # -- choices ---------------------------------------------------------------------------
    def what(self) -> str:
        """The chosen selection: annotated, view, selected or paper."""
        return WHAT[max(self.what_group.checkedId(), 0)]

    def shape(self) -> str:
        """The chosen shape: single or per-paper."""
        return SHAPES[max(self.shape_group.checkedId(), 0)]

    def set_choice(self, what: str | None = None, shape: str | None = None) -> None:
        """Pick a selection and a shape (as clicking the radio buttons does)."""
        if shape is not None:
            self.shape_buttons[shape].setChecked(True)
        if what is not None:
            self.what_buttons[what].setChecked(True)

    def set_target(self, path: str | Path) -> None:
        """Set the file (one file) or folder (per paper) to export to."""
        self.targets[self.shape()] = str(path)
        self.target.setText(str(path))
        self.update_preview()

    def set_links(self, choice: str | None) -> None:
        """Pick the contents list's links: github, obsidian, both, or None (by the folder)."""
        self.links.setCurrentIndex([c for c, _ in LINK_CHOICES].index(choice))

    def link_flavour(self) -> str:
        """The links the one-file export's contents list gets, for the chosen folder."""
        folder, _name = self._folder_and_name()
        return links_for_folder(folder, self.links.currentData())

    def _ids_for(self, what: str) -> list[int]:
        if what == "selected":
            return [int(i) for i in self.ctx.targets()]
        current = self.ctx.current_id()
        return [int(current)] if current is not None else []

    def _what_label(self, key: str) -> str:
        if key == "annotated":
            n = len(self.library.annotated_paper_ids())
            return f"Papers with notes, highlights or tags ({n})"
        if key == "view":
            query = self.ctx.search.query
            if query is not None:
                return f"The current search: “{query}”"
            return f"The current view: {view_label(self.library, self.ctx.view)}"
        if key == "selected":
            n = len(self._ids_for("selected"))
            return f"The selected papers ({n})"
        paper = self.ctx.shown_paper()
        title = paper.title if paper is not None else ""
        short = title if len(title) <= 60 else title[:59] + "…"
        return f"This paper: {short}" if short else "This paper"

    def selection(self) -> Selection:
        """The core Selection for the current choice."""
        what = self.what()
        if what == "view":
            query = self.ctx.search.query
            return Selection.of_query(query) if query else Selection.of_view(self.ctx.view)
        if what in ("selected", "paper"):
            return Selection.of_ids(self._ids_for(what))
        return Selection.annotated()

    def _folder_and_name(self) -> tuple[Path, str]:
        path = Path(self.target.text().strip()).expanduser()
        if self.shape() == "single":
            name = path.name or DEFAULT_FILE_NAME
            if not name.lower().endswith(".md"):
                name += ".md"
            return path.parent, name
        return path, DEFAULT_FILE_NAME

    def _shape_changed(self) -> None:
        single = self.shape() == "single"
        self.target_label.setText("File:" if single else "Folder:")
        self.links_label.setVisible(single)
        self.links.setVisible(single)
        self.target.setText(self.targets[self.shape()])
        self.update_preview()

    def _choose_target(self) -> None:
        if self.shape() == "single":
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export to file", self.target.text(), "Markdown (*.md)"
            )
        else:
            chosen = QFileDialog.getExistingDirectory(self, "Export to folder", self.target.text())
        if chosen:
            self.set_target(chosen)

    # -- preview ---------------------------------------------------------------------------
    def plan(self, limit: int | None = None) -> ExportPlan:
        """Render the export (or its first papers) in memory."""
        _folder, name = self._folder_and_name()
        return plan_export(
            self.library,
            self.selection(),
            self.shape(),
            file_name=name,
            limit=limit,
            links=self.link_flavour(),
        )

    def update_preview(self) -> None:
        """Show the first file of the export as plain text."""
        self.message.clear()
        try:
            total = len(selected_ids(self.library, self.selection()))
            limit = 1 if self.shape() == "per-paper" else PREVIEW_PAPERS
            plan = self.plan(limit=limit)
        except PREVIEW_ERRORS as exc:  # a bad name or query is said, not raised
            self.preview.setPlainText("")
            self.preview_label.setText("No preview")
            self._error(str(exc))
            return
        self.export_button.setEnabled(total > 0 and bool(self.target.text().strip()))
        if not plan.files or total == 0:
            self.preview.setPlainText("")
            self.preview_label.setText("Nothing to export with these choices.")
            if self.what() == "annotated":
                self.message.setText(
                    "No paper has a note, a highlight or a tag yet: highlight with h, "
                    "write a note with n, tag with t."
                )
            return
        first = plan.files[0]
        if self.shape() == "single":
            more = f", first {limit} of {total} papers" if total > limit else ""
            where = f"Preview of {first.path} ({total} papers{more})"
        else:
            where = f"Preview of {first.path} (1 of {total} files)"
        self.preview_label.setText(where)
        self.preview.setPlainText(first.content)

    def preview_text(self) -> str:
        """The preview as shown."""
        return self.preview.toPlainText()

    # -- running ---------------------------------------------------------------------------
    def _error(self, text: str) -> None:
        self.error = text
        self.message.setStyleSheet(f"color: {theme.current().error};")
        self.message.setText(text)

    def _info(self, text: str) -> None:
        self.message.setStyleSheet(f"color: {theme.current().success};")
        self.message.setText(text)

    def start(self) -> Job | None:
        """Write the export in the background (synchronously for an in-memory library)."""
        if self.job is not None:
            return self.job
        self.error = None
        if not self.target.text().strip():
            self._error("Choose a file or folder to export to.")
            return None
        folder, name = self._folder_and_name()
        selection = self.selection()
        shape = self.shape()
        links = self.link_flavour()
        data_dir = self.library.data_dir
        if data_dir is None:
            try:
                plan = plan_export(self.library, selection, shape, file_name=name, links=links)
                self._done(write_export(plan, folder))
            except (ExportError, OSError, ValueError) as exc:
                self._failed(str(exc))
            return None
        today = self.library.today

        def work(job: Job) -> ExportResult:
            lib = Library.open_for_job(data_dir, defer_index_rebuild=False)
            try:
                lib.today = today
                plan = plan_export(lib, selection, shape, file_name=name, links=links)
                if job.cancelled():
                    return ExportResult(folder, cancelled=True)
                return write_export(plan, folder, progress=job.report, cancel=job.cancelled)
            finally:
                lib.close()

        self.progress.setRange(0, 0)
        self.progress.show()
        self.export_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self._info("Exporting…")
        self.job = run_in_background(work, self._done, self._failed, self._progress)
        return self.job

    def _progress(self, done: int, total: int, name: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done}/{total} files")
        if name:
            self.progress.setToolTip(name)

    def _finish(self) -> None:
        self.job = None
        self.progress.hide()
        self.export_button.setEnabled(True)
        self.cancel_button.setText("Close")

    def _done(self, result: Any) -> None:
        self._finish()
        assert isinstance(result, ExportResult)
        self.export_result = result
        text = result.summary()
        self._info(text[:1].upper() + text[1:])
        self.ctx.say(f"Export: {text}")

    def _failed(self, message: str) -> None:
        self._finish()
        self._error("Export failed: " + _plain_error(message))
        self.ctx.say("Export failed")

    def _cancel_or_close(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self._info("Cancelling…")
            self.cancel_button.setEnabled(True)
            return
        self.reject()

    def reject(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job.done.wait(10)
        super().reject()

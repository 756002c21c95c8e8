"""The main window: sidebar of views, searchable paper list, detail pane, keyboard triage."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    QSettings,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QFrame,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.core.library import Library
from desktop.core.models import Changes, ImportResult, PaperId
from desktop.core.search.index import RebuildCancelledError
from desktop.gui.annotation_layer import AnnotationLayer
from desktop.gui.background import Job, run_in_background
from desktop.gui.commands import COMMANDS, MENUS
from desktop.gui.detail_pane import DetailPane
from desktop.gui.icons import app_icon, icon
from desktop.gui.keymap import DEFAULT_KEYMAP, keys_for, qt_sequence
from desktop.gui.paper_list_model import (
    COL_AUTHORS,
    COL_CURSOR,
    COL_DIGESTS,
    COL_PUBLISHED,
    COL_TITLE,
    PaperListModel,
)
from desktop.gui.paper_table import PaperTable
from desktop.gui.plain_text import plain_tooltip
from desktop.gui.sidebar_model import SidebarDelegate, SidebarModel, ViewRole, view_label
from desktop.gui.tag_actions import TagActions

APP_TITLE = "Digest Desk"
# Style sheets go on single cheap widgets only: an application-wide style sheet routes every
# paint through QStyleSheetStyle and makes the paper list about twice as slow to paint.
SEARCH_STYLE = (
    "QLineEdit { padding: 5px 6px; border: 1px solid #d1d5db; border-radius: 5px;"
    " margin: 0 6px; background: #ffffff; }"
    "QLineEdit:focus { border: 1px solid #5b8fd0; }"
)
SIDEBAR_BACKGROUND = "#f1f3f6"
SEARCH_DELAY_MS = 180
SEARCH_LIMIT = 200
STATUS_MS = 8000
COUNTS_DELAY_MS = 150  # counts refresh once typing pauses, not after every key
# Keys the sidebar keeps for itself instead of the window's shortcuts.
SIDEBAR_KEYS = {
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
}


# Commands that can change read state, and so the per-digest unread counts.
READ_COMMANDS = {"toggle-read", "open-paper", "undo", "redo"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def library_key(library: Library) -> str:
    """A short stable key for per-library settings (view, selected paper)."""
    if library.data_dir is None:
        return "memory"
    path = str(Path(library.data_dir).resolve())
    return hashlib.sha1(path.encode("utf-8")).hexdigest()[:12]


class MainWindow(QMainWindow):
    """The whole app in one window; every user action goes through a named command."""

    library_changed = Signal(object)  # a core Changes value, after every write

    def __init__(
        self,
        library: Library,
        settings: QSettings | None = None,
        *,
        keymap: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.settings = settings
        self.keymap = dict(DEFAULT_KEYMAP if keymap is None else keymap)
        self.view = "inbox"
        self.actions_by_name: dict[str, QAction] = {}
        self.import_job: Job | None = None
        self.index_job: Job | None = None
        self.last_import_results: list[ImportResult] | None = None
        self.last_dialog: Any = None
        self.ask_paths = self._ask_paths  # replaced in tests to skip the file dialog
        self._restoring = False
        self._prefer_returning = False
        self._closed = False
        self._shown_once = False
        self.owns_library = False  # close the library with the window
        self._digests_changed = True  # per-digest unread counts need recomputing
        self._read_state_touched = False
        self._before_search: PaperId | None = None
        self.counts: dict[str, Any] | None = None
        self._listener = self._on_library_write
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self._build_widgets()
        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_status_bar()
        self.annotations = AnnotationLayer(self)  # highlights, note and tags in the detail pane
        self.tag_actions = TagActions(self)

        library.subscribe(self._listener)
        self.library_changed.connect(self._apply_changes)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(COUNTS_DELAY_MS)
        self._counts_timer.timeout.connect(self._refresh_counts)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)

        self._restore_settings()

    @property
    def closed(self) -> bool:
        """True once the window was closed (deferred work then does nothing)."""
        return self._closed

    # -- construction ----------------------------------------------------------------------
    def _build_widgets(self) -> None:
        # Counts are filled in just after the window shows (they scan the library).
        self.sidebar_model = SidebarModel(self.library, self, counts=False)
        self.sidebar = QListView(self)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setModel(self.sidebar_model)
        self.sidebar.setItemDelegate(SidebarDelegate(self.sidebar))
        self.sidebar.setIconSize(QSize(18, 18))
        self.sidebar.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sidebar.setMinimumWidth(150)
        self.sidebar.setFrameShape(QFrame.Shape.NoFrame)
        side = self.sidebar.palette()
        side.setColor(QPalette.ColorRole.Base, QColor(SIDEBAR_BACKGROUND))
        side.setColor(QPalette.ColorRole.Highlight, QColor("#d9e4f2"))
        side.setColor(QPalette.ColorRole.HighlightedText, QColor("#111827"))
        self.sidebar.setPalette(side)
        self.sidebar.setSpacing(1)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sidebar.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.sidebar.selectionModel().currentChanged.connect(self._on_sidebar_current)
        self.sidebar.activated.connect(lambda *_: self.list.setFocus())
        self.sidebar.installEventFilter(self)

        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search titles and abstracts   ( / )")
        self.search.setClearButtonEnabled(True)
        self.search.setStyleSheet(SEARCH_STYLE)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.textEdited.connect(lambda _: self._search_timer.start())
        self.search.textChanged.connect(self._on_search_text)

        self.model = PaperListModel(self.library, self)
        self.list = PaperTable(self)
        self.list.setObjectName("papers")
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.list.setModel(self.model)
        header = self.list.horizontalHeader()
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        for col, width in ((COL_PUBLISHED, 104), (COL_AUTHORS, 84), (COL_DIGESTS, 62)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.list.setColumnHidden(COL_CURSOR, True)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.list.setSortingEnabled(True)
        self.list.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.list.doubleClicked.connect(lambda *_: self.run_command("open-paper"))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)

        center = QWidget(self)
        column = QVBoxLayout(center)
        column.setContentsMargins(0, 6, 0, 0)
        column.setSpacing(6)
        column.addWidget(self.search)
        column.addWidget(self.list)

        self.detail = DetailPane(self.library, self)
        self.detail.paper_requested.connect(self.go_to_paper)
        self.detail.view_requested.connect(self.set_view)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(center)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([215, 625, 440])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

    def _build_actions(self) -> None:
        for name, cmd in COMMANDS.items():
            action = QAction(cmd.label, self)
            action.setObjectName(name)
            action.setStatusTip(cmd.doc)
            action.setToolTip(self._tooltip(name))
            if cmd.icon:
                action.setIcon(icon(cmd.icon))
            keys = [QKeySequence(qt_sequence(k)) for k in keys_for(name, self.keymap)]
            action.setShortcuts(keys)
            if cmd.scope == "list":
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                self.list.addAction(action)
            else:
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
                self.addAction(action)
            action.triggered.connect(lambda _checked=False, n=name: self.run_command(n))
            self.actions_by_name[name] = action

    def _tooltip(self, name: str) -> str:
        cmd = COMMANDS[name]
        keys = keys_for(name, self.keymap)
        return f"{cmd.doc} ({keys[0].replace(',', ' then ')})" if keys else cmd.doc

    def _build_menus_and_toolbar(self) -> None:
        menus = {title: self.menuBar().addMenu(f"&{title}") for title in MENUS}
        separate_before = {"go-inbox", "queue-move-up", "toggle-select", "quit", "escape"}
        for name, cmd in COMMANDS.items():
            if name in separate_before:
                menus[cmd.menu].addSeparator()
            menus[cmd.menu].addAction(self.actions_by_name[name])
        self.toolbar = QToolBar("Main", self)
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setIconSize(QSize(20, 20))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for name, cmd in COMMANDS.items():
            if cmd.toolbar:
                if name in ("undo", "import-files", "command-palette"):
                    self.toolbar.addSeparator()
                self.toolbar.addAction(self.actions_by_name[name])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.counts_label = QLabel(self)
        self.counts_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel_button.clicked.connect(self.cancel_import)
        self.cancel_button.hide()
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        bar.addPermanentWidget(self.counts_label)

    # -- settings --------------------------------------------------------------------------
    def _setting(self, key: str) -> str:
        return f"library-{library_key(self.library)}/{key}"

    def _restore_settings(self) -> None:
        view, paper_id = "inbox", None
        s = self.settings
        if s is not None:
            geometry = s.value("window/geometry")
            if geometry is not None:
                self.restoreGeometry(geometry)
            splitter = s.value("window/splitter")
            if splitter is not None:
                self.splitter.restoreState(splitter)
            view = str(s.value(self._setting("view"), "inbox"))
            raw = s.value(self._setting("paper"))
            paper_id = int(raw) if raw not in (None, "") and str(raw).isdigit() else None
            column = int(s.value(self._setting("sort-column"), -1))
            descending = str(s.value(self._setting("sort-descending"), "false")) == "true"
            if column >= 0:
                order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
                # The model takes the order first, so the header's sort() call finds nothing
                # to do: the view's papers are then queried once, already sorted, by set_view.
                self.model.set_sort_order(column, descending)
                self.list.horizontalHeader().setSortIndicator(column, order)
        try:
            self.library.views.where(view)
        except ValueError:
            view = "inbox"
        self.set_view(view, select=paper_id)
        self._digests_changed = True
        # The counts scan the library: they come once the first frame is on screen.
        self.list.viewport().installEventFilter(self)

    def _after_first_paint(self) -> None:
        """Work that can wait until the window is on screen: the sidebar counts."""
        if not self._closed:
            self._refresh_counts()

    def save_settings(self) -> None:
        """Remember geometry, splitter sizes, the view and the selected paper."""
        s = self.settings
        if s is None:
            return
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue(self._setting("view"), self.view)
        current = self.current_id()
        s.setValue(self._setting("paper"), "" if current is None else int(current))
        s.setValue(self._setting("sort-column"), self.model.sort_column)
        s.setValue(self._setting("sort-descending"), "true" if self.model.descending else "false")
        s.sync()

    # -- commands --------------------------------------------------------------------------
    def run_command(self, name: str) -> None:
        """Run a command by name (keys, menus, toolbar and palette all end here)."""
        self._read_state_touched = name in READ_COMMANDS
        try:
            COMMANDS[name].run(self)
        finally:
            self._read_state_touched = False

    def current_id(self) -> PaperId | None:
        """The id of the paper under the cursor, or None."""
        index = self.list.currentIndex()
        if not index.isValid() or not 0 <= index.row() < len(self.model.ids):
            return None
        return self.model.ids[index.row()]

    def current_row(self) -> int:
        """The row of the paper under the cursor, or -1."""
        index = self.list.currentIndex()
        return index.row() if index.isValid() else -1

    def targets(self) -> list[PaperId]:
        """The papers a triage key acts on: the selected ones (x), else the current one."""
        marked = self.model.marked_ids()
        if marked:
            return marked
        rows = sorted({i.row() for i in self.list.selectionModel().selectedRows()})
        if len(rows) > 1:
            return [self.model.ids[r] for r in rows if r < len(self.model.ids)]
        current = self.current_id()
        return [current] if current is not None else []

    def select_row(self, row: int) -> None:
        """Make a row current and selected, and scroll to it."""
        if not self.model.ids:
            self.list.selectionModel().clear()
            self._show_current()
            return
        row = max(0, min(len(self.model.ids) - 1, row))
        index = self.model.index(row, COL_CURSOR)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.list.selectionModel().setCurrentIndex(index, flags)
        # Scroll by a visible cell: QTableView.scrollTo ignores cells of hidden columns.
        self.list.scrollTo(
            self.model.index(row, COL_TITLE), QAbstractItemView.ScrollHint.EnsureVisible
        )

    def move_current(self, delta: int) -> None:
        """Move the cursor ``delta`` rows."""
        row = self.current_row()
        self.select_row(0 if row < 0 else row + delta)

    def open_current(self) -> None:
        """Show the current paper and mark it read."""
        paper_id = self.current_id()
        if paper_id is None:
            return
        if self.search.hasFocus():
            self.list.setFocus(Qt.FocusReason.ShortcutFocusReason)  # Enter leaves the field
        self.detail.show_paper(paper_id)
        paper = self.detail.paper
        if paper is not None and not paper.is_read:
            self.library.triage.set_read([paper_id], True)
            self._say("Marked read")

    def triage(self, what: str) -> None:
        """Toggle read, starred or queued on the target papers."""
        ids = self.targets()
        if not ids:
            return
        before = self.current_id()
        changes = self.library.triage.toggle(what, ids)
        self._said_action(changes, ids)
        if what == "queued" and self.library.history.undo_label() == "add to queue":
            self._advance_if_still_here(before, ids)

    def _advance_if_still_here(self, before: PaperId | None, ids: Sequence[int]) -> None:
        """After archiving or queueing one paper that stays in the view, go to the next one."""
        if len(ids) == 1 and before is not None and before == self.current_id():
            self.move_current(+1)

    def archive(self) -> None:
        """Archive the target papers; in the Archive view (or for archived ones) unarchive."""
        ids = self.targets()
        if not ids:
            return
        if self.view == "archive":
            archived = False
        else:
            papers = self.library.papers.many(ids, with_sightings=False)
            archived = not all(p.archived for p in papers)
        before = self.current_id()
        changes = self.library.triage.set_archived(ids, archived)
        self._said_action(changes, ids)
        if archived and not changes.empty:
            self._advance_if_still_here(before, ids)

    def _said_action(self, changes: Changes, ids: Sequence[int]) -> None:
        if changes.empty:
            self._say("Nothing to change")
            return
        label = self.library.history.undo_label() or "done"
        self._say(f"{label[:1].upper()}{label[1:]}: {_plural(len(ids), 'paper')}   ·   u undoes")

    def move_in_queue(self, delta: int) -> None:
        """Move the current paper within the reading queue."""
        paper_id = self.current_id()
        if paper_id is None:
            return
        if self.view != "queue" or self.model.sort_column != -1 or self.model.search_query:
            self._say("Papers are reordered in the Queue view, in queue order (g then l)")
            return
        changes = self.library.triage.move_in_queue(paper_id, delta)
        if changes.empty:
            self._say("Already at the " + ("top" if delta < 0 else "bottom") + " of the queue")

    def toggle_mark(self) -> None:
        """Select or unselect the current paper for a bulk action, then move down."""
        row = self.current_row()
        if row < 0:
            return
        self.model.toggle_mark(row)
        count = len(self.model.marked)
        if count:
            self._say(f"{_plural(count, 'paper')} selected: triage keys act on all; Esc clears")
        else:
            self._say("No papers selected")
        if row + 1 < len(self.model.ids):
            self.select_row(row + 1)

    def undo(self) -> None:
        """Undo the last action and show the paper it brought back."""
        self._prefer_returning = True
        try:
            done = self.library.history.undo()
        finally:
            self._prefer_returning = False
        self._say(f"Undone: {done[0]}" if done else "Nothing to undo")
        self._update_actions()  # the history moved after the write was announced

    def redo(self) -> None:
        """Redo the last undone action."""
        self._prefer_returning = True
        try:
            done = self.library.history.redo()
        finally:
            self._prefer_returning = False
        self._say(f"Redone: {done[0]}" if done else "Nothing to redo")
        self._update_actions()

    def focus_search(self) -> None:
        """Put the keyboard in the search field."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def focus_sidebar(self) -> None:
        """Put the keyboard in the sidebar."""
        self.sidebar.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def escape(self) -> None:
        """Clear the search and the bulk selection, and go back to the list."""
        if self.search.text() or self.model.search_query is not None:
            self.search.clear()
            self._leave_search()
        elif self.model.marked:
            self.model.clear_marks()
            self._say("Selection cleared")
        self.list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def reload(self) -> None:
        """Re-read everything from the database, keeping the current paper."""
        self.library.notify(Changes(library=True))
        self._digests_changed = True
        self._refresh_counts()
        self._say("Reloaded")

    def show_command_palette(self) -> None:
        """Open the command palette and run what is chosen."""
        from desktop.gui.command_palette import CommandPalette  # imported when first used

        palette = CommandPalette(self)
        self.last_dialog = palette

        def chosen() -> None:
            if palette.chosen:
                QTimer.singleShot(0, lambda: self.run_command(palette.chosen or ""))

        palette.accepted.connect(chosen)
        palette.open()

    def show_cheat_sheet(self) -> None:
        """Show the keyboard cheat sheet."""
        from desktop.gui.cheat_sheet import CheatSheet

        sheet = CheatSheet(self.keymap, self)
        self.last_dialog = sheet
        sheet.open()

    # -- views -----------------------------------------------------------------------------
    def set_view(self, view: str, select: int | None = None) -> None:
        """Show a view (inbox, queue, …, digest:ID, tag:NAME) and select a paper in it."""
        try:
            self.library.views.where(view)
        except ValueError:
            self._say(f"Unknown view {view}")
            return
        self._search_timer.stop()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._restoring = True
        try:
            self.view = view
            self.model.load_view(view)
        finally:
            self._restoring = False
        row = self.model.row_of(select) if select is not None else -1
        self.select_row(max(row, 0))
        self._show_current()
        self._sync_sidebar()
        self._update_title()
        self._update_counts_label()

    def go_to_paper(self, paper_id: int) -> None:
        """Select a paper, switching to All papers when the current view does not hold it."""
        if self.model.row_of(paper_id) < 0:
            self.set_view("all", select=paper_id)
        else:
            self.select_row(self.model.row_of(paper_id))
        self.list.setFocus()

    def _on_sidebar_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        view = current.data(ViewRole) if current.isValid() else None
        if view == "highlights":
            return  # opened by Enter or a click (the annotation layer), not by passing over it
        if view and view != self.view and not self._restoring:
            self.set_view(str(view))

    def _sync_sidebar(self) -> None:
        row = self.sidebar_model.row_of(self.view)
        self._restoring = True
        try:
            if row >= 0:
                self.sidebar.setCurrentIndex(self.sidebar_model.index(row, 0))
            else:
                self.sidebar.clearSelection()
        finally:
            self._restoring = False

    def _update_title(self) -> None:
        if self.model.search_query is not None:
            what = f"Search: {self.model.search_query}"
        else:
            what = view_label(self.library, self.view)
        self.setWindowTitle(f"{APP_TITLE} — {what}")

    # -- search ----------------------------------------------------------------------------
    def _on_search_text(self, text: str) -> None:
        if not text and self.model.search_query is not None:
            self._search_timer.stop()
            self._leave_search()

    def run_search(self) -> None:
        """Search for the text in the search field now (normally debounced while typing)."""
        self._search_timer.stop()
        query = self.search.text().strip()
        if not query:
            if self.model.search_query is not None:
                self._leave_search()
            return
        try:
            results = self.library.index.search(query, limit=SEARCH_LIMIT)
        except Exception as exc:  # noqa: BLE001 - a bad query must not break the window
            self._say(f"Search failed: {exc}")
            return
        if self.library.index.needs_rebuild:
            self.start_index_build()  # the index was found damaged: rebuild it off this thread
        if self.model.search_query is None:
            self._before_search = self.current_id()
        ids, snippets = unpack_search_results(results)
        notice = getattr(results, "notice", None)
        suggestion = getattr(results, "suggestion", None)
        self._restoring = True
        try:
            self.model.show_search(query, ids, snippets)
        finally:
            self._restoring = False
        self.list.set_search_mode(True)
        self.select_row(0)
        self._show_current()
        self._update_title()
        self._update_counts_label()
        message = f"{_plural(len(ids), 'result')} for “{query}”   ·   Esc restores the view"
        if suggestion:
            message = f"Did you mean “{suggestion}”?   ·   " + message
        if notice:
            message = f"{notice}   ·   " + message
        self._say(message)

    def _leave_search(self) -> None:
        current = self.current_id()
        self.list.set_search_mode(False)
        # Stay on the paper picked in the results when the view holds it, else go back to
        # where the search started.
        if current is None or not self.library.views.contains(self.view, [current]):
            current = self._before_search
        self._before_search = None
        self.set_view(self.view, select=current)

    # -- reacting to writes ----------------------------------------------------------------
    def _on_library_write(self, changes: Changes) -> None:
        if not self._closed:
            self.library_changed.emit(changes)

    def _apply_changes(self, changes: Changes) -> None:
        """Refresh the list, the detail pane and the counts after any write."""
        if self._closed:
            return
        old_ids = list(self.model.ids)
        current = self.current_id()
        row = self.current_row()
        self._restoring = True
        try:
            self.model.refresh(changes.papers, library=changes.library)
        finally:
            self._restoring = False
        self._reselect(current, row, old_ids, changes)
        self._show_current(keep_scroll=True)
        if changes.library or self._read_state_touched:
            self._digests_changed = True
        self._counts_timer.start()
        self._update_title_counts()

    def _reselect(
        self, current: PaperId | None, row: int, old_ids: list[PaperId], changes: Changes
    ) -> None:
        ids = self.model.ids
        if not ids:
            self.select_row(0)
            return
        if self._prefer_returning and changes.papers:
            old = set(old_ids)
            returning = [i for i in ids if i in changes.papers and i not in old]
            if returning:
                self.select_row(self.model.row_of(returning[0]))
                return
        if current is not None:
            current_row = self.model.row_of(current)
            if current_row >= 0:
                self.select_row(current_row)
                return
        start = max(row, 0)
        # A triage write only moves the papers it changed; anything else is still listed.
        maybe_gone = None if changes.library or changes.annotations else changes.papers
        neighbours = itertools.chain(old_ids[start + 1 :], reversed(old_ids[:start]))
        for paper_id in neighbours:
            if maybe_gone is not None and paper_id not in maybe_gone:
                self.select_row(self.model.row_of(paper_id))
                return
            found = self.model.row_of(paper_id)
            if found >= 0:
                self.select_row(found)
                return
        self.select_row(min(start, len(ids) - 1))

    def _on_current_row(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._restoring:
            self._show_current()

    def _show_current(self, keep_scroll: bool = False) -> None:
        paper_id = self.current_id()
        if paper_id is None:
            if self.model.search_query is not None:
                self.detail.show_empty("No paper matches this search.")
            else:
                self.detail.show_empty(self._empty_message())
        else:
            self.detail.show_paper(paper_id, keep_scroll=keep_scroll)
        self._update_actions()

    def _empty_message(self) -> str:
        if self.view == "inbox":
            return "Inbox zero. Everything is queued or archived. Press g then a to see all papers."
        if self.view == "queue":
            return "The reading queue is empty. Press l on a paper to read it later."
        if self.view == "starred":
            return "No starred papers yet. Press s to star the current paper."
        if self.view == "archive":
            return "Nothing archived yet. Press e to archive a paper you are done with."
        return "No papers here. Import a digest with Ctrl+I, or paste one with Ctrl+V."

    def _refresh_counts(self) -> None:
        """Recount every view (debounced: runs once keys pause)."""
        if self._closed:
            return
        self._counts_timer.stop()
        self.counts = self.library.views.counts()
        self.sidebar_model.refresh(self.counts, digests_changed=self._digests_changed)
        self._digests_changed = False
        self._sync_sidebar()
        self._update_counts_label()
        self._update_title()

    def _update_title_counts(self) -> None:
        self._update_counts_label()

    def _update_counts_label(self) -> None:
        shown = len(self.model.ids)
        where = "results" if self.model.search_query is not None else "in view"
        text = f"{shown} {where}"
        if self.counts is not None:
            total = self.counts["all"]
            text += f"   ·   {total.unread} unread of {_plural(total.total, 'paper')}"
        self.counts_label.setText(text)

    def _update_actions(self) -> None:
        has_paper = self.current_id() is not None
        for name, action in self.actions_by_name.items():
            if COMMANDS[name].needs_paper:
                action.setEnabled(has_paper)
        undo_label = self.library.history.undo_label()
        redo_label = self.library.history.redo_label()
        self.actions_by_name["undo"].setEnabled(undo_label is not None)
        self.actions_by_name["redo"].setEnabled(redo_label is not None)
        self.actions_by_name["undo"].setText(f"Undo {undo_label}" if undo_label else "Undo")
        self.actions_by_name["redo"].setText(f"Redo {redo_label}" if redo_label else "Redo")

    def _say(self, message: str) -> None:
        self.statusBar().showMessage(message, STATUS_MS)

    # -- context menu ----------------------------------------------------------------------
    def _context_menu(self, pos: QPoint) -> None:
        index = self.list.indexAt(pos)
        if index.isValid() and not self.list.selectionModel().isRowSelected(index.row()):
            self.select_row(index.row())
        menu = self.build_context_menu()
        menu.exec(self.list.viewport().mapToGlobal(pos))

    def build_context_menu(self) -> QMenu:
        """The paper list's context menu, built from the commands."""
        menu = QMenu(self)
        for name, cmd in COMMANDS.items():
            if cmd.context_menu:
                if name in ("queue-move-up", "toggle-select"):
                    menu.addSeparator()
                menu.addAction(self.actions_by_name[name])
        return menu

    # -- importing -------------------------------------------------------------------------
    def _ask_paths(self, folder: bool) -> list[str]:
        if folder:
            chosen = QFileDialog.getExistingDirectory(self, "Import a folder of digests")
            return [chosen] if chosen else []
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import digests", "", "Text files (*.txt *.md);;All files (*)"
        )
        return list(files)

    def import_files(self) -> None:
        """Ask for digest files and import them in the background."""
        paths = self.ask_paths(False)
        if paths:
            self.start_import(paths)

    def import_folder(self) -> None:
        """Ask for a folder and import its digest files in the background."""
        paths = self.ask_paths(True)
        if paths:
            self.start_import(paths)

    def start_import(self, paths: Sequence[str | Path]) -> Job | None:
        """Import files and folders on the worker thread, with progress and cancel."""
        if self.import_job is not None:
            self._say("An import is already running")
            return None
        data_dir = self.library.data_dir
        if data_dir is None:
            results = self.library.importer.import_paths(list(paths))
            self._import_done(results)
            return None
        today = self.library.today
        wanted = [Path(p) for p in paths]

        def work(job: Job) -> list[ImportResult]:
            # A missing index is not built here (the index build does that, with progress).
            lib = Library.open(data_dir, backups=False, defer_index_rebuild=True)
            try:
                lib.today = today
                return lib.importer.import_paths(wanted, progress=job.report, cancel=job.cancelled)
            finally:
                lib.close()

        self._show_progress("Importing…")
        self._say("Importing in the background; keep triaging")
        self.import_job = run_in_background(
            work, self._import_done, self._import_failed, self._import_progress
        )
        return self.import_job

    def _show_progress(self, label: str) -> None:
        """The status bar's progress bar (busy until the first report) and Cancel button."""
        self.progress.setRange(0, 0)
        self.progress.setFormat(label)
        self.progress.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()

    def cancel_import(self) -> None:
        """Stop the running import after the current file (or the search index build)."""
        job = self.import_job or self.index_job
        if job is not None:
            job.cancel()
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("Cancelling…")

    def start_index_build(self) -> Job | None:
        """Build the search index on the worker thread when the library opened without one
        (first start after an upgrade, a damaged index), with progress and cancel. Until it
        is done, searches answer from a slower scan of the database."""
        index = self.library.index
        data_dir = self.library.data_dir
        if not index.needs_rebuild or data_dir is None or self.index_job:
            return None

        def work(job: Job) -> int:
            try:
                return Library.build_search_index(
                    data_dir, progress=job.report, cancel=job.cancelled
                )
            except RebuildCancelledError:
                return -1

        if self.import_job is None:
            self._show_progress("Indexing…")
        self._say("Building the search index in the background; search is slower until then")
        self.index_job = run_in_background(
            work, self._index_built, self._index_failed, self._index_progress
        )
        return self.index_job

    def _index_progress(self, done: int, total: int, _label: str) -> None:
        if self.import_job is None:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)
            self.progress.setFormat(f"Indexing {done:,}/{total:,}")

    def _finish_index_build(self) -> None:
        self.index_job = None
        if self.import_job is None:
            self.progress.hide()
            self.cancel_button.hide()
        if self._closed:
            return
        # Picks the new index up, with the changes made meanwhile; never builds one here.
        self.library.index.open(defer_rebuild=True)
        if self.model.search_query is not None:
            self.run_search()  # the results came from the database scan

    def _index_built(self, count: int) -> None:
        self._finish_index_build()
        if self._closed:
            return
        if count < 0:
            self._say("Search index build cancelled: search uses the database until next start")
        else:
            self._say(f"Search index built: {count:,} papers")

    def _index_failed(self, message: str) -> None:
        self._finish_index_build()
        if not self._closed:
            self._say(f"The search index could not be built: {message}")

    def _import_progress(self, done: int, total: int, name: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done}/{total} files" if total else "Importing…")
        if name:
            self.progress.setToolTip(plain_tooltip(name))

    def _finish_import(self) -> None:
        self.import_job = None
        self.progress.hide()
        self.cancel_button.hide()

    def _import_done(self, results: list[ImportResult]) -> None:
        from desktop.gui.import_dialog import ImportResultDialog, totals_line

        self._finish_import()
        self.last_import_results = list(results)
        touched = {i for r in results for i in (*r.new_ids, *r.updated_ids)}
        self.library.notify(Changes(frozenset(touched), library=True))
        self._say(totals_line(results))
        dialog = ImportResultDialog(results, self)
        self.last_dialog = dialog
        dialog.open()

    def _import_failed(self, message: str) -> None:
        self._finish_import()
        self.library.notify(Changes(library=True))
        self._say(f"Import failed: {message}")

    def paste_digest(self) -> None:
        """Preview the clipboard's digest text and import it when confirmed."""
        text = QApplication.clipboard().text()
        if not text.strip():
            self._say("The clipboard holds no text to import")
            return
        from desktop.gui.import_dialog import PasteDialog

        preview = self.library.importer.preview_text(text)
        name = "Pasted " + dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        dialog = PasteDialog(preview, name, self)
        self.last_dialog = dialog
        dialog.accepted.connect(lambda: self._import_pasted(text, name))
        dialog.open()

    def _import_pasted(self, text: str, name: str) -> None:
        result = self.library.importer.import_text(text, name)
        if result.status == "failed":
            self._say(f"Nothing imported: {result.error}")
            return
        if result.status == "unchanged":
            self._say("This text was already imported")
            return
        self._say(f"Pasted digest: {result.summary()}")
        if result.digest_id is not None:
            self.set_view(f"digest:{result.digest_id}")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.start_import(paths)

    # -- Qt events -------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched is self.list.viewport():
            # The first frame is being drawn: what was deferred runs on the next pass of the
            # event loop, after it is on screen.
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._after_first_paint)
            return False
        if watched is self.sidebar and event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if event.key() in SIDEBAR_KEYS and not event.modifiers() & (
                Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ControlModifier
            ):
                event.accept()
                return True
        return super().eventFilter(watched, event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.list.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
        if not self._shown_once:
            # The restored paper was selected before the list had a size to scroll in.
            self._shown_once = True
            row = self.current_row()
            if row >= 0:
                self.list.scrollTo(
                    self.model.index(row, COL_TITLE),
                    QAbstractItemView.ScrollHint.PositionAtCenter,
                )

    def closeEvent(self, event: QCloseEvent) -> None:
        for job in (self.import_job, self.index_job):
            if job is not None:
                job.cancel()
                job.done.wait(10)
        self.save_settings()
        self._closed = True
        self._counts_timer.stop()
        self._search_timer.stop()
        self.detail.stop()
        self.library.unsubscribe(self._listener)
        super().closeEvent(event)
        if self.owns_library:
            self.library.close()


def unpack_search_results(results: Any) -> tuple[list[int], dict[int, str]]:
    """Ids in rank order and plain-text snippets from whatever ``Library.search`` returns."""
    ids: list[int] = []
    snippets: dict[int, str] = {}
    if isinstance(results, tuple) and len(results) == 2 and isinstance(results[1], dict):
        return [int(i) for i in results[0]], {int(k): str(v) for k, v in results[1].items()}
    hits = getattr(results, "hits", results)
    for hit in hits:
        if isinstance(hit, int):
            ids.append(hit)
            continue
        if isinstance(hit, tuple):
            paper_id, snippet = hit[0], hit[1] if len(hit) > 1 else ""
        else:
            paper_id = getattr(hit, "paper_id", getattr(hit, "id", None))
            snippet = getattr(hit, "snippet", "")
        if paper_id is None:
            continue
        ids.append(int(paper_id))
        if snippet:
            snippets[int(paper_id)] = str(snippet)
    return ids, snippets

"""The main window: layout and wiring. It lays out the sidebar of views, the searchable
paper list and the detail pane, binds every command to its keys, menus and toolbar, and
implements ``WindowContext`` for the commands by delegating to its controllers and widgets:
the view shown (controllers/shown_view.py), search, sorting, colours, context menus."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, QSettings, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFileDialog,
    QFrame,
    QLabel,
    QListView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.core.library import Library
from desktop.core.links import is_web_url
from desktop.core.models import Changes, ImportResult, Paper, PaperId
from desktop.core.views import ViewCount
from desktop.gui import theme
from desktop.gui.background import Job
from desktop.gui.commands import COMMANDS
from desktop.gui.controllers.actions import CommandActions
from desktop.gui.controllers.appearance import SCHEME_SETTING, Appearance
from desktop.gui.controllers.context_menus import ContextMenus
from desktop.gui.controllers.jobs import JobsController
from desktop.gui.controllers.key_prefix import KeyPrefixHint
from desktop.gui.controllers.paper_list import PaperListController
from desktop.gui.controllers.related_worker import related_worker
from desktop.gui.controllers.search import VIEW, SearchController
from desktop.gui.controllers.search_worker import search_worker
from desktop.gui.controllers.shown_view import ShownView
from desktop.gui.controllers.snooze_waker import SnoozeWaker
from desktop.gui.controllers.sorting import KEYS as SORT_KEYS
from desktop.gui.controllers.sorting import SEARCH, SortController
from desktop.gui.controllers.window_settings import WindowSettings
from desktop.gui.icons import app_icon
from desktop.gui.keymap import DEFAULT_KEYMAP
from desktop.gui.models.paper_list import COL_TITLE, PaperListModel
from desktop.gui.models.sidebar import SidebarDelegate, SidebarModel, view_label
from desktop.gui.widgets.annotation_layer import AnnotationLayer
from desktop.gui.widgets.detail_pane import DetailPane
from desktop.gui.widgets.first_start_hint import FirstStartHint, remember_dismissed, should_show
from desktop.gui.widgets.flat_scroll_bar import use_flat_scroll_bars
from desktop.gui.widgets.focus_ring import FocusRing, RingHolder
from desktop.gui.widgets.pane_sizes import default_pane_sizes
from desktop.gui.widgets.paper_table import PaperTable
from desktop.gui.widgets.search_bar import SearchBar
from desktop.gui.widgets.status_bar import StatusBar

__all__ = ["SCHEME_SETTING", "MainWindow"]

STATUS_MS = 8000
SCOPE_SETTING = "search/scope"
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


# The file kinds the readers know (desktop/core/importing/detect.py); the content decides.
DIGEST_FILE_FILTER = (
    "Digests (*.txt *.md *.html *.htm *.xml *.atom *.rss *.json *.jsonl *.ndjson *.eml);;"
    "All files (*)"
)


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
        self._library = library
        self.settings = settings
        self.stored = WindowSettings(settings, library)
        self._keymap = dict(DEFAULT_KEYMAP if keymap is None else keymap)
        self.last_dialog: QDialog | None = None
        self.ask_paths = self._ask_paths  # replaced in tests to skip the file dialog
        self._closed = False
        self._shown_once = False
        self.owns_library = False  # close the library with the window
        self._listener = self._on_library_write
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self._build_widgets()
        self.paper_list = PaperListController(self.model, self.list, lambda: self._show_current())
        self.command_actions = CommandActions(self, self.list, self._keymap, self.run_command)
        self.actions_by_name = self.command_actions.by_name
        self.key_hint = KeyPrefixHint(
            self._keymap,
            {name: cmd.label for name, cmd in COMMANDS.items()},
            say=self.say,
            clear=self._clear_message,
            parent=self,
        )
        self.key_hint.watch([self.list, self.sidebar, self.detail.browser])
        self._build_status_bar()
        self.shown_view = ShownView(
            library,
            self.paper_list,
            self.sidebar,
            self.sidebar_model,
            self.detail,
            self.counts_label,
            set_title=self.setWindowTitle,
            update_actions=self.update_actions,
            open_highlights=self._open_highlights_once,
            is_closed=lambda: self._closed,
            parent=self,
        )
        # The rest of a large list arrives in steps after its first screen (the count follows).
        self.model.rowsInserted.connect(lambda *_: self.shown_view.update_counts_label())
        self._build_controllers()
        self._build_menus_and_toolbar()
        self._annotations = AnnotationLayer(self, self.detail)  # highlights, note, tags

        library.subscribe(self._listener)
        self.library_changed.connect(self.shown_view.apply_changes)
        self.snooze_waker = SnoozeWaker(library, self)  # snoozed papers return while the app runs

        self._build_accessibility()
        self.appearance = Appearance(
            self,
            self.sidebar,
            self.actions_by_name,
            settings,
            parts=[self.search_bar.restyle, self.focus_ring.restyle, self._restyle_panes],
            is_closed=lambda: self._closed,
        )
        self._restore_settings()

    @property
    def closed(self) -> bool:
        """True once the window was closed (deferred work then does nothing)."""
        return self._closed

    # -- construction ----------------------------------------------------------------------
    def _build_widgets(self) -> None:
        # Counts are filled in just after the window shows (they scan the library).
        self.sidebar_model = SidebarModel(self._library, self, counts=False)
        self.sidebar: QListView = QListView(self)
        self.sidebar.setObjectName("sidebar")
        use_flat_scroll_bars(self.sidebar)
        self.sidebar.setModel(self.sidebar_model)
        self.sidebar.setItemDelegate(SidebarDelegate(self.sidebar))
        self.sidebar.setIconSize(QSize(18, 18))
        self.sidebar.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sidebar.setMinimumWidth(150)
        self.sidebar.setFrameShape(QFrame.Shape.NoFrame)
        self.sidebar.setSpacing(1)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sidebar.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.sidebar.activated.connect(lambda *_: self.list.setFocus())
        self.sidebar.installEventFilter(self)

        self.search_bar = SearchBar(self)
        self.search_field = self.search_bar.field

        self.model: PaperListModel = PaperListModel(self._library, self)
        self.list: PaperTable = PaperTable(self)
        self.list.setObjectName("papers")
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.list.setModel(self.model)
        self.list.set_up_columns()  # the title takes the width the other columns leave
        self.list.selectionModel().currentRowChanged.connect(
            lambda *_: None if self.paper_list.quiet else self._show_current()
        )
        self.list.doubleClicked.connect(lambda *_: self.run_command("open-paper"))

        center = QWidget(self)
        column = QVBoxLayout(center)
        column.setContentsMargins(0, 6, 0, 0)
        column.setSpacing(6)
        column.addWidget(self.search_bar)
        self.first_hint: FirstStartHint | None = None
        if should_show(self.settings, bool(self._library.removal.sample_digest_ids())):
            self.first_hint = FirstStartHint(True, center)
            self.first_hint.dismissed.connect(lambda: remember_dismissed(self.settings))
            column.addWidget(self.first_hint)
        column.addWidget(RingHolder(self.list, center))

        self.detail: DetailPane = DetailPane(self._library, self)
        self.detail.use_related_worker(related_worker(self._library, self))
        self.detail.paper_requested.connect(self.go_to_paper)
        self.detail.view_requested.connect(self.set_view)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(RingHolder(self.sidebar))
        self.splitter.addWidget(center)
        self.splitter.addWidget(RingHolder(self.detail))
        self.focus_ring = FocusRing(
            [self.sidebar, self.search_field, self.list, self.detail],
            framed=[self.sidebar, self.list, self.detail],
        )
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes(default_pane_sizes(1280))
        self._splitter_restored = False  # else the panes get their widths when first shown
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

    def _build_controllers(self) -> None:
        library = self._library
        self.sorting = SortController(
            self.model,
            self.list,
            settings=self.settings,
            setting=self.stored.key("sorts"),
            changed=self._sort_changed,
        )
        self._search = SearchController(
            library,
            self.search_field,
            self.paper_list,
            say=self.say,
            restore_view=self._leave_search,
            shown=self.shown_view.after_search,
            index_damaged=self._rebuild_index,
            worker=search_worker(library, self),
            view_label=lambda view: view_label(library, view),
            before_show=lambda: self.sorting.prepare(SEARCH),
        )
        self.shown_view.search = self._search
        self.shown_view.sorting = self.sorting
        self._search.scope_changed.connect(lambda _scope: self._show_scope())
        self._search.suggestion_changed.connect(self._show_suggestion)
        self.search_bar.scope_button.clicked.connect(
            lambda: self.run_command("toggle-search-scope")
        )
        self.search_bar.suggestion_taken.connect(lambda: self.run_command("take-suggestion"))
        self._jobs = JobsController(
            library,
            self.progress,
            self.cancel_button,
            say=self.say,
            show_results=self.show_dialog,
            index_ready=self._search.rerun,
            closed=lambda: self._closed,
            dialog_parent=self,
        )
        self.menus = ContextMenus(
            self.paper_list,
            self.sidebar,
            self.detail.browser,
            self.actions_by_name,
            view=lambda: self.shown_view.view,
            set_view=self.set_view,
        )

    def _build_menus_and_toolbar(self) -> None:
        submenus = self.command_actions.build_menus(self)
        sorts = {key: self.actions_by_name[f"sort-by-{key}"] for key in SORT_KEYS}
        sorts[""] = self.actions_by_name["sort-clear"]
        self.sorting.use_menu(submenus["Sort by"], sorts)
        self.toolbar = self.command_actions.build_toolbar(self)

    def _build_status_bar(self) -> None:
        bar = StatusBar(self)  # long messages elided in the middle, whole in the tooltip
        self.setStatusBar(bar)
        self.counts_label = QLabel(self)
        self.counts_label.setTextFormat(Qt.TextFormat.PlainText)
        self.counts_label.setContentsMargins(16, 0, 4, 0)  # apart from the status message
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel_button.hide()
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        bar.addPermanentWidget(self.counts_label)

    def _build_accessibility(self) -> None:
        """Names for screen readers, and Tab from the sidebar to the search, the list and
        the detail pane (rows tell their state through the models' accessible roles)."""
        names = [
            (self.sidebar, "Views, digests and tags", "Up and Down pick a view"),
            (self.search_field, "Search papers", "Type to search; Esc brings the view back"),
            (self.list, "Papers", "j and k move; e archives, l reads later, s stars"),
            (self.detail.browser, "Paper details", "The current paper; v puts a caret in it"),
            (self.counts_label, "Paper counts", ""),
            (self.progress, "Progress of the running job", ""),
            (self.cancel_button, "Cancel the running job", ""),
            (self.toolbar, "Main toolbar", ""),
            (self._annotations.note_editor, "Paper note (Markdown)", "Ctrl+Enter: done"),
        ]
        for widget, name, description in names:
            widget.setAccessibleName(name)
            if description:
                widget.setAccessibleDescription(description)
        self.detail.browser.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab reaches it
        QWidget.setTabOrder(self.sidebar, self.search_field)
        QWidget.setTabOrder(self.search_field, self.list)
        QWidget.setTabOrder(self.list, self.detail.browser)

    # -- colours ---------------------------------------------------------------------------
    @property
    def color_scheme(self) -> str:
        """The View menu's choice: ``system``, ``light`` or ``dark``."""
        return self.appearance.choice

    def set_color_scheme(self, choice: str, *, remember: bool = True) -> None:
        """Use the ``system``, ``light`` or ``dark`` colours, and remember the choice."""
        self.appearance.set_color_scheme(choice, remember=remember)

    def restyle(self, t: theme.Theme) -> None:
        """Draw everything in theme ``t``."""
        self.appearance.restyle(t)

    def _restyle_panes(self, _t: theme.Theme) -> None:
        self.sidebar_model.restyle()
        self.model.restyle()
        self._annotations.restyle()
        if self.detail.paper is not None:
            self.detail.refresh()
        elif self._shown_once:
            self._show_current()

    # -- settings --------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        self._splitter_restored = self.stored.restore_geometry(self, self.splitter)
        view, paper_id = self.stored.place()
        try:
            self._library.views.where(view)
        except ValueError:
            view = "inbox"
        self.sorting.adopt_legacy(view, *self.stored.legacy_sort())
        if self.settings is not None and str(self.settings.value(SCOPE_SETTING, "")) == VIEW:
            self._search.set_scope(VIEW)
        self.set_view(view, select=paper_id)
        self.shown_view.digests_changed = True
        # The counts scan the library: they come once the first frame is on screen.
        self.list.viewport().installEventFilter(self)

    def save_settings(self) -> None:
        """Remember geometry, splitter sizes, the view, the selected paper and the sorts."""
        self.stored.save(self, self.splitter, self.view, self.current_id())
        self.sorting.save()
        if self.settings is not None:
            self.settings.setValue(SCOPE_SETTING, self._search.scope)
            self.settings.sync()

    # -- WindowContext: what commands see --------------------------------------------------
    @property
    def library(self) -> Library:
        """The open library."""
        return self._library

    @property
    def view(self) -> str:
        """The view shown (inbox, queue, …, digest:ID, tag:NAME)."""
        return self.shown_view.view

    @property
    def keymap(self) -> Mapping[str, str]:
        """Key to command name."""
        return self._keymap

    @property
    def annotations(self) -> AnnotationLayer:
        """Highlights, note and tags of the shown paper."""
        return self._annotations

    @property
    def search(self) -> SearchController:
        """The search field and its results."""
        return self._search

    @property
    def jobs(self) -> JobsController:
        """Imports and the index build."""
        return self._jobs

    @property
    def dialog_parent(self) -> QWidget:
        """Dialogs open over the window."""
        return self

    @property
    def counts(self) -> dict[str, ViewCount] | None:
        """The counts of every view, once counted."""
        return self.shown_view.counts

    @property
    def digests_changed(self) -> bool:
        """True when the per-digest unread counts need recomputing."""
        return self.shown_view.digests_changed

    def say(self, message: str) -> None:
        """Show a message in the status bar for a few seconds."""
        self.statusBar().showMessage(message, STATUS_MS)

    def _clear_message(self, message: str) -> None:
        """Clear the status bar if it still shows ``message``."""
        if self.statusBar().currentMessage() == message:
            self.statusBar().clearMessage()

    def run_command(self, name: str) -> None:
        """Run a command by name (keys, menus, toolbar and palette all end here)."""
        COMMANDS[name].run(self)
        if self.first_hint is not None:
            self.first_hint.command_ran(name)

    def action(self, name: str) -> QAction:
        """The action of a command."""
        return self.actions_by_name[name]

    def current_id(self) -> PaperId | None:
        """The id of the paper under the cursor, or None."""
        return self.paper_list.current_id()

    def current_row(self) -> int:
        """The row of the paper under the cursor, or -1."""
        return self.paper_list.current_row()

    def row_count(self) -> int:
        """How many papers are listed."""
        return self.paper_list.row_count()

    def targets(self) -> list[PaperId]:
        """The papers a triage key acts on: the selected ones (x), else the current one."""
        return self.paper_list.targets()

    def select_row(self, row: int) -> None:
        """Make a row current and selected, and scroll to it."""
        self.paper_list.select_row(row)

    def move_current(self, delta: int) -> None:
        """Move the cursor ``delta`` rows."""
        self.paper_list.move_current(delta)

    def toggle_mark(self, row: int) -> int:
        """Select or unselect a row for a bulk action; how many are selected now."""
        return self.paper_list.toggle_mark(row)

    def marked_count(self) -> int:
        """How many papers are selected for a bulk action."""
        return len(self.model.marked)

    def clear_marks(self) -> None:
        """Unselect every paper selected for a bulk action."""
        self.model.clear_marks()

    def returning_papers(self) -> AbstractContextManager[None]:
        """While inside, papers a write brings back into the view get the cursor (undo)."""
        return self.paper_list.returning_papers()

    def listed_ids(self) -> list[PaperId]:
        """The papers listed, in list order."""
        return self.model.all_ids()

    @property
    def unread_only(self) -> bool:
        """True while the list shows only the view's unread papers."""
        return self.model.unread_only

    def set_unread_only(self, on: bool) -> None:
        """Show only the unread papers of every view (or all again), keeping the cursor."""
        self.model.unread_only = on
        self.set_view(self.view, select=self.current_id())

    def is_queue_order(self) -> bool:
        """True in the Queue view in queue order, outside search."""
        model = self.model
        return self.view == "queue" and model.sort_column == -1 and not model.search_query

    def shown_paper(self) -> Paper | None:
        """The paper in the detail pane."""
        return self.detail.paper

    def open_paper(self, paper_id: int) -> Paper | None:
        """Show a paper in the detail pane, the keyboard leaving the search field."""
        if self.search_field.hasFocus():
            self.list.setFocus(Qt.FocusReason.ShortcutFocusReason)  # Enter leaves the field
        self.detail.show_paper(paper_id)
        return self.detail.paper

    def scroll_detail(self, direction: int) -> None:
        """Scroll the detail pane one page down (+1) or up (-1)."""
        self.detail.scroll_page(direction)

    def focus_list(self) -> None:
        """Give the keyboard to the paper list."""
        self.list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_sidebar(self) -> None:
        """Put the keyboard in the sidebar."""
        self.sidebar.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def clipboard_text(self) -> str:
        """The clipboard's text."""
        return QApplication.clipboard().text()

    def set_clipboard_text(self, text: str) -> None:
        """Put plain text on the clipboard."""
        QApplication.clipboard().setText(text)

    def open_url(self, url: str) -> bool:
        """Open an http(s) address in the browser (anything else is refused: False)."""
        if not is_web_url(url):
            return False
        return bool(QDesktopServices.openUrl(QUrl(url)))

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question (No is the default); True for yes."""
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        answer = QMessageBox.question(
            self, "Digest Desk", question, buttons, QMessageBox.StandardButton.No
        )
        return answer == QMessageBox.StandardButton.Yes

    def clipboard_html(self) -> str | None:
        """The clipboard's HTML flavour, when it has one (never rendered)."""
        mime = QApplication.clipboard().mimeData()
        return mime.html() if mime is not None and mime.hasHtml() else None

    def show_dialog(self, dialog: QDialog) -> None:
        """Open a dialog without blocking; it is the last dialog until the next one."""
        self.last_dialog = dialog
        dialog.open()

    def close_window(self) -> None:
        """Close the window."""
        self.close()

    def reload(self) -> None:
        """Re-read everything from the database, keeping the current paper."""
        self._library.notify(Changes(library=True))
        self.shown_view.digests_changed = True
        self.refresh_counts()

    def picked_tag(self) -> str | None:
        """The tag to rename or delete: the one right-clicked (once), else the current tag."""
        return self.menus.picked_tag()

    def show_context_menu(self) -> None:
        """Open the context menu of the focused pane by keyboard (Shift+F10, the Menu key)."""
        self.menus.show_for_focus()

    def build_context_menu(self) -> QMenu:
        """The paper list's context menu, built from the commands."""
        return self.menus.build_list_menu()

    def build_sidebar_menu(self, pos: QPoint) -> QMenu | None:
        """The sidebar's context menu for the entry under ``pos`` (None elsewhere)."""
        return self.menus.build_sidebar_menu(pos)

    # -- jobs (kept on the window for app.py and the tests) --------------------------------
    @property
    def import_job(self) -> Job | None:
        """The running import, if any."""
        return self._jobs.import_job

    @property
    def index_job(self) -> Job | None:
        """The running index build, if any."""
        return self._jobs.index_job

    @property
    def last_import_results(self) -> list[ImportResult] | None:
        """The per-file results of the last import."""
        return self._jobs.last_import_results

    def start_import(self, paths: Sequence[str | Path]) -> Job | None:
        """Import files and folders in the background."""
        return self._jobs.start_import(paths)

    def start_index_build(self) -> Job | None:
        """Build a missing or damaged search index in the background."""
        return self._jobs.start_index_build()

    def _rebuild_index(self) -> None:
        self._jobs.start_index_build()

    # -- views, search and sorting ---------------------------------------------------------
    def set_view(self, view: str, select: int | None = None) -> None:
        """Show a view (inbox, queue, …, digest:ID, tag:NAME) and select a paper in it."""
        if not self.shown_view.set_view(view, select):
            self.say(f"Unknown view {view}")
            return
        self._show_scope()

    def go_to_paper(self, paper_id: int) -> None:
        """Select a paper, switching to All papers when the current view does not hold it."""
        self.shown_view.go_to_paper(paper_id)
        self._show_scope()
        self.list.setFocus()

    def sync_sidebar(self) -> None:
        """Show the current view as the sidebar's current entry."""
        self.shown_view.sync_sidebar()

    def refresh_counts(self) -> None:
        """Recount every view now (normally debounced: runs once keys pause)."""
        self.shown_view.refresh_counts()

    def _show_current(self, keep_scroll: bool = False) -> None:
        self.shown_view.show_current(keep_scroll)

    def _leave_search(self, paper_id: PaperId | None, row: int) -> None:
        self.shown_view.restore(paper_id, row)
        label = view_label(self._library, self.view)
        self.say(f"Back to {label}: {len(self.model.ids)} papers listed")

    def _show_scope(self) -> None:
        label = view_label(self._library, self.view)
        key = self.command_actions.key_text("toggle-search-scope")
        # All papers is the whole library: "Only All papers" would say a limit there is none of.
        in_view = self._search.scope == VIEW and self.view != "all"
        self.search_bar.show_scope(in_view, label, key)
        action = self.actions_by_name["toggle-search-scope"]
        action.setCheckable(True)
        action.setChecked(self._search.scope == VIEW)

    def _show_suggestion(self, suggestion: str | None) -> None:
        self.search_bar.show_suggestion(
            suggestion, self.command_actions.key_text("take-suggestion")
        )
        self.actions_by_name["take-suggestion"].setEnabled(suggestion is not None)

    def _sort_changed(self) -> None:
        self.shown_view.update_title()
        self.shown_view.update_counts_label()

    def _open_highlights_once(self) -> None:
        shown = self.last_dialog
        if not (
            shown is not None and shown.objectName() == "highlights-view" and shown.isVisible()
        ):
            self.run_command("go-highlights")

    def update_actions(self) -> None:
        """Enable paper commands when a paper is current; name what undo and redo undo."""
        self.command_actions.update(self._library, self.current_id() is not None)

    # -- importing -------------------------------------------------------------------------
    def _ask_paths(self, folder: bool) -> list[str]:
        if folder:
            chosen = QFileDialog.getExistingDirectory(self, "Import a folder of digests")
            return [chosen] if chosen else []
        files, _ = QFileDialog.getOpenFileNames(self, "Import digests", "", DIGEST_FILE_FILTER)
        return list(files)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self._jobs.start_import(paths)

    # -- reacting to writes and Qt events --------------------------------------------------
    def _on_library_write(self, changes: Changes) -> None:
        if not self._closed:
            self.library_changed.emit(changes)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched is self.list.viewport():
            # The first frame is being drawn: the sidebar counts come on the next pass of
            # the event loop, after it is on screen.
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.refresh_counts)
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
            if not self._splitter_restored:
                self.splitter.setSizes(default_pane_sizes(self.splitter.width()))
            row = self.current_row()
            if row >= 0:
                self.list.scrollTo(
                    self.model.index(row, COL_TITLE),
                    QAbstractItemView.ScrollHint.PositionAtCenter,
                )

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._annotations.may_close():
            event.ignore()  # the note could not be saved: keep it on screen once
            return
        self._jobs.stop()
        self.save_settings()
        self._closed = True
        self.shown_view.stop()
        self.snooze_waker.stop()
        self._search.stop()
        self.detail.stop()
        self._library.unsubscribe(self._listener)
        super().closeEvent(event)
        if self.owns_library:
            self._library.close()

"""The main window: layout and wiring. It lays out the sidebar of views, the searchable
paper list and the detail pane, binds every command to its keys, menus and toolbar, and
implements ``WindowContext`` for the commands by delegating to its controllers and widgets.
Refreshes after a write are decided from the core's ``Changes`` flags."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPoint,
    QSettings,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFileDialog,
    QFrame,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.core.library import Library
from desktop.core.links import is_web_url
from desktop.core.models import Changes, ImportResult, Paper, PaperId
from desktop.core.views import ViewCount
from desktop.gui import theme
from desktop.gui.background import Job
from desktop.gui.commands import COMMANDS, MENUS
from desktop.gui.controllers.jobs import JobsController
from desktop.gui.controllers.key_prefix import KeyPrefixHint
from desktop.gui.controllers.paper_list import PaperListController
from desktop.gui.controllers.search import SearchController
from desktop.gui.controllers.search_worker import search_worker
from desktop.gui.controllers.snooze_waker import SnoozeWaker
from desktop.gui.icons import app_icon, icon
from desktop.gui.keymap import DEFAULT_KEYMAP, keys_for, menu_key_text, qt_sequence
from desktop.gui.models.paper_list import (
    COL_TITLE,
    PaperListModel,
)
from desktop.gui.models.sidebar import (
    HIGHLIGHTS,
    SidebarDelegate,
    SidebarModel,
    ViewRole,
    view_label,
)
from desktop.gui.widgets.annotation_layer import AnnotationLayer
from desktop.gui.widgets.detail_pane import DetailPane
from desktop.gui.widgets.first_start_hint import FirstStartHint, remember_dismissed, should_show
from desktop.gui.widgets.pane_sizes import default_pane_sizes
from desktop.gui.widgets.paper_table import PaperTable

APP_TITLE = "Digest Desk"
# Style sheets go on single cheap widgets only: an application-wide style sheet routes every
# paint through QStyleSheetStyle and makes the paper list about twice as slow to paint.
SCHEME_SETTING = "appearance/color-scheme"
SCHEME_COMMANDS = {"system": "scheme-system", "light": "scheme-light", "dark": "scheme-dark"}


def search_style(t: theme.Theme) -> str:
    """The search field's style sheet in a theme (a visible border when it has focus)."""
    return (
        f"QLineEdit {{ padding: 5px 6px; border: 1px solid {t.field_border}; border-radius: 5px;"
        f" margin: 0 6px; background: {t.field_bg}; color: {t.text}; }}"
        f"QLineEdit:focus {{ border: 2px solid {t.field_focus}; padding: 4px 5px; }}"
    )


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


def library_key(library: Library) -> str:
    """A short stable key for per-library settings (view, selected paper)."""
    if library.data_dir is None:
        return "memory"
    path = str(Path(library.data_dir).resolve())
    return hashlib.sha1(path.encode("utf-8")).hexdigest()[:12]


def empty_message(view: str) -> str:
    """What the detail pane says when a view holds no paper."""
    if view == "inbox":
        return "Inbox zero. Everything is queued or archived. Press g then a to see all papers."
    if view == "queue":
        return "The reading queue is empty. Press l on a paper to read it later."
    if view == "starred":
        return "No starred papers yet. Press s to star the current paper."
    if view == "archive":
        return "Nothing archived yet. Press e to archive a paper you are done with."
    if view.startswith("saved:"):
        return "No paper matches this saved view now (hover it in the sidebar for its search)."
    if view == "snoozed":
        return "Nothing snoozed. Press z on a paper to take it out of the Inbox for a while."
    return "No papers here. Import a digest with Ctrl+I, or paste one with Ctrl+V."


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
        self._keymap = dict(DEFAULT_KEYMAP if keymap is None else keymap)
        self._view = "inbox"
        self.actions_by_name: dict[str, QAction] = {}
        self.last_dialog: QDialog | None = None
        self.ask_paths = self._ask_paths  # replaced in tests to skip the file dialog
        self._syncing_sidebar = False
        self._closed = False
        self._shown_once = False
        self._menu_tag: str | None = None  # the tag right-clicked in the sidebar
        self.owns_library = False  # close the library with the window
        self.digests_changed = True  # per-digest unread counts need recomputing
        self.counts: dict[str, ViewCount] | None = None
        self._listener = self._on_library_write
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self._build_widgets()
        self.paper_list = PaperListController(self.model, self.list, self._show_current)
        self._build_actions()
        self.key_hint = KeyPrefixHint(
            self._keymap,
            {name: cmd.label for name, cmd in COMMANDS.items()},
            say=self.say,
            clear=self._clear_message,
            parent=self,
        )
        self.key_hint.watch([self.list, self.sidebar, self.detail.browser])
        self._build_menus_and_toolbar()
        self._build_status_bar()
        self._annotations = AnnotationLayer(self, self.detail)  # highlights, note, tags
        self._search = SearchController(
            library,
            self.search_field,
            self.paper_list,
            say=self.say,
            restore_view=lambda paper_id: self.set_view(self._view, select=paper_id),
            shown=self._after_search,
            index_damaged=self._rebuild_index,
            worker=search_worker(library, self),
        )
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

        library.subscribe(self._listener)
        self.library_changed.connect(self._apply_changes)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(COUNTS_DELAY_MS)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self.snooze_waker = SnoozeWaker(library, self)  # snoozed papers return while the app runs

        self._build_accessibility()
        self._scheme_choice = "system"
        self._build_scheme_choice()
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
        self.sidebar.setModel(self.sidebar_model)
        self.sidebar.setItemDelegate(SidebarDelegate(self.sidebar))
        self.sidebar.setIconSize(QSize(18, 18))
        self.sidebar.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sidebar.setMinimumWidth(150)
        self.sidebar.setFrameShape(QFrame.Shape.NoFrame)
        self.sidebar.setSpacing(1)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sidebar.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.sidebar.selectionModel().currentChanged.connect(self._on_sidebar_current)
        self.sidebar.activated.connect(lambda *_: self.list.setFocus())
        self.sidebar.installEventFilter(self)

        self.search_field: QLineEdit = QLineEdit(self)
        self.search_field.setObjectName("search")
        self.search_field.setPlaceholderText("Search titles and abstracts   ( / )")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)

        self.model: PaperListModel = PaperListModel(self._library, self)
        # The rest of a large list arrives in steps after its first screen (the count follows).
        self.model.rowsInserted.connect(self._update_counts_label)
        self.list: PaperTable = PaperTable(self)
        self.list.setObjectName("papers")
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.list.setModel(self.model)
        self.list.set_up_columns()  # the title takes the width the other columns leave
        header = self.list.horizontalHeader()
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.list.setSortingEnabled(True)
        self.list.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.sidebar.activated.connect(self._on_sidebar_entry)
        self.sidebar.clicked.connect(self._on_sidebar_entry)
        self.sidebar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.sidebar.customContextMenuRequested.connect(self._sidebar_menu)
        self.list.doubleClicked.connect(lambda *_: self.run_command("open-paper"))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)

        center = QWidget(self)
        column = QVBoxLayout(center)
        column.setContentsMargins(0, 6, 0, 0)
        column.setSpacing(6)
        column.addWidget(self.search_field)
        self.first_hint: FirstStartHint | None = None
        if should_show(self.settings, bool(self._library.removal.sample_digest_ids())):
            self.first_hint = FirstStartHint(True, center)
            self.first_hint.dismissed.connect(lambda: remember_dismissed(self.settings))
            column.addWidget(self.first_hint)
        column.addWidget(self.list)

        self.detail: DetailPane = DetailPane(self._library, self)
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
        self.splitter.setSizes(default_pane_sizes(1280))
        self._splitter_restored = False  # else the panes get their widths when first shown
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

    def _build_actions(self) -> None:
        for name, cmd in COMMANDS.items():
            action = QAction(self)
            self._set_action_text(action, name, cmd.label)
            action.setObjectName(name)
            action.setStatusTip(cmd.doc)
            action.setToolTip(self._tooltip(name))
            if cmd.icon:
                action.setIcon(icon(cmd.icon))
            keys = [QKeySequence(qt_sequence(k)) for k in keys_for(name, self._keymap)]
            action.setShortcuts(keys)
            if cmd.scope == "list":
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                self.list.addAction(action)
            else:
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
                self.addAction(action)
            action.triggered.connect(lambda _checked=False, n=name: self.run_command(n))
            self.actions_by_name[name] = action

    def _set_action_text(self, action: QAction, name: str, label: str) -> None:
        """Label an action; menus show its key as typed (``s``, not Qt's ``S``)."""
        keys = keys_for(name, self._keymap)
        action.setText(f"{label}\t{menu_key_text(keys[0])}" if keys else label)
        action.setIconText(label.rstrip("…").rstrip("."))  # the toolbar shows the label alone

    def _tooltip(self, name: str) -> str:
        cmd = COMMANDS[name]
        keys = keys_for(name, self._keymap)
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
        self.cancel_button.hide()
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        bar.addPermanentWidget(self.counts_label)

    # -- accessibility ---------------------------------------------------------------------
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
    def _build_scheme_choice(self) -> None:
        group = QActionGroup(self)
        group.setExclusive(True)
        for choice, name in SCHEME_COMMANDS.items():
            action = self.actions_by_name[name]
            action.setCheckable(True)
            action.setChecked(choice == self._scheme_choice)
            group.addAction(action)
        choice = "system"
        if self.settings is not None:
            saved = str(self.settings.value(SCHEME_SETTING, "system"))
            choice = saved if saved in theme.SCHEMES else "system"
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._on_system_scheme)
        self.set_color_scheme(choice, remember=False)

    @property
    def color_scheme(self) -> str:
        """The View menu's choice: ``system``, ``light`` or ``dark``."""
        return self._scheme_choice

    def set_color_scheme(self, choice: str, *, remember: bool = True) -> None:
        """Use the ``system``, ``light`` or ``dark`` colours, and remember the choice."""
        if choice not in theme.SCHEMES:
            raise ValueError(f"unknown colour scheme {choice!r}")
        self._scheme_choice = choice
        self.actions_by_name[SCHEME_COMMANDS[choice]].setChecked(True)
        if remember and self.settings is not None:
            self.settings.setValue(SCHEME_SETTING, choice)
        self.restyle(theme.resolve(choice))

    def _on_system_scheme(self, _scheme: Qt.ColorScheme) -> None:
        if self._scheme_choice == "system" and not self._closed:
            self.restyle(theme.resolve("system"))

    def restyle(self, t: theme.Theme) -> None:
        """Draw everything in theme ``t``: palette, panes, icons, rows and the detail pane."""
        theme.set_current(t)
        self.setPalette(theme.palette_for(t))
        side = theme.palette_for(t)
        side.setColor(QPalette.ColorRole.Base, t.color("sidebar_bg"))
        side.setColor(QPalette.ColorRole.Highlight, t.color("sidebar_selection"))
        side.setColor(QPalette.ColorRole.HighlightedText, t.color("text"))
        self.sidebar.setPalette(side)
        self.search_field.setStyleSheet(search_style(t))
        for name, cmd in COMMANDS.items():
            if cmd.icon:
                self.actions_by_name[name].setIcon(icon(cmd.icon, t.icon, t.icon_disabled))
        self.sidebar_model.restyle()
        self.model.restyle()
        self._annotations.restyle()
        if self.detail.paper is not None:
            self.detail.refresh()
        elif self._shown_once:
            self._show_current()

    # -- settings --------------------------------------------------------------------------
    def _setting(self, key: str) -> str:
        return f"library-{library_key(self._library)}/{key}"

    def _restore_settings(self) -> None:
        view, paper_id = "inbox", None
        s = self.settings
        if s is not None:
            geometry = s.value("window/geometry")
            if geometry is not None:
                self.restoreGeometry(geometry)
            splitter = s.value("window/splitter")
            if splitter is not None:
                self._splitter_restored = bool(self.splitter.restoreState(splitter))
            view = str(s.value(self._setting("view"), "inbox"))
            raw = s.value(self._setting("paper"))
            paper_id = int(raw) if raw not in (None, "") and str(raw).isdigit() else None
            column = int(str(s.value(self._setting("sort-column"), -1)))
            descending = str(s.value(self._setting("sort-descending"), "false")) == "true"
            if column >= 0:
                order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
                # The model takes the order first, so the header's sort() call finds nothing
                # to do: the view's papers are then queried once, already sorted, by set_view.
                self.model.set_sort_order(column, descending)
                self.list.horizontalHeader().setSortIndicator(column, order)
        try:
            self._library.views.where(view)
        except ValueError:
            view = "inbox"
        self.set_view(view, select=paper_id)
        self.digests_changed = True
        # The counts scan the library: they come once the first frame is on screen.
        self.list.viewport().installEventFilter(self)

    def _after_first_paint(self) -> None:
        """Work that can wait until the window is on screen: the sidebar counts."""
        if not self._closed:
            self.refresh_counts()

    def save_settings(self) -> None:
        """Remember geometry, splitter sizes, the view and the selected paper."""
        s = self.settings
        if s is None:
            return
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue(self._setting("view"), self._view)
        current = self.current_id()
        s.setValue(self._setting("paper"), "" if current is None else int(current))
        s.setValue(self._setting("sort-column"), self.model.sort_column)
        s.setValue(self._setting("sort-descending"), "true" if self.model.descending else "false")
        s.sync()

    # -- WindowContext: what commands see --------------------------------------------------
    @property
    def library(self) -> Library:
        """The open library."""
        return self._library

    @property
    def view(self) -> str:
        """The view shown (inbox, queue, …, digest:ID, tag:NAME)."""
        return self._view

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
        self.set_view(self._view, select=self.current_id())

    def is_queue_order(self) -> bool:
        """True in the Queue view in queue order, outside search."""
        model = self.model
        return self._view == "queue" and model.sort_column == -1 and not model.search_query

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
        self.digests_changed = True
        self.refresh_counts()

    def picked_tag(self) -> str | None:
        """The tag to rename or delete: the one right-clicked (once), else the current tag
        view."""
        if self._menu_tag:
            picked, self._menu_tag = self._menu_tag, None
            return picked
        index = self.sidebar.currentIndex()
        view = str(index.data(ViewRole) or "") if index.isValid() else ""
        if not view.startswith("tag:"):
            view = self._view
        return view.split(":", 1)[1] if view.startswith("tag:") else None

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

    # -- views -----------------------------------------------------------------------------
    def set_view(self, view: str, select: int | None = None) -> None:
        """Show a view (inbox, queue, …, digest:ID, tag:NAME) and select a paper in it."""
        try:
            self._library.views.where(view)
        except ValueError:
            self.say(f"Unknown view {view}")
            return
        self._search.reset()
        with self.paper_list.reloading():
            self._view = view
            self.model.load_view(view)
        row = self.model.row_of(select) if select is not None else -1
        self.paper_list.select_row(max(row, 0))
        self._show_current()
        self.sync_sidebar()
        self._update_title()
        self._update_counts_label()

    def go_to_paper(self, paper_id: int) -> None:
        """Select a paper, switching to All papers when the current view does not hold it."""
        if self.model.row_of(paper_id) < 0:
            self.set_view("all", select=paper_id)
        else:
            self.paper_list.select_row(self.model.row_of(paper_id))
        self.list.setFocus()

    def _on_sidebar_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        view = current.data(ViewRole) if current.isValid() else None
        if view == HIGHLIGHTS:
            return  # opened by Enter or a click, not by passing over it
        if view and view != self._view and not self._syncing_sidebar:
            self.set_view(str(view))

    def _on_sidebar_entry(self, index: QModelIndex) -> None:
        if index.data(ViewRole) == HIGHLIGHTS:
            QTimer.singleShot(0, self, self._open_highlights_once)

    def _open_highlights_once(self) -> None:
        shown = self.last_dialog
        if not (
            shown is not None and shown.objectName() == "highlights-view" and shown.isVisible()
        ):
            self.run_command("go-highlights")

    def sync_sidebar(self) -> None:
        """Show the current view as the sidebar's current entry."""
        row = self.sidebar_model.row_of(self._view)
        self._syncing_sidebar = True
        try:
            if row >= 0:
                self.sidebar.setCurrentIndex(self.sidebar_model.index(row, 0))
            else:
                self.sidebar.clearSelection()
        finally:
            self._syncing_sidebar = False

    def _update_title(self) -> None:
        if self.model.search_query is not None:
            what = f"Search: {self.model.search_query}"
        else:
            what = view_label(self._library, self._view)
            if self.model.unread_only:
                what += " (unread only)"
        self.setWindowTitle(f"{APP_TITLE} — {what}")

    def _after_search(self) -> None:
        self._show_current()
        self._update_title()
        self._update_counts_label()

    def _on_current_row(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        if not self.paper_list.quiet:
            self._show_current()

    def _show_current(self, keep_scroll: bool = False) -> None:
        paper_id = self.current_id()
        if paper_id is None:
            if self.model.search_query is not None:
                self.detail.show_empty("No paper matches this search.")
            else:
                self.detail.show_empty(empty_message(self._view))
        else:
            self.detail.show_paper(paper_id, keep_scroll=keep_scroll)
        self.update_actions()

    def refresh_counts(self) -> None:
        """Recount every view now (normally debounced: runs once keys pause)."""
        if self._closed:
            return
        self._counts_timer.stop()
        self.counts = self._library.views.counts()
        self.sidebar_model.refresh(self.counts, digests_changed=self.digests_changed)
        self.digests_changed = False
        self.sync_sidebar()
        self._update_counts_label()
        self._update_title()

    def _update_counts_label(self) -> None:
        shown = len(self.model.ids)
        if self.model.search_query is not None:
            text = f"{shown} result{'' if shown == 1 else 's'}"
        else:
            text = f"{shown} in view"
        if self.counts is not None:
            total = self.counts["all"]
            papers = f"{total.total} paper{'' if total.total == 1 else 's'}"
            text += f"   ·   {total.unread} unread of {papers}"
        self.counts_label.setText(text)

    def update_actions(self) -> None:
        """Enable paper commands when a paper is current; name what undo and redo undo."""
        has_paper = self.current_id() is not None
        for name, action in self.actions_by_name.items():
            if COMMANDS[name].needs_paper:
                action.setEnabled(has_paper)
        undo_label = self._library.history.undo_label()
        redo_label = self._library.history.redo_label()
        self.actions_by_name["undo"].setEnabled(undo_label is not None)
        self.actions_by_name["redo"].setEnabled(redo_label is not None)
        for name, label in (("undo", undo_label), ("redo", redo_label)):
            title = name.capitalize()
            self._set_action_text(
                self.actions_by_name[name], name, f"{title} {label}" if label else title
            )

    # -- context menus ---------------------------------------------------------------------
    def _context_menu(self, pos: QPoint) -> None:
        index = self.list.indexAt(pos)
        if index.isValid() and not self.list.selectionModel().isRowSelected(index.row()):
            self.paper_list.select_row(index.row())
        menu = self.build_context_menu()
        menu.exec(self.list.viewport().mapToGlobal(pos))

    def show_context_menu(self) -> None:
        """Open the context menu of the focused pane by keyboard (Shift+F10, the Menu key):
        the detail pane's at its caret, the sidebar's at its entry, else the list's at the
        current paper."""
        if self.detail.browser.hasFocus():
            rect = self.detail.browser.cursorRect()
            self.detail.browser.customContextMenuRequested.emit(rect.bottomLeft())
            return
        if self.sidebar.hasFocus():
            rect = self.sidebar.visualRect(self.sidebar.currentIndex())
            self._sidebar_menu(rect.center())
            return
        row = self.current_row()
        pos = QPoint(8, 8)
        if row >= 0:
            pos = self.list.visualRect(self.model.index(row, COL_TITLE)).center()
        self.list.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._context_menu(pos)

    def build_context_menu(self) -> QMenu:
        """The paper list's context menu, built from the commands."""
        menu = QMenu(self)
        for name, cmd in COMMANDS.items():
            if cmd.context_menu:
                if name in ("queue-move-up", "toggle-select"):
                    menu.addSeparator()
                menu.addAction(self.actions_by_name[name])
        return menu

    def _sidebar_menu(self, pos: QPoint) -> None:
        menu = self.build_sidebar_menu(pos)
        if menu is not None:
            menu.exec(self.sidebar.viewport().mapToGlobal(pos))
            self._menu_tag = None

    def build_sidebar_menu(self, pos: QPoint) -> QMenu | None:
        """The sidebar's context menu for the tag under ``pos`` (None elsewhere)."""
        index = self.sidebar.indexAt(pos)
        view = str(index.data(ViewRole) or "") if index.isValid() else ""
        if view.startswith("saved:"):
            return self._saved_view_menu(view)
        if not view.startswith("tag:"):
            return None
        self._menu_tag = view.split(":", 1)[1]
        menu = QMenu(self.sidebar)
        menu.addAction(self.actions_by_name["rename-tag"])
        menu.addAction(self.actions_by_name["delete-tag"])
        return menu

    def _saved_view_menu(self, view: str) -> QMenu:
        """The context menu of a saved view: it is shown first, as its commands act on the
        saved view shown."""
        if view != self._view:
            self.set_view(view)
        menu = QMenu(self.sidebar)
        for name in (
            "rename-saved-view",
            "move-saved-view-up",
            "move-saved-view-down",
            "delete-saved-view",
        ):
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

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self._jobs.start_import(paths)

    # -- reacting to writes ----------------------------------------------------------------
    def _on_library_write(self, changes: Changes) -> None:
        if not self._closed:
            self.library_changed.emit(changes)

    def _apply_changes(self, changes: Changes) -> None:
        """Refresh what a write may have changed, as its ``Changes`` flags say."""
        if self._closed:
            return
        shown = self.detail.paper.id if self.detail.paper is not None else None
        self.paper_list.apply(changes)
        current = self.current_id()
        if (
            current != shown
            or changes.library
            or changes.annotations
            or changes.tags
            or (current is not None and current in changes.papers)
        ):
            self._show_current(keep_scroll=True)
        else:
            self.update_actions()  # the history moved
        if changes.library or changes.read or changes.digests:
            self.digests_changed = True  # per-digest unread counts
        if changes.counts or changes.annotations:
            self._counts_timer.start()  # view, highlight and tag counts, once keys pause
        self._update_counts_label()

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
        self._counts_timer.stop()
        self.snooze_waker.stop()
        self._search.stop()
        self.detail.stop()
        self._library.unsubscribe(self._listener)
        super().closeEvent(event)
        if self.owns_library:
            self._library.close()

"""The paper list: a table model over paper ids that loads rows lazily, a page at a time."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QPainter, QPixmap
from sqlite_utils import Database

from desktop.core import store
from desktop.core.library import DB_FILE, Library
from desktop.core.models import Paper, PaperId
from desktop.core.search.results import strip_marks
from desktop.core.snooze import Snooze
from desktop.core.views import Views
from desktop.gui import theme
from desktop.gui.icons import pixmap
from desktop.gui.models.id_list import IdList
from desktop.gui.plain_text import plain_tooltip

if TYPE_CHECKING:
    import numpy as np

COL_TITLE = 0
COL_PUBLISHED = 1
COL_AUTHORS = 2
COL_DIGESTS = 3
# A hidden column holds the current index, so no focus frame is drawn over a visible cell.
COL_CURSOR = 4
HEADERS = ("Title", "Published", "Authors", "Digests", "Id")
# Library.view_ids sort keys per column.
SORT_KEYS = {COL_TITLE: "title", COL_PUBLISHED: "published", COL_AUTHORS: "authors"}
SORT_KEYS[COL_DIGESTS] = "digests"

PAGE = 64  # rows loaded per database round trip
CACHE_LIMIT = 4096  # rows kept in memory before the cache is dropped
SCANS_BEFORE_MAP = 16  # row lookups by list scan before the id-to-row map is built
# A large list read in index order (Views.pageable) comes a window at a time: the first rows
# at once, so the first screen shows without reading a million ids; the rest is read on a
# thread of its own (its own read-only connection) and arrives in one insert. A library in
# memory (tests) reads the rest in steps instead, one per turn of the event loop.
FIRST_ROWS = 2000
MORE_ROWS = 20000
THREAD_ROWS = 100000  # rows per read on the thread, which stops between reads when not needed

PaperRole = int(Qt.ItemDataRole.UserRole) + 1  # the Paper of a row
IdRole = int(Qt.ItemDataRole.UserRole) + 2  # the paper id of a row
SnippetRole = int(Qt.ItemDataRole.UserRole) + 3  # the search snippet of a row, if any

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
# Every row is enabled and selectable; made once (an enum "|" costs microseconds a call).
ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
DECORATION = int(Qt.ItemDataRole.DecorationRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
FONT = int(Qt.ItemDataRole.FontRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
ACCESSIBLE_TEXT = int(Qt.ItemDataRole.AccessibleTextRole)
ACCESSIBLE_DESCRIPTION = int(Qt.ItemDataRole.AccessibleDescriptionRole)
CENTER = int(Qt.AlignmentFlag.AlignCenter)

Index = QModelIndex | QPersistentModelIndex


def short_date(iso: str | None) -> str:
    """``2024-05-08`` as ``May 8, 2024``; anything else unchanged."""
    if not iso:
        return ""
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day:%b} {day.day}, {day.year}"


def authors_text(paper: Paper) -> str:
    """How many authors, or the submitting organisation."""
    if paper.authors_count:
        return f"{paper.authors_count} author{'s' if paper.authors_count != 1 else ''}"
    return paper.submitter or ""


def authors_cell(paper: Paper) -> str:
    """The short form for the list's Authors column."""
    if paper.authors_count:
        return str(paper.authors_count)
    return paper.submitter or ""


BADGE_ICON = 14  # one state icon; the badge holds two rows of two
BADGE_SIZE = (BADGE_ICON * 2 + 2, BADGE_ICON * 2 + 2)

_badges: dict[tuple[bool, bool, bool, bool], QPixmap] = {}


def state_badge(starred: bool, queued: bool, marked: bool, archived: bool = False) -> QPixmap:
    """One small pixmap with the paper's marks in two rows: the star and the queue or archive
    flag (a paper is never both), then the mark of a paper selected for a bulk action."""
    key = (starred, queued, marked, archived)
    if key not in _badges:
        size = BADGE_ICON
        out = QPixmap(*BADGE_SIZE)
        out.fill(Qt.GlobalColor.transparent)
        painter = QPainter(out)
        slots = [
            ("star-filled", "#e0a100", starred, 0, 0),
            ("queue-filled", "#3c8d5a", queued, 1, 0),
            ("archive", "#6b7280", archived and not queued, 1, 0),
            ("check", "#2f6fba", marked, 0, 1),
        ]
        for name, color, on, column, row in slots:
            if on:
                painter.drawPixmap(column * (size + 2), row * (size + 2), pixmap(name, color, size))
        painter.end()
        _badges[key] = out
    return _badges[key]


def state_words(paper: Paper, marked: bool) -> str:
    """The row's state in words (screen readers, tooltips): ``unread, starred, archived``."""
    words = ["read" if paper.is_read else "unread"]
    words += [w for w, on in (("starred", paper.starred), ("queued", paper.queued)) if on]
    if paper.archived:
        words.append("archived")
    if marked:
        words.append("selected")
    return ", ".join(words)


class PaperListModel(QAbstractTableModel):
    """Rows are paper ids; a row's Paper is fetched from the library only when it is shown."""

    # (generation, first row, ids): the rest of a large list, read on another thread.
    _rest_read = Signal(int, int, object)

    def __init__(self, library: Library, parent: Any = None) -> None:
        super().__init__(parent)
        self.library = library
        self.view = "inbox"
        self.sort_column = -1
        self.descending = False
        self.ids = IdList()  # the rows' paper ids, 8 bytes each (id_list.py)
        self.marked: set[PaperId] = set()
        self.snippets: dict[PaperId, str] = {}
        self.search_query: str | None = None
        self.unread_only = False  # list only the view's unread papers
        self.snoozes: dict[PaperId, Snooze] = {}  # in the Snoozed view: when each returns
        self._ranked: list[PaperId] = []
        self._rows: dict[PaperId, Paper] = {}
        # Per paper: role -> one value per column, so data() is two dict lookups.
        self._cells: dict[PaperId, dict[int, list[Any]]] = {}
        self._row_of: np.ndarray | dict[PaperId, int] | None = None  # row by paper id
        self._scans = 0
        self.loading = False  # the rest of a large list is still being read (see FIRST_ROWS)
        self._more = QTimer(self)
        self._more.setSingleShot(True)
        self._more.setInterval(0)
        self._more.timeout.connect(self._load_more)
        self._generation = 0  # a read of the rest is taken only for the list it was asked for
        self._rest_read.connect(self._take_rest)
        self._bold = QFont()
        self._bold.setBold(True)
        self._muted = theme.current().color("muted")

    def restyle(self) -> None:
        """Take the current theme's colours and repaint every row."""
        self._muted = theme.current().color("muted")
        self._cells.clear()
        self._emit_all_changed()

    # -- what the model shows ----------------------------------------------------------------
    def load_view(self, view: str) -> None:
        """Show the papers of a view (and leave search)."""
        self.beginResetModel()
        self.view = view
        self.search_query = None
        self.snippets = {}
        self.marked.clear()
        self.ids = IdList(self._query())
        self._invalidate()
        self.endResetModel()

    def show_search(self, query: str, ids: Sequence[int], snippets: dict[int, str]) -> None:
        """Show ranked search results."""
        self._stop_loading()
        self.beginResetModel()
        self.search_query = query
        self.ids = IdList(ids)
        self._ranked = list(self.ids)
        if self.sort_column != -1:
            self._sort_search_results()  # results keep the sort chosen for results
        self.snippets = {PaperId(k): v for k, v in snippets.items()}
        self.marked.clear()
        self._invalidate()
        self.endResetModel()

    def _query(self, *, complete: bool = False) -> list[PaperId]:
        """The view's ids; of a large list only the first FIRST_ROWS unless ``complete``
        (the rest then follow, see _load_more)."""
        self._stop_loading()
        key = SORT_KEYS.get(self.sort_column, "default")
        views = self.library.views
        windowed = not complete and views.pageable(self.view, key, self.unread_only)
        ids = views.ids(
            self.view,
            sort=key,
            descending=self.descending,
            unread_only=self.unread_only,
            limit=FIRST_ROWS if windowed else None,
        )
        if windowed and len(ids) == FIRST_ROWS:
            self.loading = True
            if self.library.data_dir is None:
                self._more.start()
            else:
                self._read_rest_elsewhere(key, FIRST_ROWS)
        self.snoozes = self.library.snoozes.of_papers(ids) if self.view == "snoozed" else {}
        return ids

    def _stop_loading(self) -> None:
        self.loading = False
        self._generation += 1
        self._more.stop()

    def _read_rest_elsewhere(self, key: str, start: int) -> None:
        """Read the list from row ``start`` on a thread, with a read-only connection."""
        assert self.library.data_dir is not None
        path = self.library.data_dir / DB_FILE
        asked = (self._generation, self.view, key, self.descending, self.unread_only)

        def read() -> None:
            generation, view, sort, descending, unread_only = asked
            try:
                conn = store.open_read_only(path)
                try:
                    views = Views(Database(conn, execute_plugins=False))
                    conn.execute("BEGIN")  # one snapshot for every read below
                    rest: IdList | None = IdList()
                    while rest is not None:
                        if generation != self._generation:
                            return  # another list was asked for: stop reading this one
                        part = views.ids(
                            view,
                            sort=sort,
                            descending=descending,
                            unread_only=unread_only,
                            offset=start + len(rest),
                            limit=THREAD_ROWS,
                        )
                        rest.extend(part)
                        if len(part) < THREAD_ROWS:
                            break
                finally:
                    conn.close()
            except Exception:  # noqa: BLE001 - the GUI thread reads the rest itself instead
                rest = None
            with contextlib.suppress(RuntimeError):  # the model is gone: nobody waits
                self._rest_read.emit(generation, start, rest)

        threading.Thread(target=read, name="paper-list-rest", daemon=True).start()

    def _take_rest(self, generation: int, start: int, rest: IdList | None) -> None:
        """The rest of a large list, read on another thread (on the GUI thread)."""
        if generation != self._generation or not self.loading:
            return  # asked for a list no longer shown, or already read here
        if rest is None or len(self.ids) != start:
            self.finish_loading()  # rows left meanwhile (a write): read the rest here
            return
        self.loading = False
        if rest:
            self.beginInsertRows(QModelIndex(), start, start + len(rest) - 1)
            self.ids.extend(rest)
            self._forget_rows()
            self.endInsertRows()

    def _load_more(self, limit: int | None = MORE_ROWS) -> None:
        """Append the next rows of a large list (all the rest when ``limit`` is None)."""
        if not self.loading:
            return
        start = len(self.ids)
        more = self.library.views.ids(
            self.view,
            sort=SORT_KEYS.get(self.sort_column, "default"),
            descending=self.descending,
            unread_only=self.unread_only,
            offset=start,
            limit=limit,
        )
        if more:
            self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
            self.ids.extend(more)
            self._forget_rows()
            self.endInsertRows()
        if limit is None or len(more) < limit:
            self.loading = False
            self._generation += 1
        else:
            self._more.start()

    def finish_loading(self) -> None:
        """Read the rest of a large list now (before anything that needs all its rows)."""
        if self.loading:
            self._more.stop()
            self._load_more(None)

    def all_ids(self) -> list[PaperId]:
        """Every id listed, in list order (the rest of a large list is read first)."""
        self.finish_loading()
        return list(self.ids)

    def _invalidate(self, ids: Iterable[PaperId] | None = None) -> None:
        self._forget_rows()
        if ids is None:
            self._rows.clear()
            self._cells.clear()
        else:
            for paper_id in ids:
                self._rows.pop(paper_id, None)
                self._cells.pop(paper_id, None)

    def refresh(self, changed: Iterable[int] = (), *, library: bool = False) -> None:
        """Bring the list up to date after a write.

        A triage write only checks the changed papers: rows that left the view are removed
        with row signals (the views keep their scroll position) and the others repaint. New
        papers, papers joining the view, and queue moves reload the id list.
        """
        # A library write reloads every row: its papers (a snapshot's million) are not needed.
        changed_ids = [] if library else [PaperId(int(i)) for i in changed]
        for paper_id in changed_ids:
            self._rows.pop(paper_id, None)
            self._cells.pop(paper_id, None)
        if library:
            self._rows.clear()
            self._cells.clear()
        if self.search_query is not None:
            # Search results keep their ranking; only their contents change.
            self._emit_rows_changed(changed_ids, every=library)
            return
        if library or not changed_ids or self.view == "queue":
            self.set_ids(self._query(complete=True))
            return
        inside = self.library.views.contains(self.view, changed_ids)
        if any(self.row_of(i) < 0 for i in inside):
            self.set_ids(self._query(complete=True))
            return
        leaving = {i for i in changed_ids if i not in inside and self.row_of(i) >= 0}
        if leaving:
            self._remove_rows(sorted(self.row_of(i) for i in leaving))
            self.marked -= leaving
        self._emit_rows_changed([i for i in changed_ids if i not in leaving])

    def _remove_rows(self, rows: list[int]) -> None:
        """Remove rows (sorted ascending), one signal per contiguous run, last run first."""
        runs: list[list[int]] = []
        for row in rows:
            if runs and row == runs[-1][1] + 1:
                runs[-1][1] = row
            else:
                runs.append([row, row])
        for first, last in reversed(runs):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self.ids[first : last + 1]
            self._forget_rows()
            self.endRemoveRows()

    def _emit_rows_changed(self, ids: list[PaperId], every: bool = False) -> None:
        if every or len(ids) > 50:
            self._emit_all_changed()
            return
        last = len(HEADERS) - 1
        for paper_id in ids:
            row = self.row_of(paper_id)
            if row >= 0:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def set_ids(self, new: list[PaperId]) -> None:
        """Replace the id list, with remove/insert signals when the change allows it."""
        old = self.ids
        if new == old:
            self._emit_all_changed()
            return
        new_set = set(new)
        old_set = set(old)
        if [i for i in old if i in new_set] == new:
            self._remove_missing(new_set)
        elif [i for i in new if i in old_set] == old:
            self._insert_new(new, old_set)
        else:
            self.beginResetModel()
            self.ids = IdList(new)
            self._forget_rows()
            self.endResetModel()
        self.marked &= new_set
        self._emit_all_changed()

    def _remove_missing(self, keep: set[PaperId]) -> None:
        row = len(self.ids) - 1
        while row >= 0:
            if self.ids[row] in keep:
                row -= 1
                continue
            end = row
            while row >= 0 and self.ids[row] not in keep:
                row -= 1
            self.beginRemoveRows(QModelIndex(), row + 1, end)
            del self.ids[row + 1 : end + 1]
            self._forget_rows()
            self.endRemoveRows()

    def _insert_new(self, new: list[PaperId], old_set: set[PaperId]) -> None:
        row = 0
        while row < len(new):
            if new[row] in old_set:
                row += 1
                continue
            start = row
            while row < len(new) and new[row] not in old_set:
                row += 1
            self.beginInsertRows(QModelIndex(), start, row - 1)
            self.ids[start:start] = new[start:row]
            self._forget_rows()
            self.endInsertRows()

    def _emit_all_changed(self) -> None:
        if self.ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.ids) - 1, len(HEADERS) - 1))

    # -- lookups -----------------------------------------------------------------------------
    def _forget_rows(self) -> None:
        self._row_of = None
        self._scans = 0

    def row_of(self, paper_id: int) -> int:
        """The row of a paper id, or -1.

        After the id list changes, the first few lookups scan the list (about 1 ms for a
        million rows, in numpy); only then is the id-to-row map rebuilt (an array over the
        ids: a few ms), so a triage key does not pay for the map.
        """
        row = self._find_row(paper_id)
        if row < 0 and self.loading:
            self.finish_loading()  # it may be in the rest of a large list
            row = self._find_row(paper_id)
        return row

    def loaded_row_of(self, paper_id: int) -> int:
        """The row of a paper among the rows read so far (never reads the rest), or -1."""
        return self._find_row(paper_id)

    def _find_row(self, paper_id: int) -> int:
        if self._row_of is None:
            self._scans += 1
            if self._scans <= SCANS_BEFORE_MAP:
                try:
                    return self.ids.index(PaperId(paper_id))
                except ValueError:
                    return -1
            rows = self.ids.row_map()
            self._row_of = rows if rows is not None else {p: n for n, p in enumerate(self.ids)}
        found = self._row_of
        if isinstance(found, dict):
            return found.get(PaperId(paper_id), -1)
        return int(found[paper_id]) if 0 <= paper_id < len(found) else -1

    def paper_at(self, row: int) -> Paper | None:
        """The paper shown in a row, loading its page if needed."""
        if not 0 <= row < len(self.ids):
            return None
        paper_id = self.ids[row]
        paper = self._rows.get(paper_id)
        if paper is None:
            self._load_page(row)
            paper = self._rows.get(paper_id)
        return paper

    def loaded_rows(self) -> int:
        """How many papers are loaded in memory (rows are fetched a page at a time)."""
        return len(self._rows)

    def _load_page(self, row: int) -> None:
        if len(self._rows) > CACHE_LIMIT:
            self._rows.clear()
            self._cells.clear()
        start = row - row % PAGE
        wanted = [i for i in self.ids[start : start + PAGE] if i not in self._rows]
        for paper in self.library.papers.many(wanted):
            self._rows[paper.id] = paper
            self._cells.pop(paper.id, None)

    def _cells_for(self, paper: Paper) -> dict[int, list[Any]]:
        bold = self._bold if not paper.is_read else None
        muted = self._muted
        marked = paper.id in self.marked
        shown = [
            paper.title,
            self.return_label(paper.id)
            if self.view == "snoozed" and self.search_query is None
            else short_date(paper.published) or (paper.published_raw or ""),
            authors_cell(paper),
            str(len(paper.sightings)),
            str(paper.id),
        ]
        state = state_words(paper, marked)
        cells: dict[int, list[Any]] = {
            DISPLAY: shown,
            ACCESSIBLE_TEXT: [
                paper.title,
                f"published {shown[1]}" if shown[1] else "no date",
                authors_text(paper),
                f"in {shown[3]} digest{'' if len(paper.sightings) == 1 else 's'}",
                f"id {paper.id}",
            ],
            ACCESSIBLE_DESCRIPTION: [state] * len(HEADERS),
            FONT: [bold, None, None, None, None],
            FOREGROUND: [None, muted, muted, muted, muted],
            DECORATION: [
                state_badge(paper.starred, paper.queued, marked, paper.archived),
                None,
                None,
                None,
                None,
            ],
            ALIGNMENT: [None, None, CENTER, CENTER, None],
            TOOLTIP: [
                plain_tooltip(self._tooltip(paper, col, state)) for col in range(len(HEADERS))
            ],
        }
        self._cells[paper.id] = cells
        return cells

    def return_label(self, paper_id: PaperId) -> str:
        """When a snoozed paper returns, for the date column of the Snoozed view."""
        snooze = self.snoozes.get(paper_id)
        if snooze is None:
            return ""
        if snooze.until is None:
            return "next digest"
        local = snooze.until.astimezone()
        return f"{local:%a} {local.day} {local:%b %H:%M}"

    def toggle_mark(self, row: int) -> bool:
        """Select or unselect a row for bulk actions; returns the new state."""
        if not 0 <= row < len(self.ids):
            return False
        paper_id = self.ids[row]
        if paper_id in self.marked:
            self.marked.discard(paper_id)
        else:
            self.marked.add(paper_id)
        self._cells.pop(paper_id, None)
        index = self.index(row, COL_TITLE)
        self.dataChanged.emit(index, index)
        return paper_id in self.marked

    def clear_marks(self) -> None:
        """Unselect every row selected for bulk actions."""
        if self.marked:
            for paper_id in self.marked:
                self._cells.pop(paper_id, None)
            self.marked.clear()
            self._emit_all_changed()

    def marked_ids(self) -> list[PaperId]:
        """Ids selected for bulk actions, in list order."""
        return [i for i in self.ids if i in self.marked] if self.marked else []

    # -- Qt model interface ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self.ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(HEADERS)
        ):
            if section == COL_PUBLISHED and self.view == "snoozed" and self.search_query is None:
                return "Returns"
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return ROW_FLAGS

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        ids = self.ids
        if not 0 <= row < len(ids):
            return None
        paper_id = ids[row]
        cells = self._cells.get(paper_id)
        if cells is None:
            if role == IdRole:
                return int(paper_id)
            paper = self._rows.get(paper_id)
            if paper is None:
                self._load_page(row)
                paper = self._rows.get(paper_id)
                if paper is None:
                    return None
            cells = self._cells_for(paper)
        values = cells.get(role)
        if values is not None:
            return values[index.column()]
        if role == IdRole:
            return int(paper_id)
        if role == PaperRole:
            return self._rows.get(paper_id) or self.paper_at(row)
        if role == SnippetRole:
            return self.snippets.get(paper_id)
        return None

    def _tooltip(self, paper: Paper, col: int, state: str) -> str:
        if col == COL_DIGESTS:
            return "\n".join(paper.digest_names)
        if col == COL_PUBLISHED and paper.published_year_inferred:
            return f"{paper.published_raw} (year inferred from the digest date)"
        date = short_date(paper.published) or (paper.published_raw or "")
        marks = [w.capitalize() for w in state.split(", ")]
        about = " · ".join(t for t in (date, authors_text(paper), *marks) if t)
        snippet = self.snippets.get(paper.id)
        if snippet:
            return f"{paper.title}\n{about}\n\n{strip_marks(snippet)}"
        return f"{paper.title}\n{about}"

    def set_sort_order(self, column: int, descending: bool) -> None:
        """Take a sort order for the next load_view or show_search, without querying now."""
        self.sort_column = column if column in SORT_KEYS else -1
        self.descending = descending

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column in the database; -1 is the view's own order."""
        column = column if column in SORT_KEYS else -1
        descending = order == Qt.SortOrder.DescendingOrder
        if (column, descending) == (self.sort_column, self.descending):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        followed = [(self.ids[i.row()], i.column()) for i in persistent if i.row() < len(self.ids)]
        self.sort_column, self.descending = column, descending
        if self.search_query is not None:
            self._sort_search_results()
        else:
            self.ids = IdList(self._query())
        self._forget_rows()
        moved = []
        for paper_id, col in followed:
            # Only the first rows of a large list are read yet: a paper further down is not
            # waited for here (the controller puts the cursor back on it when its row comes).
            row = self._find_row(paper_id)
            moved.append(self.index(row, col) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _sort_search_results(self) -> None:
        if self.sort_column == -1:
            self.ids = IdList(self._ranked)
            return
        key = SORT_KEYS[self.sort_column]
        papers = self.library.papers.many(self.ids)

        def sort_key(p: Paper) -> Any:
            if key == "title":
                return p.title.casefold()
            if key == "published":
                return p.published or ""
            if key == "authors":
                return p.authors_count or 0
            return len(p.sightings)

        papers.sort(key=sort_key, reverse=self.descending)
        self.ids = IdList(p.id for p in papers)

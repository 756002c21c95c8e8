"""The sidebar: built-in views, saved views, then one entry per digest (and per tag), with
unread counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.core.library import Library
from desktop.core.views import ViewCount
from desktop.gui import theme
from desktop.gui.icons import pixmap
from desktop.gui.models.paper_list import short_date
from desktop.gui.plain_text import plain_tooltip
from desktop.gui.widgets.item_painting import draw_item_in_row

ViewRole = Qt.ItemDataRole.UserRole + 1  # the view key ("inbox", "digest:3"), None for headers
UnreadRole = Qt.ItemDataRole.UserRole + 2
TotalRole = Qt.ItemDataRole.UserRole + 3
HeaderRole = Qt.ItemDataRole.UserRole + 4
HIGHLIGHTS = "highlights"  # the sidebar entry of the Highlights view (not a list of papers)

VIEW_LABELS = {
    "inbox": "Inbox",
    "queue": "Queue",
    "starred": "Starred",
    "archive": "Archive",
    "all": "All papers",
    "snoozed": "Snoozed",
}
VIEW_ICONS = {
    "inbox": "inbox",
    "queue": "queue",
    "starred": "star",
    "archive": "archive",
    "all": "all",
    "snoozed": "snooze",
}

Index = QModelIndex | QPersistentModelIndex


@dataclass
class Entry:
    """One sidebar row: a view with its counts, or a section header (view is None)."""

    view: str | None
    label: str
    unread: int = 0
    total: int = 0
    icon: str | None = None
    tooltip: str = ""


def accessible_name(entry: Entry) -> str:
    """What a screen reader reads for a sidebar row: its name and the count it shows."""
    if entry.view is None:
        return entry.label
    if entry.view == HIGHLIGHTS:
        return f"{entry.label}, {entry.total} highlight{'' if entry.total == 1 else 's'}"
    if entry.view.startswith("tag:"):  # tags show how many papers carry them
        return f"{entry.label}, {entry.total} paper{'' if entry.total == 1 else 's'}"
    return f"{entry.label}, {entry.unread} unread"


def accessible_description(entry: Entry) -> str:
    """The kind of a sidebar row and its counts in words."""
    if entry.view is None:
        return "section heading"
    if entry.view == HIGHLIGHTS:
        return "review of every highlight; Enter opens it"
    kind = (
        "digest"
        if entry.view.startswith("digest:")
        else "tag"
        if entry.view.startswith("tag:")
        else "view"
    )
    papers = f"{entry.total} paper{'' if entry.total == 1 else 's'}"
    return f"{kind}: {entry.unread} unread of {papers}"


def view_label(library: Library, view: str) -> str:
    """A view's name for people (window title, status bar)."""
    if view in VIEW_LABELS:
        return VIEW_LABELS[view]
    if view.startswith("digest:"):
        for digest in library.digests.all():
            if f"digest:{digest.id}" == view:
                return digest_label(digest.name, digest.digest_date)
    if view.startswith("tag:"):
        return f"#{view.split(':', 1)[1]}"
    if view.startswith("saved:"):
        for saved in library.saved_views.all():
            if saved.key == view:
                return saved.name
    return view


def digest_label(name: str, date: str | None) -> str:
    """A digest's name for people: its date when known, else its name."""
    return f"Digest {short_date(date)}" if date else name


class SidebarModel(QAbstractListModel):
    """A flat list of views; ``refresh()`` reloads the counts from the library."""

    def __init__(self, library: Library, parent: Any = None, *, counts: bool = True) -> None:
        super().__init__(parent)
        self.library = library
        self.entries: list[Entry] = []
        self._digest_counts: dict[Any, Any] | None = None
        self.refresh(with_counts=counts)

    def _saved_view_entries(self, *, with_counts: bool, ask_index: bool = True) -> list[Entry]:
        """The "Saved views" section: each saved search with its current unread count; a
        view whose query no longer parses stays, marked, and its tooltip says why."""
        views = self.library.saved_views.all()
        if not views:
            return []
        counts = self.library.saved_views.counts(ask_index=ask_index) if with_counts else {}
        entries = [Entry(None, "Saved views")]
        for view in views:
            c = counts.get(view.key, ViewCount(0, 0))
            place = f"g then {view.position}: " if view.position <= 9 else ""
            if view.error:
                label = f"{view.name} (cannot run)"
                tip = f"{view.query}\nThis query no longer parses: {view.error}"
            else:
                label = view.name
                counted = view.key in counts or not with_counts
                tip = f"{place}{view.query}\n" + (
                    f"{c.unread} unread of {c.total}" if counted else "Counting…"
                )
            entries.append(Entry(view.key, label, c.unread, c.total, "search", tip))
        return entries

    def _build(
        self, counts: dict[str, ViewCount] | None, digest_stale: bool, ask_index: bool = True
    ) -> list[Entry]:
        counts_given = counts is not None
        if counts is None:
            counts = {view: ViewCount(0, 0) for view in VIEW_LABELS}
        entries = [
            Entry(
                view,
                label,
                counts[view].unread,
                counts[view].total,
                VIEW_ICONS[view],
                f"{counts[view].unread} unread of {counts[view].total}",
            )
            for view, label in VIEW_LABELS.items()
        ]
        marked = sum(self.library.highlights.counts().values())
        # Not a paper view: Enter or a click opens the list of every highlight (g then h).
        entries.append(
            Entry(HIGHLIGHTS, "Highlights", 0, marked, "highlight", f"{marked} highlights")
        )
        entries += self._saved_view_entries(with_counts=counts_given, ask_index=ask_index)
        digests = self.library.digests.all()
        if digests:
            if digest_stale:
                self._digest_counts = self.library.digests.counts()
            per_digest = self._digest_counts or {}
            entries.append(Entry(None, "Digests"))
            for digest in reversed(digests):  # newest import first
                c = per_digest.get(digest.id)
                entries.append(
                    Entry(
                        f"digest:{digest.id}",
                        digest_label(digest.name, digest.digest_date),
                        c.unread if c else 0,
                        c.total if c else 0,
                        "digest",
                        f"{digest.name}\nimported {digest.imported_at[:16].replace('T', ' ')}",
                    )
                )
        found = [(name, count) for name, count in self.library.tags.all() if count]
        if found:
            entries.append(Entry(None, "Tags"))
            for name, count in found:
                entries.append(Entry(f"tag:{name}", f"#{name}", 0, count, "tag", f"{count} papers"))
        return entries

    def restyle(self) -> None:
        """Repaint the entries (their icons follow the theme)."""
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, 0))

    def refresh(
        self,
        counts: dict[str, ViewCount] | None = None,
        *,
        with_counts: bool = True,
        digests_changed: bool = True,
        ask_index: bool = True,
    ) -> None:
        """Reload entries and counts; a reset only when the list of entries changed.

        ``counts`` may be passed in when the caller already has them; per-digest counts are
        only recomputed when ``digests_changed`` (they cost a join over every sighting).
        Without ``ask_index``, saved views whose text the index has not matched yet show no
        count ("Counting…") instead of matching it here.
        """
        if counts is None and with_counts:
            counts = self.library.views.counts()
        fresh_digests = with_counts and (digests_changed or self._digest_counts is None)
        new = self._build(counts, fresh_digests, ask_index)
        if [e.view for e in new] == [e.view for e in self.entries] and [e.label for e in new] == [
            e.label for e in self.entries
        ]:
            self.entries = new
            if new:
                self.dataChanged.emit(self.index(0, 0), self.index(len(new) - 1, 0))
            return
        self.beginResetModel()
        self.entries = new
        self.endResetModel()

    def row_of(self, view: str) -> int:
        """The row showing a view, or -1."""
        for n, entry in enumerate(self.entries):
            if entry.view == view:
                return n
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.entries[index.row()].view is None:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        entry = self.entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(entry.tooltip) or None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return accessible_name(entry)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return accessible_description(entry)
        if role == ViewRole:
            return entry.view
        if role == UnreadRole:
            return entry.unread
        if role == TotalRole:
            return entry.total
        if role == HeaderRole:
            return entry.view is None
        if role == Qt.ItemDataRole.DecorationRole and entry.icon:
            return pixmap(entry.icon, theme.current().icon, 32)
        return None


class SidebarDelegate(QStyledItemDelegate):
    """Draws a view's name with its unread count right-aligned, and section headers small."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hints: dict[tuple[bool, float], QSize] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        """Two heights, headers and views, measured once per font: the list lays out every
        row (over a thousand with many digests), so this must not ask the model for each
        role of each row. The width is left to the view, which stretches rows to its own
        width (a long name is elided, and the count stays in sight)."""
        header = bool(index.data(HeaderRole))
        key = (header, option.font.pointSizeF())
        hint = self._hints.get(key)
        if hint is None:
            base = super().sizeHint(option, index)
            height = base.height() + 8 if header else max(base.height(), 26)
            hint = self._hints[key] = QSize(0, height)
        return hint

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        if index.data(HeaderRole):
            painter.save()
            font = QFont(option.font)
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 0.85)
            painter.setFont(font)
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
            rect = option.rect.adjusted(10, 6, -8, 0)
            painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter, str(index.data()).upper())
            painter.restore()
            return
        unread = int(index.data(UnreadRole) or 0)
        if str(index.data(ViewRole) or "").startswith(("tag:", HIGHLIGHTS)):
            unread = int(index.data(TotalRole) or 0)
        count_text = str(unread) if unread else ""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        metrics = opt.fontMetrics
        count_width = metrics.horizontalAdvance(count_text) + 16 if count_text else 0
        opt.rect = option.rect.adjusted(0, 0, -count_width, 0)
        # The full-width selection background first, then the label, then the count.
        draw_item_in_row(self, painter, option, index, opt)
        if count_text:
            painter.save()
            selected = bool(option.state & QStyle.StateFlag.State_Selected)
            role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
            painter.setPen(option.palette.color(role))
            font = QFont(option.font)
            font.setBold(True)
            painter.setFont(font)
            rect = QRect(
                option.rect.right() - count_width,
                option.rect.top(),
                count_width - 10,
                option.rect.height(),
            )
            painter.drawText(
                rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, count_text
            )
            painter.restore()

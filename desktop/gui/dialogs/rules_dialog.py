"""The rules dialog: the rules in running order, and a form to add one, all by keyboard.

In the list (Ctrl+L): Delete deletes the selected rule, Space turns it off or on, Ctrl+T
tries it on the library (nothing changes) and Ctrl+P applies it (u undoes it in the window).
The form (Ctrl+N): Tab moves between name, query, the actions and the tag; the query's
match count follows typing; Enter adds the rule. Esc closes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.library import Library
from desktop.core.rules import Rule
from desktop.gui.core_errors import CORE_ERRORS

COUNT_DELAY_MS = 250


def rule_line(rule: Rule) -> str:
    """A rule as one line of the list."""
    line = f"{rule.position}. {rule.name}   [{rule.query}] → {rule.describe()}"
    if not rule.enabled:
        line += "   (off)"
    if rule.error:
        line += f"   cannot run: {rule.error}"
    return line


class RulesDialog(QDialog):
    """Lists, adds, deletes, tries and applies the library's rules."""

    applied = Signal(str)  # a rule was applied to the library: what to say in the window

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setObjectName("rules-dialog")
        self.setWindowTitle("Rules run on import")
        self.resize(640, 440)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Rules run in this order on the papers each import adds. A mute archives a paper "
            "and says which rule muted it.",
            self,
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.list = QListWidget(self)
        self.list.setObjectName("rules-list")
        self.list.installEventFilter(self)
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.try_button = QPushButton("Try on library (Ctrl+T)", self)
        self.apply_button = QPushButton("Apply to library (Ctrl+P)", self)
        self.toggle_button = QPushButton("Off/on (Space)", self)
        self.delete_button = QPushButton("Delete (Del)", self)
        for button in (self.try_button, self.apply_button, self.toggle_button, self.delete_button):
            button.setAutoDefault(False)
            row.addWidget(button)
        layout.addLayout(row)
        self.try_button.clicked.connect(self.try_selected)
        self.apply_button.clicked.connect(self.apply_selected)
        self.toggle_button.clicked.connect(self.toggle_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self._key("Ctrl+T", self.try_selected)
        self._key("Ctrl+P", self.apply_selected)
        self._key("Ctrl+L", self.list.setFocus)

        form = QFormLayout()
        self.name = QLineEdit(self)
        self._key("Ctrl+N", self.name.setFocus)
        self.name.setObjectName("rule-name")
        self.query = QLineEdit(self)
        self.query.setObjectName("rule-query")
        self.query.setPlaceholderText("a search, e.g. agents OR title:planning")
        form.addRow("&Name:", self.name)
        form.addRow("&Query:", self.query)
        self.query_count = QLabel("", self)
        self.query_count.setObjectName("rule-query-count")
        self.query_count.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow("", self.query_count)
        actions = QHBoxLayout()
        self.checks = {
            "star": QCheckBox("&Star", self),
            "queue": QCheckBox("Q&ueue", self),
            "archive": QCheckBox("&Archive", self),
            "mute": QCheckBox("&Mute", self),
        }
        for box in self.checks.values():
            actions.addWidget(box)
        self.tag = QLineEdit(self)
        self.tag.setObjectName("rule-tag")
        self.tag.setPlaceholderText("tag name (optional)")
        tag_label = QLabel("Ta&g:", self)
        tag_label.setBuddy(self.tag)  # its mnemonic focuses the tag field
        actions.addWidget(tag_label)
        actions.addWidget(self.tag)
        form.addRow("Actions:", actions)
        layout.addLayout(form)
        bottom = QHBoxLayout()
        self.status = QLabel("", self)
        self.status.setObjectName("rules-status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        bottom.addWidget(self.status, 1)
        self.add_button = QPushButton("Add &rule", self)
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.add_rule)
        close = QPushButton("Close", self)
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        bottom.addWidget(self.add_button)
        bottom.addWidget(close)
        layout.addLayout(bottom)

        self.count_timer = QTimer(self)
        self.count_timer.setSingleShot(True)
        self.count_timer.setInterval(COUNT_DELAY_MS)
        self.count_timer.timeout.connect(self.count_query)
        self.query.textEdited.connect(lambda _t: self.count_timer.start())
        self.reload()

    def _key(self, key: str, run: Callable[[], None]) -> None:
        """A key that works anywhere in the dialog."""
        action = QAction(self)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _checked=False: run())
        self.addAction(action)

    # -- the list ------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        """Show the rules again, selecting ``select`` (a name) or the first."""
        self.list.clear()
        rules = self.library.rules.all()
        for rule in rules:
            item = QListWidgetItem(rule_line(rule))
            item.setData(Qt.ItemDataRole.UserRole, rule.name)
            self.list.addItem(item)
        names = [r.name for r in rules]
        row = names.index(select) if select in names else 0
        if rules:
            self.list.setCurrentRow(row)
        for button in (self.try_button, self.apply_button, self.toggle_button, self.delete_button):
            button.setEnabled(bool(rules))

    def selected(self) -> str | None:
        """The name of the selected rule, or None."""
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def say(self, text: str) -> None:
        """Show a line under the form."""
        self.status.setText(text)

    def try_selected(self) -> None:
        """Say what the selected rule would do to the library (nothing is changed)."""
        name = self.selected()
        if name is None:
            return
        try:
            outcome = self.library.rules.try_rule(name)
        except CORE_ERRORS as exc:
            self.say(f"Could not try it: {exc}")
            return
        if outcome.error:
            self.say(outcome.summary())
            return
        changed = sum(outcome.changed.values())
        self.say(f"{outcome.matched} papers match; applying it would change {changed}.")

    def apply_selected(self) -> None:
        """Apply the selected rule to every paper of the library (u undoes it)."""
        name = self.selected()
        if name is None:
            return
        try:
            run = self.library.rules.apply(name)
        except CORE_ERRORS as exc:
            self.say(f"Not applied: {exc}")
            return
        message = run.outcomes[0].summary() + ("" if run.empty else "   ·   u undoes")
        self.say(message)
        self.applied.emit(message)

    def toggle_selected(self) -> None:
        """Turn the selected rule off (it stops running on imports) or on again."""
        name = self.selected()
        if name is None:
            return
        rule = self.library.rules.set_enabled(name, not self.library.rules.get(name).enabled)
        self.reload(select=rule.name)
        self.say(f"Rule “{rule.name}” is {'on' if rule.enabled else 'off'}")

    def delete_selected(self) -> None:
        """Delete the selected rule (what it did stays done)."""
        name = self.selected()
        if name is None:
            return
        row = self.list.currentRow()
        self.library.rules.delete(name)
        self.reload()
        if self.list.count():
            self.list.setCurrentRow(min(row, self.list.count() - 1))
        self.say(f"Deleted rule “{name}”")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Delete:
                self.delete_selected()
                return True
            if event.key() == Qt.Key.Key_Space:
                self.toggle_selected()
                return True
        return super().eventFilter(watched, event)

    # -- the form ------------------------------------------------------------------------
    def count_query(self) -> None:
        """Say how many papers of the library the typed query matches (or why it cannot)."""
        self.count_timer.stop()
        text = self.query.text().strip()
        if not text:
            self.query_count.setText("")
            return
        try:
            count = self.library.rules.try_query(text)
        except CORE_ERRORS as exc:
            self.query_count.setText(str(exc))
            return
        self.query_count.setText(f"matches {count} papers in the library now")

    def add_rule(self) -> None:
        """Add the rule in the form at the end of the list."""
        actions = [a for a, box in self.checks.items() if box.isChecked()]
        try:
            rule = self.library.rules.add(
                self.name.text(), self.query.text(), actions, tag=self.tag.text().strip() or None
            )
        except CORE_ERRORS as exc:
            self.say(f"Not added: {exc}")
            return
        self.reload(select=rule.name)
        for field in (self.name, self.query, self.tag):
            field.clear()
        for box in self.checks.values():
            box.setChecked(False)
        self.query_count.setText("")
        self.say(f"Added rule “{rule.name}”: {rule.describe()}. It runs on the next import.")
        self.list.setFocus()

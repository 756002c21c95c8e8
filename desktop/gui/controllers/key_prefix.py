"""Key sequences that say they wait: after ``g`` the status bar lists the second keys, and
after about 1.5 s without one the sequence is given up, so a stray ``g`` never turns a later
``e`` into "go to Archive".

Qt matches multi-key shortcuts itself (``G, I``) and keeps a half-typed sequence for ever.
This watches the widgets that take the keys: when the first key of a sequence is eaten as a
partial match (the widget never receives it), it says so and starts a timer; the release of
the next key ends the hint (Qt has then run the sequence's command or dropped it); when the
timer runs out first, it sends Qt's shortcut map a key no shortcut uses, which ends the
partial match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from desktop.gui.keymap import display_key, sequence_prefixes

GIVE_UP_MS = 1500
# Sent to end a half-typed sequence: no keymap binds it, and widgets ignore it.
RESET_KEY = Qt.Key.Key_F35
PLAIN = Qt.KeyboardModifier.NoModifier | Qt.KeyboardModifier.KeypadModifier
MODIFIER_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta}


def _key_text(event: QKeyEvent) -> str | None:
    """The keymap spelling of a plain key press (``g``), or None."""
    if event.modifiers() & ~PLAIN & ~Qt.KeyboardModifier.ShiftModifier:
        return None
    text = event.text()
    return text if len(text) == 1 and text.isprintable() and not text.isspace() else None


class KeyPrefixHint(QObject):
    """Shows a pending key sequence in the status bar and cancels it after ``GIVE_UP_MS``."""

    def __init__(
        self,
        keymap: Mapping[str, str],
        labels: Mapping[str, str],
        say: Callable[[str], None],
        clear: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._say = say
        self._clear = clear
        self._hints: dict[str, str] = {}
        for first, keys in sequence_prefixes(keymap).items():
            seconds = [
                f"{display_key(k).split(' then ', 1)[1]} {labels.get(keymap[k], keymap[k])}"
                for k in keys
            ]
            self._hints[first] = f"{first} … then " + ", ".join(seconds)
        self.pending: str | None = None  # the first key of a sequence Qt holds, if any
        self._candidate: str | None = None
        self._target: QWidget | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(GIVE_UP_MS)
        self.timer.timeout.connect(self.give_up)

    def watch(self, widgets: Iterable[QWidget]) -> None:
        """Watch the keys that reach these widgets (the ones that take shortcuts)."""
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if event.key() == RESET_KEY:
                return False
            text = _key_text(event)
            if text in self._hints and isinstance(watched, QWidget):
                self._candidate = text
                self._target = watched
                QTimer.singleShot(0, self._check)
        elif kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if self._candidate is not None and _key_text(event) == self._candidate:
                self._candidate = None  # the widget took the key: typed, not a sequence
        elif (
            kind == QEvent.Type.KeyRelease
            and isinstance(event, QKeyEvent)
            and self.pending is not None
            and event.key() not in MODIFIER_KEYS
            and _key_text(event) != self.pending
        ):
            # Qt eats the second key's press (a match or not) without a ShortcutOverride,
            # but its release still comes here: the sequence is over either way.
            self._end()
        return False

    def _check(self) -> None:
        """The first key was eaten by the shortcut map: a sequence is pending."""
        if self._candidate is None:
            return
        self.pending, self._candidate = self._candidate, None
        self._say(self._hints[self.pending])
        self.timer.start()

    def _end(self) -> None:
        self.timer.stop()
        if self.pending is not None:
            self._clear(self._hints[self.pending])  # unless a command said something since
        self.pending = None

    def give_up(self) -> None:
        """End the pending sequence: the next key is read on its own again."""
        if self.pending is None:
            return
        first = self.pending
        self.pending = None
        target = self._target or QApplication.focusWidget()
        if target is not None:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    target, QKeyEvent(kind, RESET_KEY, Qt.KeyboardModifier.NoModifier)
                )
        self._say(f"{first} … no second key: cancelled")

"""The first start's hint above the paper list: the keys to begin with, and that the papers
shown are samples that can be removed. It goes once a triage key or ``?`` was used, or its
button was pressed, and does not come back (remembered in the window's settings)."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

SETTING = "hints/first-start"
# Using one of these commands is using the hint.
USED_BY = frozenset(
    {"archive", "toggle-queue", "toggle-star", "toggle-read", "cheat-sheet", "remove-samples"}
)


def hint_text(samples: bool) -> str:
    """The hint's words; ``samples`` when the papers shown are the bundled samples."""
    keys = (
        "Welcome! j / k move, Enter opens, e archives (done), l keeps it to read later, "
        "s stars; ? shows every key."
    )
    if not samples:
        return keys
    return f"{keys} These are samples: File → Remove the sample digests… removes them."


class FirstStartHint(QFrame):
    """A dismissible line of help shown on a library's first start."""

    dismissed = Signal()

    def __init__(self, samples: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first-start-hint")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("First start hint")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel(hint_text(samples), self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.button = QPushButton("Got it", self)
        self.button.setAccessibleName("Hide the first start hint")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keeps Tab order for the panes
        self.button.clicked.connect(self.dismiss)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAutoFillBackground(True)

    def command_ran(self, name: str) -> None:
        """A command ran: a triage key or ``?`` means the hint was used."""
        if name in USED_BY and self.isVisible():
            self.dismiss()

    def dismiss(self) -> None:
        """Hide the hint for good."""
        self.hide()
        self.dismissed.emit()


def should_show(settings: QSettings | None, has_samples: bool) -> bool:
    """True on a first start: the samples were just seeded and the hint was never used."""
    if not has_samples or settings is None:
        return False  # no settings: nowhere to remember it was used (screenshots, benchmarks)
    return str(settings.value(SETTING, "")) != "done"


def remember_dismissed(settings: QSettings | None) -> None:
    """Never show the hint again for these settings."""
    if settings is not None:
        settings.setValue(SETTING, "done")
        settings.sync()

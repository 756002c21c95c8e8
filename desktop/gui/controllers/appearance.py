"""The colour scheme: follow the system (and its changes) or always light or dark, as the
View menu says and the settings remember; restyling the window's parts when it changes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

from desktop.gui import theme
from desktop.gui.commands import COMMANDS
from desktop.gui.icons import icon

SCHEME_SETTING = "appearance/color-scheme"
SCHEME_COMMANDS = {"system": "scheme-system", "light": "scheme-light", "dark": "scheme-dark"}


class Appearance(QObject):
    """Holds the View menu's colour choice and draws the window in the resulting theme."""

    def __init__(
        self,
        window: QWidget,
        sidebar: QWidget,
        actions: Mapping[str, QAction],
        settings: QSettings | None,
        *,
        parts: Sequence[Callable[[theme.Theme], None]],
        is_closed: Callable[[], bool],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.sidebar = sidebar
        self.actions = actions
        self.settings = settings
        self.parts = list(parts)  # each part's restyle(theme): models, panes, the search bar
        self.is_closed = is_closed
        self.choice = "system"
        group = QActionGroup(self)
        group.setExclusive(True)
        for name in SCHEME_COMMANDS.values():
            actions[name].setCheckable(True)
            group.addAction(actions[name])
        choice = "system"
        if settings is not None:
            saved = str(settings.value(SCHEME_SETTING, "system"))
            choice = saved if saved in theme.SCHEMES else "system"
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_scheme)
        self.set_color_scheme(choice, remember=False)

    def set_color_scheme(self, choice: str, *, remember: bool = True) -> None:
        """Use the ``system``, ``light`` or ``dark`` colours, and remember the choice."""
        if choice not in theme.SCHEMES:
            raise ValueError(f"unknown colour scheme {choice!r}")
        self.choice = choice
        self.actions[SCHEME_COMMANDS[choice]].setChecked(True)
        if remember and self.settings is not None:
            self.settings.setValue(SCHEME_SETTING, choice)
        self.restyle(theme.resolve(choice))

    def _on_system_scheme(self, _scheme: Qt.ColorScheme) -> None:
        if self.choice == "system" and not self.is_closed():
            self.restyle(theme.resolve("system"))

    def restyle(self, t: theme.Theme) -> None:
        """Draw everything in theme ``t``: palette, panes, icons, rows and the detail pane."""
        theme.set_current(t)
        self.window.setPalette(theme.palette_for(t))
        side = theme.palette_for(t)
        side.setColor(QPalette.ColorRole.Base, t.color("sidebar_bg"))
        side.setColor(QPalette.ColorRole.Highlight, t.color("sidebar_selection"))
        side.setColor(QPalette.ColorRole.HighlightedText, t.color("text"))
        self.sidebar.setPalette(side)
        for name, cmd in COMMANDS.items():
            if cmd.icon:
                self.actions[name].setIcon(icon(cmd.icon, t.icon, t.icon_disabled))
        for restyle in self.parts:
            restyle(t)

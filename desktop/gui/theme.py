"""Light and dark: every colour the app draws with, per colour scheme, and applying one.

The scheme follows the system (``QStyleHints.colorScheme()``, and ``colorSchemeChanged``
while running) unless the View menu picked Light or Dark. Widgets read ``current()`` when
they draw or render, and the window restyles itself when the scheme changes; nothing keeps a
colour of its own. Every pair of text and background colour here is checked for WCAG AA
contrast (4.5:1) in tests/gui/test_dark_mode.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

SCHEMES = ("system", "light", "dark")


@dataclass(frozen=True)
class Theme:
    """The colours of one scheme, as ``#rrggbb``."""

    name: str
    window: str
    base: str
    alt_base: str
    text: str
    muted: str  # secondary text: dates, authors, metadata, highlight notes
    placeholder: str
    selection: str
    selected_text: str
    link: str
    sidebar_bg: str
    sidebar_selection: str
    field_bg: str
    field_border: str
    field_focus: str
    icon: str  # toolbar and sidebar icons
    icon_disabled: str
    hit: str  # the matching words of a search snippet
    tag_bg: str
    tag_fg: str
    unread: str  # the "Unread" chip of the detail pane
    starred: str
    queued: str
    error: str
    success: str
    highlight_bg: dict[str, str] = field(default_factory=dict)
    highlight_selected_bg: dict[str, str] = field(default_factory=dict)
    orphan_bg: str = "#e5e7eb"
    button: str = "#f3f4f6"
    tooltip_bg: str = "#ffffdc"

    def color(self, name: str) -> QColor:
        """One of the colours as a QColor."""
        return QColor(getattr(self, name))


LIGHT = Theme(
    name="light",
    window="#fbfbfc",
    base="#ffffff",
    alt_base="#f7f8fa",
    text="#111827",
    muted="#5b6472",
    placeholder="#5f6774",
    selection="#bcd3ee",
    selected_text="#111827",
    link="#1f5a99",
    sidebar_bg="#f1f3f6",
    sidebar_selection="#d9e4f2",
    field_bg="#ffffff",
    field_border="#d1d5db",
    field_focus="#5b8fd0",
    icon="#4a5563",
    icon_disabled="#b4bac3",
    hit="#1d4ed8",
    tag_bg="#e0e7ff",
    tag_fg="#3730a3",
    unread="#1d4ed8",
    starred="#8a5a00",
    queued="#2f7d4f",
    error="#b42318",
    success="#166534",
    highlight_bg={
        "yellow": "#fde68a",
        "green": "#bbf7d0",
        "blue": "#bfdbfe",
        "red": "#fecaca",
        "purple": "#e9d5ff",
    },
    highlight_selected_bg={
        "yellow": "#fbbf24",
        "green": "#4ade80",
        "blue": "#60a5fa",
        "red": "#f87171",
        "purple": "#c084fc",
    },
    orphan_bg="#e5e7eb",
    button="#f3f4f6",
    tooltip_bg="#ffffdc",
)

DARK = Theme(
    name="dark",
    window="#1f2125",
    base="#17181b",
    alt_base="#1c1e22",
    text="#e6e8eb",
    muted="#a3abb6",
    placeholder="#959dab",
    selection="#2c4a70",
    selected_text="#f5f7fa",
    link="#8cbcff",
    sidebar_bg="#202328",
    sidebar_selection="#2f3d52",
    field_bg="#131417",
    field_border="#3b414b",
    field_focus="#5b8fd0",
    icon="#c3c9d2",
    icon_disabled="#5c636e",
    hit="#8cbcff",
    tag_bg="#2c3357",
    tag_fg="#c7d2fe",
    unread="#8cbcff",
    starred="#f2c14e",
    queued="#6fcf97",
    error="#ff8a80",
    success="#7ee2a8",
    highlight_bg={
        "yellow": "#5a4710",
        "green": "#1d4a31",
        "blue": "#1f3b60",
        "red": "#5a2424",
        "purple": "#44285e",
    },
    highlight_selected_bg={
        "yellow": "#7a5f0c",
        "green": "#246640",
        "blue": "#2a5288",
        "red": "#7d3030",
        "purple": "#5e3885",
    },
    orphan_bg="#33363c",
    button="#2a2d33",
    tooltip_bg="#2a2d33",
)

THEMES = {"light": LIGHT, "dark": DARK}
_current: list[Theme] = [LIGHT]


def current() -> Theme:
    """The theme in use."""
    return _current[0]


def system_scheme() -> str:
    """``dark`` or ``light``, as the platform's colour scheme says (light when unknown)."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return "light"
    scheme = QGuiApplication.styleHints().colorScheme()
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def resolve(choice: str) -> Theme:
    """The theme for a View-menu choice: ``system``, ``light`` or ``dark``."""
    if choice in THEMES:
        return THEMES[choice]
    return THEMES[system_scheme()]


def palette_for(theme: Theme) -> QPalette:
    """The application palette of a theme (Fusion draws every widget from it)."""
    palette = QPalette()
    roles = QPalette.ColorRole
    pairs = {
        roles.Window: theme.window,
        roles.WindowText: theme.text,
        roles.Base: theme.base,
        roles.AlternateBase: theme.alt_base,
        roles.Text: theme.text,
        roles.Button: theme.button,
        roles.ButtonText: theme.text,
        roles.BrightText: theme.error,
        roles.Highlight: theme.selection,
        roles.HighlightedText: theme.selected_text,
        roles.PlaceholderText: theme.placeholder,
        roles.Link: theme.link,
        roles.LinkVisited: theme.link,
        roles.ToolTipBase: theme.tooltip_bg,
        roles.ToolTipText: theme.text,
        roles.Light: theme.base if theme.name == "light" else "#3a3d44",
        roles.Midlight: theme.alt_base if theme.name == "light" else "#2e3137",
        roles.Mid: "#c4c8cf" if theme.name == "light" else "#3b414b",
        roles.Dark: "#9ca3af" if theme.name == "light" else "#101114",
        roles.Shadow: "#6b7280" if theme.name == "light" else "#000000",
    }
    for role, color in pairs.items():
        palette.setColor(role, QColor(color))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.Text, roles.WindowText, roles.ButtonText):
        palette.setColor(disabled, role, QColor(theme.icon_disabled))
    return palette


def set_current(theme: Theme) -> None:
    """Make ``theme`` the one ``current()`` returns and set the application palette."""
    _current[0] = theme
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        QGuiApplication.setPalette(palette_for(theme))


def contrast(foreground: QColor | str, background: QColor | str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
        )

    a = luminance(QColor(foreground))
    b = luminance(QColor(background))
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)

"""SVG icons shipped with the package, tinted to the palette's text colour."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

DISABLED_COLOR = "#b4bac3"
ICON_DIR = Path(__file__).resolve().parent / "icons"


def icon_path(name: str) -> Path:
    """The SVG file of an icon."""
    return ICON_DIR / f"{name}.svg"


@cache
def pixmap(name: str, color: str = "#4a5563", size: int = 32) -> QPixmap:
    """An icon rendered to a pixmap, with ``currentColor`` replaced by ``color``."""
    svg = icon_path(name).read_text(encoding="utf-8").replace("currentColor", color)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    out = QPixmap(size, size)
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return out


@cache
def icon(name: str, color: str = "#4a5563", disabled: str = DISABLED_COLOR) -> QIcon:
    """A QIcon for toolbars and menus, with a fainter disabled state."""
    result = QIcon()
    result.addPixmap(pixmap(name, color, 48), QIcon.Mode.Normal)
    result.addPixmap(pixmap(name, disabled, 48), QIcon.Mode.Disabled)
    return result


def app_icon() -> QIcon:
    """The application icon."""
    return QIcon(str(icon_path("app")))

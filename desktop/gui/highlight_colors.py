"""How the highlight palette is drawn and named (the colours themselves are the core's)."""

from __future__ import annotations

from desktop.core.models import HIGHLIGHT_COLORS
from desktop.gui import theme

COLOR_KEYS = tuple(HIGHLIGHT_COLORS)  # 1-5 in palette order


def highlight_bg(color: str, selected: bool = False) -> str:
    """The background of a highlight in the text (a stronger one for the selected one), in
    the current light or dark theme."""
    t = theme.current()
    colors = t.highlight_selected_bg if selected else t.highlight_bg
    return colors.get(color, t.orphan_bg)


def orphan_bg() -> str:
    """The background of an orphaned highlight's chip."""
    return theme.current().orphan_bg


def color_label(color: str) -> str:
    """A palette colour as people read it: ``yellow (key point)``."""
    return f"{color} ({HIGHLIGHT_COLORS.get(color, color)})"

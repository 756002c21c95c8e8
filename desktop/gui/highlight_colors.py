"""How the highlight palette is drawn and named (the colours themselves are the core's)."""

from __future__ import annotations

from desktop.core.models import HIGHLIGHT_COLORS

COLOR_KEYS = tuple(HIGHLIGHT_COLORS)  # 1-5 in palette order
# Background of a highlight in the text, and of the selected highlight.
HIGHLIGHT_BG = {
    "yellow": "#fde68a",
    "green": "#bbf7d0",
    "blue": "#bfdbfe",
    "red": "#fecaca",
    "purple": "#e9d5ff",
}
SELECTED_BG = {
    "yellow": "#fbbf24",
    "green": "#4ade80",
    "blue": "#60a5fa",
    "red": "#f87171",
    "purple": "#c084fc",
}
ORPHAN_BG = "#e5e7eb"


def color_label(color: str) -> str:
    """A palette colour as people read it: ``yellow (key point)``."""
    return f"{color} ({HIGHLIGHT_COLORS.get(color, color)})"

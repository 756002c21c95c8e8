"""The first widths of the three panes (views, paper list, detail) for a window's width."""

from __future__ import annotations

SIDEBAR_WIDEST = 215
SIDEBAR_NARROWEST = 160
DETAIL_SHARE = 0.34


def default_pane_sizes(width: int) -> list[int]:
    """Sidebar, list and detail widths for a splitter ``width`` pixels wide.

    The sidebar narrows from 215 to 160 pixels between 1200- and 800-pixel windows, the detail
    pane takes about a third, and the list (whose titles need the room) the rest.
    """
    share = min(max((width - 800) / 400, 0.0), 1.0)
    sidebar = round(SIDEBAR_NARROWEST + share * (SIDEBAR_WIDEST - SIDEBAR_NARROWEST))
    detail = round(width * DETAIL_SHARE)
    return [sidebar, max(width - sidebar - detail, 0), detail]

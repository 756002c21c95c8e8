"""Reviewing what was marked: the Highlights view and the Markdown export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.gui.commands.registry import command
from desktop.gui.dialogs.export_dialog import ExportDialog
from desktop.gui.dialogs.highlights_view import HighlightsView

if TYPE_CHECKING:
    from desktop.core.models import Highlight
    from desktop.gui.context import WindowContext


@command("go-highlights", label="Highlights", menu="Go")
def go_highlights(ctx: WindowContext) -> None:
    """Review every highlight: filter by colour (1–5), search, Enter opens the paper."""

    def open_highlight(h: Highlight) -> None:
        ctx.go_to_paper(int(h.paper_id))
        ctx.annotations.select_highlight(int(h.id))

    view = HighlightsView(ctx.library, open_highlight, ctx.dialog_parent)
    view.finished.connect(lambda _result: ctx.sync_sidebar())
    ctx.show_dialog(view)


@command("export", label="Export as Markdown…", menu="File")
def export(ctx: WindowContext) -> None:
    """Export notes and highlights as Markdown, with a preview of the first file."""
    ctx.show_dialog(ExportDialog(ctx))

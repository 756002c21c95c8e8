"""The command registry: every user action is a named command with a one-line docstring.

Menus, the toolbar, the context menu, the command palette, the cheat sheet and the README
key table are all generated from ``COMMANDS`` and ``keymap.DEFAULT_KEYMAP``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.gui.main_window import MainWindow

Runner = Callable[["MainWindow"], None]

# Menus in menu-bar order.
MENUS = ("File", "Edit", "Paper", "Go", "Help")


@dataclass(frozen=True)
class Command:
    """A named user action: what it does (``doc``), where it shows up and how it runs."""

    name: str
    label: str
    doc: str
    run: Runner
    menu: str
    icon: str | None = None
    toolbar: bool = False
    context_menu: bool = False
    # "window": the key works anywhere in the window (text fields still take their own keys);
    # "list": the key works only while the paper list has focus (Ctrl+V pastes a digest there).
    scope: str = "window"
    # Papers commands are disabled when the list is empty.
    needs_paper: bool = False


COMMANDS: dict[str, Command] = {}


def command(
    name: str,
    *,
    label: str,
    menu: str,
    icon: str | None = None,
    toolbar: bool = False,
    context_menu: bool = False,
    scope: str = "window",
    needs_paper: bool = False,
) -> Callable[[Runner], Runner]:
    """Register ``fn`` as the command ``name``; its docstring's first line is its help text."""

    def register(fn: Runner) -> Runner:
        if name in COMMANDS:
            raise ValueError(f"command {name!r} registered twice")
        if menu not in MENUS:
            raise ValueError(f"unknown menu {menu!r}")
        doc = (fn.__doc__ or "").strip().splitlines()
        COMMANDS[name] = Command(
            name=name,
            label=label,
            doc=doc[0].strip() if doc else "",
            run=fn,
            menu=menu,
            icon=icon,
            toolbar=toolbar,
            context_menu=context_menu,
            scope=scope,
            needs_paper=needs_paper,
        )
        return fn

    return register


# -- moving around ---------------------------------------------------------------------------
@command("next-paper", label="Next paper", menu="Go")
def next_paper(win: MainWindow) -> None:
    """Select the next paper."""
    win.move_current(+1)


@command("previous-paper", label="Previous paper", menu="Go")
def previous_paper(win: MainWindow) -> None:
    """Select the previous paper."""
    win.move_current(-1)


@command("open-paper", label="Open paper", menu="Paper", icon="read", needs_paper=True)
def open_paper(win: MainWindow) -> None:
    """Open the paper in the detail pane and mark it read."""
    win.open_current()


@command("scroll-detail-down", label="Scroll detail down", menu="Go")
def scroll_detail_down(win: MainWindow) -> None:
    """Scroll the detail pane down one page."""
    win.detail.scroll_page(+1)


@command("scroll-detail-up", label="Scroll detail up", menu="Go")
def scroll_detail_up(win: MainWindow) -> None:
    """Scroll the detail pane up one page."""
    win.detail.scroll_page(-1)


# -- triage ----------------------------------------------------------------------------------
@command(
    "toggle-read",
    label="Read / unread",
    menu="Paper",
    icon="unread",
    toolbar=True,
    context_menu=True,
    needs_paper=True,
)
def toggle_read(win: MainWindow) -> None:
    """Mark the paper read or unread."""
    win.triage("read")


@command(
    "toggle-star",
    label="Star",
    menu="Paper",
    icon="star",
    toolbar=True,
    context_menu=True,
    needs_paper=True,
)
def toggle_star(win: MainWindow) -> None:
    """Star or unstar the paper."""
    win.triage("starred")


@command(
    "toggle-queue",
    label="Read later",
    menu="Paper",
    icon="queue",
    toolbar=True,
    context_menu=True,
    needs_paper=True,
)
def toggle_queue(win: MainWindow) -> None:
    """Add the paper to the reading queue, or take it out."""
    win.triage("queued")


@command(
    "archive",
    label="Archive",
    menu="Paper",
    icon="archive",
    toolbar=True,
    context_menu=True,
    needs_paper=True,
)
def archive(win: MainWindow) -> None:
    """Archive the paper (done); in the Archive view, bring it back."""
    win.archive()


@command("queue-move-up", label="Move up in queue", menu="Paper", context_menu=True)
def queue_move_up(win: MainWindow) -> None:
    """Move the paper one place up in the reading queue."""
    win.move_in_queue(-1)


@command("queue-move-down", label="Move down in queue", menu="Paper", context_menu=True)
def queue_move_down(win: MainWindow) -> None:
    """Move the paper one place down in the reading queue."""
    win.move_in_queue(+1)


@command(
    "toggle-select",
    label="Select for bulk action",
    menu="Paper",
    icon="check",
    context_menu=True,
    needs_paper=True,
)
def toggle_select(win: MainWindow) -> None:
    """Select the paper for a bulk action (triage keys then act on every selected paper)."""
    win.toggle_mark()


@command("undo", label="Undo", menu="Edit", icon="undo", toolbar=True)
def undo(win: MainWindow) -> None:
    """Undo the last action (triage, highlight, note or tags)."""
    win.undo()


@command("redo", label="Redo", menu="Edit", icon="redo", toolbar=True)
def redo(win: MainWindow) -> None:
    """Redo the last undone action."""
    win.redo()


# -- search and views ------------------------------------------------------------------------
@command("focus-search", label="Search", menu="Edit", icon="search")
def focus_search(win: MainWindow) -> None:
    """Put the cursor in the search field."""
    win.focus_search()


@command("escape", label="Back to the list", menu="Edit")
def escape(win: MainWindow) -> None:
    """Back to the list: clear the search, the bulk selection and the selected highlight."""
    win.escape()
    win.annotations.let_go()


@command("go-inbox", label="Inbox", menu="Go", icon="inbox")
def go_inbox(win: MainWindow) -> None:
    """Go to the Inbox."""
    win.set_view("inbox")


@command("go-queue", label="Reading queue", menu="Go", icon="queue")
def go_queue(win: MainWindow) -> None:
    """Go to the reading queue."""
    win.set_view("queue")


@command("go-starred", label="Starred", menu="Go", icon="star")
def go_starred(win: MainWindow) -> None:
    """Go to the starred papers."""
    win.set_view("starred")


@command("go-archive", label="Archive", menu="Go", icon="archive")
def go_archive(win: MainWindow) -> None:
    """Go to the Archive."""
    win.set_view("archive")


@command("go-all", label="All papers", menu="Go", icon="all")
def go_all(win: MainWindow) -> None:
    """Go to all papers."""
    win.set_view("all")


@command("focus-sidebar", label="Choose a view or digest", menu="Go", icon="digest")
def focus_sidebar(win: MainWindow) -> None:
    """Move the keyboard to the list of views and digests (Enter picks one)."""
    win.focus_sidebar()


# -- import ----------------------------------------------------------------------------------
@command("import-files", label="Import files…", menu="File", icon="import", toolbar=True)
def import_files(win: MainWindow) -> None:
    """Import digest files."""
    win.import_files()


@command("import-folder", label="Import folder…", menu="File", icon="import")
def import_folder(win: MainWindow) -> None:
    """Import every digest file in a folder."""
    win.import_folder()


@command(
    "paste-digest", label="Paste digest", menu="Edit", icon="paste", toolbar=True, scope="list"
)
def paste_digest(win: MainWindow) -> None:
    """Import a digest from the clipboard, after a preview."""
    win.paste_digest()


@command("reload", label="Reload library", menu="File")
def reload_library(win: MainWindow) -> None:
    """Reload the lists and counts (after changes made by the command line)."""
    win.reload()


@command("quit", label="Quit", menu="File")
def quit_app(win: MainWindow) -> None:
    """Quit Digest Desk."""
    win.close()


# -- help ------------------------------------------------------------------------------------
@command("command-palette", label="Commands…", menu="Help", icon="command", toolbar=True)
def command_palette(win: MainWindow) -> None:
    """Find and run any command by name."""
    win.show_command_palette()


@command("cheat-sheet", label="Keyboard shortcuts", menu="Help", icon="help")
def cheat_sheet(win: MainWindow) -> None:
    """Show every key and what it does."""
    win.show_cheat_sheet()


# Highlights, notes, tags and export register themselves in the same table.
from desktop.gui import annotation_commands as _annotation_commands  # noqa: E402, F401

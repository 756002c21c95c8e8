"""The command registry: every user action is a named command with a one-line docstring.

Menus, the toolbar, the context menu, the command palette, the cheat sheet and the README
key table are all generated from ``COMMANDS`` and ``keymap.DEFAULT_KEYMAP``. A command is a
function of a ``WindowContext``; the modules next to this one register them by area.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.gui.context import WindowContext

Runner = Callable[["WindowContext"], None]

# Menus in menu-bar order.
MENUS = ("File", "Edit", "Paper", "Go", "View", "Help")


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
    # A submenu of ``menu`` the command is listed in (View → Sort by), or None.
    submenu: str | None = None


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
    submenu: str | None = None,
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
            submenu=submenu,
        )
        return fn

    return register

"""Appearance: the colour scheme (follow the system, or always light or dark)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.gui.commands.registry import command

if TYPE_CHECKING:
    from desktop.gui.context import WindowContext


@command("scheme-system", label="Colours: follow the system", menu="View")
def scheme_system(ctx: WindowContext) -> None:
    """Use the system's light or dark colour scheme, following it when it changes."""
    ctx.set_color_scheme("system")


@command("scheme-light", label="Colours: light", menu="View")
def scheme_light(ctx: WindowContext) -> None:
    """Always use light colours."""
    ctx.set_color_scheme("light")


@command("scheme-dark", label="Colours: dark", menu="View")
def scheme_dark(ctx: WindowContext) -> None:
    """Always use dark colours."""
    ctx.set_color_scheme("dark")

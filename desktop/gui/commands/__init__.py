"""Every user action as a named command: the registry and one module per area.

Importing this package registers every command in ``COMMANDS``. The import order below is
the order of the menus, the toolbar and the palette, so it is kept by hand.
"""

from __future__ import annotations

# isort: off
# (The highlights module is not called "annotations": the __future__ import owns that name.)
from desktop.gui.commands import navigation  # noqa: F401 - moving around
from desktop.gui.commands import triage  # noqa: F401 - read, star, queue, archive, undo
from desktop.gui.commands import views  # noqa: F401 - search and the views
from desktop.gui.commands import files  # noqa: F401 - import, paste, reload, quit
from desktop.gui.commands import help  # noqa: F401 - the palette and the key sheet
from desktop.gui.commands import annotating  # noqa: F401 - highlights and notes
from desktop.gui.commands import tags  # noqa: F401 - tags
from desktop.gui.commands import review  # noqa: F401 - the Highlights view and export
from desktop.gui.commands import paper_links  # noqa: F401 - browser, links, BibTeX, delete
from desktop.gui.commands import saved_views  # noqa: F401 - saved views and rules
from desktop.gui.commands import snoozing  # noqa: F401 - snooze and the Snoozed view
from desktop.gui.commands import catching_up  # noqa: F401 - mark above / view read, unread only
from desktop.gui.commands import history  # noqa: F401 - the History panel
from desktop.gui.commands import progress  # noqa: F401 - the Progress view
from desktop.gui.commands import sorting  # noqa: F401 - View → Sort by
from desktop.gui.commands import appearance  # noqa: F401 - light and dark

# isort: on
from desktop.gui.commands.registry import COMMANDS, MENUS, Command, command

__all__ = ["COMMANDS", "MENUS", "Command", "command"]

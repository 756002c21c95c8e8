"""Fake-context fixtures: commands run on the seeded library without a window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from desktop.core.library import Library
from desktop.gui.commands import COMMANDS
from tests.gui.commands.fake_context import FakeContext


@pytest.fixture
def ctx(qapp: QApplication, seeded: Library) -> Iterator[FakeContext]:
    """A fake window context on the seeded library, in the Inbox, first paper current."""
    yield FakeContext(seeded)


def run(ctx: FakeContext, name: str) -> None:
    """Run a command as a key press would."""
    COMMANDS[name].run(ctx)

"""Undo and redo of user actions, as pairs of plain functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from desktop.core.models import Changes

MAX_LEVELS = 200


@dataclass(frozen=True)
class Action:
    """One undoable action: a label for people and the two directions."""

    label: str
    undo: Callable[[], Changes]
    redo: Callable[[], Changes]


class History:
    """A bounded undo stack with redo; a new action clears the redo side."""

    def __init__(self, max_levels: int = MAX_LEVELS) -> None:
        self._done: list[Action] = []
        self._undone: list[Action] = []
        self._max = max_levels

    def record(self, action: Action) -> None:
        """Remember an action that has just been done."""
        self._done.append(action)
        del self._done[: -self._max]
        self._undone.clear()

    def clear(self) -> None:
        """Forget everything (for example after an import replaced data underneath)."""
        self._done.clear()
        self._undone.clear()

    @property
    def depth(self) -> int:
        """How many actions can be undone."""
        return len(self._done)

    def last_action(self) -> Action | None:
        """The action undo would revert, or None."""
        return self._done[-1] if self._done else None

    def replace_last(self, action: Action) -> None:
        """Swap the last action for ``action`` (to merge consecutive edits into one step)."""
        if self._done:
            self._done[-1] = action
        else:
            self._done.append(action)
        self._undone.clear()

    @property
    def can_undo(self) -> bool:
        """True when there is something to undo."""
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        """True when there is something to redo."""
        return bool(self._undone)

    def undo_label(self) -> str | None:
        """The label of the action undo would revert."""
        return self._done[-1].label if self._done else None

    def redo_label(self) -> str | None:
        """The label of the action redo would repeat."""
        return self._undone[-1].label if self._undone else None

    def undo(self) -> tuple[str, Changes] | None:
        """Revert the last action; None when there is none."""
        if not self._done:
            return None
        action = self._done.pop()
        changes = action.undo()
        self._undone.append(action)
        return action.label, changes

    def redo(self) -> tuple[str, Changes] | None:
        """Repeat the last undone action; None when there is none."""
        if not self._undone:
            return None
        action = self._undone.pop()
        changes = action.redo()
        self._done.append(action)
        return action.label, changes

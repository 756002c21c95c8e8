"""The command names and docstrings, read from the command modules' source without importing
them (they import Qt): what ``digest-desk keys`` checks a keymap file against.

A command is found where ``@command("name", …)`` decorates a function; commands registered
in a loop (``color-1``…``color-5``, ``go-saved-view-1``…) are known from the default keymap,
which binds them. A test keeps this equal to ``desktop.gui.commands.COMMANDS``. The app
itself checks against ``COMMANDS``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from desktop.gui.keymap import DEFAULT_KEYMAP

COMMANDS_DIR = Path(__file__).resolve().parent.parent / "commands"


def _decorated_name(node: ast.expr) -> str | None:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "command"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def command_docs(folder: Path = COMMANDS_DIR) -> dict[str, str]:
    """Command name to the first line of its docstring ("" when it is not in the source)."""
    docs: dict[str, str] = {}
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                name = _decorated_name(decorator)
                if name is not None:
                    doc = (ast.get_docstring(node) or "").strip().splitlines()
                    docs[name] = doc[0].strip() if doc else ""
    for name in DEFAULT_KEYMAP.values():
        docs.setdefault(name, "")
    return docs

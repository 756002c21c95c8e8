"""The core stays plain Python: no module under desktop/core imports Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "desktop" / "core"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_modules_never_import_qt() -> None:
    modules = sorted(CORE.rglob("*.py"))
    assert len(modules) >= 5
    offenders = {
        str(m.relative_to(CORE)): sorted(
            n for n in _imports(m) if n.split(".")[0] in {"PySide6", "shiboken6", "PyQt6", "PyQt5"}
        )
        for m in modules
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_core_imports_without_loading_qt() -> None:
    code = (
        "import sys, importlib, pkgutil, desktop.core as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'desktop.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr

"""The Qt desktop app: a thin layer over desktop.core.Library."""

from __future__ import annotations

import ctypes
import sys


def keep_none_alive() -> None:
    """Make ``None``, ``True`` and ``False`` effectively immortal on Python 3.11, as 3.12+ does.

    PySide6 6.12 returns ``None`` from every void method (``setEnabled``, ``insertText``, …)
    without taking a reference, and loses references to the booleans in some calls too.
    Python 3.12+ ignores that because these objects are immortal there; on 3.11 each call
    drops one reference, and after enough calls (a few hundred papers triaged) the interpreter
    aborts with "none_dealloc: deallocating None". Raising the counts once by 2**40 keeps them
    far from zero for the life of the process. PySide6 6.11 does not have the bug.
    """
    if sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return  # immortal None, or a debug build with a different object header
    if sys.implementation.name != "cpython":
        return
    for singleton in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(singleton))
        if refcount.value < 1 << 39:
            refcount.value += 1 << 40


keep_none_alive()

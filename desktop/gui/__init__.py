"""The Qt desktop app: a thin layer over desktop.core.Library."""

from __future__ import annotations

import ctypes
import sys


def keep_none_alive() -> None:
    """Make ``None`` effectively immortal on Python 3.11, as Python 3.12+ does.

    PySide6 6.12 returns ``None`` from every void method (``setEnabled``, ``insertText``, …)
    without taking a reference. Python 3.12+ ignores that because ``None`` is immortal there;
    on 3.11 each call drops one reference, and after enough calls (a few hundred papers
    triaged) the interpreter aborts with "none_dealloc: deallocating None". Raising the count
    once by 2**40 keeps it far from zero for the life of the process.
    """
    if sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return  # immortal None, or a debug build with a different object header
    if sys.implementation.name != "cpython":
        return
    refcount = ctypes.c_ssize_t.from_address(id(None))
    if refcount.value < 1 << 39:
        refcount.value += 1 << 40


keep_none_alive()

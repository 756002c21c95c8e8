"""Loads sqlite-utils without the optional libraries it would load with it.

``sqlite_utils.db`` imports pandas and numpy when they are installed, only to accept their
values in inserts. We never pass any, and loading them costs 40-90 ms (numpy) or seconds
(pandas) at the start of every command-line call. While sqlite-utils loads, the two are
marked as unavailable (a ``None`` entry in ``sys.modules`` makes ``import`` raise
ImportError, which sqlite-utils expects); the marks are removed at once, so any later
``import numpy`` (the search ranker's) works as usual. A library already loaded is left alone.

It also imports ``dateutil.parser`` (for a date recipe) at load time; we never use it, and it
costs about 20 ms of every command's start. It is loaded *lazily*: a stand-in module sits in
``sys.modules`` and imports the real one the first time one of its names is read, so anything
that does use it still works (``importlib.util.LazyLoader`` cannot serve: the ``import``
statement itself reads the module's ``__spec__``, which would load it at once). ``click``
cannot be deferred: a signature in ``sqlite_utils.hookspecs`` reads ``click.Group`` as it
loads. A module that cannot be found is left to fail, loudly, at sqlite-utils' own import.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

OPTIONAL = ("pandas", "numpy")
DEFERRED = ("dateutil.parser",)


class _Deferred(types.ModuleType):
    """A stand-in for a module that is imported the first time one of its names is read."""

    def __getattr__(self, attr: str) -> Any:  # only called for names the stand-in lacks
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)  # the real module takes its place for good
        self.__dict__.update(real.__dict__)
        return getattr(real, attr)


def _defer(name: str) -> None:
    """Put a stand-in for ``name`` in ``sys.modules`` unless it is loaded (or not installed)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return  # sqlite-utils' own import then says what is missing
    stand_in = _Deferred(name)
    stand_in.__spec__ = spec
    sys.modules[name] = stand_in


def load_sqlite_utils() -> None:
    """Import sqlite_utils (once) with its optional pandas and numpy support left out."""
    if "sqlite_utils.db" in sys.modules:
        return
    hidden = [name for name in OPTIONAL if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    for name in DEFERRED:
        _defer(name)
    try:
        import sqlite_utils.db  # noqa: F401 - loaded here, used everywhere else
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]

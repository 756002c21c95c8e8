"""Loads sqlite-utils without the optional libraries it would load with it.

``sqlite_utils.db`` imports pandas and numpy when they are installed, only to accept their
values in inserts. We never pass any, and loading them costs 40-90 ms (numpy) or seconds
(pandas) at the start of every command-line call. While sqlite-utils loads, the two are
marked as unavailable (a ``None`` entry in ``sys.modules`` makes ``import`` raise
ImportError, which sqlite-utils expects); the marks are removed at once, so any later
``import numpy`` (the search ranker's) works as usual. A library already loaded is left alone.

It also imports ``dateutil.parser`` (for a date recipe), ``click`` (for its progress bars
and its plugins' command hook), ``secrets`` (to name nested savepoints) and ``hashlib`` (to
hash records, loading OpenSSL) at load time; most calls use none of them, and they cost about
20, 10, 4 and 3 ms of every command's start. They are loaded *lazily*: a stand-in module sits
in ``sys.modules`` and imports the real one the first time one of its names is read, so
anything that does use them still works (``importlib.util.LazyLoader`` cannot serve: the
``import`` statement itself reads the module's ``__spec__``, which would load it at once). A
signature in ``sqlite_utils.hookspecs`` reads ``click.Group`` as it loads: while sqlite-utils
loads, the stand-in answers that name with the string ``"click.Group"`` (what the annotation
would be under ``from __future__ import annotations``); afterwards every name loads the real module.

Last, one regular expression ``sqlite_utils.db`` compiles as it loads (for the schema of a
virtual table, which we never ask for) takes about 10 ms to compile: patterns compiled by that
module's own top level are compiled the first time they are used instead. A module that
cannot be found is left to fail, loudly, at sqlite-utils' own import.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

OPTIONAL = ("pandas", "numpy")
# Deferred modules, with the names their stand-in answers while sqlite-utils loads.
DEFERRED: dict[str, dict[str, object]] = {
    "dateutil.parser": {},
    "click": {"Group": "click.Group"},
    "secrets": {},  # for the names of nested savepoints only
    "hashlib": {},  # for hash_record (OpenSSL loads with it)
}
# The modules whose top-level patterns are compiled when first used.
LAZY_PATTERNS_IN = frozenset({"sqlite_utils.db"})


class _Deferred(types.ModuleType):
    """A stand-in for a module that is imported the first time one of its names is read."""

    def __getattr__(self, attr: str) -> Any:  # only called for names the stand-in lacks
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)  # the real module takes its place for good
        self.__dict__.update(real.__dict__)
        return getattr(real, attr)


def _defer(name: str, answers: dict[str, object]) -> _Deferred | None:
    """Put a stand-in for ``name`` in ``sys.modules`` unless it is loaded (or not installed)."""
    if name in sys.modules:
        return None
    spec = importlib.util.find_spec(name)
    if spec is None:
        return None  # sqlite-utils' own import then says what is missing
    stand_in = _Deferred(name)
    stand_in.__spec__ = spec
    stand_in.__dict__.update(answers)
    sys.modules[name] = stand_in
    return stand_in


class _LazyPattern:
    """A regular expression compiled the first time one of its methods is used."""

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self._source = (pattern, flags)
        self._compiled: re.Pattern[Any] | None = None

    def __getattr__(self, attr: str) -> Any:  # match, split, pattern…
        if self._compiled is None:
            self._compiled = re.compile(*self._source)
        return getattr(self._compiled, attr)


@contextmanager
def _lazy_top_level_patterns() -> Iterator[None]:
    """While the block runs, ``re.compile`` called by the top level of a module of
    ``LAZY_PATTERNS_IN`` returns a ``_LazyPattern``; every other caller gets ``re.compile``."""
    compile_now: Callable[..., Any] = re.compile

    def compile_later(pattern: Any, flags: int = 0) -> Any:
        caller = sys._getframe(1)  # noqa: SLF001 - who compiles: only a module's top level
        if caller.f_code.co_name == "<module>" and (
            caller.f_globals.get("__name__") in LAZY_PATTERNS_IN and isinstance(pattern, str)
        ):
            return _LazyPattern(pattern, flags)
        return compile_now(pattern, flags)

    re.compile = compile_later  # type: ignore[assignment]
    try:
        yield
    finally:
        re.compile = compile_now  # type: ignore[assignment]


def load_sqlite_utils() -> None:
    """Import sqlite_utils (once) with its optional pandas and numpy support left out."""
    if "sqlite_utils.db" in sys.modules:
        return
    hidden = [name for name in OPTIONAL if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    stand_ins = {name: _defer(name, answers) for name, answers in DEFERRED.items()}
    try:
        with _lazy_top_level_patterns():
            import sqlite_utils.db  # noqa: F401 - loaded here, used everywhere else
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]
        for name, stand_in in stand_ins.items():
            for answer in DEFERRED[name]:  # from now on these names load the real module
                if stand_in is not None and stand_in.__dict__.get(answer) is DEFERRED[name][answer]:
                    del stand_in.__dict__[answer]

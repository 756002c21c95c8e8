"""The search error boundary: which failures mean a damaged index, and which are bugs.

Index damage is what a rebuild from SQLite can repair, and only that:

- ``OSError`` (a missing, unreadable or full-disk file, a lock the OS refused);
- Whoosh's own errors about its files: ``whoosh.index.IndexError`` and its family (empty,
  out-of-date or other-version indexes), ``whoosh.index.LockError``,
  ``whoosh.filedb.filestore.StorageError``, ``whoosh.filedb.filetables.FileFormatError``
  and ``whoosh.reading.TermNotFound`` (a term table that does not hold what it lists);
- what reading a truncated or garbled index file raises: ``EOFError``, ``struct.error``,
  ``zlib.error`` and ``pickle.UnpicklingError`` (Whoosh's table of contents is a pickle);
- :class:`IndexFormatError`, raised by us for an index of another schema;
- an error Whoosh's own code raises while reading its files (:func:`raised_reading_whoosh_files`):
  at open, and once per index later (``SearchIndex.is_damage``), so that a fault a rebuild
  cannot repair is never rebuilt again and again.

Anything else (``TypeError``, ``AttributeError``, ``KeyError``, ``ValueError``…) is a bug in
our code or an incompatible Whoosh: a rebuild cannot fix it, so it is never taken for damage.
It is logged with its traceback; under :func:`strict` (``DIGEST_DESK_STRICT=1``, which the
test suite sets) it is raised, otherwise the search returns a result carrying
:data:`INTERNAL_ERROR`.
"""

from __future__ import annotations

import os
import pickle
import struct
import zlib

import whoosh
from whoosh.filedb.filestore import StorageError
from whoosh.filedb.filetables import FileFormatError
from whoosh.index import IndexError as WhooshIndexError
from whoosh.index import LockError
from whoosh.reading import TermNotFound

STRICT_ENV = "DIGEST_DESK_STRICT"
_WHOOSH_DIR = os.path.dirname(os.path.abspath(whoosh.__file__)) + os.sep
INTERNAL_ERROR = "Search failed: internal error ({kind}); see the log for details."


class SearchCancelledError(Exception):
    """A search was cancelled by its caller (newer text was typed) before it was done."""


class IndexFormatError(Exception):
    """The index on disk is of another schema than this version writes."""


DAMAGE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    struct.error,
    zlib.error,
    pickle.UnpicklingError,
    WhooshIndexError,
    LockError,
    StorageError,
    FileFormatError,
    TermNotFound,
    IndexFormatError,
)


def raised_reading_whoosh_files(exc: BaseException) -> bool:
    """True for an error raised inside Whoosh's own code (its innermost frame is in the whoosh
    package): Whoosh reads a truncated or garbled file with ``TypeError`` (``ord()`` of an empty
    read), ``IndexError``, or a bare ``Exception("Block tag error …")``.

    Counted as damage at open and once per index after (``SearchIndex.is_damage``).
    """
    if not isinstance(exc, Exception):
        return False
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(_WHOOSH_DIR)


def is_index_damage(exc: BaseException) -> bool:
    """Whether ``exc``, met opening or reading the index files, means damage a rebuild repairs:
    one of :data:`DAMAGE_ERRORS`, or an error raised inside Whoosh's own code.

    ``SearchIndex.is_damage`` counts the second kind once per index only.
    """
    return isinstance(exc, DAMAGE_ERRORS) or raised_reading_whoosh_files(exc)


def strict() -> bool:
    """True when bugs are to be raised rather than reported in the results (tests)."""
    return os.environ.get(STRICT_ENV, "") not in ("", "0")


def internal_error(exc: BaseException) -> str:
    """The sentence shown to the user for a bug found during a search."""
    return INTERNAL_ERROR.format(kind=type(exc).__name__)

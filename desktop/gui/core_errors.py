"""What a core call may raise when the data or the disk refuses it.

The GUI says these in the status bar instead of crashing; anything else is a bug and is
raised.
"""

from __future__ import annotations

import sqlite3

# AnnotationError, QuoteNotFoundError and bad names are ValueErrors; a full disk or a locked
# file is an OSError or a sqlite3 error.
CORE_ERRORS: tuple[type[Exception], ...] = (ValueError, OSError, sqlite3.Error)

"""The plain-Python core of Digest Desk: parser, store, search, import and export. No Qt here."""

from desktop.core.sqlite_utils_loader import load_sqlite_utils

load_sqlite_utils()  # before any module of the core imports it (see sqlite_utils_loader)

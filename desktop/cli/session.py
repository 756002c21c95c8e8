"""Running one command on the library: the data folder checked, the access lock held (shared),
a short writer's turn taken before an import's next batch, and the library opened with its
search index only for the commands that search.

Every command holds the library's access lock while it runs (``restore`` takes it exclusively,
in maintenance.py), and says on stderr when it waits.
"""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from desktop.cli.output import CliError, notice
from desktop.core.data_dir import check_data_dir, is_read_only, resolve_data_dir
from desktop.core.instance_lock import AccessLock, WriteTurn

if TYPE_CHECKING:
    from desktop.core.library import Library

Handler = Callable[["Library", argparse.Namespace, TextIO], int]
# Commands that search (or keep the search index current); the others open the library
# without its index, so they neither import Whoosh nor wait for an import's index writes.
SEARCHING = frozenset({"import", "search", "related", "reindex", "export"})
# Writers that commit in batches: they let short writers go between batches (WriteTurn).
LONG_WRITERS = frozenset({"import", "reindex"})


def writes(args: argparse.Namespace) -> bool:
    """Whether the command asked for changes the library (a read-only one refuses it)."""
    command = args.command
    if command in ("import", "mark", "highlight", "tag", "reindex", "delete"):
        return True
    if command == "digests":
        return bool(args.rename or args.remove or args.remove_samples)
    if command == "note":
        return args.text is not None
    if command == "tags":
        return bool(args.rename) or args.delete is not None
    if command == "backup":
        return not args.list
    if command == "views":
        return bool(args.add or args.rename or args.move) or args.delete is not None
    if command == "rules":
        return args.rules_command not in (None, "list")
    return False


def _open_library(data_dir: Path, command: str) -> Library:
    """The Library for one command: with its search index only for commands that use it.

    The page-by-page integrity check runs first when it is due (after a crash, a change made
    outside our sessions, or a day after the last: integrity.py), not on every command, so
    that scripts calling a command in a loop are not slowed by it at 100,000 papers.
    """
    from desktop.core import integrity
    from desktop.core.library import DB_FILE, Library

    if (data_dir / DB_FILE).is_file():
        integrity.check_if_due(data_dir)
    return Library.open(data_dir, defer_integrity_check=True, open_index=command in SEARCHING)


@contextmanager
def _shared_access(data_dir: Path) -> Iterator[None]:
    """Hold the library's access lock (shared) while a command runs; say when it waits."""
    access = AccessLock(data_dir)
    if data_dir.is_dir():
        access.acquire(
            exclusive=False,
            on_wait=lambda: notice("waiting for a restore of this library to finish…"),
        )
    try:
        yield
    finally:
        access.release()


def _watch_write_waits(lib: Library) -> None:
    """Say on stderr when a write has waited a second for another process's transaction.

    SQLite waits for the write lock inside a statement (busy_timeout), without a callback;
    a trace callback sees each statement start, and a timer fires if a write statement is
    still running a second later while no later statement started.
    """
    import threading
    import time

    state: dict[str, Any] = {"serial": 0, "told": False}
    writing = (
        "BEGIN IMMEDIATE",
        "BEGIN EXCLUSIVE",
        "INSERT",
        "UPDATE",
        "DELETE",
        "REPLACE",
    )

    def check(serial: int) -> None:
        if state["serial"] == serial and not state["told"]:
            state["told"] = True
            notice("waiting for another process writing to this library (an import?)…")

    def trace(statement: str) -> None:
        state["serial"] += 1
        timer = state.pop("timer", None)
        if timer is not None:
            timer.cancel()
        if statement.lstrip().upper().startswith(writing):
            serial = state["serial"]
            timer = threading.Timer(1.0, check, [serial])
            timer.daemon = True
            state["timer"] = timer
            state["started"] = time.monotonic()
            timer.start()

    lib.db.conn.set_trace_callback(trace)


def run_on_library(handler: Handler, args: argparse.Namespace, out: TextIO) -> int:
    """Run ``handler`` on the library of ``args.data_dir``, with its locks held; its exit code."""
    data_dir = resolve_data_dir(args.data_dir)
    check_data_dir(data_dir)
    from desktop.core.library import DB_FILE

    if writes(args) and is_read_only(data_dir, data_dir / DB_FILE):
        raise CliError(
            f"the library folder {data_dir} is read-only: `{args.command}` cannot change it "
            "(reading commands such as list, show and stats still work)"
        )
    turn = WriteTurn(data_dir)
    short_writer = writes(args) and args.command not in LONG_WRITERS
    with _shared_access(data_dir):
        if short_writer and data_dir.is_dir():
            # go before the next batch of an import running now (see WriteTurn)
            turn.acquire(on_wait=lambda: notice("waiting for another command to finish…"))
        try:
            lib = _open_library(data_dir, args.command)
        except BaseException:
            turn.release()
            raise
        from desktop.core import backup, store  # loaded with the library already

        try:
            for text in lib.notices:
                notice(text)
            if short_writer:
                _watch_write_waits(lib)  # replaces the turn hook, which it does not need
            return handler(lib, args, out)
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc):
                raise CliError(f"the library folder {data_dir} is read-only: {exc}") from exc
            if store.is_busy(exc):
                raise store.LibraryBusyError(data_dir / DB_FILE) from exc
            raise
        except sqlite3.DatabaseError as exc:  # damage a read met (no check was due)
            if not store.is_corruption(exc):
                raise
            raise store.CorruptDatabaseError(
                data_dir / DB_FILE, str(exc), backup.latest_backup(data_dir)
            ) from exc
        finally:
            lib.close()
            turn.release()

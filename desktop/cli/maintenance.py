"""Looking after the library: ``stats``, ``reindex``, ``backup`` and ``restore``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from desktop.cli.output import CliError, notice, print_json
from desktop.core.data_dir import resolve_data_dir
from desktop.core.instance_lock import ALREADY_RUNNING, AccessLock, InstanceLock

if TYPE_CHECKING:
    from desktop.core.library import Library

# How long `restore` waits for running commands to finish before it gives up, in seconds.
RESTORE_WAIT_SECONDS = 10.0


def cmd_stats(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Print library totals."""
    stats = lib.stats()
    if args.json:
        from desktop.core.progress import progress

        print_json({**stats, "progress": progress(lib.db).to_json()}, out)
        return 0
    out.write(
        f"{stats['papers']} papers ({stats['unread']} unread) from {stats['digests']} digests\n"
    )
    for view, counts in stats["views"].items():
        out.write(f"  {view:8} {counts['total']:>7} ({counts['unread']} unread)\n")
    if not args.progress:  # the 90 days read every paper's dates: 0.1-0.4 s at 100,000
        return 0
    from desktop.core.progress import progress  # only here: 3 ms of a quick command's start

    figures = progress(lib.db)
    totals, age = figures.totals(), figures.queue_age
    out.write(
        f"last {len(figures.days)} days: {totals['arrived']} arrived, {totals['read']} read, "
        f"{totals['archived']} archived\n"
    )
    if age.papers:
        out.write(
            f"queue: {age.papers} papers, oldest arrived {age.oldest_days:g} days ago "
            f"(median {age.median_days:g})\n"
        )
    return 0


def cmd_reindex(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Rebuild the search index from the library."""
    count = lib.index.rebuild()
    if not lib.index.usable:
        raise CliError(lib.index.broken_reason or "the search index could not be rebuilt")
    out.write(f"search index rebuilt: {count} papers\n")
    return 0


def cmd_backup(lib: Library, args: argparse.Namespace, out: TextIO) -> int:
    """Take a verified backup of the library now, or list the backups."""
    from desktop.core.backup import backup_dir, list_backups, take_backup

    assert lib.data_dir is not None
    if args.list:
        backups = list_backups(lib.data_dir)
        for info in backups:
            size = info.path.stat().st_size
            out.write(
                f"{info.taken_at:%Y-%m-%d %H:%M:%S} UTC  {info.reason:13} "
                f"{size / 1e6:7.1f} MB  {info.path}\n"
            )
        out.write(f"{len(backups)} backups in {backup_dir(lib.data_dir)}\n")
        return 0
    notices: list[str] = []
    path = take_backup(lib.db, lib.data_dir, "manual", notices=notices)
    out.write(f"backup written and verified: {path}\n")
    for text in notices:
        notice(text)
    return 0


def cmd_restore(lib: Library | None, args: argparse.Namespace, out: TextIO) -> int:
    """Replace the library database with a backup; the current one is moved aside."""
    from desktop.core.backup import BackupError, restore_backup
    from desktop.core.library import Library

    data_dir = resolve_data_dir(args.data_dir)
    lock = InstanceLock(data_dir)
    if not lock.try_acquire():
        pid = lock.holder_pid()
        holder = f" (process {pid})" if pid else ""
        raise CliError(f"{ALREADY_RUNNING}{holder}; quit it before restoring.")
    access = AccessLock(data_dir)
    try:
        # Wait for the commands using the library now (an import) and hold back new ones.
        waited = access.acquire(
            exclusive=True,
            timeout=RESTORE_WAIT_SECONDS,
            on_wait=lambda: notice(
                "waiting for another digest-desk command using this library to finish "
                f"(at most {RESTORE_WAIT_SECONDS:.0f} s)…"
            ),
        )
        if not waited:
            raise CliError(
                "not restored: another digest-desk command (an import?) is still using this "
                f"library after {RESTORE_WAIT_SECONDS:.0f} s; run restore again when it is done"
            )
        try:
            result = restore_backup(data_dir, args.file)
        except BackupError as exc:
            raise CliError(f"not restored: {exc}") from exc
        out.write(f"restored {result.restored_from} as {result.database}\n")
        if result.previous is not None:
            out.write(f"the previous database was moved to {result.previous}\n")
        with Library.open(data_dir) as restored:
            out.write(f"library has {restored.papers.count()} papers\n")
    finally:
        access.release()
        lock.release()
    return 0

"""The GUI defers the daily backup to a worker: opening skips it, take_daily_backup takes it."""

from __future__ import annotations

from pathlib import Path

from desktop.core import backup
from desktop.core.library import Library


def test_deferred_daily_backup_is_taken_on_its_own_connection(seeded_dir: Path) -> None:
    before = backup.list_backups(seeded_dir)
    with Library.open(seeded_dir, defer_daily_backup=True) as lib:
        assert backup.list_backups(seeded_dir) == before
        taken = Library.take_daily_backup(seeded_dir)
        assert taken is not None and taken.exists()
        assert Library.take_daily_backup(seeded_dir) is None  # not due again today
        assert lib.papers.count() == 286
    listed = backup.list_backups(seeded_dir)
    assert len(listed) == len(before) + 1
    backup.check_restorable(taken)  # raises unless the copy is a sound library

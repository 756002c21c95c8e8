"""Single instance: a second start on the same library is refused while the first runs, and
a lock left by a killed instance never blocks the next start."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop.core.instance_lock import (
    ALREADY_RUNNING,
    AlreadyRunningError,
    InstanceLock,
    acquire_instance_lock,
)
from tests.reliability.crash_support import kill_after, start_driver

pytestmark = pytest.mark.reliability


def _start_holder(data: Path):  # type: ignore[no-untyped-def]
    proc = start_driver("hold-instance-lock", data)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_a_running_instance_blocks_a_second_one_and_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    holder = _start_holder(data)
    try:
        lock = InstanceLock(data)
        assert not lock.try_acquire() and not lock.held
        with pytest.raises(AlreadyRunningError) as info:
            acquire_instance_lock(data)
        assert info.value.pid == holder.pid
        assert str(info.value) == f"{ALREADY_RUNNING} (process {holder.pid}): {data}"
    finally:
        outcome = kill_after(holder, 0)
    assert not outcome.finished


def test_a_lock_left_by_a_killed_instance_does_not_block(tmp_path: Path) -> None:
    data = tmp_path / "data"
    kill_after(_start_holder(data), 0)
    assert (data / "digest-desk.lock").exists()  # the file stays; the OS lock died with it
    with acquire_instance_lock(data) as lock:
        assert lock.held and lock.holder_pid() == os.getpid()
    assert not lock.held


def test_other_libraries_are_not_blocked(tmp_path: Path) -> None:
    holder = _start_holder(tmp_path / "one")
    try:
        with acquire_instance_lock(tmp_path / "two") as lock:
            assert lock.held
    finally:
        kill_after(holder, 0)


def test_within_one_process_the_lock_is_exclusive_and_reentrant_per_object(
    tmp_path: Path,
) -> None:
    first = InstanceLock(tmp_path)
    assert first.try_acquire() and first.try_acquire()  # taking it again is a no-op
    second = InstanceLock(tmp_path)
    assert not second.try_acquire()
    first.release()
    first.release()  # releasing twice is harmless
    assert second.try_acquire()
    second.release()


def test_a_garbled_lock_file_is_fine(tmp_path: Path) -> None:
    (tmp_path / "digest-desk.lock").write_bytes(b"\x00\xffnot a pid")
    lock = InstanceLock(tmp_path)
    assert lock.holder_pid() is None
    with lock:
        assert lock.holder_pid() == os.getpid()

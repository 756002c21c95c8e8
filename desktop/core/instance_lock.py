"""One running Digest Desk per library: an OS file lock held for the life of the process.

The lock is taken with ``fcntl.flock`` on POSIX and ``msvcrt.locking`` on Windows on the file
``<data dir>/digest-desk.lock``. The operating system drops it when the process ends in any
way, including a crash or SIGKILL, so a lock left behind never blocks the next start. The file
itself stays; it only records the pid of the holder, for messages.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import TracebackType
from typing import IO

LOCK_FILE = "digest-desk.lock"
ALREADY_RUNNING = "Digest Desk is already running on this library"


class AlreadyRunningError(Exception):
    """Another process holds the lock on this library."""

    def __init__(self, data_dir: Path, pid: int | None) -> None:
        self.data_dir = data_dir
        self.pid = pid
        holder = f" (process {pid})" if pid else ""
        super().__init__(f"{ALREADY_RUNNING}{holder}: {data_dir}")


def _try_lock(handle: IO[bytes]) -> bool:
    """Take an exclusive, non-blocking OS lock on the open file; False if another holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class InstanceLock:
    """The single-instance lock of one data dir; acquire it once at start and keep it.

    Keep a reference for as long as the lock should be held: when the object is garbage
    collected its file is closed, and the OS releases the lock.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / LOCK_FILE
        self._handle: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._handle is not None

    def holder_pid(self) -> int | None:
        """The pid recorded by the last holder, if the file says one."""
        try:
            text = self.path.read_text(encoding="ascii", errors="replace")
        except OSError:
            return None
        # Windows locks byte 0, which is kept as a space so the pid stays readable.
        digits = text.strip()
        return int(digits) if digits.isdigit() else None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; False when another process (or object) holds it."""
        if self._handle is not None:
            return True
        self.data_dir.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+b")  # noqa: SIM115 - held open for the process lifetime
        try:
            locked = _try_lock(handle)
        except OSError:
            handle.close()
            raise
        if not locked:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f" {os.getpid()}\n".encode("ascii"))
        handle.flush()
        self._handle = handle
        return True

    def acquire(self) -> InstanceLock:
        """Take the lock or raise AlreadyRunningError naming the holder's pid."""
        if not self.try_acquire():
            raise AlreadyRunningError(self.data_dir, self.holder_pid())
        return self

    def release(self) -> None:
        """Give the lock back (the OS also does this when the process ends)."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            _unlock(handle)
        finally:
            handle.close()

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def acquire_instance_lock(data_dir: Path) -> InstanceLock:
    """Take the single-instance lock of ``data_dir`` or raise AlreadyRunningError."""
    return InstanceLock(data_dir).acquire()

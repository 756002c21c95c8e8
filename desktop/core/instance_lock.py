"""One running Digest Desk per library, and no restore under a writer: OS file locks.

``InstanceLock`` is held by the app for the life of the process: one app per library.
``AccessLock`` is held *shared* by every command-line process for as long as it uses the
library, and *exclusive* by ``restore``: a restore waits for the commands running now and
holds back new ones until the new database is in place (file ``digest-desk.access.lock``).

The lock is taken with ``fcntl.flock`` on POSIX and ``msvcrt.locking`` on Windows on the file
``<data dir>/digest-desk.lock``. The operating system drops it when the process ends in any
way, including a crash or SIGKILL, so a lock left behind never blocks the next start. The file
itself stays; it only records the pid of the holder, for messages.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO

LOCK_FILE = "digest-desk.lock"
ACCESS_LOCK_FILE = "digest-desk.access.lock"
# A waiting process says so once it has waited this long (seconds).
WAIT_NOTICE_SECONDS = 1.0
_POLL_SECONDS = 0.02
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


def _try_lock_mode(handle: IO[bytes], exclusive: bool) -> bool:
    """Take a shared or exclusive non-blocking lock on the whole file; False if it is taken."""
    if sys.platform == "win32":
        return _win_lock(handle, exclusive)
    import fcntl

    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        fcntl.flock(handle.fileno(), mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _win_lock(handle: IO[bytes], exclusive: bool) -> bool:  # pragma: no cover - Windows only
    """LockFileEx on the first byte: msvcrt.locking has no shared locks."""
    import ctypes
    import msvcrt
    from ctypes import wintypes

    class _Overlapped(ctypes.Structure):
        _fields_ = [
            ("Internal", ctypes.c_void_p),
            ("InternalHigh", ctypes.c_void_p),
            ("Offset", wintypes.DWORD),
            ("OffsetHigh", wintypes.DWORD),
            ("hEvent", wintypes.HANDLE),
        ]

    lock_file_ex = ctypes.windll.kernel32.LockFileEx  # type: ignore[attr-defined]
    flags = 0x1 | (0x2 if exclusive else 0)  # FAIL_IMMEDIATELY | EXCLUSIVE_LOCK
    overlapped = _Overlapped()
    os_handle = msvcrt.get_osfhandle(handle.fileno())  # type: ignore[attr-defined]
    return bool(lock_file_ex(wintypes.HANDLE(os_handle), flags, 0, 1, 0, ctypes.byref(overlapped)))


class AccessLock:
    """Shared by every process using a library, exclusive for a restore (see module doc).

    A folder that cannot hold the lock file (a read-only library) is used without it: nothing
    can be restored into such a folder either.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / ACCESS_LOCK_FILE
        self._handle: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._handle is not None

    def _open(self) -> IO[bytes] | None:
        try:
            return open(self.path, "a+b")  # noqa: SIM115 - held while the library is used
        except OSError:
            try:
                return open(self.path, "rb")  # noqa: SIM115 - a read-only folder
            except OSError:
                return None

    def acquire(
        self,
        *,
        exclusive: bool,
        timeout: float | None = None,
        on_wait: Callable[[], None] | None = None,
    ) -> bool:
        """Take the lock, waiting up to ``timeout`` seconds (None: for as long as it takes).

        ``on_wait()`` is called once when the wait has lasted WAIT_NOTICE_SECONDS. Returns
        False when the timeout ran out (or the folder has no lock file and cannot get one).
        """
        if self._handle is not None:
            return True
        handle = self._open()
        if handle is None:
            return not exclusive
        start = time.monotonic()
        told = False
        try:
            while not _try_lock_mode(handle, exclusive):
                waited = time.monotonic() - start
                if timeout is not None and waited >= timeout:
                    handle.close()
                    return False
                if not told and waited >= WAIT_NOTICE_SECONDS and on_wait is not None:
                    told = True
                    on_wait()
                time.sleep(_POLL_SECONDS)
        except BaseException:
            handle.close()
            raise
        self._handle = handle
        return True

    def release(self) -> None:
        """Give the lock back (the OS also does this when the process ends)."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            _unlock_mode(handle)
        finally:
            handle.close()


def acquire_instance_lock(data_dir: Path) -> InstanceLock:
    """Take the single-instance lock of ``data_dir`` or raise AlreadyRunningError."""
    return InstanceLock(data_dir).acquire()


# -- the write turn: short writers go before the next batch of a long one ----------------------
TURN_FILE = "digest-desk.write-turn.lock"
# A long writer waits at most this long (seconds) for short writers at the start of a batch.
TURN_WAIT_SECONDS = 30.0
_turns_held_here: set[str] = set()


class WriteTurn:
    """Held (exclusive) by a short writing command, such as ``mark``, while it runs.

    SQLite's busy wait is not fair: a long import that commits a batch and starts the next
    one at once leaves a gap of microseconds, which a waiting writer polling every 100 ms
    almost never hits (a `mark` waited 21 s). A long writer therefore passes through this
    turnstile before each transaction (:func:`pass_turn`, called by the store's connections
    on ``BEGIN IMMEDIATE``): while a short writer holds the turn, the long one pauses after
    its current batch, and the short one gets the write lock within that batch.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / TURN_FILE
        self._handle: IO[bytes] | None = None

    def acquire(self, on_wait: Callable[[], None] | None = None) -> bool:
        """Take the turn (waiting for other short writers); False when the folder has none."""
        try:
            handle = open(self.path, "a+b")  # noqa: SIM115 - held while the command runs
        except OSError:
            return False
        start = time.monotonic()
        told = False
        while not _try_lock_mode(handle, True):
            if not told and on_wait is not None and time.monotonic() - start >= WAIT_NOTICE_SECONDS:
                told = True
                on_wait()
            time.sleep(_POLL_SECONDS)
        self._handle = handle
        _turns_held_here.add(str(self.path))
        return True

    def release(self) -> None:
        """Give the turn back."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        _turns_held_here.discard(str(self.path))
        with contextlib.suppress(OSError):
            _unlock_mode(handle)
        handle.close()


def pass_turn(data_dir: Path, timeout: float = TURN_WAIT_SECONDS) -> None:
    """Wait (at most ``timeout`` s) while a short writer holds the turn of ``data_dir``."""
    path = Path(data_dir) / TURN_FILE
    if str(path) in _turns_held_here or not path.exists():
        return
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError:
        return
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock_mode(handle, False):
            if time.monotonic() >= deadline:
                return
            time.sleep(_POLL_SECONDS)
        _unlock_mode(handle)
    except OSError:
        return
    finally:
        handle.close()


def _unlock_mode(handle: IO[bytes]) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes
        import msvcrt

        os_handle = msvcrt.get_osfhandle(handle.fileno())  # type: ignore[attr-defined]
        ctypes.windll.kernel32.UnlockFile(os_handle, 0, 0, 1, 0)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

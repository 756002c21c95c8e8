"""A fork server for the crash tests: the driver's children without an interpreter start each.

Starting ``python -m tests.reliability.crash_driver`` costs about a second here, nearly all of
it imports (numpy, Whoosh, sqlite-utils), and the crash tests start some 200 children. The
server is started once; it imports the driver, and then forks one child per request. A child
is a real process with its own pid, killed with a real SIGKILL as before, and runs exactly
what ``python -m tests.reliability.crash_driver MODE DATA_DIR ARGS`` runs, in the working
folder and environment the test has at the moment it asks (``monkeypatch.setenv`` included).

The test process talks to the server over a UNIX socket: it sends a request with the write
ends of two pipes (the child's stdout and stderr, passed with ``SCM_RIGHTS``) and gets the
child's pid back; later it asks for the child's exit status, which only the server (its
parent) can collect. ``ForkedChild`` offers what the tests use of ``subprocess.Popen``.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parents[2]
_MAX_MESSAGE = 1 << 20


def _send(sock: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    data = json.dumps(message).encode() + b"\n"
    if fds:
        socket.send_fds(sock, [data], fds)
    else:
        sock.sendall(data)


class _Lines:
    """Newline-framed JSON messages from a stream socket (and the fds sent with them)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def next(self) -> tuple[dict[str, Any] | None, list[int]]:
        fds: list[int] = []
        while b"\n" not in self.buffer:
            data, got, _flags, _addr = socket.recv_fds(self.sock, _MAX_MESSAGE, 2)
            fds.extend(got)
            if not data:
                return None, fds
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line), fds


# -- the server ---------------------------------------------------------------------------------
def _run_child(request: dict[str, Any], out_fd: int, err_fd: int) -> None:
    """In the forked child: become ``python -m tests.reliability.crash_driver ...``."""
    from tests.reliability import crash_driver

    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    os.close(out_fd)
    os.close(err_fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.argv = ["crash_driver", *request["argv"]]
    code = 0
    try:
        code = crash_driver.main(request["argv"])
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            code = 1
        else:
            code = int(exc.code or 0)
    except BaseException:  # noqa: BLE001 - reported as the interpreter would, then exit 1
        traceback.print_exc()
        code = 1
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def serve(sock: socket.socket) -> None:
    """Fork a child per ``start`` request; answer ``wait`` and ``poll`` with its status."""
    lines = _Lines(sock)
    while True:
        request, fds = lines.next()
        if request is None:
            return  # the test process went away
        if request["op"] == "start":
            out_fd, err_fd = fds
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                sock.close()
                _run_child(request, out_fd, err_fd)
            os.close(out_fd)
            os.close(err_fd)
            _send(sock, {"pid": pid})
        else:
            flags = os.WNOHANG if request["op"] == "poll" else 0
            done, status = os.waitpid(request["pid"], flags)
            code = os.waitstatus_to_exitcode(status) if done else None
            _send(sock, {"returncode": code})


def main(argv: list[str]) -> int:
    """``python -m tests.reliability.fork_server FD``: serve on the socket ``FD``."""
    from tests.reliability import crash_driver  # noqa: F401 - the imports every child shares

    sock = socket.socket(fileno=int(argv[0]))
    serve(sock)
    return 0


# -- the client (the test process) ---------------------------------------------------------------
class ForkedChild:
    """A child of the fork server, with the part of ``subprocess.Popen`` the crash tests use."""

    def __init__(self, server: _Server, pid: int, stdout: int, stderr: int) -> None:
        self._server = server
        self.pid = pid
        self.stdout = os.fdopen(stdout, "r")
        self.stderr = os.fdopen(stderr, "r")
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """The exit code if the child has ended, else None (as ``Popen.poll``)."""
        if self.returncode is None:
            self.returncode = self._server.status(self.pid, wait=False)
        return self.returncode

    def kill(self) -> None:
        """SIGKILL the child, unless it has been reaped already."""
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        """Read stdout and stderr to their end, then collect the exit code (as ``Popen``)."""
        texts: dict[str, str] = {}

        def drain(name: str, stream: TextIO) -> None:
            texts[name] = stream.read()

        readers = [
            threading.Thread(target=drain, args=(name, stream), daemon=True)
            for name, stream in (("out", self.stdout), ("err", self.stderr))
        ]
        deadline = None if timeout is None else time.monotonic() + timeout
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if reader.is_alive():
                raise subprocess.TimeoutExpired(f"fork-server child {self.pid}", timeout or 0)
        self.stdout.close()
        self.stderr.close()
        if self.returncode is None:
            self.returncode = self._server.status(self.pid, wait=True)
        return texts["out"], texts["err"]


class _Server:
    """The fork server process and the test's end of its socket."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        # OpenBLAS starts worker threads when numpy is imported; a forking process wants none.
        env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.fork_server", str(theirs.fileno())],
            cwd=ROOT,
            env=env,
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.sock = ours
        self.lines = _Lines(ours)

    def start(self, argv: list[str], env: dict[str, str], cwd: Path) -> ForkedChild:
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        try:
            request = {"op": "start", "argv": argv, "env": env, "cwd": str(cwd)}
            _send(self.sock, request, [out_w, err_w])
        finally:
            os.close(out_w)
            os.close(err_w)
        answer, _ = self.lines.next()
        assert answer is not None, "the fork server died"
        return ForkedChild(self, int(answer["pid"]), out_r, err_r)

    def status(self, pid: int, *, wait: bool) -> int | None:
        _send(self.sock, {"op": "wait" if wait else "poll", "pid": pid})
        answer, _ = self.lines.next()
        assert answer is not None, "the fork server died"
        code = answer["returncode"]
        return None if code is None else int(code)

    def close(self) -> None:
        self.sock.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)


_server: _Server | None = None


def start_child(argv: list[str], env: dict[str, str], cwd: Path) -> ForkedChild:
    """Fork ``crash_driver`` with ``argv`` from the (lazily started) server."""
    global _server
    if _server is None or _server.proc.poll() is not None:
        _server = _Server()
        atexit.register(_server.close)
    return _server.start(argv, env, cwd)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

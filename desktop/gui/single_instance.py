"""A second start on a library hands over to the running app: its window comes forward and
imports the files given on the second command line, and the second process exits at once.

The running app (the holder of the library's InstanceLock) listens on a QLocalServer (a Unix
domain socket, a named pipe on Windows) whose name is a hash of the user and the data
folder's path, so it is short and portable and two libraries never share one. A second start
that finds the lock taken connects with :func:`hand_over`, sends one request (a line of JSON:
the files as absolute paths, and the desktop's activation token when it has one) and waits for
``ok``. The server emits :attr:`InstanceServer.requested` for each request; requests that come
before a window is connected (while the library opens) are kept and delivered on
:func:`connect_window`.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

PROTOCOL = 1
REPLY = b"ok\n"
MAX_REQUEST_BYTES = 1 << 20  # a request is a list of paths; anything larger is not ours
CONNECT_TIMEOUT_MS = 1000
# The running app answers from its event loop, which is busy for a moment while it opens the
# library (or imports the seeds on a first start).
REPLY_TIMEOUT_MS = 5000
IMPORT_RETRY_MS = 500


def server_name(data_dir: Path) -> str:
    """The local server's name for a library: the same for every start on the same folder by
    the same user, short enough for any platform's socket path limit."""
    folder = os.path.normcase(os.path.realpath(data_dir))  # the lock's file, however named
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name known (a container with an unknown uid)
        user = str(os.getuid()) if hasattr(os, "getuid") else ""
    digest = hashlib.sha256(f"{user}\0{folder}".encode()).hexdigest()[:24]
    return f"digest-desk-{digest}"


@dataclass(frozen=True)
class Request:
    """What a second start asks of the running app: come forward, and import ``files``."""

    files: tuple[str, ...] = ()
    activation_token: str | None = None
    pid: int | None = None

    def encode(self) -> bytes:
        """The request as one line of JSON."""
        data = {
            "protocol": PROTOCOL,
            "files": list(self.files),
            "activation_token": self.activation_token,
            "pid": self.pid,
        }
        return json.dumps(data).encode("utf-8") + b"\n"

    @staticmethod
    def decode(line: bytes) -> Request:
        """Parse a request line; ValueError when it is not one."""
        data = json.loads(line.decode("utf-8"))
        if not isinstance(data, dict) or data.get("protocol") != PROTOCOL:
            raise ValueError("not a Digest Desk request")
        files = data.get("files", [])
        token = data.get("activation_token")
        pid = data.get("pid")
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise ValueError("files must be a list of paths")
        if token is not None and not isinstance(token, str):
            raise ValueError("the activation token must be text")
        return Request(tuple(files), token, pid if isinstance(pid, int) else None)


class InstanceServer(QObject):
    """The running app's end: listens for second starts and emits each request."""

    requested = Signal(object)  # a Request

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_dir)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self.pending: list[Request] | None = []  # None once a window takes the requests
        # Each open connection, with what it sent so far (None once answered or refused).
        self._buffers: dict[QLocalSocket, bytearray | None] = {}

    def listen(self) -> bool:
        """Start listening; call only while holding the library's lock, so a socket left by a
        crashed app can be removed safely. False if the platform refuses."""
        if self.server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)
        return self.server.listen(self.name)

    def close(self) -> None:
        """Stop listening (the socket file is removed)."""
        self.server.close()

    def pending_request(self, files: Sequence[str | Path]) -> None:
        """Queue a request of this process itself (the files of the first start's command
        line), delivered like a second start's on :func:`connect_window`."""
        request = Request(files=tuple(os.path.abspath(f) for f in files), pid=os.getpid())
        if self.pending is not None:
            self.pending.append(request)
        else:
            self.requested.emit(request)

    def take_pending(self) -> list[Request]:
        """The requests received before anyone connected, emitted from now on instead."""
        pending, self.pending = self.pending or [], None
        return pending

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.get(socket)
        if buffer is None:
            return
        buffer += bytes(socket.readAll().data())
        if b"\n" not in buffer:
            if len(buffer) > MAX_REQUEST_BYTES:
                self._buffers[socket] = None
                socket.disconnectFromServer()
            return
        self._buffers[socket] = None
        try:
            request = Request.decode(bytes(buffer.split(b"\n", 1)[0]))
        except ValueError:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
            socket.disconnectFromServer()
            return
        socket.write(REPLY)
        socket.flush()
        socket.disconnectFromServer()
        if self.pending is not None:
            self.pending.append(request)
        else:
            self.requested.emit(request)

    def _drop(self, socket: QLocalSocket) -> None:
        if socket in self._buffers:
            del self._buffers[socket]
            socket.deleteLater()


def hand_over(
    data_dir: Path,
    files: Sequence[str | Path] = (),
    *,
    reply_timeout_ms: int = REPLY_TIMEOUT_MS,
) -> bool:
    """The second start's end: ask the app running on ``data_dir`` to come forward and import
    ``files`` (made absolute here); True when it answered. Blocking, with no event loop."""
    request = Request(
        files=tuple(os.path.abspath(f) for f in files),
        activation_token=activation_token(),
        pid=os.getpid(),
    )
    _allow_foreground()
    socket = QLocalSocket()
    socket.connectToServer(server_name(data_dir))
    try:
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(request.encode())
        if not socket.waitForBytesWritten(CONNECT_TIMEOUT_MS):
            return False
        reply = b""
        while len(reply) < len(REPLY) and socket.waitForReadyRead(reply_timeout_ms):
            reply += bytes(socket.readAll().data())
        if len(reply) < len(REPLY):
            reply += bytes(socket.readAll().data())  # what came with the disconnection
        return reply.startswith(REPLY)
    finally:
        socket.abort()


def activation_token() -> str | None:
    """The token the desktop gave this launch to take the focus (Wayland's xdg-activation,
    X11 startup notification), if any."""
    return os.environ.get("XDG_ACTIVATION_TOKEN") or os.environ.get("DESKTOP_STARTUP_ID") or None


def _allow_foreground() -> None:
    """On Windows, let the running app take the foreground (a background process may not)."""
    if sys.platform == "win32":
        import ctypes

        asfw_any = -1
        ctypes.windll.user32.AllowSetForegroundWindow(asfw_any)  # type: ignore[attr-defined]


@dataclass
class _Importer:
    """Hands files to ``import_fn``, again a moment later while it cannot take them (an
    import already running), so files of several second starts are all imported in turn."""

    import_fn: Callable[[list[Path]], bool]
    queue: list[list[Path]] = field(default_factory=list)
    timer: QTimer | None = None

    def add(self, files: list[Path]) -> None:
        self.queue.append(files)
        self.drain()

    def drain(self) -> None:
        while self.queue and self.import_fn(self.queue[0]):
            self.queue.pop(0)
        if self.queue and self.timer is not None and not self.timer.isActive():
            self.timer.start()


def connect_window(
    server: InstanceServer,
    raise_fn: Callable[[str | None], None],
    import_fn: Callable[[list[Path]], bool],
) -> None:
    """Route second starts to a window: ``raise_fn(activation_token)`` for every request, then
    ``import_fn(files)`` when it has files (returning False when it cannot start an import
    now; it is asked again later). Requests received before this call are delivered now."""
    importer = _Importer(import_fn)
    timer = QTimer(server)
    timer.setSingleShot(True)
    timer.setInterval(IMPORT_RETRY_MS)
    timer.timeout.connect(importer.drain)
    importer.timer = timer

    def handle(request: Request) -> None:
        raise_fn(request.activation_token)
        if request.files:
            importer.add([Path(f) for f in request.files])

    server.requested.connect(handle)
    for request in server.take_pending():
        handle(request)

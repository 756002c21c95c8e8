"""One app per library: a second start hands its files to the running window, which comes
forward, and exits at once with a line on the terminal (never a modal dialog); a damaged
library is refused with the file named and the latest backup offered."""

from __future__ import annotations

import argparse
import os
import socket as pysocket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtNetwork import QLocalSocket
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.core import backup
from desktop.core.instance_lock import ALREADY_RUNNING, InstanceLock
from desktop.core.library import DB_FILE, Library
from desktop.gui import app, single_instance
from desktop.gui.main_window import MainWindow
from desktop.gui.single_instance import (
    REPLY,
    InstanceServer,
    Request,
    connect_window,
    hand_over,
    server_name,
)

ROOT = Path(__file__).resolve().parent.parent.parent
DIGEST = "A paper handed over\n\nIts abstract, long enough to be a paper of the digest.\n"


def _capture(monkeypatch: pytest.MonkeyPatch, kind: str) -> list[str]:
    shown: list[str] = []

    def box(parent: QWidget | None, title: str, text: str, *args: object) -> int:
        shown.append(f"{title}: {text}")
        return 0

    monkeypatch.setattr(app.QMessageBox, kind, box)
    return shown


@pytest.fixture
def server(qtbot: QtBot, tmp_path: Path) -> Iterator[InstanceServer]:
    """A listening server for a library folder of its own."""
    srv = InstanceServer(tmp_path / "library")
    assert srv.listen()
    yield srv
    srv.close()


class Window:
    """What connect_window drives, recorded."""

    def __init__(self, accept: Callable[[], bool] = lambda: True) -> None:
        self.raised: list[str | None] = []
        self.imports: list[list[Path]] = []
        self.accept = accept

    def raise_(self, token: str | None) -> None:
        self.raised.append(token)

    def import_(self, paths: list[Path]) -> bool:
        if not self.accept():
            return False
        self.imports.append(paths)
        return True


def _send(qtbot: QtBot, name: str, payload: bytes) -> bytes:
    """Send raw bytes from a QLocalSocket end in this process; the reply until disconnection."""
    client = QLocalSocket()
    client.connectToServer(name)
    qtbot.waitUntil(lambda: client.state() == QLocalSocket.LocalSocketState.ConnectedState)
    client.write(payload)
    reply = bytearray()

    def done() -> bool:
        reply.extend(bytes(client.readAll().data()))
        return client.state() == QLocalSocket.LocalSocketState.UnconnectedState

    qtbot.waitUntil(done, timeout=5000)
    return bytes(reply)


# -- the server name ------------------------------------------------------------------------
def test_the_server_name_is_one_per_library_short_and_portable(tmp_path: Path) -> None:
    lib = tmp_path / "library"
    lib.mkdir()
    (lib / "sub").mkdir()
    same = [lib, Path(f"{lib}{os.sep}"), lib / "sub" / "..", Path(os.path.relpath(lib))]
    try:
        (tmp_path / "link").symlink_to(lib, target_is_directory=True)
        same.append(tmp_path / "link")  # the same folder, so the same lock
    except OSError:  # Windows without the symlink privilege
        pass
    assert {server_name(p) for p in same} == {server_name(lib)}
    assert server_name(tmp_path / "other") != server_name(lib)
    name = server_name(lib)
    assert len(name) <= 40 and name.replace("-", "").isalnum() and name.islower()


# -- two ends in one process ----------------------------------------------------------------
def test_a_request_raises_the_window_and_imports_its_files(
    qtbot: QtBot, server: InstanceServer, tmp_path: Path
) -> None:
    window = Window()
    connect_window(server, window.raise_, window.import_)
    files = (str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))
    request = Request(files, activation_token="tok-1", pid=123)
    assert _send(qtbot, server.name, request.encode()) == REPLY
    qtbot.waitUntil(lambda: bool(window.imports))
    assert window.raised == ["tok-1"]
    assert window.imports == [[Path(f) for f in files]]
    assert _send(qtbot, server.name, Request().encode()) == REPLY  # no files: only raised
    qtbot.waitUntil(lambda: len(window.raised) == 2)
    assert len(window.imports) == 1


def test_requests_before_a_window_is_connected_are_delivered_on_connect(
    qtbot: QtBot, server: InstanceServer, tmp_path: Path
) -> None:
    assert _send(qtbot, server.name, Request((str(tmp_path / "x.txt"),)).encode()) == REPLY
    server.pending_request([tmp_path / "y.txt"])  # the first start's own files
    window = Window()
    connect_window(server, window.raise_, window.import_)
    assert window.imports == [[tmp_path / "x.txt"], [tmp_path / "y.txt"]]
    assert len(window.raised) == 2


def test_files_wait_while_an_import_runs_and_are_imported_in_turn(
    qtbot: QtBot, server: InstanceServer, tmp_path: Path
) -> None:
    busy = [True]
    window = Window(accept=lambda: not busy[0])
    connect_window(server, window.raise_, window.import_)
    for name in ("one.txt", "two.txt"):
        assert _send(qtbot, server.name, Request((str(tmp_path / name),)).encode()) == REPLY
    qtbot.waitUntil(lambda: len(window.raised) == 2)
    assert window.imports == []
    busy[0] = False
    qtbot.waitUntil(lambda: len(window.imports) == 2, timeout=3000)
    assert window.imports == [[tmp_path / "one.txt"], [tmp_path / "two.txt"]]


@pytest.mark.parametrize(
    "payload",
    [
        b"not json\n",
        b'{"protocol": 99, "files": []}\n',
        b'{"protocol": 1, "files": "a.txt"}\n',
        b'{"protocol": 1, "files": [1, 2]}\n',
        b'{"protocol": 1, "files": [], "activation_token": 5}\n',
        b"\xff\xfe\n",
    ],
)
def test_a_request_that_is_not_ours_is_refused_and_changes_nothing(
    qtbot: QtBot, server: InstanceServer, payload: bytes
) -> None:
    window = Window()
    connect_window(server, window.raise_, window.import_)
    assert _send(qtbot, server.name, payload) == b""
    qtbot.wait(50)
    assert window.raised == [] and window.imports == []


def test_an_endless_request_is_cut_off(
    qtbot: QtBot, server: InstanceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(single_instance, "MAX_REQUEST_BYTES", 1000)
    window = Window()
    connect_window(server, window.raise_, window.import_)
    assert _send(qtbot, server.name, b"[" * 5000) == b""
    assert window.raised == []


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


HAND_OVER = (
    "import sys\n"
    "from desktop.gui.single_instance import hand_over\n"
    "ok = hand_over(sys.argv[1], sys.argv[3:], reply_timeout_ms=int(sys.argv[2]))\n"
    "sys.exit(0 if ok else 3)\n"
)


def _hand_over_from_a_child(
    qtbot: QtBot, data_dir: Path, files: list[str], cwd: Path, reply_timeout_ms: int = 5000
) -> bool:
    """hand_over from another process (it blocks, holding the GIL) while this one serves."""
    args = [str(data_dir), str(reply_timeout_ms), *files]
    child = subprocess.Popen([sys.executable, "-c", HAND_OVER, *args], env=_env(), cwd=cwd)
    try:
        qtbot.waitUntil(lambda: child.poll() is not None, timeout=30000)
    finally:
        child.kill()
        child.wait()
    return child.returncode == 0


def test_hand_over_sends_absolute_paths_and_the_activation_token(
    qtbot: QtBot,
    server: InstanceServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = Window()
    connect_window(server, window.raise_, window.import_)
    monkeypatch.setenv("XDG_ACTIVATION_TOKEN", "from-the-launcher")
    assert _hand_over_from_a_child(qtbot, tmp_path / "library", ["rel.txt", "d/x.md"], tmp_path)
    qtbot.waitUntil(lambda: bool(window.imports))
    assert window.imports == [[tmp_path / "rel.txt", tmp_path / "d" / "x.md"]]
    assert window.raised == ["from-the-launcher"]


def test_hand_over_with_nobody_listening_says_so(tmp_path: Path) -> None:
    assert hand_over(tmp_path / "nobody", ["a.txt"]) is False


def test_a_server_that_never_answers_is_not_waited_for_forever(
    qtbot: QtBot, tmp_path: Path
) -> None:
    mute = InstanceServer(tmp_path / "mute")
    assert mute.listen()
    mute.server.newConnection.disconnect()  # accepts at the OS level, never replies
    try:
        assert not _hand_over_from_a_child(qtbot, tmp_path / "mute", [], tmp_path, 300)
    finally:
        mute.close()


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes leave nothing behind")
def test_a_socket_left_by_a_crashed_app_is_replaced(qtbot: QtBot, tmp_path: Path) -> None:
    name = server_name(tmp_path / "crashed")
    stale = pysocket.socket(pysocket.AF_UNIX, pysocket.SOCK_STREAM)
    path = os.path.join(QDir.tempPath(), name)
    stale.bind(path)
    stale.close()  # the file stays, as after SIGKILL
    assert os.path.exists(path)
    srv = InstanceServer(tmp_path / "crashed")
    try:
        assert srv.listen()
        window = Window()
        connect_window(srv, window.raise_, window.import_)
        assert _send(qtbot, srv.name, Request().encode()) == REPLY
    finally:
        srv.close()


# -- run_app --------------------------------------------------------------------------------
def test_a_second_start_with_nobody_answering_says_so_on_the_terminal_without_a_dialog(
    qtbot: QtBot,
    seeded_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shown = _capture(monkeypatch, "warning") + _capture(monkeypatch, "critical")
    with InstanceLock(seeded_dir):  # the first instance, as a command such as restore holds it
        code = app.run_app(argparse.Namespace(data_dir=str(seeded_dir), files=[]))
    assert code == 1 and shown == []
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{ALREADY_RUNNING} (process {os.getpid()})" in err
    assert str(seeded_dir) in err and "did not answer" in err


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen
def test_the_running_app_is_raised_and_imports_what_a_second_start_hands_it(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The whole start in one process: a first run seeds and listens; a second start (on a
    thread: it blocks) hands over a file, which the window imports."""
    data = tmp_path / "data"
    digest = tmp_path / "handed.txt"
    digest.write_text(DIGEST, encoding="utf-8")
    monkeypatch.setattr(
        app,
        "default_settings",
        lambda: app.QSettings(str(tmp_path / "s.ini"), app.QSettings.Format.IniFormat),
    )
    seen: dict[str, object] = {}

    def exec_(self: QApplication) -> int:
        (window,) = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and not w.closed
        ]
        seen["seeded"] = len(window.library.digests.all())
        window.showMinimized()
        second = subprocess.Popen(
            [sys.executable, "-m", "desktop", "--data-dir", str(data), "handed.txt"],
            env=_env(),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=30000)
        out, err = second.communicate()
        seen["code"] = second.returncode
        seen["out"] = out.strip()
        qtbot.waitUntil(lambda: window.last_import_results is not None, timeout=15000)
        seen["imported"] = [(Path(r.path).name, r.new_papers) for r in window.last_import_results]
        seen["minimized"] = window.isMinimized()
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_)
    shown = _capture(monkeypatch, "warning")
    assert app.run_app(argparse.Namespace(data_dir=str(data), files=[])) == 0
    assert seen.pop("out") == (
        f"{ALREADY_RUNNING} (process {os.getpid()}): {data}; its window was brought forward "
        "and given 1 file to import."
    )
    assert seen == {"seeded": 4, "code": 0, "imported": [("handed.txt", 1)], "minimized": False}
    assert shown == []
    assert InstanceLock(data).try_acquire(), "the lock is released when the app ends"


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen
def test_files_on_the_first_start_are_imported_once_the_window_is_up(
    qtbot: QtBot, seeded_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = tmp_path / "first.txt"
    digest.write_text(DIGEST, encoding="utf-8")
    monkeypatch.setattr(
        app,
        "default_settings",
        lambda: app.QSettings(str(tmp_path / "s.ini"), app.QSettings.Format.IniFormat),
    )
    seen: list[object] = []

    def exec_(self: QApplication) -> int:
        (window,) = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and not w.closed
        ]
        qtbot.waitUntil(lambda: window.last_import_results is not None, timeout=15000)
        seen.extend((Path(r.path).name, r.new_papers) for r in window.last_import_results)
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", exec_)
    assert app.run_app(argparse.Namespace(data_dir=str(seeded_dir), files=[str(digest)])) == 0
    assert seen == [("first.txt", 1)]


def test_a_damaged_library_is_refused_naming_the_file_and_the_backup(
    qtbot: object, seeded_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Library.open(seeded_dir).close()  # takes the daily backup
    offered = backup.latest_backup(seeded_dir)
    assert offered is not None
    db_path = seeded_dir / DB_FILE
    data = bytearray(db_path.read_bytes())
    data[:100] = b"\xa5" * 100
    db_path.write_bytes(bytes(data))
    shown = _capture(monkeypatch, "critical")
    code = app.run_app(argparse.Namespace(data_dir=str(seeded_dir)))
    assert code == 2
    (message,) = shown
    assert str(db_path) in message and f"digest-desk restore {offered}" in message
    assert db_path.read_bytes() == bytes(data)
    assert InstanceLock(seeded_dir).try_acquire()  # the refused start let go of the lock


# -- two processes --------------------------------------------------------------------------


def test_a_second_digest_desk_exits_at_once_and_the_first_imports_its_file(
    seeded_dir: Path, tmp_path: Path
) -> None:
    digest = tmp_path / "second.txt"
    digest.write_text(DIGEST, encoding="utf-8")
    command = [sys.executable, "-m", "desktop", "--data-dir", str(seeded_dir)]
    first = subprocess.Popen(command, env=_env(), cwd=tmp_path, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not hand_over(seeded_dir):  # up and answering (this only raises its window)
            assert first.poll() is None, first.stderr.read() if first.stderr else ""
            assert time.monotonic() < deadline, "the first app never listened"
            time.sleep(0.1)
        second = subprocess.run(
            [*command, "second.txt"],  # relative to the second start's folder
            env=_env(),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 0, second.stderr
        assert second.stdout.strip() == (
            f"{ALREADY_RUNNING} (process {first.pid}): {seeded_dir}; its window was brought "
            "forward and given 1 file to import."
        )
        assert first.poll() is None, "the first app keeps running"
        deadline = time.monotonic() + 60
        while True:
            with Library.open(seeded_dir, backups=False) as library:
                names = [d.name for d in library.digests.all()]
            if any("second" in n for n in names):
                break
            assert time.monotonic() < deadline, f"not imported: {names}"
            time.sleep(0.2)
    finally:
        first.terminate()
        first.wait(30)


def test_a_second_start_while_a_command_holds_the_library_exits_with_the_message(
    seeded_dir: Path, tmp_path: Path
) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from desktop.core.instance_lock import InstanceLock\n"
            "lock = InstanceLock(sys.argv[1]); lock.acquire(); print('held', flush=True)\n"
            "time.sleep(120)\n",
            str(seeded_dir),
        ],
        env=_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        second = subprocess.run(
            [sys.executable, "-m", "desktop", "--data-dir", str(seeded_dir)],
            env=_env(),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1
        assert f"{ALREADY_RUNNING} (process {holder.pid}): {seeded_dir}" in second.stderr
        assert "did not answer" in second.stderr
    finally:
        holder.kill()
        holder.wait(30)


# -- the command line and the window's side -------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "options", "files"),
    [
        ([], [], []),
        (["stats", "--json"], ["stats", "--json"], []),
        (["--data-dir", "d", "import", "a.txt"], ["--data-dir", "d", "import", "a.txt"], []),
        (["a.txt", "notes/b.md"], [], ["a.txt", "notes/b.md"]),
        (["--data-dir", "d", "a.txt"], ["--data-dir", "d"], ["a.txt"]),
        (["a.txt", "--data-dir=d"], ["--data-dir=d"], ["a.txt"]),
        (["--", "stats", "-odd.txt"], [], ["stats", "-odd.txt"]),
        (["stast"], ["stast"], []),  # a mistyped command stays argparse's to report
        (["--version"], ["--version"], []),
    ],
)
def test_the_command_line_tells_files_from_commands(
    argv: list[str], options: list[str], files: list[str]
) -> None:
    from desktop.cli import _open_files, build_parser

    assert _open_files(argv, build_parser()) == (options, files)


def test_an_existing_file_without_a_suffix_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.cli import _open_files, build_parser

    monkeypatch.chdir(tmp_path)
    (tmp_path / "digest").write_text(DIGEST, encoding="utf-8")
    assert _open_files(["digest"], build_parser()) == ([], ["digest"])


def test_files_on_the_command_line_reach_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop import cli

    started: list[argparse.Namespace] = []
    monkeypatch.setattr(app, "run_app", lambda args: started.append(args) or 0)
    assert cli.main(["--data-dir", str(tmp_path / "d"), "a.txt", "b.txt"]) == 0
    (args,) = started
    assert args.files == ["a.txt", "b.txt"] and args.data_dir == str(tmp_path / "d")


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen
def test_bringing_forward_unminimizes_and_passes_the_activation_token_to_qt(
    qtbot: QtBot, win: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_ACTIVATION_TOKEN", "stale")
    monkeypatch.setenv("DESKTOP_STARTUP_ID", "stale")
    win.showMinimized()
    qtbot.waitUntil(win.isMinimized)
    app.bring_forward(win, "fresh-token")
    qtbot.waitUntil(lambda: not win.isMinimized())
    assert win.isVisible()
    expected = "fresh-token" if sys.platform.startswith("linux") else "stale"
    assert os.environ["XDG_ACTIVATION_TOKEN"] == os.environ["DESKTOP_STARTUP_ID"] == expected


def test_files_wait_for_the_windows_running_import(
    qtbot: QtBot, win: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[list[Path]] = []
    monkeypatch.setattr(win, "start_import", lambda paths: started.append(list(paths)))
    win.jobs.import_job = object()  # type: ignore[assignment]
    assert app.import_when_idle(win, [tmp_path / "a.txt"]) is False
    win.jobs.import_job = None
    assert app.import_when_idle(win, [tmp_path / "a.txt"]) is True
    assert started == [[tmp_path / "a.txt"]]

"""The pre-Qt platform check: the ELF reader, the libraries found missing and the packages
named for them, and which platform plugin Qt is told to use."""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from desktop.gui import platform_check as pc
from desktop.gui.platform_check import Lookup, PlatformChoice

QT = pc.qt_dir()
assert QT is not None, "PySide6 is installed for the tests"
PLUGINS = QT / "plugins" / "platforms"
LIB = QT / "lib"
XCB = PLUGINS / pc.XCB_PLUGIN
WAYLAND = PLUGINS / pc.WAYLAND_PLUGIN
ROOT = Path(__file__).resolve().parent.parent.parent


class FakeLoader:
    """A resolver in which every system library is present except ``missing``; Qt's own
    libraries are found as files, as the real resolver finds them. Records each name asked."""

    def __init__(self, missing: Sequence[str] = ()) -> None:
        self.missing = set(missing)
        self.asked: list[str] = []

    def __call__(self, name: str, dirs: Sequence[Path]) -> Lookup:
        self.asked.append(name)
        if name in self.missing:
            return Lookup(False, missing=name)
        for folder in dirs:
            if (folder / name).is_file():
                return Lookup(True, path=folder / name)
        return Lookup(True)


# -- the ELF reader -------------------------------------------------------------------------
def test_the_reader_lists_the_xcb_plugins_needed_libraries() -> None:
    dynamic = pc.read_elf_dynamic(XCB)
    assert dynamic.needed[0] == "libQt6XcbQpa.so.6"
    for name in ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb.so.1"):
        assert name in dynamic.needed
    assert "libc.so.6" in dynamic.needed and len(set(dynamic.needed)) == len(dynamic.needed)
    assert dynamic.runpath == ("$ORIGIN/../../lib",)


def test_every_system_library_of_the_plugins_has_its_packages() -> None:
    loader = FakeLoader()
    for plugin in (XCB, WAYLAND):
        assert pc.missing_libraries(plugin, LIB, loader) == []
    system = {n for n in loader.asked if not (LIB / n).is_file()}
    loader_itself = {n for n in system if n.startswith("ld-linux")}  # always there
    unnamed = sorted(system - loader_itself - set(pc.PACKAGES))
    assert unnamed == [], "add these to PACKAGES"
    assert "libEGL.so.1" in system and "libfontconfig.so.1" in system, "QtGui's needs count"


def _elf(wide: bool, little: bool, needed: Sequence[str], runpath: str | None) -> bytes:
    """A minimal ELF shared object: one PT_LOAD holding a string table, and a PT_DYNAMIC."""
    order = "<" if little else ">"
    strings = b"\0"
    offsets = []
    for name in [*needed, *([runpath] if runpath else [])]:
        offsets.append(len(strings))
        strings += name.encode() + b"\0"
    header_size, ph_size = (64, 56) if wide else (52, 32)
    phoff = header_size
    str_off = phoff + 2 * ph_size
    dyn_off = str_off + len(strings)
    vaddr = 0x400000  # the string table's address differs from its file offset
    tags = [(1, off) for off in offsets[: len(needed)]]
    if runpath:
        tags.append((29, offsets[-1]))
    tags += [(5, vaddr + str_off), (0, 0)]
    entry = "qQ" if wide else "iI"
    dynamic = b"".join(struct.pack(order + entry, t, v) for t, v in tags)
    ident = b"\x7fELF" + bytes([2 if wide else 1, 1 if little else 2, 1]) + b"\0" * 9
    if wide:
        header = struct.pack(order + "HHIQQQIHHHHHH", 3, 62, 1, 0, phoff, 0, 0, 64, 56, 2, 0, 0, 0)
        load = struct.pack(order + "IIQQQQQQ", 1, 5, 0, vaddr, vaddr, dyn_off, dyn_off, 4096)
        dyn = struct.pack(
            order + "IIQQQQQQ", 2, 6, dyn_off, vaddr + dyn_off, 0, len(dynamic), len(dynamic), 8
        )
    else:
        header = struct.pack(order + "HHIIIIIHHHHHH", 3, 20, 1, 0, phoff, 0, 0, 52, 32, 2, 0, 0, 0)
        load = struct.pack(order + "IIIIIIII", 1, 0, vaddr, vaddr, dyn_off, dyn_off, 5, 4096)
        dyn = struct.pack(
            order + "IIIIIIII", 2, dyn_off, vaddr + dyn_off, 0, len(dynamic), len(dynamic), 6, 4
        )
    return ident + header + load + dyn + strings + dynamic


@pytest.mark.parametrize(
    ("wide", "little"), [(True, True), (False, True), (True, False), (False, False)]
)
def test_the_reader_reads_32_and_64_bit_files_of_either_byte_order(
    tmp_path: Path, wide: bool, little: bool
) -> None:
    path = tmp_path / "libfake.so"
    path.write_bytes(_elf(wide, little, ["libone.so.1", "libtwo.so.2"], "$ORIGIN:/opt/x"))
    dynamic = pc.read_elf_dynamic(path)
    assert dynamic.needed == ("libone.so.1", "libtwo.so.2")
    assert dynamic.runpath == ("$ORIGIN", "/opt/x") and dynamic.rpath == ()


@pytest.mark.parametrize("content", [b"", b"#!/bin/sh\n", b"\x7fELF\x09\x01" + b"\0" * 60])
def test_a_file_that_is_no_shared_object_is_an_elf_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "libnot.so"
    path.write_bytes(content)
    with pytest.raises(pc.ElfError):
        pc.read_elf_dynamic(path)


def test_a_truncated_file_is_an_elf_error(tmp_path: Path) -> None:
    path = tmp_path / "libcut.so"
    path.write_bytes(_elf(True, True, ["libone.so.1"], None)[:70])
    with pytest.raises(pc.ElfError):
        pc.read_elf_dynamic(path)


# -- resolving and the message ---------------------------------------------------------------
def test_the_real_resolver_prefers_the_given_folders_and_then_asks_the_loader(
    tmp_path: Path,
) -> None:
    (tmp_path / "libQt6Fake.so.6").write_bytes(b"")
    assert pc.resolve_library("libQt6Fake.so.6", [tmp_path]) == Lookup(
        True, path=tmp_path / "libQt6Fake.so.6"
    )
    assert pc.resolve_library("libc.so.6", [tmp_path]) == Lookup(True)
    assert pc.resolve_library("libdigest-desk-nowhere.so.9", [tmp_path]) == Lookup(
        False, missing="libdigest-desk-nowhere.so.9"
    )


def test_a_library_whose_own_dependency_is_missing_names_the_dependency(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """dlopen fails naming the first library it cannot find: that one is reported."""

    def dlopen(name: str) -> None:
        raise OSError("libxcb-util.so.1: cannot open shared object file: No such file or directory")

    monkeypatch.setattr(pc.ctypes, "CDLL", dlopen)
    assert pc.resolve_library("libxcb-image.so.0", []) == Lookup(False, missing="libxcb-util.so.1")

    def broken(name: str) -> None:
        raise OSError(f"{name}: invalid ELF header")

    monkeypatch.setattr(pc.ctypes, "CDLL", broken)
    assert pc.resolve_library("libxcb-image.so.0", []) == Lookup(False, missing="libxcb-image.so.0")


def test_the_message_names_the_packages_of_the_libraries_actually_missing() -> None:
    """The case Qt gets wrong: its message says xcb-cursor, these two are what is missing."""
    loader = FakeLoader(["libxcb-icccm.so.4", "libxcb-keysyms.so.1"])
    missing = pc.missing_libraries(XCB, LIB, loader)
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    message = pc.install_message(missing)
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in message
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1\n" in message
    assert message.endswith("sudo dnf install xcb-util-wm xcb-util-keysyms")
    assert "cursor" not in message


def test_libraries_of_qts_own_libraries_are_checked_too() -> None:
    """libEGL and libfontconfig are needs of QtGui, which the plugin loads."""
    loader = FakeLoader(["libEGL.so.1", "libfontconfig.so.1", "libxcb-cursor.so.0"])
    missing = pc.missing_libraries(XCB, LIB, loader)
    assert sorted(missing) == ["libEGL.so.1", "libfontconfig.so.1", "libxcb-cursor.so.0"]
    message = pc.install_message(missing)
    for package in ("libegl1", "libfontconfig1", "libxcb-cursor0"):
        assert package in message.split("sudo apt install ")[1].split("\n")[0].split()
    for package in ("libglvnd-egl", "fontconfig", "xcb-util-cursor"):
        assert package in message.split("sudo dnf install ")[1].split()


def test_shared_packages_are_named_once_and_unknown_libraries_are_still_named() -> None:
    message = pc.install_message(
        ["libxcb-shape.so.0", "libxcb-xkb.so.1", "libweird.so.7", "libglib-2.0.so.0"]
    )
    assert "sudo dnf install libxcb glib2\n" in message
    assert "libxcb-shape0 libxcb-xkb1 libglib2.0-0\n" in message
    assert "libweird.so.7" in message.splitlines()[0] and "provides libweird.so.7" in message


# -- choosing the platform ------------------------------------------------------------------
def _answering(*kinds: str) -> Callable[[str, Mapping[str, str]], bool]:
    """A display probe under which only the displays of ``kinds`` answer."""
    return lambda kind, env: kind in kinds


def _choose(
    env: dict[str, str], loader: FakeLoader, answering: Sequence[str] = ("x11", "wayland")
) -> PlatformChoice:
    return pc.choose_platform(
        env, plugins=PLUGINS, lib_dir=LIB, resolve=loader, reach=_answering(*answering)
    )


@pytest.mark.parametrize("preset", ["offscreen", "wayland", "wayland-egl", "minimal", "vnc:size=9"])
def test_a_platform_other_than_xcb_chosen_by_the_user_is_left_alone(preset: str) -> None:
    loader = FakeLoader(["libxcb-cursor.so.0"])
    assert _choose({"QT_QPA_PLATFORM": preset}, loader) == PlatformChoice()
    assert loader.asked == [], "nothing is checked"


def test_no_display_at_all_is_one_clear_line() -> None:
    choice = _choose({"XDG_SESSION_TYPE": "tty"}, FakeLoader())
    assert choice == PlatformChoice(error=pc.NO_DISPLAY)
    assert "\n" not in pc.NO_DISPLAY and "DISPLAY" in pc.NO_DISPLAY
    assert _choose({"QT_QPA_PLATFORM": "xcb"}, FakeLoader()).error == pc.NO_DISPLAY


def test_an_x_session_uses_xcb_once_its_libraries_are_there() -> None:
    assert _choose({"DISPLAY": ":0"}, FakeLoader()) == PlatformChoice(platform="xcb")
    choice = _choose({"DISPLAY": ":0"}, FakeLoader(["libxcb-cursor.so.0"]))
    assert choice.platform is None and choice.error is not None
    assert "sudo apt install libxcb-cursor0" in choice.error


def test_a_preset_xcb_is_checked_and_kept_as_the_user_wrote_it() -> None:
    env = {"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}
    assert _choose(env, FakeLoader()) == PlatformChoice()
    assert "libxcb-icccm4" in (_choose(env, FakeLoader(["libxcb-icccm.so.4"])).error or "")


@pytest.mark.parametrize(
    "session",
    [{"WAYLAND_DISPLAY": "wayland-0"}, {"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"}],
)
def test_a_wayland_session_uses_wayland_when_its_plugin_loads(session: dict[str, str]) -> None:
    loader = FakeLoader(["libxcb-cursor.so.0"])  # xcb would fail: it is not even checked
    assert _choose(dict(session), loader) == PlatformChoice(platform="wayland")
    assert "libxcb-cursor.so.0" not in loader.asked


def test_a_wayland_session_without_the_wayland_libraries_falls_back_to_xwayland() -> None:
    env = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    loader = FakeLoader(["libwayland-cursor.so.0"])
    assert _choose(env, loader) == PlatformChoice(platform="xcb")
    assert "libxcb-cursor.so.0" in loader.asked


def test_a_wayland_only_session_without_the_wayland_libraries_names_them() -> None:
    choice = _choose({"WAYLAND_DISPLAY": "wayland-0"}, FakeLoader(["libwayland-cursor.so.0"]))
    assert choice.error is not None and "wayland platform plugin" in choice.error
    assert "sudo apt install libwayland-cursor0" in choice.error


def test_prepare_sets_the_choice_for_qt_and_does_nothing_off_linux() -> None:
    env = {"DISPLAY": ":0"}
    everyone = _answering("x11", "wayland")
    assert pc.prepare_platform(env, platform="linux", resolve=FakeLoader(), reach=everyone) is None
    assert env["QT_QPA_PLATFORM"] == "xcb"
    env = {"WAYLAND_DISPLAY": "wayland-1"}
    assert pc.prepare_platform(env, platform="linux", resolve=FakeLoader(), reach=everyone) is None
    assert env["QT_QPA_PLATFORM"] == "wayland"
    for other in ("darwin", "win32"):
        env = {}
        assert pc.prepare_platform(env, platform=other, resolve=FakeLoader(["libc.so.6"])) is None
        assert env == {}
    env = {"DISPLAY": ":0"}
    message = pc.prepare_platform(
        env, platform="linux", resolve=FakeLoader(["libxcb.so.1"]), reach=everyone
    )
    assert message is not None and "libxcb1" in message and "QT_QPA_PLATFORM" not in env


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check runs on Linux only")
def test_starting_without_a_display_exits_1_with_the_message_instead_of_aborting(
    tmp_path: Path,
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(tmp_path / "data")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert (
        done.stderr.strip() == f"digest-desk: error: {pc.NO_DISPLAY.removeprefix('digest-desk: ')}"
    )
    assert not (tmp_path / "data").exists(), "nothing is opened before the check"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check runs on Linux only")
def test_the_check_runs_before_any_qt_gui_library_is_loaded(tmp_path: Path) -> None:
    """Importing QtGui already needs libEGL and libfontconfig: the check must come first."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    env["PYTHONPATH"] = str(ROOT)
    code = (
        "import sys\n"
        "from desktop.cli import main\n"
        "status = main(['--data-dir', sys.argv[1]])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('PySide6.'))\n"
        "print(status, loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "1 []", done.stderr


# -- a display that does not answer ---------------------------------------------------------
def test_a_display_named_but_not_answering_is_one_line_instead_of_qts_abort() -> None:
    choice = _choose({"DISPLAY": "localhost:10.0"}, FakeLoader(), answering=())
    assert choice.error == pc.unreachable_message("x11", {"DISPLAY": "localhost:10.0"})
    assert "localhost:10.0" in choice.error and "\n" not in choice.error


def test_a_wayland_session_whose_compositor_is_gone_uses_x_or_says_so() -> None:
    env = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    assert _choose(dict(env), FakeLoader(), answering=("x11",)) == PlatformChoice(platform="xcb")
    choice = _choose({"WAYLAND_DISPLAY": "wayland-0"}, FakeLoader(), answering=())
    assert choice.error is not None and "Wayland display wayland-0" in choice.error


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A folder with a short path (a Unix socket path is limited to about 100 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="dd-", dir="/tmp" if os.path.isdir("/tmp") else None))
    yield folder
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets: Linux's displays")
def test_the_wayland_probe_connects_to_the_compositors_socket(short_dir: Path) -> None:
    env = {"XDG_RUNTIME_DIR": str(short_dir), "WAYLAND_DISPLAY": "wl-test"}
    assert not pc.display_reachable("wayland", env)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(short_dir / "wl-test"))
        server.listen(1)
        assert pc.display_reachable("wayland", env)
        assert pc.display_reachable("wayland", {"WAYLAND_DISPLAY": str(short_dir / "wl-test")})
    assert not pc.display_reachable("wayland", {"WAYLAND_DISPLAY": "wl-test"}), "no runtime dir"


def test_the_x_probe_connects_to_the_servers_tcp_port() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        for number in range(90, 200):
            try:
                server.bind(("127.0.0.1", 6000 + number))
                break
            except OSError:
                continue
        else:
            pytest.fail("no free port between 6090 and 6199")
        server.listen(1)
        assert pc.display_reachable("x11", {"DISPLAY": f"127.0.0.1:{number}.0"})
    assert not pc.display_reachable("x11", {"DISPLAY": f"127.0.0.1:{number}"})


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract sockets are Linux's")
def test_the_x_probe_finds_a_local_server_on_its_abstract_socket() -> None:
    number = 5000 + os.getpid() % 1000
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(f"\0/tmp/.X11-unix/X{number}")
        server.listen(1)
        assert pc.display_reachable("x11", {"DISPLAY": f":{number}"})
        assert pc.display_reachable("x11", {"DISPLAY": f"unix:{number}.0"})
    assert not pc.display_reachable("x11", {"DISPLAY": f":{number}"})


@pytest.mark.parametrize("display", ["/private/tmp/com.apple.launchd.x/org.xquartz:0", "odd"])
def test_a_display_form_not_known_here_is_left_to_qt(display: str) -> None:
    assert pc.display_addresses("x11", {"DISPLAY": display}) is None
    assert pc.display_reachable("x11", {"DISPLAY": display})

"""Before Qt loads its platform plugin on Linux: choose the platform and check its libraries.

Qt aborts the process (a core dump, exit 134) when the xcb plugin cannot be loaded, and its
message names one package (``libxcb-cursor0``) whatever is actually missing. This module runs
first, with no Qt imported (importing PySide6.QtGui already needs some of these libraries):

- on a Wayland session with the wayland plugin's libraries present, Qt is told to use Wayland;
- otherwise the xcb plugin's needed libraries (its ELF ``DT_NEEDED`` entries, and those of the
  Qt libraries it pulls in) are resolved as the dynamic loader would: the ``RUNPATH`` of the
  file that needs them, Qt's own lib folder, then the system's search path (``dlopen``);
- the missing ones are named with the Debian/Ubuntu and Fedora packages that provide them;
- a display the environment names but where nothing listens (a stale ``DISPLAY`` over ssh) is
  one clear line too, as is no display at all.

Nothing happens off Linux, or when ``QT_QPA_PLATFORM`` names a platform other than xcb.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import socket
import struct
import sys
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

# soname -> (Debian/Ubuntu package, Fedora package). Every library the xcb and wayland plugins
# of PySide6 6.6-6.11 need (with the Qt libraries they load), checked with readelf.
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libz.so.1": ("zlib1g", "zlib"),
    "libzstd.so.1": ("libzstd1", "libzstd"),
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor"),
    "libwayland-egl.so.1": ("libwayland-egl1", "libwayland-egl"),
    "libstdc++.so.6": ("libstdc++6", "libstdc++"),
    "libgcc_s.so.1": ("libgcc-s1", "libgcc"),
    **{
        name: ("libc6", "glibc")
        for name in (
            "libc.so.6",
            "libm.so.6",
            "libdl.so.2",
            "libpthread.so.0",
            "librt.so.1",
            "libresolv.so.2",
        )
    },
}

XCB_PLUGIN = "libqxcb.so"
WAYLAND_PLUGIN = "libqwayland.so"

_DT_NEEDED, _DT_STRTAB, _DT_RPATH, _DT_RUNPATH = 1, 5, 15, 29
_PT_LOAD, _PT_DYNAMIC = 1, 2


class ElfError(Exception):
    """The file is not an ELF shared object this reader understands."""


@dataclass(frozen=True)
class ElfDynamic:
    """What the dynamic loader reads from a shared object: the libraries it needs, and where
    it says to look for them."""

    needed: tuple[str, ...]
    runpath: tuple[str, ...]
    rpath: tuple[str, ...]


def read_elf_dynamic(path: Path) -> ElfDynamic:
    """The DT_NEEDED, DT_RUNPATH and DT_RPATH entries of an ELF file (32 or 64 bit, either
    byte order), read from its program headers."""
    with open(path, "rb") as f:
        return _read_dynamic(f)


def _read_dynamic(f: BinaryIO) -> ElfDynamic:
    ident = f.read(16)
    if len(ident) < 16 or ident[:4] != b"\x7fELF":
        raise ElfError("not an ELF file")
    if ident[4] not in (1, 2) or ident[5] not in (1, 2):
        raise ElfError("unknown ELF class or byte order")
    wide = ident[4] == 2
    order = "<" if ident[5] == 1 else ">"
    # e_type, e_machine, e_version, e_entry, then e_phoff; e_shoff, e_flags, e_ehsize, then
    # e_phentsize and e_phnum.
    layout = order + ("16xQ14xHH" if wide else "12xI10xHH")
    phoff, phentsize, phnum = _unpack(layout, f.read(struct.calcsize(layout)))
    loads: list[tuple[int, int, int]] = []  # (virtual address, file offset, file size)
    dynamic: tuple[int, int] | None = None
    for i in range(phnum):
        f.seek(phoff + i * phentsize)
        entry = f.read(phentsize)
        if wide:
            p_type, _flags, offset, vaddr, _paddr, filesz = _unpack(order + "IIQQQQ", entry[:40])
        else:
            p_type, offset, vaddr, _paddr, filesz = _unpack(order + "IIIII", entry[:20])
        if p_type == _PT_LOAD:
            loads.append((vaddr, offset, filesz))
        elif p_type == _PT_DYNAMIC:
            dynamic = (offset, filesz)
    if dynamic is None:
        raise ElfError("no dynamic section (a static executable?)")
    f.seek(dynamic[0])
    raw = f.read(dynamic[1])
    size = 16 if wide else 8
    tags: list[tuple[int, int]] = []
    for start in range(0, len(raw) - size + 1, size):
        tag, value = _unpack(order + ("qQ" if wide else "iI"), raw[start : start + size])
        if tag == 0:
            break
        tags.append((tag, value))
    strtab = next((value for tag, value in tags if tag == _DT_STRTAB), None)
    if strtab is None:
        raise ElfError("no string table")
    base = _file_offset(strtab, loads)

    def text(offset: int) -> str:
        f.seek(base + offset)
        chunk = f.read(4096)
        return chunk.split(b"\0", 1)[0].decode("utf-8", "replace")

    def paths(kind: int) -> tuple[str, ...]:
        return tuple(p for tag, value in tags if tag == kind for p in text(value).split(":") if p)

    needed = tuple(text(value) for tag, value in tags if tag == _DT_NEEDED)
    return ElfDynamic(needed=needed, runpath=paths(_DT_RUNPATH), rpath=paths(_DT_RPATH))


def _unpack(fmt: str, data: bytes) -> tuple[int, ...]:
    if len(data) < struct.calcsize(fmt):
        raise ElfError("truncated ELF header")
    return struct.unpack(fmt, data)


def _file_offset(vaddr: int, loads: Sequence[tuple[int, int, int]]) -> int:
    for start, offset, size in loads:
        if start <= vaddr < start + size:
            return vaddr - start + offset
    raise ElfError("the string table is outside every loaded segment")


class Lookup(NamedTuple):
    """How one needed library resolved: ``path`` when it is a file to read further (one of
    Qt's own libraries), ``missing`` naming what the loader could not find (the library
    itself, or a library it needs in turn)."""

    found: bool
    path: Path | None = None
    missing: str | None = None


Resolver = Callable[[str, Sequence[Path]], Lookup]

_CANNOT_OPEN = re.compile(r"^([^\s:/]+\.so[.\d]*): cannot open shared object file")


def resolve_library(name: str, search_dirs: Sequence[Path]) -> Lookup:
    """Find ``name`` as the dynamic loader would: in ``search_dirs`` first (the RUNPATH of the
    file that needs it, Qt's lib folder), then by asking the loader itself (``dlopen``)."""
    for folder in search_dirs:
        candidate = folder / name
        if candidate.is_file():
            return Lookup(True, path=candidate)
    try:
        ctypes.CDLL(name)
    except OSError as exc:
        match = _CANNOT_OPEN.match(str(exc))
        return Lookup(False, missing=match.group(1) if match else name)
    return Lookup(True)


def missing_libraries(
    plugin: Path, qt_lib_dir: Path, resolve: Resolver = resolve_library
) -> list[str]:
    """The libraries the loader would not find when loading ``plugin``, in the order met.

    Qt's own libraries (found as files) are read in turn, since their needs matter as much
    (libEGL, libfontconfig, libdbus come from QtGui); a system library is loaded by ``dlopen``,
    which fails naming the first of its own needs it cannot find.
    """
    missing: list[str] = []
    seen: set[str] = set()
    todo = [plugin]
    while todo:
        current = todo.pop(0)
        dynamic = read_elf_dynamic(current)
        dirs = [*_expand(dynamic.runpath or dynamic.rpath, current.parent), qt_lib_dir]
        for name in dynamic.needed:
            if name in seen:
                continue
            seen.add(name)
            found = resolve(name, dirs)
            if found.path is not None:
                todo.append(found.path)
            elif not found.found and found.missing and found.missing not in missing:
                missing.append(found.missing)
    return missing


def _expand(entries: Iterable[str], origin: Path) -> list[Path]:
    return [
        Path(e.replace("$ORIGIN", str(origin)).replace("${ORIGIN}", str(origin))) for e in entries
    ]


def install_message(missing: Sequence[str], plugin: str = "xcb") -> str:
    """The message for missing libraries: which ones, and the apt and dnf commands."""
    debian = _unique(PACKAGES[name][0] for name in missing if name in PACKAGES)
    fedora = _unique(PACKAGES[name][1] for name in missing if name in PACKAGES)
    unknown = [name for name in missing if name not in PACKAGES]
    lines = [
        f"digest-desk: cannot open the window: Qt's {plugin} platform plugin needs system "
        f"libraries that are missing: {', '.join(missing)}.",
    ]
    if debian:
        lines += [
            "Install them, then start Digest Desk again:",
            f"  Debian/Ubuntu: sudo apt install {' '.join(debian)}",
            f"  Fedora:        sudo dnf install {' '.join(fedora)}",
        ]
    if unknown:
        lines.append(f"  and the package that provides {', '.join(unknown)} on your system")
    return "\n".join(lines)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


NO_DISPLAY = (
    "digest-desk: no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is "
    "set); start it in a desktop session. The commands work without one: digest-desk --help"
)


def qt_dir() -> Path | None:
    """PySide6's Qt folder (``lib/``, ``plugins/``), found without importing PySide6."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "Qt"


@dataclass(frozen=True)
class PlatformChoice:
    """What to do before creating the QApplication: the value ``QT_QPA_PLATFORM`` gets (None:
    leave it as it is), or a message to print before exiting with status 1."""

    platform: str | None = None
    error: str | None = None


def requested_platform(value: str) -> str:
    """The platform a ``QT_QPA_PLATFORM`` value starts with (``"xcb;wayland"`` → xcb,
    ``"xcb:option"`` → xcb)."""
    return value.split(";", 1)[0].split(":", 1)[0].strip().lower()


Reach = Callable[[str, Mapping[str, str]], bool]

_X_DISPLAY = re.compile(r"^(?P<host>[^:/]*):(?P<number>\d+)(?:\.\d+)?$")
CONNECT_TIMEOUT_S = 1.0


def display_addresses(
    kind: str, env: Mapping[str, str]
) -> list[tuple[int, str | tuple[str, int]]] | None:
    """Where the display server of ``kind`` (``"x11"``, ``"wayland"``) listens, as socket
    (family, address) pairs to try; None for a form this check does not know."""
    if kind == "wayland":
        name = env.get("WAYLAND_DISPLAY") or "wayland-0"
        if os.path.isabs(name):
            return [(socket.AF_UNIX, name)]
        runtime = env.get("XDG_RUNTIME_DIR")
        return [(socket.AF_UNIX, os.path.join(runtime, name))] if runtime else []
    match = _X_DISPLAY.match(env.get("DISPLAY", ""))
    if match is None:
        return None  # e.g. XQuartz's launchd path: leave it to Qt
    host, number = match["host"], int(match["number"])
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        return [(socket.AF_UNIX, "\0" + path), (socket.AF_UNIX, path)]  # abstract, then file
    return [(socket.AF_INET6 if ":" in host else socket.AF_INET, (host, 6000 + number))]


def display_reachable(kind: str, env: Mapping[str, str]) -> bool:
    """True when a display server accepts a connection where the environment points (only a
    connect: no protocol, no authentication); a form not known here counts as reachable."""
    addresses = display_addresses(kind, env)
    if addresses is None:
        return True
    for family, address in addresses:
        try:
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                probe.settimeout(CONNECT_TIMEOUT_S)
                probe.connect(address)
                return True
        except OSError:
            continue
    return False


def unreachable_message(kind: str, env: Mapping[str, str]) -> str:
    """One line: the display the environment names does not answer."""
    if kind == "wayland":
        name = env.get("WAYLAND_DISPLAY") or "wayland-0"
        return (
            f"digest-desk: cannot reach the Wayland display {name}: no compositor listens there "
            "(is XDG_RUNTIME_DIR right?)"
        )
    return (
        f"digest-desk: cannot reach the X display {env.get('DISPLAY')}: no X server answers "
        "there (over ssh, log in with ssh -X)"
    )


def choose_platform(
    env: MutableMapping[str, str],
    *,
    plugins: Path | None,
    lib_dir: Path | None,
    resolve: Resolver = resolve_library,
    reach: Reach = display_reachable,
) -> PlatformChoice:
    """Wayland on a Wayland session whose compositor answers and whose plugin loads, else
    xcb with its display and libraries checked; a message when there is no display, it does
    not answer, or a library is missing (Linux only)."""
    preset = env.get("QT_QPA_PLATFORM", "").strip()
    has_x = bool(env.get("DISPLAY"))
    if preset and requested_platform(preset) != "xcb":
        return PlatformChoice()  # offscreen, wayland, vnc...: the user chose; Qt reports
    if not preset and not has_x and not env.get("WAYLAND_DISPLAY"):
        return PlatformChoice(error=NO_DISPLAY)
    if plugins is None or lib_dir is None:
        return PlatformChoice()  # not PySide6's wheel layout: nothing to check against
    if not preset and _wayland_session(env):
        wayland = plugins / WAYLAND_PLUGIN
        answers = reach("wayland", env)
        missing = missing_libraries(wayland, lib_dir, resolve) if wayland.is_file() else []
        if answers and wayland.is_file() and not missing:
            return PlatformChoice(platform="wayland")
        if not has_x:  # no XWayland to fall back on
            if not answers:
                return PlatformChoice(error=unreachable_message("wayland", env))
            return PlatformChoice(error=install_message(missing, "wayland") if missing else None)
    if not has_x:
        return PlatformChoice(error=NO_DISPLAY)
    if not reach("x11", env):
        return PlatformChoice(error=unreachable_message("x11", env))
    xcb = plugins / XCB_PLUGIN
    if not xcb.is_file():
        return PlatformChoice()
    missing = missing_libraries(xcb, lib_dir, resolve)
    if missing:
        return PlatformChoice(error=install_message(missing))
    return PlatformChoice(platform=None if preset else "xcb")


def _wayland_session(env: Mapping[str, str]) -> bool:
    return bool(env.get("WAYLAND_DISPLAY")) or env.get("XDG_SESSION_TYPE", "").lower() == "wayland"


def prepare_platform(
    env: MutableMapping[str, str] | None = None,
    *,
    platform: str = sys.platform,
    resolve: Resolver = resolve_library,
    reach: Reach = display_reachable,
) -> str | None:
    """Choose Qt's platform plugin and check its libraries before any Qt import; returns a
    message to print (then exit 1), or None with ``QT_QPA_PLATFORM`` set as chosen."""
    if not platform.startswith("linux"):
        return None
    env = os.environ if env is None else env
    qt = qt_dir()
    plugins = qt / "plugins" / "platforms" if qt else None
    lib_dir = qt / "lib" if qt else None
    try:
        choice = choose_platform(
            env, plugins=plugins, lib_dir=lib_dir, resolve=resolve, reach=reach
        )
    except (OSError, ElfError):
        return None  # a plugin we cannot read: let Qt try and report
    if choice.platform is not None:
        env["QT_QPA_PLATFORM"] = choice.platform
    return choice.error

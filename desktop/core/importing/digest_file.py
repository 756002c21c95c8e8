"""Reading digest files safely: size, binary and encoding checks, and folder expansion."""

from __future__ import annotations

import codecs
import hashlib
import re
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 50 * 1024 * 1024
# Bytes that text never holds; a NUL or many control characters mean a binary file.
_CONTROL = set(range(0, 9)) | {11, 12} | set(range(14, 32))
_CONTROL_BYTES = bytes(sorted(_CONTROL))


# Control characters plain text never needs (all but tab and line breaks), C0, DEL and C1.
# They are removed on import, so that no imported title can drive a terminal (ANSI escape
# sequences in `digest-desk list`) or confuse a widget. Vertical tab and form feed become spaces.
_CONTROLS = dict.fromkeys([*range(0, 9), *range(14, 32), 127, *range(0x80, 0xA0)])
_CONTROLS.update({11: 32, 12: 32})


# The same characters as _CONTROLS, for a fast check: translate() with a dict costs ~14 ms on a
# 100-paper digest, and almost every digest has no control character at all.
_CONTROLS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# The same characters as they appear in UTF-8 bytes: C0 and DEL are single bytes, C1 (U+0080 to
# U+009F) is \xc2 followed by \x80-\x9f. Checking the bytes is several times faster than
# searching the decoded text (which holds two bytes per character once it has a "•").
_C0_DEL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_C1_UTF8_RE = re.compile(rb"\xc2[\x80-\x9f]")


def utf8_has_controls(data: bytes) -> bool:
    """Whether UTF-8 ``data`` decodes to text that strip_controls() would change."""
    if len(data.translate(None, _C0_DEL_BYTES)) != len(data):
        return True
    return b"\xc2" in data and _C1_UTF8_RE.search(data) is not None


def strip_controls(text: str) -> str:
    """The text without control characters other than tab, newline and carriage return."""
    if _CONTROLS_RE.search(text) is None:
        return text
    return text.translate(_CONTROLS)


class ImportRefusedError(Exception):
    """A file that cannot be imported; the message is one plain sentence."""


@dataclass(frozen=True)
class DigestSource:
    """The decoded text of a digest file with what is known about it."""

    name: str
    path: str | None
    text: str
    sha256: str
    encoding: str
    warnings: tuple[str, ...] = ()


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and the visible files directly inside each folder, sorted by name."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(
                    (p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")),
                    key=lambda p: p.name,
                )
            )
        else:
            out.append(path)
    return out


def decode_digest_bytes(data: bytes) -> tuple[str, str, tuple[str, ...]]:
    """Decode bytes as UTF-8, else Windows-1252 with a warning; refuse binary data.

    Text saved as UTF-16 with a byte order mark (Windows Notepad's "Unicode") is read too.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportRefusedError(
                f"it starts like UTF-16 text but has a bad byte at offset {exc.start}"
            ) from exc
        head = text[:65536]
        if head and (len(head) - len(strip_controls(head))) / len(head) > 0.01:
            raise ImportRefusedError("it is a binary file, not text")
        return text, "utf-16", ()
    sample = data[:65536]
    if b"\x00" in sample:
        raise ImportRefusedError("it is a binary file, not text")
    # Count control bytes in C (translate deletes them) rather than byte by byte in Python.
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if sample and controls / len(sample) > 0.01:
        raise ImportRefusedError("it is a binary file, not text")
    try:
        return data.decode("utf-8-sig"), "utf-8", ()
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportRefusedError(
            f"it is neither UTF-8 (bad byte at offset {utf8_error.start}) nor Windows-1252 text"
        ) from exc
    return (
        text,
        "cp1252",
        ("the file is not UTF-8; it was read as Windows-1252, check accented characters",),
    )


def read_digest_bytes(data: bytes, name: str, path: str | None = None) -> DigestSource:
    """Validate and decode a digest given as bytes."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefusedError(
            f"it is {len(data) / 1e6:.0f} MB; digests over {MAX_FILE_BYTES // 2**20} MB are refused"
        )
    text, encoding, warnings = decode_digest_bytes(data)
    if encoding != "utf-8" or utf8_has_controls(data):
        text = strip_controls(text)
    return DigestSource(
        name=name,
        path=path,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        warnings=warnings,
    )


def read_digest_file(path: Path) -> DigestSource:
    """Read and validate one digest file, raising ImportRefusedError with a plain reason."""
    try:
        if path.is_dir():
            raise ImportRefusedError("it is a folder")
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ImportRefusedError("it is not a regular file (a device, pipe or socket)")
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise ImportRefusedError(
                f"it is {size / 1e6:.0f} MB; digests over {MAX_FILE_BYTES // 2**20} MB are refused"
            )
        with path.open("rb") as handle:  # at most one byte over: the file may have grown
            # Asking for the size seen (plus one) spares a 50 MB buffer per file; only a file
            # that has grown since is read on, up to the limit.
            data = handle.read(size + 1)
            if len(data) > size:
                data += handle.read(MAX_FILE_BYTES + 1 - len(data))
    except FileNotFoundError as exc:
        raise ImportRefusedError("no such file") from exc
    except PermissionError as exc:
        raise ImportRefusedError("permission denied") from exc
    except OSError as exc:
        raise ImportRefusedError(f"cannot be read ({exc.strerror or exc})") from exc
    return read_digest_bytes(data, path.name, str(path))


def text_source(text: str, name: str) -> DigestSource:
    """A digest from text already in memory, such as the clipboard."""
    data = text.encode("utf-8", errors="surrogatepass")
    # Lone surrogates (a broken clipboard) cannot be stored: each becomes U+FFFD.
    clean = strip_controls(
        text.encode("utf-16", errors="surrogatepass").decode("utf-16", errors="replace")
    )
    return DigestSource(
        name=name,
        path=None,
        text=clean,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding="utf-8",
    )

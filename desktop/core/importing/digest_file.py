"""Reading digest files safely: size, binary and encoding checks, and folder expansion."""

from __future__ import annotations

import codecs
import hashlib
import re
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

from desktop.core.importing.textnorm import normalise_digest_text

# The import limit of a digest file, in MiB (the arXiv snapshot streams instead, with no limit:
# see arxiv_snapshot.iter_snapshot_entries).
MAX_FILE_MIB = 50
MAX_FILE_BYTES = MAX_FILE_MIB * 1024 * 1024
# How many undecodable bytes a warning names by line (the count is always given).
_NAMED_BAD_BYTES = 5
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
    # The identity versions before 0.1 gave the digest: the SHA-256 of its bytes as read
    # (of its UTF-8 text, for a paste). A library imported then is still matched by it.
    legacy_sha256: str | None = None


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a path in a folder that cannot be searched: read_digest_file says why
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return True  # kept, so that reading it reports the error as one failed path


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and the visible files directly inside each folder, sorted by name.

    A folder that cannot be listed is kept as it is: reading it (read_digest_file) fails with
    a plain reason, so it is one failed path and the others are still imported.
    """
    out: list[Path] = []
    for path in paths:
        if _is_dir(path):
            try:
                children = list(path.iterdir())
            except OSError:
                out.append(path)
                continue
            out.extend(
                sorted(
                    (p for p in children if not p.name.startswith(".") and _is_file(p)),
                    key=lambda p: p.name,
                )
            )
        else:
            out.append(path)
    return out


def _folder_reason(path: Path) -> str:
    try:
        next(iter(path.iterdir()), None)
    except PermissionError:
        return "it is a folder that cannot be read (permission denied)"
    except OSError as exc:
        return f"it is a folder that cannot be read ({exc.strerror or exc})"
    return "it is a folder"


# Byte offsets where UTF-8 decoding failed, recorded by the error handler below (one list per
# thread, since codecs error handlers are global).
_bad_bytes = threading.local()


def _record_bad_byte(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _bad_bytes.offsets.append(exc.start)
    return "\ufffd", exc.end


codecs.register_error("digest-desk-record", _record_bad_byte)


def _lenient_utf8(data: bytes) -> tuple[str, list[int]]:
    """``data`` decoded as UTF-8 with bad bytes replaced by U+FFFD, and their offsets."""
    _bad_bytes.offsets = []
    try:
        text = data.decode("utf-8-sig", errors="digest-desk-record")
        return text, _bad_bytes.offsets
    finally:
        _bad_bytes.offsets = []


def _where(data: bytes, offsets: list[int]) -> str:
    newline = b"\n"
    named = ", ".join(
        f"line {data.count(newline, 0, at) + 1} (byte {at})" for at in offsets[:_NAMED_BAD_BYTES]
    )
    more = len(offsets) - _NAMED_BAD_BYTES
    return named + (f" and {more} more" if more > 0 else "")


def _refuse_nul(data: bytes) -> None:
    # Searched over the whole file (C speed), not just its head: one rule wherever it is.
    if b"\x00" in data:
        raise ImportRefusedError("it is a binary file, not text")


def decode_digest_bytes(data: bytes) -> tuple[str, str, tuple[str, ...]]:
    """Decode bytes as UTF-8 (a few bad bytes replaced), else Windows-1252; refuse binary data.

    One rule for the whole file: a NUL byte anywhere makes it binary. Text that is UTF-8 but
    for a few bytes is read as UTF-8 with those bytes replaced by U+FFFD and a warning naming
    where they are; only text with more bad sequences than good multi-byte ones (Windows-1252
    text has none) is read as Windows-1252. Text saved as UTF-16 with a byte order mark
    (Windows Notepad's "Unicode") is read too.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportRefusedError(
                f"it starts like UTF-16 text but has a bad byte at offset {exc.start}"
            ) from exc
        if "\x00" in text:
            raise ImportRefusedError("it is a binary file, not text")
        head = text[:65536]
        if head and (len(head) - len(strip_controls(head))) / len(head) > 0.01:
            raise ImportRefusedError("it is a binary file, not text")
        return text, "utf-16", ()
    _refuse_nul(data)
    sample = data[:65536]
    # Count control bytes in C (translate deletes them) rather than byte by byte in Python.
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if sample and controls / len(sample) > 0.01:
        raise ImportRefusedError("it is a binary file, not text")
    try:
        return data.decode("utf-8-sig"), "utf-8", ()
    except UnicodeDecodeError:
        pass
    text, bad = _lenient_utf8(data)
    # Characters beyond ASCII that decoded well: each is one valid multi-byte sequence.
    good = len(text) - len(text.encode("ascii", "ignore")) - len(bad)
    if good >= len(bad):
        return (
            text,
            "utf-8",
            (
                (
                    "1 byte that is not UTF-8 was"
                    if len(bad) == 1
                    else f"{len(bad)} bytes that are not UTF-8 were"
                )
                + f" replaced by \ufffd: {_where(data, bad)}",
            ),
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportRefusedError(
            f"it is neither UTF-8 (bad byte at offset {bad[0]}) nor Windows-1252 text"
        ) from exc
    return (
        text,
        "cp1252",
        ("the file is not UTF-8; it was read as Windows-1252, check accented characters",),
    )


def too_big_message(size: int) -> str:
    """The reason a file of ``size`` bytes is refused (in MiB, as the limit is)."""
    return f"it is {size / 2**20:.1f} MiB; digests over {MAX_FILE_MIB} MiB are refused"


def digest_sha256(text: str) -> str:
    """The identity of a digest: the SHA-256 of its normalised text (BOM, line ends, spaces)."""
    return hashlib.sha256(
        normalise_digest_text(text).encode("utf-8", errors="surrogatepass")
    ).hexdigest()


_PLAIN_CTE = ("7bit", "8bit", "binary")


def read_digest_bytes(data: bytes, name: str, path: str | None = None) -> DigestSource:
    """Validate and decode a digest given as bytes."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefusedError(too_big_message(len(data)))
    mail = None
    if data[:1].isalpha():  # headers first: maybe a saved e-mail message
        from desktop.core.importing.mail import read_mail

        mail = read_mail(data)
    if mail is not None:
        _refuse_nul(data)
        text, encoding = strip_controls(mail.text), "utf-8"
        warnings: tuple[str, ...] = (
            f"read as an e-mail message: its {mail.subtype} text"
            + (f" ({mail.transfer_encoding})" if mail.transfer_encoding not in _PLAIN_CTE else ""),
        )
    else:
        text, encoding, warnings = decode_digest_bytes(data)
        if encoding != "utf-8" or utf8_has_controls(data):
            text = strip_controls(text)
    return DigestSource(
        name=name,
        path=path,
        text=text,
        sha256=digest_sha256(text),
        encoding=encoding,
        warnings=warnings,
        legacy_sha256=hashlib.sha256(data).hexdigest(),
    )


def read_digest_file(path: Path) -> DigestSource:
    """Read and validate one digest file, raising ImportRefusedError with a plain reason."""
    try:
        if path.is_dir():
            raise ImportRefusedError(_folder_reason(path))
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ImportRefusedError("it is not a regular file (a device, pipe or socket)")
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise ImportRefusedError(too_big_message(size))
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
    # Lone surrogates (a broken clipboard) cannot be stored: each becomes U+FFFD.
    clean = strip_controls(
        text.encode("utf-16", errors="surrogatepass").decode("utf-16", errors="replace")
    )
    return DigestSource(
        name=name,
        path=None,
        text=clean,
        sha256=digest_sha256(clean),
        encoding="utf-8",
        legacy_sha256=hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest(),
    )

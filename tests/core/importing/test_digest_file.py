"""Reading digest files: encodings, the NUL rule, the size limit, unreadable paths, identity."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from desktop.core.importing import digest_file
from desktop.core.importing.digest_file import (
    ImportRefusedError,
    decode_digest_bytes,
    expand_paths,
    read_digest_bytes,
    read_digest_file,
    text_source,
)
from desktop.core.importing.digest_parser import normalise_digest_text

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
POSIX_NOT_ROOT = pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="permissions need POSIX and no root"
)


def _seed_bytes() -> bytes:
    return next(SEEDS.glob("000_*")).read_bytes()


def test_utf8_with_a_few_bad_bytes_stays_utf8_and_says_where() -> None:
    data = _seed_bytes()
    at = data.index(b"DiskGNN")
    broken = data[:at] + b"\xff" + data[at:] + b"\nTail \xfe\n"
    text, encoding, warnings = decode_digest_bytes(broken)
    assert encoding == "utf-8"
    assert "•" in text and "â€¢" not in text  # no mojibake of the bullets
    assert text.count("\ufffd") == 2
    line = broken.count(b"\n", 0, at) + 1
    last = len(broken) - 2
    last_line = broken.count(b"\n", 0, last) + 1
    assert warnings == (
        f"2 bytes that are not UTF-8 were replaced by \ufffd: line {line} (byte {at}), "
        f"line {last_line} (byte {last})",
    )


def test_windows_1252_text_is_still_read_as_such() -> None:
    text, encoding, warnings = decode_digest_bytes("Café – “quoted” résumé".encode("cp1252"))
    assert (text, encoding) == ("Café – “quoted” résumé", "cp1252")
    assert "Windows-1252" in warnings[0]


@pytest.mark.parametrize("offset", [0, 100, 70_000, 1_000_000])
def test_a_nul_byte_refuses_the_file_wherever_it_is(offset: int) -> None:
    data = (b"A Title\n\n" + b"An abstract line of text. " * 50_000)[:1_100_000]
    with pytest.raises(ImportRefusedError, match="binary"):
        decode_digest_bytes(data[:offset] + b"\x00" + data[offset:])


def test_size_messages_say_mib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest_file, "MAX_FILE_BYTES", 10)
    with pytest.raises(ImportRefusedError) as caught:
        read_digest_bytes(b"x" * 11, "big.txt")
    assert "MiB" in str(caught.value) and " MB" not in str(caught.value)
    assert digest_file.too_big_message(51 * 2**20) == (
        "it is 51.0 MiB; digests over 50 MiB are refused"
    )


def test_the_same_digest_with_bom_crlf_or_trailing_space_has_one_identity() -> None:
    data = _seed_bytes()
    text = data.decode("utf-8")
    messy = b"\xef\xbb\xbf" + "\r\n".join(line + " \t" for line in text.split("\n")).encode()
    a = read_digest_bytes(data, "a.txt")
    b = read_digest_bytes(messy + b"\r\n\r\n  ", "b.txt")
    c = text_source(text + "\n\n   \n", "pasted")
    assert a.sha256 == b.sha256 == c.sha256
    assert read_digest_bytes(data + b"x", "d.txt").sha256 != a.sha256


def test_normalise_digest_text() -> None:
    assert normalise_digest_text("\ufeffa \r\nb\t\rc  \n\n \n") == "a\nb\nc"
    assert normalise_digest_text("  indented\nkept") == "  indented\nkept"


@POSIX_NOT_ROOT
def test_an_unreadable_folder_is_one_failed_path(tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.mkdir()
    (good / "a.txt").write_bytes(_seed_bytes())
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "b.txt").write_bytes(_seed_bytes())
    locked.chmod(0)
    try:
        files = expand_paths([locked, good])
        assert files == [locked, good / "a.txt"]
        with pytest.raises(ImportRefusedError) as caught:
            read_digest_file(locked)
        assert str(caught.value) == "it is a folder that cannot be read (permission denied)"
        assert read_digest_file(good / "a.txt").text
    finally:
        locked.chmod(0o755)


def test_a_folder_that_cannot_be_listed_is_one_failed_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same as above without relying on permissions (root may read anything)."""
    good = tmp_path / "good.txt"
    good.write_bytes(_seed_bytes())
    locked = tmp_path / "locked"
    locked.mkdir()
    real_iterdir = Path.iterdir

    def iterdir(self: Path):  # type: ignore[no-untyped-def]
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    assert expand_paths([locked, good]) == [locked, good]
    with pytest.raises(ImportRefusedError) as caught:
        read_digest_file(locked)
    assert str(caught.value) == "it is a folder that cannot be read (permission denied)"
    assert "Errno" not in str(caught.value)


@POSIX_NOT_ROOT
def test_an_unreadable_file_is_one_failed_path(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(_seed_bytes())
    secret.chmod(0)
    try:
        assert expand_paths([tmp_path]) == [secret]
        with pytest.raises(ImportRefusedError, match="^permission denied$"):
            read_digest_file(secret)
    finally:
        secret.chmod(0o644)


def test_a_plain_folder_given_as_a_file_says_it_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ImportRefusedError, match="^it is a folder$"):
        read_digest_file(tmp_path)


def test_a_text_file_whose_first_title_holds_markup_is_read_as_text() -> None:
    from desktop.core.importing.digest_parser import parse_digest

    text = (
        '<img src=x onerror=alert(1)> Rendering Attacks <a href="file:///etc/passwd">p</a>\n\n'
        "This abstract holds <a href='file:///x'>a link</a> and enough words to be believed as "
        "the abstract of a paper rather than a heading or a note, which it has to be here.\n"
    )
    named = parse_digest(text, None, source_name="hostile.txt")
    assert named.format == "title-abstract" and len(named.entries) == 1
    assert named.entries[0].title.startswith("<img src=x")
    page = parse_digest("<!DOCTYPE html><html><body>" + text, None, source_name="hostile.txt")
    assert page.format != "title-abstract"  # a real document is read as HTML whatever its name

"""Hostile input: odd files, odd encodings, control characters and fuzzed digests are either
refused with a clear reason (storing nothing) or imported cleanly; nothing raises.

Plain bad files (binary, empty, over the limit, undecodable) are in test_library_store.py.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.cli import main
from desktop.core.importing import digest_file as importer
from desktop.core.importing.digest_file import read_digest_bytes, strip_controls
from desktop.core.importing.digest_parser import parse_digest, title_key
from desktop.core.library import Library
from tests.conftest import SEEDS, TODAY

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

ABSTRACT = "An abstract that is long enough to read as the summary of a research paper. " * 2


def _snapshot(lib: Library) -> list[tuple]:
    return [
        tuple(lib.db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall())
        for t in ("papers", "digests", "sightings")
    ]


def _import_file(lib: Library, path: Path) -> tuple[str, str]:
    (result,) = lib.importer.import_paths([path])
    return result.status, result.error or ""


# -- special files ---------------------------------------------------------------------------


@POSIX
def test_a_device_is_refused_without_reading_it(lib: Library) -> None:
    before = _snapshot(lib)
    status, error = _import_file(lib, Path("/dev/zero"))  # would never end if read
    assert status == "failed" and "not a regular file" in error
    assert _snapshot(lib) == before


@POSIX
def test_a_named_pipe_is_refused_without_blocking(lib: Library, tmp_path: Path) -> None:
    fifo = tmp_path / "digest.txt"
    os.mkfifo(fifo)
    status, error = _import_file(lib, fifo)  # opening it would wait for a writer forever
    assert status == "failed" and "not a regular file" in error
    # In a folder, a pipe is not even listed as a file to import.
    assert lib.importer.import_paths([tmp_path]) == []


@POSIX
def test_symlinks_are_followed_and_a_loop_is_a_clear_error(lib: Library, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.symlink_to(next(SEEDS.glob("000_*")))
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    (ok, bad) = lib.importer.import_paths([good, loop])
    assert ok.status == "imported" and ok.new_papers == 22
    assert bad.status == "failed" and bad.error and "cannot be read" in bad.error


def test_the_size_limit_is_exact(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = f"A Paper At The Limit\n{ABSTRACT}\n".encode()
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", len(text))
    at_limit = tmp_path / "at.txt"
    at_limit.write_bytes(text)
    over = tmp_path / "over.txt"
    over.write_bytes(text + b"x")
    assert _import_file(lib, at_limit)[0] == "imported"
    before = _snapshot(lib)
    status, error = _import_file(lib, over)
    assert status == "failed" and "are refused" in error
    assert _snapshot(lib) == before
    with pytest.raises(importer.ImportRefusedError, match="are refused"):
        read_digest_bytes(text + b"x", "pasted")


# -- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(lib: Library, tmp_path: Path, codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    path = tmp_path / "notepad.txt"
    path.write_bytes(bom + f"Caf\u00e9 Paper \u2014 \u03b1\u03b2\n{ABSTRACT}\n".encode(codec))
    (result,) = lib.importer.import_paths([path])
    assert result.status == "imported" and result.warnings == []
    paper = lib.papers.get(lib.views.ids("all")[0])
    assert paper is not None and paper.title == "Caf\u00e9 Paper \u2014 \u03b1\u03b2"


def test_utf16_without_a_mark_and_binary_behind_a_mark_are_refused(
    lib: Library, tmp_path: Path
) -> None:
    plain16 = tmp_path / "nomark.txt"
    plain16.write_bytes(f"A Paper\n{ABSTRACT}".encode("utf-16-le"))
    fake = tmp_path / "fake.txt"
    fake.write_bytes(codecs.BOM_UTF16_LE + b"\x01\x00\x02\x00\x1b\x00" * 300)
    odd = tmp_path / "odd.txt"
    odd.write_bytes(codecs.BOM_UTF16_LE + "Paper".encode("utf-16-le") + b"\x00\xd8")
    results = lib.importer.import_paths([plain16, fake, odd])
    assert [r.status for r in results] == ["failed"] * 3
    assert "binary" in (results[0].error or "") and "binary" in (results[1].error or "")
    assert "UTF-16" in (results[2].error or "")
    assert lib.papers.count() == 0


def test_compressed_files_are_binary(lib: Library, tmp_path: Path) -> None:
    packed = tmp_path / "digest.txt.gz"
    packed.write_bytes(gzip.compress(next(SEEDS.glob("000_*")).read_bytes()))
    assert _import_file(lib, packed) == ("failed", "it is a binary file, not text")


def test_a_stray_latin1_byte_in_utf8_is_replaced_with_a_warning_naming_its_line(
    lib: Library, tmp_path: Path
) -> None:
    # Changed on purpose: one bad byte used to make the whole file Windows-1252 (mojibake in
    # every other accented letter); now the file stays UTF-8 and only that byte is replaced.
    path = tmp_path / "mixed.txt"
    path.write_bytes(f"Na\u00efve Paper\n{ABSTRACT}".encode() + b" caf\xe9\n")
    (result,) = lib.importer.import_paths([path])
    assert result.status == "imported"
    assert result.warnings == [
        f"1 byte that is not UTF-8 was replaced by \ufffd: line 2 (byte {len(ABSTRACT) + 17})"
    ]
    paper = lib.papers.get(lib.views.ids("all")[0])
    assert paper is not None and paper.title == "Na\u00efve Paper"
    assert paper.abstract.endswith("caf\ufffd")


# -- control characters ----------------------------------------------------------------------


HOSTILE_TITLE = "Evil \x1b[31mRed\x1b[0m Title\x07 with\x0bbreaks \x9b2J and \x1b]0;pwned\x07"


def test_control_characters_never_reach_the_library_or_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ansi.txt"
    # A few control characters in a long text (many would make it a binary file).
    path.write_text(f"{HOSTILE_TITLE}\n{ABSTRACT * 8}\x1b[2J\n", encoding="utf-8")
    data = tmp_path / "data"
    out = io.StringIO()
    assert main(["--data-dir", str(data), "import", str(path)], out=out) == 0
    for command in (["list", "--view", "all"], ["show", "1"], ["list", "--json"]):
        out = io.StringIO()
        assert main(["--data-dir", str(data), *command], out=out) == 0
        assert "\x1b" not in out.getvalue() and "\x07" not in out.getvalue()
    with Library.open(data) as lib:
        paper = lib.papers.get(1)
        assert paper is not None
        assert paper.title == "Evil [31mRed[0m Title with breaks 2J and ]0;pwned"
        assert not CONTROL.search(paper.title + paper.abstract)


def test_pasted_text_with_broken_surrogates_and_controls_is_stored_cleanly(lib: Library) -> None:
    result = lib.importer.import_text(
        f"Broken \ud800 Clipboard\x00 Paper\n{ABSTRACT}\x1b[0m", "paste"
    )
    assert result.status == "imported"
    paper = lib.papers.get(lib.views.ids("all")[0])
    assert paper is not None and paper.title == "Broken \ufffd Clipboard Paper"
    assert not CONTROL.search(paper.abstract)


def test_strip_controls_keeps_text_and_line_breaks() -> None:
    text = "Tabs\tand\nlines\r\nstay; \u00e9, \u202e and \u200b are text, not controls"
    assert strip_controls(text) == text
    assert strip_controls("a\x00b\x1bc\x7fd\x85e\x0cf") == "abcde f"


# -- fuzzing -----------------------------------------------------------------------------------

HOSTILE_LINES = st.sampled_from(
    [
        "<img src=x onerror=alert(1)>",
        '<a href="file:///etc/passwd">click</a>',
        "javascript:alert(1)",
        "\x1b[2J\x1b[H",
        "\u202eevil\u202c",
        "\ufeff",
        "• 99999999999999999999999999 authors",
        "Feb 30, 2024",
        "Jan 1, 99999",
        "May 8, 2024 1e309",
        "·",
        "Daily Papers",
        "Subscribe",
        "x" * 3000,
        "",
        "   ",
    ]
)


def _digest_text(parts: list[tuple[str, str, list[str]]]) -> str:
    blocks = []
    for title, abstract, extra in parts:
        blocks.append("\n\n".join([title, abstract, *extra]))
    return "Daily Papers\n\nJan 8\n\n" + "\n\n".join(blocks)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.one_of(HOSTILE_LINES, st.text(min_size=1, max_size=80)),
            st.one_of(HOSTILE_LINES, st.text(min_size=1, max_size=300)),
            st.lists(st.one_of(HOSTILE_LINES, st.text(max_size=40)), max_size=4),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_hostile_digests_import_completely_or_not_at_all(
    lib: Library, parts: list[tuple[str, str, list[str]]]
) -> None:
    text = _digest_text(parts)
    before = _snapshot(lib)
    result = lib.importer.import_text(text, "fuzz")
    if result.status == "imported":
        stored = lib.db.execute(
            "SELECT COUNT(*) FROM sightings WHERE digest_id = ?", [result.digest_id]
        ).fetchone()[0]
        assert stored == _distinct_papers(text)
        for paper in lib.papers.many(result.new_ids):
            assert paper.title.strip() and not CONTROL.search(paper.title + paper.abstract)
            assert "\n" not in paper.title
    else:
        assert result.status in ("failed", "unchanged")
        if result.status == "failed":
            assert result.error
            assert _snapshot(lib) == before
    assert lib.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _distinct_papers(text: str) -> int:
    """How many different papers (by title key) a digest text holds."""
    entries = parse_digest(strip_controls(text), TODAY).entries
    return len({title_key(e.title) for e in entries})


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_with_a_reason(data: bytes) -> None:
    try:
        source = read_digest_bytes(data, "fuzz.bin")
    except importer.ImportRefusedError as exc:
        assert str(exc).startswith("it ")
        return
    assert not CONTROL.search(source.text)
    parse_digest(source.text, TODAY)

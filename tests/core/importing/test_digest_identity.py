"""A digest is the same digest when its normalised text is; libraries imported by versions
that hashed the raw bytes still recognise their digests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from desktop.core.library import Library
from tests.conftest import SEEDS


def _seed_file() -> Path:
    return sorted(SEEDS.glob("*.txt"))[0]


def test_the_same_text_with_other_line_ends_and_trailing_spaces_is_already_imported(
    lib: Library, tmp_path: Path
) -> None:
    original = _seed_file()
    [first] = lib.importer.import_paths([original])
    assert first.status == "imported"
    variant = tmp_path / "variant.txt"
    text = original.read_text(encoding="utf-8")
    variant.write_bytes(
        b"\xef\xbb\xbf" + "\r\n".join(line + "  " for line in text.splitlines()).encode()
    )
    [again] = lib.importer.import_paths([variant])
    assert again.status == "unchanged"
    assert lib.digests.count() == 1
    assert lib.importer.preview_text(variant.read_text(encoding="utf-8-sig")).already_imported


def test_a_digest_stored_under_its_raw_byte_hash_is_known_and_healed(
    lib: Library, tmp_path: Path
) -> None:
    crlf = tmp_path / "crlf.txt"  # raw bytes and normalised text hash differently
    crlf.write_bytes(_seed_file().read_bytes().replace(b"\n", b"  \r\n"))
    lib.importer.import_paths([crlf])
    raw = hashlib.sha256(crlf.read_bytes()).hexdigest()
    lib.db.conn.execute("UPDATE digests SET sha256 = ?", [raw])  # as an old version stored it
    lib.db.conn.commit()
    sightings = lib.db.execute("SELECT COUNT(*) FROM sightings").fetchone()[0]

    [again] = lib.importer.import_paths([crlf])
    assert again.status == "unchanged"
    assert lib.db.execute("SELECT sha256 FROM digests").fetchone()[0] != raw  # healed
    # Healed, the normalised identity also knows the LF copy of the same digest.
    [copy] = lib.importer.import_paths([_seed_file()])
    assert copy.status == "unchanged"
    assert lib.digests.count() == 1
    assert lib.db.execute("SELECT COUNT(*) FROM sightings").fetchone()[0] == sightings


def test_a_pasted_digest_stored_under_its_old_hash_is_already_imported(lib: Library) -> None:
    text = _seed_file().read_text(encoding="utf-8").replace("\n", " \n")
    lib.importer.import_text(text, "pasted")
    old = hashlib.sha256(text.encode("utf-8")).hexdigest()
    lib.db.conn.execute("UPDATE digests SET sha256 = ?", [old])
    lib.db.conn.commit()
    assert lib.importer.preview_text(text).already_imported
    assert lib.importer.import_text(text, "pasted again").status == "unchanged"

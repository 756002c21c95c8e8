"""Atomic whole-file writes: the old file or the new one, and no temporary file left behind."""

from __future__ import annotations

from pathlib import Path

from desktop.core.atomic_file import TEMP_PREFIX, atomic_write_text


def test_a_write_replaces_the_file_and_removes_a_dead_writers_temp(tmp_path: Path) -> None:
    target = tmp_path / "papers.bib"
    target.write_text("old", encoding="utf-8")
    dead = tmp_path / f"{TEMP_PREFIX}999999999-x.tmp"  # left by a killed process
    dead.write_text("partial", encoding="utf-8")
    atomic_write_text(target, "new ✓\n")
    assert target.read_text(encoding="utf-8") == "new ✓\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["papers.bib"]

"""Killing the app after a pause in typing loses nothing: the note was autosaved."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from desktop.core.library import Library

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60.0


def saved_note(db: Path, paper_id: int) -> str | None:
    """The note as committed in the database file (a reader of its own)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT body FROM notes WHERE paper_id = ?", [paper_id]).fetchone()
    finally:
        conn.close()
    return None if row is None else str(row[0])


def test_sigkill_after_a_pause_keeps_the_typed_note(seeded_dir: Path) -> None:
    text = "typed, then the power went out"
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.gui.note_kill_child", str(seeded_dir), text],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], WAIT)
        line = proc.stdout.readline() if ready else ""
        assert line.startswith("typed "), (line, proc.poll())
        paper_id = int(line.split()[1])
        # The app is left alone: the note must reach the database by itself (autosave).
        deadline = time.monotonic() + WAIT
        while saved_note(seeded_dir / "library.sqlite3", paper_id) != text:
            assert time.monotonic() < deadline, "the note was never autosaved"
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=WAIT)
    assert proc.returncode == -signal.SIGKILL
    with Library.open(seeded_dir, backups=False) as library:
        assert library.notes.get(paper_id) == text

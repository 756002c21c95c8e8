"""Helpers for the crash tests: run a driver child process, kill it, compare libraries."""

from __future__ import annotations

import datetime as dt
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core.importing.digest_parser import parse_digest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
# The day the tests use, so that year-less dates are inferred the same way everywhere.
TODAY = dt.date(2026, 11, 22)
START_TIMEOUT = 60.0


@dataclass
class Outcome:
    """What happened to one child: whether it finished before the kill, and its output."""

    finished: bool
    stdout: str
    stderr: str


def start_driver(mode: str, data_dir: Path, *args: str) -> Any:
    """Start ``crash_driver`` and wait until it prints ``go``.

    The child is forked from a server that has imported the driver already (fork_server.py),
    which saves the second of imports a new interpreter spends; ``DIGEST_DESK_CRASH_SPAWN=1``
    starts a new interpreter per child instead.
    """
    argv = [mode, str(data_dir), *args]
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    proc: Any
    if os.environ.get("DIGEST_DESK_CRASH_SPAWN", "") not in ("", "0"):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_driver", *argv],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    else:
        from tests.reliability.fork_server import start_child

        proc = start_child(argv, env, ROOT)
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT)
    line = proc.stdout.readline() if ready else ""
    if line.strip() != "go":
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"driver did not start: {line!r} {err}")
    return proc


def kill_after(proc: Any, delay: float) -> Outcome:
    """Sleep ``delay`` seconds, SIGKILL the child (if still running) and collect its output."""
    time.sleep(delay)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=START_TIMEOUT)
    finished = "done" in out
    if not finished:
        assert proc.returncode == -signal.SIGKILL, (proc.returncode, err)
    return Outcome(finished, out, err)


def run_to_end(mode: str, data_dir: Path, *args: str) -> float:
    """Run the driver to completion; return the seconds its work took."""
    proc = start_driver(mode, data_dir, *args)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    (line,) = [x for x in out.splitlines() if x.startswith("done ")]
    return float(line.split()[1])


def integrity(path: Path) -> list[str]:
    """The rows of ``PRAGMA integrity_check`` (["ok"] when sound)."""
    conn = sqlite3.connect(path)
    try:
        return [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def library_snapshot(conn: sqlite3.Connection) -> dict[str, Any]:
    """The library's content keyed by title key and digest hash: ids and clock times left out."""
    papers = conn.execute(
        "SELECT title_key, title, abstract, authors_count, submitter, published, published_raw, "
        "published_year_inferred, upvotes, version, is_read, starred, archived, queue_pos "
        "FROM papers ORDER BY title_key"
    ).fetchall()
    digests = conn.execute(
        "SELECT sha256, name, source_path, digest_date, layout, encoding, entries, new_papers, "
        "known_papers, updated_papers, skipped_blocks FROM digests ORDER BY sha256"
    ).fetchall()
    sightings = conn.execute(
        "SELECT p.title_key, d.sha256, s.position, s.line, s.upvotes FROM sightings s "
        "JOIN papers p ON p.id = s.paper_id JOIN digests d ON d.id = s.digest_id "
        "ORDER BY 1, 2"
    ).fetchall()
    return {"papers": papers, "digests": digests, "sightings": sightings}


def _synthetic(index: int, known_titles: list[str]) -> str:
    """A digest in the paragraph layout: some new papers, some known ones with new abstracts."""
    blocks = []
    for n in range(10):
        blocks.append(
            f"Synthetic Study {index}-{n} of Durable Writes Under Sudden Process Death\n\n"
            f"We examine case {index}.{n} of an application killed at an arbitrary instant "
            "while it writes a batch of records, and show that one transaction per file keeps "
            "every file either fully present or fully absent after recovery."
        )
    for title in known_titles:
        blocks.append(
            f"{title}\n\nRevised abstract {index}: the authors rewrote this summary, so a "
            "re-import must replace the old text and bump the version while keeping the state."
        )
    return "\n\n".join(blocks) + "\n"


def write_crash_digests(folder: Path) -> list[Path]:
    """The smallest seed, then five small digests that overlap it and each other."""
    first = next(SEEDS.glob("000_*.txt"))
    titles = [e.title for e in parse_digest(first.read_text("utf-8"), TODAY).entries]
    files = [first]
    for i in range(5):
        earlier = f"Synthetic Study {i - 1}-3 of Durable Writes Under Sudden Process Death"
        known = titles[i * 4 : i * 4 + 4] + ([earlier] if i else [])
        path = folder / f"synthetic_{i}.txt"
        path.write_text(_synthetic(i, known), encoding="utf-8")
        files.append(path)
    return files


def note_text(n: int) -> str:
    """The text of the n-th note save in the annotation crash test."""
    return f"# Note, save {n}\n\nWhat I think of this paper, version {n}. " + "More words. " * (
        n % 40
    )

"""Timings of snooze and the stored history on a large library; prints numbers, asserts none.

Usage: ``python tests/perf/bench_snooze_history.py [--papers 100000] [--snoozed 500]``

The papers are written straight into a fresh library (no parsing), then the script times:
the view counts and the Inbox order with snoozed and returned papers, one triage key (its
history row included), an undo after reopening the library, marking every Inbox paper read
and undoing it, and waking the snoozed papers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.core.library import Library
from desktop.core.snooze_time import SnoozeUntil

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def fill(library: Library, papers: int) -> None:
    """Write ``papers`` papers seen in one digest, straight into SQLite."""
    stamp = NOW.isoformat(timespec="seconds")
    with library.db.atomic():
        library.db.conn.execute(
            "INSERT INTO digests (name, sha256, imported_at) VALUES ('bench', 'bench', ?)", [stamp]
        )
        library.db.conn.executemany(
            "INSERT INTO papers (title, title_key, abstract, added_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                (f"Paper {n}", f"paper {n}", f"Abstract of paper {n}.", stamp, stamp)
                for n in range(papers)
            ),
        )
        library.db.conn.execute(
            "INSERT INTO sightings (paper_id, digest_id, position, line) "
            "SELECT id, 1, id, id FROM papers"
        )


def best_ms(fn: Callable[[], Any], repeats: int = 5) -> float:
    """The fastest of ``repeats`` runs, in milliseconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def once_ms(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--snoozed", type=int, default=500)
    args = parser.parse_args(argv)
    clock = [NOW]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "lib"
        library = Library.open(data, backups=False)
        library.clock = lambda: clock[0]
        fill(library, args.papers)
        inbox = library.views.ids("inbox")
        numbers: dict[str, float] = {}
        numbers["counts, nothing snoozed (ms)"] = best_ms(library.views.counts)
        numbers["inbox order, nothing snoozed (ms)"] = best_ms(lambda: library.views.ids("inbox"))
        until = SnoozeUntil(NOW + dt.timedelta(hours=1))
        numbers[f"snooze {args.snoozed} papers (ms)"] = once_ms(
            lambda: library.snoozes.snooze(inbox[: args.snoozed], until)
        )
        numbers["counts, papers snoozed (ms)"] = best_ms(library.views.counts)
        numbers["inbox order, papers snoozed (ms)"] = best_ms(lambda: library.views.ids("inbox"))
        clock[0] = NOW + dt.timedelta(hours=2)
        numbers[f"wake {args.snoozed} papers (ms)"] = once_ms(library.wake_snoozed)
        numbers["inbox order, papers returned on top (ms)"] = best_ms(
            lambda: library.views.ids("inbox")
        )
        numbers["one triage key with its history row (ms)"] = best_ms(
            lambda: library.triage.toggle("starred", [inbox[-1]])
        )
        numbers[f"mark {len(inbox):,} inbox papers read (ms)"] = once_ms(
            lambda: library.triage.set_read(inbox)
        )
        (size,) = library.db.execute(
            "SELECT length(payload) FROM history ORDER BY id DESC"
        ).fetchone()
        numbers["its history payload (KB)"] = size / 1024
        library.close()
        library = Library.open(data, backups=False)
        numbers["undo of that, after reopening (ms)"] = once_ms(library.history.undo)
        numbers["undo of one triage key (ms)"] = best_ms(
            lambda: (library.triage.toggle("read", [inbox[0]]), library.history.undo()), 5
        )
        library.close()
    width = max(len(k) for k in numbers)
    print(f"{args.papers:,} papers, {args.snoozed} snoozed")
    for name, value in numbers.items():
        print(f"  {name:<{width}}  {value:10.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

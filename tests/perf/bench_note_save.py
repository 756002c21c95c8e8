"""How long saving a large note takes as the user feels it; prints numbers, asserts none.

Usage: ``python tests/perf/bench_note_save.py [--papers 2000] [--note-mb 1] [--saves 8]``

A fresh library on disk gets ``papers`` papers and an opened search index; then a note of
``note-mb`` MB is saved ``saves`` times (each a small edit of the last), and the script
prints, per save, the time until ``notes.set`` returned (the SQLite write and everything
the library's listeners do on the calling thread) and the time until the search index held
the new text. ``--foreground`` writes the index on the saving thread, as before the
background index writer (and as a command-line run still does).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from desktop.core.library import Library
from tests.perf.bench_snooze_history import fill

VOCABULARY = 5000  # distinct words of the note (prose of a long paper's notes)


def note_text(size: int, n: int) -> str:
    """About ``size`` bytes of prose-like note (Zipf-distributed words), ending ``marker<n>``."""
    rng = random.Random(n)
    vocabulary = [f"word{i}" for i in range(VOCABULARY)]
    weights = [1 / (rank + 1) for rank in range(VOCABULARY)]
    words = rng.choices(vocabulary, weights, k=size // 8)
    return " ".join(words) + f" marker{n}"


def main() -> None:
    """Run the timings and print them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=2000)
    parser.add_argument("--note-mb", type=float, default=1.0)
    parser.add_argument("--saves", type=int, default=8)
    parser.add_argument(
        "--foreground", action="store_true", help="index on the saving thread (as the CLI does)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        library = Library.open(data, backups=False)
        fill(library, args.papers)
        library.index.reconcile()
        if not args.foreground:
            library.write_index_in_background()
        returned: list[float] = []
        indexed: list[float] = []
        for n in range(args.saves):
            text = note_text(int(args.note_mb * 1_000_000), n)
            start = time.perf_counter()
            library.notes.set(1 + n % 3, text)
            back = time.perf_counter()
            library.index.wait_idle()
            done = time.perf_counter()
            assert library.index.search(f"marker{n}").ids, "the note is not in the index"
            returned.append((back - start) * 1000)
            indexed.append((done - start) * 1000)
            print(f"save {n}: returned {returned[-1]:7.1f} ms, indexed {indexed[-1]:7.1f} ms")
        library.close()
    print(
        f"median: returned {statistics.median(returned):.1f} ms, "
        f"indexed {statistics.median(indexed):.1f} ms"
    )


if __name__ == "__main__":
    main()

"""Where the window's first-count stalls come from: the benchmark's window probe, watched.

    QT_QPA_PLATFORM=offscreen python -m tests.perf.gui_stalls DATA_DIR

runs ``bench.probe_gui`` on the library in DATA_DIR (a benchmark's ``--workdir``/data). While
the first count runs, a 5 ms timer on the GUI thread notes each time it came more than
``LATE_MS`` late, and what every other thread was running just then (the call that held the
GIL, or the one after it); garbage collections over 10 ms are noted with their thread. Not run
in CI: it is for reading, beside the benchmark's "longest GUI-thread stall" row.
"""

from __future__ import annotations

import functools
import gc
import sys
import threading
import time
import traceback
from pathlib import Path

from tests.perf import bench

LATE_MS = 60.0
SLOW_GC_MS = 10.0


def thread_stacks() -> dict[str, str]:
    """The innermost five frames of every thread but this one, by thread name."""
    frames = sys._current_frames()  # noqa: SLF001 - a diagnostic tool
    out = {}
    for thread in threading.enumerate():
        frame = frames.get(thread.ident or -1)
        if thread is threading.current_thread() or frame is None:
            continue
        stack = traceback.extract_stack(frame)[-5:]
        out[thread.name] = " <- ".join(
            f"{f.name}:{f.lineno} {Path(f.filename).name}" for f in reversed(stack)
        )
    return out


def main(argv: list[str]) -> int:
    """Run the probe once; print the late ticks and the slow collections."""
    late: list[tuple[float, dict[str, str]]] = []
    collections: list[str] = []
    started: list[float] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started and (ms := (time.perf_counter() - started[0]) * 1000) > SLOW_GC_MS:
            name = threading.current_thread().name
            collections.append(f"generation {info['generation']}: {ms:.0f} ms in {name}")

    def watch(ms: float) -> None:
        if ms > LATE_MS:
            late.append((ms, thread_stacks()))

    gc.callbacks.append(on_gc)
    bench.wait_for_first_count = functools.partial(bench.wait_for_first_count, watch=watch)
    answer = bench.probe_gui(Path(argv[0]), {"sorts": False})
    print(f"longest stall {answer.get('first_count_gui_stall_max_ms')} ms, "
          f"first count in {answer.get('first_count_s')} s")  # fmt: skip
    for line in collections:
        print("collection", line)
    for ms, stacks in late:
        print(f"{ms:.0f} ms late; the other threads then:")
        for name, stack in stacks.items():
            print(f"    {name}: {stack}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Where the window's first-count stalls come from: the benchmark's window probe, watched.

    QT_QPA_PLATFORM=offscreen python -m tests.perf.gui_stalls DATA_DIR

runs ``bench.probe_gui`` on the library in DATA_DIR (a benchmark's ``--workdir``/data). While
the first count runs, a 5 ms timer on the GUI thread notes each time it came more than
``LATE_MS`` late, and what every other thread was running just then (the call that held the
GIL, or the one after it); garbage collections over 10 ms are noted with their thread. Not run
in CI: it is for reading, beside the benchmark's "longest GUI-thread stall" row.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

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


def watched_first_count(late: list[tuple[float, dict[str, str]]]) -> Any:
    """A ``bench.wait_for_first_count`` that notes every late tick into ``late``."""
    from PySide6.QtCore import QTimer

    def wait(window: Any, app: Any, deadline: float) -> dict[str, Any]:
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            if (now - last[0]) * 1000 > LATE_MS:
                late.append(((now - last[0]) * 1000, thread_stacks()))
            last[0] = now

        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(tick)
        timer.start()
        start = time.perf_counter()
        while not bench.first_count_done(window) and time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.001)
        timer.stop()
        return {
            "first_count_s": time.perf_counter() - start,
            "first_count_gui_stall_max_ms": max((ms for ms, _ in late), default=None),
            "rss_after_first_count_mb": bench.rss_peak_mb(),
        }

    return wait


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

    gc.callbacks.append(on_gc)
    bench.wait_for_first_count = watched_first_count(late)
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

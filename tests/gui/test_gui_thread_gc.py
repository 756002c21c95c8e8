"""Cyclic garbage is collected on the GUI thread only (a worker collecting a widget crashes)."""

from __future__ import annotations

import gc
import threading

from PySide6.QtWidgets import QApplication

from desktop.gui.gui_thread_gc import GuiThreadCollector, collect_on_gui_thread


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_automatic_collection_is_off_and_the_timer_collects_what_it_would(
    qapp: QApplication,
) -> None:
    before = gc.isenabled()  # (the GUI tests' own collector has it off already)
    collector = GuiThreadCollector(qapp, interval_ms=10_000)
    try:
        assert not gc.isenabled()
        # A worker thread making cyclic garbage past every threshold collects nothing.
        threshold = gc.get_threshold()[0]
        collected: list[int] = []

        def note(phase: str, info: dict[str, int]) -> None:
            if phase == "stop":
                collected.append(threading.get_ident())

        gc.callbacks.append(note)
        try:
            worker = threading.Thread(target=lambda: [Cycle() for _ in range(5 * threshold)])
            worker.start()
            worker.join()
            assert collected == []
            collector.check()  # the timer's tick, here on the GUI thread
            assert collected == [threading.get_ident()]
        finally:
            gc.callbacks.remove(note)
    finally:
        collector.stop()
        collector.deleteLater()
    assert gc.isenabled() == before  # as it was


def test_the_application_has_one_collector(qapp: QApplication) -> None:
    first = collect_on_gui_thread(qapp)
    assert collect_on_gui_thread(qapp) is first
    assert not gc.isenabled()

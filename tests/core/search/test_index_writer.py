"""The background index writer: annotation edits return before Whoosh writes them, the index
catches up on its own thread, and nothing it was given is lost to a close, a kill or a fault."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from desktop.core.library import Library
from desktop.core.search import index as index_module
from desktop.core.search import index_writer
from desktop.core.search.documents import INDEX_NAME
from desktop.core.search.index_writer import BackgroundIndexWriter, _WriterIndex

ROOT = Path(__file__).resolve().parents[3]


def big_note(marker: str, size: int = 1_000_000) -> str:
    """About ``size`` characters of note with ``marker`` at its end."""
    words = [f"term{(i * 7919) % 4000}" for i in range(size // 9)]
    return " ".join(words) + f" {marker}"


@pytest.fixture
def lib(seeded_dir: Path) -> Iterator[Library]:
    """The seeded library on disk, its index updates written in the background."""
    library = Library.open(seeded_dir, backups=False)
    assert library.write_index_in_background()
    yield library
    library.close()


class Gate:
    """Holds the writer's thread inside its write until opened; records which thread."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, write: bool = True) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()
        self.threads: list[threading.Thread] = []
        original = _WriterIndex.sync

        def held(index: _WriterIndex, ids: Any, *, merge: bool = True) -> int:
            self.threads.append(threading.current_thread())
            self.entered.set()
            assert self.opened.wait(30)
            return original(index, ids, merge=merge) if write else 0

        monkeypatch.setattr(_WriterIndex, "sync", held)


def _writer(library: Library) -> BackgroundIndexWriter:
    writer = library.index.background
    assert isinstance(writer, BackgroundIndexWriter)
    return writer


def _ids(library: Library, query: str) -> list[int]:
    return [int(i) for i in library.index.search(query).ids]


def test_a_1mb_note_save_returns_before_the_index_is_written(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch)
    pid = lib.views.ids("all")[0]
    lib.notes.set(pid, big_note("zebraquartz"))
    # notes.set returned while the writer's thread is still held inside its write: the save
    # did not wait for the index.
    assert gate.entered.wait(10)
    assert not gate.opened.is_set()
    assert lib.notes.get(pid).endswith("zebraquartz")  # SQLite has it at once
    assert lib.index.search("zebraquartz").ids == []  # the index does not, yet
    assert gate.threads[0] is not threading.main_thread()
    assert gate.threads[0] is _writer(lib).thread
    gate.opened.set()
    assert lib.index.wait_idle(30)
    assert _ids(lib, "zebraquartz") == [pid]
    assert lib.index.usable


def test_saves_that_overtake_each_other_end_as_the_last(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch)
    pid = lib.views.ids("all")[1]
    lib.notes.set(pid, "first wombatfirst")
    assert gate.entered.wait(10)
    lib.notes.set(pid, "second wombatsecond")  # queued while the first is being written
    lib.tags.add([pid], "marsupial")
    gate.opened.set()
    assert lib.index.wait_idle(30)
    assert _ids(lib, "wombatsecond") == [pid]
    assert _ids(lib, "wombatfirst") == []
    assert _ids(lib, "tag:marsupial") == [pid]
    assert lib.index.held_state()[pid][2] == 1  # one copy in the index


def test_a_close_with_an_update_pending_leaves_no_stamp_and_the_next_open_writes_it(
    seeded_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "CLOSE_WAIT", 0.2)
    gate = Gate(monkeypatch, write=False)  # the held write then writes nothing
    library = Library.open(seeded_dir, backups=False)
    library.write_index_in_background()
    pid = library.views.ids("all")[2]
    library.notes.set(pid, "a note about okapiwords")
    assert gate.entered.wait(10)
    library.close()  # the writer is still held: it gives up waiting
    gate.opened.set()
    assert not (seeded_dir / "index" / f"{INDEX_NAME}.stamp").exists()
    monkeypatch.undo()
    with Library.open(seeded_dir, backups=False) as again:
        assert _ids(again, "okapiwords") == [pid]


def test_a_clean_close_writes_what_was_pending_first(seeded_dir: Path) -> None:
    library = Library.open(seeded_dir, backups=False)
    library.write_index_in_background()
    pid = library.views.ids("all")[3]
    library.notes.set(pid, big_note("narwhalnote", 300_000))
    library.close()
    assert (seeded_dir / "index" / f"{INDEX_NAME}.stamp").exists()
    with Library.open(seeded_dir, backups=False) as again:
        assert again.index.last_written == 0  # nothing left to catch up on
        assert _ids(again, "narwhalnote") == [pid]


CHILD = """
import sys, threading, time
from pathlib import Path
from desktop.core.library import Library
from desktop.core.search.index_writer import _WriterIndex

def never(index, ids, *, merge=True):
    threading.Event().wait()  # the process is killed while the update is pending

_WriterIndex.sync = never
library = Library.open(Path(sys.argv[1]), backups=False)
library.write_index_in_background()
pid = library.views.ids("all")[4]
library.notes.set(pid, "killed before the index caught up: ibexpending")
print(pid, flush=True)
time.sleep(60)
"""


def test_sigkill_with_an_update_pending_is_repaired_on_the_next_start(seeded_dir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(seeded_dir)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert child.stdout is not None
        pid = int(child.stdout.readline())
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    with Library.open(seeded_dir, backups=False) as again:
        assert _ids(again, "ibexpending") == [pid]


def test_a_full_disk_on_the_writer_thread_falls_back_to_sqlite_and_catches_up(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = _WriterIndex.sync

    def full(index: _WriterIndex, ids: Any, *, merge: bool = True) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_WriterIndex, "sync", full)
    pid = lib.views.ids("all")[5]
    lib.notes.set(pid, "a note about tapirsnote")
    assert lib.index.wait_idle(10)  # a fault is not a bug: nothing is raised here
    assert not lib.index.usable  # behind SQLite: searches answer from it meanwhile
    assert lib.index.search("tapirsnote").fallback  # (its LIKE scan reads no notes)
    monkeypatch.setattr(_WriterIndex, "sync", original)
    lib.notes.set(pid, "a note about tapirsnote, edited")  # the next write catches up
    assert lib.index.wait_idle(10)
    assert lib.index.usable
    assert _ids(lib, "tapirsnote") == [pid]
    assert not lib.index.search("tapirsnote").fallback


def test_an_index_lock_held_elsewhere_is_waited_out_and_the_write_retried(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "WRITE_TIMEOUT", 0.1)
    monkeypatch.setattr(index_writer, "RETRY_SECONDS", 0.05)
    # As another process writing the index: Whoosh's own lock on the files.
    other = whoosh_index.open_dir(str(lib.index.path), indexname=INDEX_NAME).lock("WRITELOCK")
    assert other.acquire()
    try:
        pid = lib.views.ids("all")[6]
        lib.notes.set(pid, "a note about quokkalock")
        assert not lib.index.wait_idle(0.5)  # still trying
        assert pid in _writer(lib).pending
    finally:
        other.release()
    assert lib.index.wait_idle(10)
    assert _ids(lib, "quokkalock") == [pid]
    assert lib.index.usable


def test_small_segments_are_merged_once_the_edits_pause(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_writer, "MERGE_IDLE_SECONDS", 0.05)
    writer = _writer(lib)
    ids = lib.views.ids("all")[:10]
    for n, pid in enumerate(ids):
        lib.notes.set(pid, f"note number{n} pangolin")
        assert lib.index.wait_idle(10)  # each edit its own commit, with no merge
    assert writer.commits == len(ids)
    deadline = time.monotonic() + 20
    while writer.merges == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert writer.merges >= 1
    assert sorted(_ids(lib, "pangolin")) == sorted(ids)
    assert all(copies == 1 for _v, _k, copies in lib.index.held_state().values())


def test_edits_inside_an_open_transaction_are_written_on_the_calling_thread(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch)
    pid = lib.views.ids("all")[7]
    with lib.db.atomic():  # the writer's own connection could not see this yet
        lib.notes.set(pid, "a note about dugongatomic")
    assert not gate.entered.is_set()
    assert _ids(lib, "dugongatomic") == [pid]


def test_a_library_in_memory_writes_on_the_calling_thread() -> None:
    with Library.in_memory() as library:
        assert not library.write_index_in_background()


def test_saved_view_counts_follow_a_long_note_written_in_the_background(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = lib.saved_views.add("okapis", "okapiview")
    assert lib.saved_views.counts()[view.key].total == 0
    gate = Gate(monkeypatch)
    pid = lib.views.ids("all")[8]
    lib.notes.set(pid, big_note("okapiview", 200_000))  # long: not matched on this thread
    assert lib.selection.waiting_for_index
    assert gate.entered.wait(10)
    gate.opened.set()
    assert lib.index.wait_idle(30)
    assert lib.saved_views.counts()[view.key].total == 1
    lib.notes.set(pid, "short now")  # short: matched here at once, as without the writer
    assert not lib.selection.waiting_for_index
    assert lib.saved_views.counts()[view.key].total == 0
    assert lib.index.wait_idle(30)
    assert lib.saved_views.counts()[view.key].total == 0


def test_edits_that_never_pause_still_get_their_segments_merged(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_writer, "MERGE_IDLE_SECONDS", 3600.0)  # never idle enough
    monkeypatch.setattr(index_writer, "MAX_SEGMENTS", 2)
    monkeypatch.setattr(index_writer, "MAX_SEGMENTS_BUSY", 6)
    writer = _writer(lib)
    ids = lib.views.ids("all")[:12]
    for n, pid in enumerate(ids):
        lib.notes.set(pid, f"busy note {n} capybara")
        assert lib.index.wait_idle(10)
    assert writer.merges >= 1
    segments = len(lib.index._get_searcher().reader().leaf_readers())  # noqa: SLF001
    assert segments <= 7
    assert sorted(_ids(lib, "capybara")) == sorted(ids)

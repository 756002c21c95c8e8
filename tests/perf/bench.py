"""The scale benchmark: Digest Desk on N generated papers, side by side with SQLite FTS5.

Usage: ``python tests/perf/bench.py --papers 100000 [--out report.json] [--workdir DIR]
[--format digests|jsonl] [--only import,index,parallel,search,fts5,core,gui]``

It generates N papers (tests/perf/gen_digests.py) as digest files or, with ``--format jsonl``,
as one arXiv metadata snapshot (JSON lines; the generated file is kept in ``--workdir`` and
reused by the next run of the same size and seed), imports them into a fresh library, builds
the search index in one process and then in worker processes (one per CPU, or
``--index-workers``), and measures import and index throughput, search and
related-papers latency, GUI start to interactive, next-paper and view-switch latency, peak
memory and the size on disk. A snapshot is imported in a child process, whose peak memory is
the import's. ``--only`` runs some stages (what they need still runs: search, core and gui
need an index, built in worker processes unless ``index`` is asked for); the other rows read
"skipped". ``bench.py --papers 1000000 --format jsonl --workdir DIR`` runs end to end on
two cores in about an hour. The same papers and the same plain-word queries also go through
SQLite's FTS5 (sqlite-utils ``enable_fts`` and ``search``), and our numbers are reported as
ratios to it. Memory and GUI numbers come from a fresh child process, so the corpus this script
holds is not counted. It prints a table and writes a JSON report; it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: make `desktop` and `tests` importable
    sys.path.insert(0, str(ROOT))

from sqlite_utils import Database  # noqa: E402

from desktop.core.library import DB_FILE, Library  # noqa: E402
from desktop.core.search.index import build_index  # noqa: E402
from desktop.core.search.parallel_build import default_workers  # noqa: E402
from tests.perf.cli_start import measure_cli  # noqa: E402
from tests.perf.gen_digests import (  # noqa: E402
    Corpus,
    build_corpus,
    write_corpus,
    write_snapshot,
)

NOT_AVAILABLE = "not available"
INDEX_DIR = "index"
SEARCH_LIMIT = 20
# Every query runs once to warm up, then this many timed times.
SEARCH_REPEATS = 5
RELATED_SAMPLES = 20
NEXT_PAPER_STEPS = 50
# The targets are set for a million papers (a whole arXiv category).
TARGET_PAPERS = 1_000_000
STAGES = ("import", "index", "parallel", "search", "fts5", "views", "cli", "core", "gui")
SKIPPED = "skipped"
SNAPSHOT = "snapshot.jsonl"


@dataclass(frozen=True)
class Query:
    """One benchmark query, with its FTS5 equivalent when FTS5 can express it."""

    text: str
    kind: str
    fts5: str | None = None
    # Plain words: sent to FTS5 quoted, word by word (an implicit AND, like ours).
    plain: bool = False


def queries_for(rare_name: str) -> list[Query]:
    """The fixed set of 20 queries; ``rare_name`` is a system name that one paper introduces."""
    plain = [
        ("model", "common word"),
        ("language models", "common words"),
        ("efficient inference", "common words"),
        ("attention memory", "common words"),
        ("graph neural", "common words"),
        ("musculoskeletal", "rare word"),
        ("slingshot", "rare word"),
        (rare_name, "rare word (one paper's name)"),
    ]
    out = [Query(text, kind, text, plain=True) for text, kind in plain]
    out += [
        Query('"large language models"', "phrase", '"large language models"'),
        Query('"kv cache"', "phrase", '"kv cache"'),
        Query("quant*", "prefix", "quant*"),
        Query("diffus*", "prefix", "diffus*"),
        Query("title:diffusion", "field filter", "title:diffusion"),
        Query("abstract:bottleneck", "field filter", "abstract:bottleneck"),
        Query("title:efficient inference", "field filter", "title:efficient inference"),
        Query("attention -memory", "NOT", "attention NOT memory"),
        Query("cache OR retrieval", "OR", "cache OR retrieval"),
        Query("is:unread memory", "state filter"),
        Query("is:starred model", "state filter"),
        Query("is:queued training", "state filter"),
    ]
    assert len(out) == 20
    return out


@dataclass
class Row:
    """One line of the report table."""

    metric: str
    value: float | None
    unit: str
    fts5: float | None = None
    ratio: float | None = None
    target: str = ""
    status: str = ""
    note: str = ""


# -- small helpers ---------------------------------------------------------------------------
def percentile(samples: list[float], pct: float) -> float:
    """The nearest-rank percentile of ``samples`` (pct in 0..100)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def dir_size(path: Path) -> int:
    """Bytes held by the files under ``path`` (0 if it does not exist)."""
    if path.is_file():
        return path.stat().st_size
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def db_size(data_dir: Path) -> int:
    """Bytes of the SQLite library with its WAL and shared-memory files."""
    return sum(dir_size(data_dir / (DB_FILE + suffix)) for suffix in ("", "-wal", "-shm"))


@contextmanager
def timer() -> Iterator[list[float]]:
    """Yield a list that holds the elapsed wall seconds, then this process's CPU seconds."""
    box = [0.0, 0.0]
    start, cpu = time.perf_counter(), time.process_time()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - start
        box[1] = time.process_time() - cpu


def hit_ids(result: Any) -> list[int]:
    """Paper ids from whatever ``Library.search`` returns (a result object or a list)."""
    hits = getattr(result, "hits", result)
    out = []
    for hit in hits:
        value = getattr(hit, "id", getattr(hit, "paper_id", hit))
        out.append(int(value))
    return out


def search_available(lib: Library) -> bool:
    """Whether the library has full-text search (every library has, since the search issue)."""
    return lib.index is not None


def rare_name(corpus: Corpus) -> str:
    """A made-up system name that one paper in the middle of the corpus introduces."""
    for paper in corpus.papers[len(corpus.papers) // 3 :]:
        match = re.search(r"We propose ([A-Za-z]+), ", paper.abstract)
        if match:
            return match.group(1)
    return "musculoskeletal"


def status(value: float | None, target: float, higher_is_better: bool) -> str:
    """``pass`` or ``miss`` against a target, or ``n/a`` without a value."""
    if value is None:
        return "n/a"
    ok = value >= target if higher_is_better else value <= target
    return "pass" if ok else "miss"


# -- stages ----------------------------------------------------------------------------------
def mark_states(lib: Library) -> dict[str, int]:
    """Give the library a realistic spread of triage states, so state filters select."""
    ids = lib.views.ids("all")
    read = ids[::3]
    starred = ids[::40]
    queued = ids[5::90]
    archived = ids[7::25]
    lib.triage.set_read(read)
    lib.triage.set_starred(starred)
    lib.triage.set_archived(archived)
    lib.triage.set_queued([i for i in queued if i not in set(archived)])
    return {"read": len(read), "starred": len(starred), "queued": len(queued)}


def time_queries(
    run: Callable[[Query], list[int]], queries: list[Query], repeats: int
) -> list[dict[str, Any]]:
    """Run each query once to warm up, then ``repeats`` timed times."""
    out = []
    for query in queries:
        hits = run(query)
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            run(query)
            samples.append((time.perf_counter() - start) * 1000)
        out.append(
            {
                "query": query.text,
                "kind": query.kind,
                "hits": len(hits),
                "median_ms": statistics.median(samples),
                "samples_ms": samples,
            }
        )
    return out


def summarise(per_query: list[dict[str, Any]]) -> dict[str, float] | None:
    """p50 and p95 over every timed sample of every query."""
    samples = [s for q in per_query for s in q["samples_ms"]]
    if not samples:
        return None
    return {"p50_ms": percentile(samples, 50), "p95_ms": percentile(samples, 95)}


def fts5_stage(lib: Library, workdir: Path, queries: list[Query], repeats: int) -> dict[str, Any]:
    """Copy the papers into a fresh SQLite file, index them with FTS5, and run the queries."""
    path = workdir / "fts5.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    fts = Database(path)
    rows = lib.db.execute("SELECT id, title, abstract FROM papers ORDER BY id")
    with timer() as copy_time:
        fts["papers"].insert_all(
            ({"id": i, "title": t, "abstract": a} for i, t, a in rows),
            pk="id",
            batch_size=1000,
        )
    count = fts["papers"].count
    before = dir_size(path) + dir_size(Path(str(path) + "-wal"))
    with timer() as index_time:
        fts["papers"].enable_fts(["title", "abstract"])
    table = fts["papers"]

    def run(query: Query) -> list[int]:
        assert query.fts5 is not None
        found = table.search(query.fts5, columns=["id"], limit=SEARCH_LIMIT, quote=query.plain)
        return [int(r["id"]) for r in found]

    comparable = [q for q in queries if q.fts5 is not None]
    per_query = time_queries(run, comparable, repeats)
    fts.close()
    total = dir_size(path)
    return {
        "papers": count,
        "copy_s": copy_time[0],
        "index_s": index_time[0],
        "index_papers_per_s": count / index_time[0] if index_time[0] else None,
        "queries": per_query,
        "plain": summarise([q for q, c in zip(per_query, comparable, strict=True) if c.plain]),
        "all": summarise(per_query),
        "file_bytes": total,
        "index_bytes": total - before,
    }


def write_bytecode_caches() -> None:
    """Compile the app's modules to bytecode, as an installed app has them (pip compiles on
    install): without the caches (PYTHONDONTWRITEBYTECODE, a fresh checkout) each GUI start
    compiles about 200 modules, 0.4 s of the start on a loaded machine."""
    import compileall

    compileall.compile_dir(str(ROOT / "desktop"), quiet=1, force=False, legacy=False)


def probe(kind: str, data_dir: Path, extra: dict[str, Any]) -> dict[str, Any]:
    """Run a measuring child process (``--probe core|gui``) and return its JSON answer."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["DIGEST_DESK_HOME"] = str(data_dir)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--probe",
        kind,
        "--data-dir",
        str(data_dir),
        "--probe-args",
        json.dumps(extra),
    ]
    started = time.time()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    wall = time.time() - started
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            answer = json.loads(line)
            answer["wall_s"] = wall
            return answer
    return {"available": False, "error": (done.stderr or done.stdout)[-2000:], "wall_s": wall}


def evict_page_cache(folder: Path) -> int:
    """Drop the files under ``folder`` from the page cache (synced first); returns how many.

    Only these files are evicted (``posix_fadvise(DONTNEED)``), so a cold start of the
    library can be measured without disturbing the rest of a shared machine.
    """
    if not hasattr(os, "posix_fadvise"):
        return 0
    count = 0
    for path in [folder, *folder.rglob("*")]:
        if not path.is_file():
            continue
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            count += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return count


def rss_peak_mb() -> float:
    """This process's peak resident memory in MB (VmHWM)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_age_s() -> float:
    """Seconds since this process was created (from /proc), else since the script began."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - start_ticks / ticks
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _SCRIPT_START


_SCRIPT_START = time.perf_counter()


def probe_core(data_dir: Path, args: dict[str, Any]) -> dict[str, Any]:
    """Child: open the library as the app would, show the inbox, search; report memory."""
    with timer() as open_time:
        lib = Library.open(data_dir, backups=False)
        ids = lib.views.ids("inbox")
        first = lib.papers.many(ids[:50])
    answer: dict[str, Any] = {
        "available": True,
        "open_s": open_time[0],
        "inbox": len(ids),
        "first_title": first[0].title if first else None,
        "searched": False,
    }
    if search_available(lib):
        for text in args.get("queries", []):
            hit_ids(lib.index.search(text, limit=SEARCH_LIMIT))
        if ids:
            lib.index.related(ids[0])
        answer["searched"] = True
    answer["rss_peak_mb"] = rss_peak_mb()
    lib.close()
    return answer


def probe_gui(data_dir: Path, args: dict[str, Any]) -> dict[str, Any]:
    """Child: start the main window offscreen; time start-up, `j` and view switches.

    Start to interactive runs from the creation of this process (so Python and Qt start-up
    count) to the first paper shown in the detail pane with the event loop running.
    """
    try:
        from PySide6.QtCore import QSettings, Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        from desktop.gui.app import create_main_window, make_application
    except ImportError as exc:
        return {"available": False, "error": f"desktop.gui: {exc}"}
    deadline = time.perf_counter() + 120
    app = make_application()
    settings_dir = Path(tempfile.mkdtemp(prefix="digest-desk-bench-gui-"))
    settings = QSettings(str(settings_dir / "gui-state.ini"), QSettings.Format.IniFormat)
    with timer() as build_time:
        window = create_main_window(data_dir, settings)
    window.show()
    window.activateWindow()
    while window.detail.paper is None and time.perf_counter() < deadline:
        app.processEvents()
    app.processEvents()  # the first paint of the paper
    interactive = process_age_s()
    shown = window.detail.paper is not None
    answer: dict[str, Any] = {
        "available": shown,
        "start_to_interactive_s": interactive if shown else None,
        "window_build_s": build_time[0],
        "rows": window.model.rowCount(),
    }
    if not shown:
        answer["error"] = "no paper was shown"
        window.close()
        return answer
    answer.update(wait_for_first_count(window, app, deadline))

    QApplication.setActiveWindow(window)
    window.list.setFocus()
    app.processEvents()
    steps: list[float] = []
    via = "key j"
    for _ in range(int(args.get("steps", NEXT_PAPER_STEPS))):
        before = window.current_row()
        start = time.perf_counter()
        QTest.keyClick(window.list, Qt.Key.Key_J)
        if window.current_row() == before and via == "key j":
            via = "command next-paper"  # the shortcut did not reach the offscreen window
        if window.current_row() == before:
            window.run_command("next-paper")
        app.processEvents()
        elapsed = (time.perf_counter() - start) * 1000
        current = window.current_id()
        if window.detail.paper is None or window.detail.paper.id != current:
            answer["error"] = "the detail pane did not follow the cursor"
            break
        steps.append(elapsed)
    switches: list[float] = []
    for name in ("go-all", "go-inbox", "go-starred", "go-queue", "go-archive") * 2:
        start = time.perf_counter()
        window.run_command(name)
        app.processEvents()
        switches.append((time.perf_counter() - start) * 1000)
    sorts = time_sorts(window, app) if args.get("sorts", True) else {}
    window.close()
    app.processEvents()
    shutil.rmtree(settings_dir, ignore_errors=True)
    answer.update(
        {
            "sort_all_ms": sorts,
            "sort_all_max_ms": max(sorts.values()) if sorts else None,
            "sort_all_median_ms": statistics.median(sorts.values()) if sorts else None,
            "next_paper_via": via,
            "next_paper_steps": len(steps),
            "next_paper_median_ms": statistics.median(steps) if steps else None,
            "next_paper_p95_ms": percentile(steps, 95) if steps else None,
            "view_switch_median_ms": statistics.median(switches),
            "view_switch_max_ms": max(switches),
            "rss_peak_mb": rss_peak_mb(),
        }
    )
    return answer


def first_count_done(window: Any) -> bool:
    """Whether the window's first count of the sidebar (views, digests, saved views) is in,
    on this tree or an older one (which matched texts on a worker, the rest on its thread)."""
    shown = window.shown_view
    return (
        shown.counts is not None
        and getattr(shown, "_first_count", None) is None
        and getattr(shown, "_matcher", None) is None
    )


def wait_for_first_count(
    window: Any, app: Any, deadline: float, watch: Callable[[float], None] | None = None
) -> dict[str, Any]:
    """In the GUI child, after the first paper is shown: run the event loop until the first
    count is in, timing it and the longest the GUI thread went without serving a 5 ms
    timer (how long a key would have waited), and the peak memory by then.

    ``watch(ms)``, when given, is called at each tick with the time since the one before
    (gui_stalls.py looks at the other threads when a tick comes late)."""
    from PySide6.QtCore import QTimer

    ticks: list[float] = [time.perf_counter()]

    def tick() -> None:
        ticks.append(time.perf_counter())
        if watch is not None:
            watch((ticks[-1] - ticks[-2]) * 1000)

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    start = time.perf_counter()
    while not first_count_done(window) and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    done = time.perf_counter()
    timer.stop()
    ticks.append(done)
    gaps = [(b - a) * 1000 for a, b in zip(ticks, ticks[1:], strict=False)]
    return {
        "first_count_s": done - start if first_count_done(window) else None,
        "first_count_gui_stall_max_ms": max(gaps) if gaps else None,
        "rss_after_first_count_mb": rss_peak_mb(),
    }


def time_sorts(window: Any, app: Any) -> dict[str, float]:
    """In the GUI child: sort All papers by each column the list offers, each way, as a
    click on its header does; time each until the first screen of rows is painted."""
    from PySide6.QtCore import Qt

    from desktop.gui.models.paper_list import SORT_KEYS

    window.run_command("go-all")
    app.processEvents()
    out: dict[str, float] = {}
    for column, key in SORT_KEYS.items():
        for order, way in (
            (Qt.SortOrder.AscendingOrder, "asc"),
            (Qt.SortOrder.DescendingOrder, "desc"),
        ):
            start = time.perf_counter()
            window.list.sortByColumn(column, order)
            app.processEvents()
            if window.model.rowCount():
                window.model.data(window.model.index(0, 0))  # the first row is loaded
            out[f"{key} {way}"] = (time.perf_counter() - start) * 1000
    window.list.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    app.processEvents()
    return out


def probe_import(data_dir: Path, args: dict[str, Any]) -> dict[str, Any]:
    """Child: import an arXiv snapshot into the library, timed alone (no index listener)."""
    lib = Library.open(data_dir, backups=False, defer_index_rebuild=True)
    lib.unsubscribe(lib.tell_index)
    before = rss_now_mb()
    children = children_cpu_s()
    journal: list[str] = []  # the journal mode inside the import's transaction

    def seen(_done: int, _total: int, _message: str) -> None:
        if not journal:
            journal.append(str(lib.db.execute("PRAGMA journal_mode").fetchone()[0]))

    with timer() as box:
        result, _changes = lib.importer.import_snapshot(Path(args["snapshot"]), seen)
    # The CPU of the reader processes (ended and waited for when the import returns) counts.
    box[1] += children_cpu_s() - children
    lib.close()
    return {
        "available": result.status == "imported",
        "status": result.status,
        "error": result.error,
        "papers": result.new_papers,
        "entries": result.entries,
        "seconds": box[0],
        "cpu_s": box[1],
        "rss_before_mb": before,
        "rss_peak_mb": rss_peak_mb(),
        "readers": lib.importer.snapshot_readers,
        "reader_rss_peak_mb": children_rss_peak_mb(),
        # "delete": a rollback journal, the library being the import's alone (a command,
        # this benchmark); "wal" when another connection has it open (the app's window).
        "journal": journal[0] if journal else None,
    }


def children_rss_peak_mb() -> float:
    """The largest peak resident memory of this process's ended children, in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def rss_now_mb() -> float | None:
    """This process's resident memory now, in MB (VmRSS)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def children_cpu_s() -> float:
    """CPU seconds of this process's ended (waited-for) children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stages_for(only: set[str] | None) -> set[str]:
    """The stages to run: those asked for, plus an index build when a later stage needs one."""
    wanted = set(STAGES) if not only else set(only)
    unknown = wanted - set(STAGES)
    if unknown:
        raise ValueError(f"unknown stages: {', '.join(sorted(unknown))}")
    wanted.add("import")  # the library is always fresh
    if wanted & {"search", "views", "cli", "core", "gui"} and not wanted & {"index", "parallel"}:
        wanted.add("parallel")
    return wanted


def generate(
    papers: int, workdir: Path, fmt: str, seed: int, log: Callable[[str], None]
) -> dict[str, Any]:
    """Write the corpus: digest files (the corpus kept in memory) or one reusable snapshot."""
    if fmt == "digests":
        digests = workdir / "digests"
        shutil.rmtree(digests, ignore_errors=True)
        with timer() as gen_time:
            corpus = build_corpus(papers, seed=seed)
            write_corpus(corpus, digests)
        log(f"  {corpus.sightings} entries in {len(corpus.files)} files, {gen_time[0]:.1f} s")
        return {
            "corpus": corpus,
            "path": digests,
            "rare_name": rare_name(corpus),
            "summary": {
                "format": fmt,
                "papers": len(corpus.papers),
                "entries": corpus.sightings,
                "files": len(corpus.files),
                "layouts": corpus.layouts(),
                "generate_s": gen_time[0],
            },
        }
    path = workdir / SNAPSHOT
    meta_path = workdir / (SNAPSHOT + ".meta.json")
    wanted = {"papers": papers, "seed": seed}
    meta: dict[str, Any] = {}
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if {k: meta.get(k) for k in wanted} == wanted and meta.get("bytes") == dir_size(path):
        log(f"  reusing {path} ({meta['bytes'] / 2**20:.0f} MiB)")
        reused = True
    else:
        with timer() as gen_time:
            info = write_snapshot(path, papers, seed=seed)
        meta = {**wanted, "bytes": info.bytes, "rare_name": info.rare_name, "s": gen_time[0]}
        meta_path.write_text(json.dumps(meta), encoding="utf-8")
        log(f"  {info.bytes / 2**20:.0f} MiB in {gen_time[0]:.1f} s")
        reused = False
    return {
        "corpus": None,
        "path": path,
        "rare_name": meta["rare_name"],
        "summary": {
            "format": fmt,
            "papers": papers,
            "entries": papers,
            "files": 1,
            "bytes": meta["bytes"],
            "generate_s": meta["s"],
            "reused": reused,
        },
    }


def _rate(count: int, seconds: float | None) -> float | None:
    return count / seconds if seconds else None


# -- the run ---------------------------------------------------------------------------------
# -- saved views and rules (issue 16) -------------------------------------------------------
SAVED_VIEWS = 20
RULES = 20
COUNT_SAMPLES = 15
SIDEBAR_COUNTS_TARGET_MS = 50.0
RULES_IMPORT_TARGET_S = 0.3


def views_and_rules_stage(lib: Library, workdir: Path, seed: int) -> dict[str, Any]:
    """The sidebar's counts after a triage key with 20 saved views, and the import of one
    digest (100 new papers) with 20 rules, beside the same import without rules.

    Each count sample marks one paper read (a triage key), then recounts what the sidebar
    shows: the built-in views, 20 saved views, every digest, the tags and highlights.
    Imports are timed as a window runs them: rules, commit, then the index update.
    """
    inbox = lib.views.ids("inbox")
    lib.tags.add(inbox[:: max(1, len(inbox) // 500)], "bench")
    lib.triage.set_starred(inbox[1 :: max(1, len(inbox) // 300)])
    lib.history.clear()
    texts = [q.text for q in queries_for("slingshot")][:12]
    texts += [
        "is:unread",
        "is:starred",
        "tag:bench",
        "tag:bench is:unread",
        "-is:archived model",
        "title:diffusion is:unread",
        "after:2025-06-01 attention",
        "is:queued OR is:starred",
    ]
    for n, text in enumerate(texts[:SAVED_VIEWS]):
        lib.saved_views.add(f"view {n + 1}", text)

    def sidebar_counts() -> None:
        lib.views.counts()
        lib.saved_views.counts()
        lib.digests.counts()
        lib.tags.all()
        lib.highlights.counts()

    with timer() as first:
        sidebar_counts()  # the first refresh asks the index for each view's text matches
    saved_ms: list[float] = []
    sidebar_ms: list[float] = []
    for paper_id in inbox[2 : 2 + COUNT_SAMPLES]:
        lib.triage.set_read([paper_id])
        start = time.perf_counter()
        lib.saved_views.counts()
        saved_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        sidebar_counts()
        sidebar_ms.append((time.perf_counter() - start) * 1000)

    extra = workdir / "extra-digests"
    shutil.rmtree(extra, ignore_errors=True)
    files = write_corpus(build_corpus(200, seed=seed + 1000, per_file=100), extra)
    with timer() as plain:
        plain_result = lib.importer.import_paths([files[0]])
    actions: list[tuple[list[str], str | None]] = [
        (["tag"], "rule-tag"),
        (["star"], None),
        (["queue"], None),
        (["mute"], None),
        (["tag", "star"], "rule-both"),
    ]
    rule_texts = [q.text for q in queries_for("slingshot")] + ["is:unread"]
    for n in range(RULES):
        acts, tag = actions[n % len(actions)]
        lib.rules.add(f"rule {n + 1}", rule_texts[n % len(rule_texts)], acts, tag=tag)
    with timer() as ruled:
        ruled_result = lib.importer.import_paths([files[1]])
    return {
        "saved_views": SAVED_VIEWS,
        "first_refresh_ms": first[0] * 1000,
        "saved_counts_ms": {
            "p50": percentile(saved_ms, 50),
            "p95": percentile(saved_ms, 95),
        },
        "sidebar_counts_ms": {
            "p50": percentile(sidebar_ms, 50),
            "p95": percentile(sidebar_ms, 95),
        },
        "rules": RULES,
        "import_without_rules_s": plain[0],
        "import_with_rules_s": ruled[0],
        "import_new_papers": [plain_result[0].new_papers, ruled_result[0].new_papers],
        "rule_report": ruled_result[0].rules,
    }


def views_and_rules_rows(report: dict[str, Any]) -> list[Row]:
    """The table rows of :func:`views_and_rules_stage` (none in older reports)."""
    part = report.get("views_rules")
    if not part:
        return []
    sidebar = part["sidebar_counts_ms"]["p50"]
    ruled = part["import_with_rules_s"]
    return [
        Row(
            f"sidebar counts, {part['saved_views']} saved views",
            sidebar,
            "ms",
            target=f"<= {SIDEBAR_COUNTS_TARGET_MS:.0f}",
            status=status(sidebar, SIDEBAR_COUNTS_TARGET_MS, False),
            note=(
                f"after a triage key, p50; p95 {part['sidebar_counts_ms']['p95']:.1f}; the 20 "
                f"saved views alone p50 {part['saved_counts_ms']['p50']:.1f}; first refresh "
                f"{part['first_refresh_ms']:.0f}"
            ),
        ),
        Row(
            f"import one digest, {part['rules']} rules",
            ruled,
            "s",
            target=f"<= {RULES_IMPORT_TARGET_S}",
            status=status(ruled, RULES_IMPORT_TARGET_S, False),
            note=(
                f"{part['import_new_papers'][1]} new papers, index update included; "
                f"without rules {part['import_without_rules_s']:.2f} s"
            ),
        ),
    ]


def run_benchmark(
    papers: int,
    workdir: Path,
    *,
    seed: int = 7,
    repeats: int = SEARCH_REPEATS,
    gui: bool = True,
    log: Callable[[str], None] = print,
    fmt: str = "digests",
    only: set[str] | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Generate, import, index and measure; return the report as a dict."""
    stages = stages_for(only)
    if not gui:
        stages.discard("gui")
    workers = workers or default_workers()
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir = workdir / "data"
    shutil.rmtree(data_dir, ignore_errors=True)

    log(f"generating {papers} papers ({fmt}) ...")
    made = generate(papers, workdir, fmt, seed, log)
    corpus: Corpus | None = made["corpus"]

    log("importing ...")
    imp: dict[str, Any]
    if fmt == "digests":
        lib = Library.open(data_dir, backups=False, defer_index_rebuild=True)
        # The SQLite import is timed alone: the index listener is detached, and the index is
        # then built in timed steps.
        lib.unsubscribe(lib.tell_index)
        with timer() as import_time:
            results = lib.importer.import_paths([made["path"]])
        stored = lib.papers.count()
        imp = {
            "format": fmt,
            "papers": stored,
            "entries": sum(r.entries for r in results),
            "failed_files": len([r for r in results if not r.ok]),
            "seconds": import_time[0],
            "cpu_s": import_time[1],
            "rss_peak_mb": None,
        }
        lib.close()
    else:
        child = probe("import", data_dir, {"snapshot": str(made["path"])})
        stored = int(child.get("papers") or 0)
        imp = {
            "format": fmt,
            "papers": stored,
            "entries": child.get("entries", 0),
            "failed_files": 0 if child.get("available") else 1,
            "seconds": child.get("seconds"),
            "cpu_s": child.get("cpu_s"),
            "rss_before_mb": child.get("rss_before_mb"),
            "rss_peak_mb": child.get("rss_peak_mb"),
            "error": child.get("error"),
            "snapshot_bytes": made["summary"]["bytes"],
            "readers": child.get("readers"),
            "reader_rss_peak_mb": child.get("reader_rss_peak_mb"),
            "journal": child.get("journal"),
        }
    imp["papers_per_s"] = _rate(stored, imp["seconds"])
    imp["papers_per_cpu_s"] = _rate(stored, imp["cpu_s"])
    imp["entries_per_s"] = _rate(imp["entries"], imp["seconds"])
    log(f"  {stored} papers in {imp['seconds'] or 0:.2f} s ({imp['failed_files']} failed)")

    lib = Library.open(data_dir, backups=False, defer_index_rebuild=True)
    lib.unsubscribe(lib.tell_index)
    has_search = search_available(lib)
    index_one: dict[str, Any] = {"skipped": True, "seconds": None, "cpu_s": None}
    index_many: dict[str, Any] = {"skipped": True, "seconds": None, "cpu_s": None}
    if has_search and "index" in stages:
        log("indexing in this process ...")
        with timer() as box:
            lib.index.rebuild_from_scratch()
        index_one = {"skipped": False, "workers": 1, "seconds": box[0], "cpu_s": box[1]}
        log(f"  {box[0]:.1f} s")
    if has_search and "parallel" in stages:
        log(f"indexing in {workers} worker processes ...")
        lib.index.close(stamp=False)
        children = children_cpu_s()
        with timer() as box:
            build_index(data_dir / DB_FILE, data_dir / INDEX_DIR, workers=workers)
        cpu = box[1] + children_cpu_s() - children
        index_many = {"skipped": False, "workers": workers, "seconds": box[0], "cpu_s": cpu}
        lib.index.open()
        log(f"  {box[0]:.1f} s")
    for part in (index_one, index_many):
        part["papers_per_s"] = _rate(stored, part["seconds"])
        part["papers_per_cpu_s"] = _rate(stored, part["cpu_s"])
    lib.subscribe(lib.tell_index)
    states = mark_states(lib)

    rare = made["rare_name"]
    queries = queries_for(rare)
    ours: list[dict[str, Any]] = []
    related: list[float] = []
    if has_search and "search" in stages:
        log("searching ...")

        def run(query: Query) -> list[int]:
            return hit_ids(lib.index.search(query.text, limit=SEARCH_LIMIT))

        ours = time_queries(run, queries, repeats)
        ids = lib.views.ids("all")
        sample = ids[:: max(1, len(ids) // RELATED_SAMPLES)][:RELATED_SAMPLES]
        lib.index.related(sample[0])
        for paper_id in sample:
            start = time.perf_counter()
            lib.index.related(paper_id)
            related.append((time.perf_counter() - start) * 1000)

    fts: dict[str, Any] = {
        "skipped": True,
        "index_papers_per_s": None,
        "queries": [],
        "plain": None,
        "all": None,
        "file_bytes": None,
        "index_bytes": None,
    }
    if "fts5" in stages:
        log("FTS5 yardstick ...")
        fts = fts5_stage(lib, workdir, queries, repeats)
    views_rules: dict[str, Any] = {}
    if has_search and "views" in stages:
        log("saved views and rules ...")
        views_rules = views_and_rules_stage(lib, workdir, seed)
    first_paper = (lib.views.ids("all") or [1])[0]
    lib.close()

    cli: dict[str, Any] = {"available": False, "error": SKIPPED}
    if "cli" in stages:
        log("command-line start-up ...")
        cli = {"available": True, **measure_cli(data_dir, first_paper)}

    core: dict[str, Any] = {"available": False, "error": SKIPPED}
    if "core" in stages:
        log("memory (core child process) ...")
        core = probe("core", data_dir, {"queries": [q.text for q in queries]})
    gui_answer: dict[str, Any] = {"available": False, "error": SKIPPED}
    if "gui" in stages:
        log("GUI (offscreen child process) ...")
        write_bytecode_caches()
        gui_answer = probe("gui", data_dir, {"steps": NEXT_PAPER_STEPS})
        log("GUI start, library files out of the page cache ...")
        evicted = evict_page_cache(data_dir)
        cold = probe("gui", data_dir, {"steps": 3, "sorts": False})
        gui_answer["cold_start_to_interactive_s"] = cold.get("start_to_interactive_s")
        gui_answer["cold_files_evicted"] = evicted

    sizes = {
        "database_bytes": db_size(data_dir),
        "index_bytes": dir_size(data_dir / INDEX_DIR) if has_search else None,
        "fts5_file_bytes": fts["file_bytes"],
        "fts5_index_bytes": fts["index_bytes"],
        "source_bytes": dir_size(made["path"]),
    }
    ours_plain = summarise([q for q, c in zip(ours, queries, strict=False) if c.plain])
    ours_comparable = summarise(
        [q for q, c in zip(ours, queries, strict=False) if c.fts5 is not None]
    )
    report: dict[str, Any] = {
        "meta": {
            "papers": papers,
            "format": fmt,
            "stages": sorted(stages),
            "seed": seed,
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "cpus": os.cpu_count(),
            "index_workers": workers,
            "machine": platform.machine(),
            "search_repeats": repeats,
            "search_limit": SEARCH_LIMIT,
            "rare_name": rare,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "available": {"search": has_search, "gui": bool(gui_answer.get("available"))},
        "corpus": made["summary"],
        "import": imp,
        "states": states,
        "index": index_one,
        "index_parallel": index_many,
        "search": {
            "queries": ours,
            "all": summarise(ours),
            "plain": ours_plain,
            "fts5_comparable": ours_comparable,
        },
        "related": {
            "samples_ms": related,
            "p50_ms": percentile(related, 50) if related else None,
            "p95_ms": percentile(related, 95) if related else None,
        },
        "fts5": fts,
        "core_process": core,
        "cli": cli,
        "gui": gui_answer,
        "sizes": sizes,
        "views_rules": views_rules,
    }
    del corpus
    report["rows"] = [asdict(r) for r in build_rows(report)]
    return report


def _cpu_note(part: dict[str, Any]) -> str:
    rate = part.get("papers_per_cpu_s")
    note = f"{rate:,.0f} papers per CPU-second" if rate else ""
    if part.get("journal"):
        note += f"{'; ' if note else ''}journal {part['journal']}"
    return note


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    return ours / theirs if ours is not None and theirs else None


def _both(*checks: str) -> str:
    """One status from several: n/a when any is, miss when any misses."""
    if "n/a" in checks:
        return "n/a"
    return "miss" if "miss" in checks else "pass"


def _key(part: dict[str, Any] | None, key: str) -> float | None:
    return part[key] if part else None


def build_rows(report: dict[str, Any]) -> list[Row]:
    """The table: one row per measure, with FTS5, ratio, target and pass/miss."""
    rows: list[Row] = []
    imp = report["import"]
    snapshot = imp.get("format", "digests") == "jsonl"
    fts = report["fts5"]
    fts_skipped = "fts5 skipped" if fts.get("skipped") else ""
    rows.append(
        Row(
            "JSON-lines import" if snapshot else "SQLite import",
            imp["papers_per_s"],
            "papers/s",
            target=">= 20,000",
            status=status(imp["papers_per_s"], 20_000, True),
            note=_cpu_note(imp),
        )
    )
    if snapshot:
        rows.append(
            Row(
                "peak RSS, JSON-lines import",
                imp.get("rss_peak_mb"),
                "MB",
                note=f"child process; {imp['rss_before_mb']:.0f} MB before the import"
                + (
                    f"; {imp['readers']} reader processes, {imp['reader_rss_peak_mb']:.0f} MB "
                    "each at most"
                    if imp.get("readers") and imp.get("reader_rss_peak_mb")
                    else ""
                )
                if imp.get("rss_before_mb")
                else NOT_AVAILABLE,
            )
        )
    fts_rate = fts["index_papers_per_s"]
    for label, key, floor in (
        ("index build, 1 process", "index", 0.5),
        ("index build, worker processes", "index_parallel", 1.0),
    ):
        part = report.get(key) or {}
        rate = part.get("papers_per_s")
        ratio = _ratio(rate, fts_rate)
        note = SKIPPED if part.get("skipped", rate is None) else _cpu_note(part)
        if key == "index_parallel" and part.get("workers"):
            note = f"{part['workers']} workers; {note}"
        rows.append(
            Row(
                label,
                rate,
                "papers/s",
                fts5=fts_rate,
                ratio=ratio,
                target=f">= {floor:g}× FTS5",
                status=status(ratio, floor, True),
                note=" ".join(n for n in (note, fts_skipped) if n),
            )
        )
    search = report["search"]
    for label, key in (("p50", "p50_ms"), ("p95", "p95_ms")):
        ours_all = _key(search["all"], key)
        ratio = _ratio(_key(search["fts5_comparable"], key), _key(fts["all"], key))
        rows.append(
            Row(
                f"search {label}, all 20 queries",
                ours_all,
                "ms",
                fts5=_key(fts["all"], key),
                ratio=ratio,
                target="<= 50, <= 0.5× FTS5" if label == "p95" else "",
                status=_both(status(ours_all, 50, False), status(ratio, 0.5, False))
                if label == "p95"
                else "",
                note=(
                    "FTS5: the 17 it can express; ratio over those"
                    if ours_all is not None
                    else SKIPPED
                ),
            )
        )
    for label, key in (("p50", "p50_ms"), ("p95", "p95_ms")):
        ours_plain = _key(search["plain"], key)
        theirs = _key(fts["plain"], key)
        rows.append(
            Row(
                f"search {label}, plain words",
                ours_plain,
                "ms",
                fts5=theirs,
                ratio=_ratio(ours_plain, theirs),
                note="" if ours_plain is not None else SKIPPED,
            )
        )
    rel = report["related"]
    rows.append(
        Row(
            "related papers p50 / p95",
            rel["p50_ms"],
            "ms",
            target="p95 <= 100",
            status=status(rel["p95_ms"], 100.0, False),
            note=f"p95 {rel['p95_ms']:.1f} ms" if rel["p95_ms"] is not None else SKIPPED,
        )
    )
    gui = report["gui"]
    gui_note = "" if gui.get("available") else (gui.get("error") or NOT_AVAILABLE)[:60]
    start = gui.get("start_to_interactive_s")
    rows.append(
        Row(
            "GUI start to interactive",
            start,
            "s",
            target="<= 1",
            status=status(start, 1.0, False),
            note=gui_note,
        )
    )
    cold = gui.get("cold_start_to_interactive_s")
    rows.append(
        Row(
            "GUI start, library not in the page cache",
            cold,
            "s",
            target="<= 1",
            status=status(cold, 1.0, False),
            note=gui_note
            or (f"{gui['cold_files_evicted']} files evicted" if cold is not None else SKIPPED),
        )
    )
    step = gui.get("next_paper_median_ms")
    rows.append(
        Row(
            "next paper (j), median",
            step,
            "ms",
            target="<= 16",
            status=status(step, 16.0, False),
            note=gui_note or (f"p95 {gui['next_paper_p95_ms']:.1f} ms"),
        )
    )
    switch = gui.get("view_switch_median_ms")
    rows.append(
        Row(
            "view switch, median",
            switch,
            "ms",
            target="<= 100",
            status=status(switch, 100.0, False),
            note=gui_note,
        )
    )
    sort_max = gui.get("sort_all_max_ms")
    sorts = gui.get("sort_all_ms") or {}
    slowest = max(sorts, key=sorts.__getitem__) if sorts else None
    rows.append(
        Row(
            "sort All papers, slowest key",
            sort_max,
            "ms",
            target="<= 300",
            status=status(sort_max, 300.0, False),
            note=gui_note
            or (
                f"{slowest}; median over keys {gui['sort_all_median_ms']:.0f} ms"
                if slowest
                else SKIPPED
            ),
        )
    )
    counted = gui.get("first_count_s")
    stall = gui.get("first_count_gui_stall_max_ms")
    rows.append(
        Row(
            "first count after start, longest GUI-thread stall",
            stall,
            "ms",
            target="<= 100",
            status=status(stall, 100.0, False),
            note=gui_note
            or (
                f"count in after {counted:.2f} s; peak RSS then "
                f"{gui.get('rss_after_first_count_mb') or 0:.0f} MB"
                if counted is not None
                else "not measured"
            ),
        )
    )
    gui_rss = gui.get("rss_peak_mb")
    rows.append(
        Row(
            "peak RSS, GUI with library open",
            gui_rss,
            "MB",
            target="<= 300",
            status=status(gui_rss, 300.0, False),
            note=gui_note,
        )
    )
    core = report["core_process"]
    rows.append(
        Row(
            "peak RSS, core only (open, inbox, search)",
            core.get("rss_peak_mb"),
            "MB",
            note=""
            if core.get("searched")
            else (SKIPPED if core.get("error") == SKIPPED else "open + inbox only"),
        )
    )
    cli = report.get("cli") or {}
    for name, key in (("CLI `stats`", "stats_s"), ("CLI `mark ID --star`", "mark_s")):
        value = cli.get(key)
        rows.append(
            Row(
                name,
                value,
                "s",
                target="<= 0.15",
                status=status(value, 0.15, False),
                note=f"`python -c pass` {cli['python_pass_s']:.3f} s" if value else SKIPPED,
            )
        )
    sizes = report["sizes"]
    rows.append(Row("database on disk", sizes["database_bytes"] / 2**20, "MB"))
    index_mb = sizes["index_bytes"] / 2**20 if sizes["index_bytes"] is not None else None
    fts_mb = sizes["fts5_index_bytes"] / 2**20 if sizes["fts5_index_bytes"] is not None else None
    size_ratio = _ratio(index_mb, fts_mb)
    rows.append(
        Row(
            "search index on disk",
            index_mb,
            "MB",
            fts5=fts_mb,
            ratio=size_ratio,
            target="<= 1× FTS5",
            status=status(size_ratio, 1.0, False),
            note="" if index_mb is not None else NOT_AVAILABLE,
        )
    )
    rows += views_and_rules_rows(report)
    papers = report["meta"]["papers"]
    if papers != TARGET_PAPERS:
        for row in rows:
            if row.status in ("pass", "miss"):
                row.status += " *"
    return rows


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}" if value < 100 else f"{value:.0f}"


def format_table(report: dict[str, Any]) -> str:
    """The report's rows as a Markdown table."""
    lines = [
        "| measure | Digest Desk | FTS5 | ratio | target | result | note |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    for row in report["rows"]:
        value = _fmt(row["value"], 1 if row["unit"] != "s" else 2)
        unit = f" {row['unit']}" if row["value"] is not None else ""
        fts5 = f"{_fmt(row['fts5'])} {row['unit']}" if row["fts5"] is not None else ""
        ratio = f"{row['ratio']:.2f}×" if row["ratio"] is not None else ""
        lines.append(
            f"| {row['metric']} | {value}{unit} | {fts5} | {ratio} | {row['target']} "
            f"| {row['status']} | {row['note']} |"
        )
    meta = report["meta"]
    corpus = report["corpus"]
    lines.append("")
    source = (
        f"one JSON-lines snapshot of {corpus['bytes'] / 2**20:,.0f} MiB"
        if corpus.get("format") == "jsonl"
        else f"{corpus['entries']:,} entries in {corpus['files']:,} digest files"
    )
    lines.append(
        f"{meta['papers']:,} papers ({source}), "
        f"{meta['cpus']} CPUs (load average {', '.join(map(str, meta['load_average']))} "
        "at the end), "
        f"Python {meta['python']}, SQLite {meta['sqlite']}. "
        "Ratios are ours / FTS5 (latency: below 1 is faster; throughput: above 1 is faster)."
    )
    if meta["papers"] != TARGET_PAPERS:
        lines.append(f"* targets are set for {TARGET_PAPERS:,} papers.")
    return "\n".join(lines)


def child_main(kind: str, data_dir: Path, args: dict[str, Any]) -> int:
    """Entry point of a measuring child process: print one JSON line."""
    probes = {"core": probe_core, "gui": probe_gui, "import": probe_import}
    answer = probes[kind](data_dir, args)
    print(json.dumps(answer))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line: run the benchmark, print the table, write the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--out", type=Path, help="write the JSON report here")
    parser.add_argument("--workdir", type=Path, help="keep the digests and library here")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=SEARCH_REPEATS)
    parser.add_argument("--no-gui", action="store_true", help="skip the GUI measurements")
    parser.add_argument("--table", type=Path, help="print the table of an existing JSON report")
    parser.add_argument(
        "--format",
        choices=("digests", "jsonl"),
        default="digests",
        help="digest text files, or one arXiv metadata snapshot (JSON lines)",
    )
    parser.add_argument(
        "--only",
        help=f"comma-separated stages to run, of {','.join(STAGES)} (default: all)",
    )
    parser.add_argument(
        "--index-workers", type=int, help="worker processes of the parallel index build"
    )
    parser.add_argument("--probe", choices=("core", "gui", "import"), help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--probe-args", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        return child_main(args.probe, args.data_dir, json.loads(args.probe_args))
    if args.table:
        report = json.loads(args.table.read_text(encoding="utf-8"))
        report["rows"] = [asdict(r) for r in build_rows(report)]
        print(format_table(report))
        return 0
    only = {s.strip() for s in args.only.split(",") if s.strip()} if args.only else None
    options: dict[str, Any] = {
        "seed": args.seed,
        "repeats": args.repeats,
        "gui": not args.no_gui,
        "fmt": args.format,
        "only": only,
        "workers": args.index_workers,
    }
    if args.workdir:
        report = run_benchmark(args.papers, args.workdir, **options)
    else:
        with tempfile.TemporaryDirectory(prefix="digest-desk-bench-") as tmp:
            report = run_benchmark(args.papers, Path(tmp), **options)
    print()
    print(format_table(report))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"\nreport written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

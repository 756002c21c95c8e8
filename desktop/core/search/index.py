"""The full-text search index of a library: its lifecycle, its writes, and search dispatch.

SQLite is the truth; the index under ``<data_dir>/index/`` is a cache that is reconciled on
open (by per-paper version and annotation key), kept in sync from the library's Changes, and
rebuilt when missing or damaged (errors.py says precisely what counts as damage). Triage state,
digests and dates are filtered in SQLite (filter_sql.py), so a keypress in the GUI never
rewrites the index. While the index cannot be used, search answers from a slower LIKE scan of
SQLite. What is indexed is decided in documents.py, how queries are ranked in ranker.py,
snippets in snippets.py; every access to Whoosh's internals is in whoosh_segments.py.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from sqlite_utils import Database
from whoosh import index, scoring, writing
from whoosh.filedb.filestore import FileStorage
from whoosh.util.filelock import try_for

from desktop.core.models import Changes, PaperId
from desktop.core.search.candidate_checks import CandidateCheck, ExclusionCheck, FilterCheck
from desktop.core.search.documents import (
    INDEX_NAME,
    TEXT_FIELDS,
    annotated_ids,
    annotation_keys,
    build_documents,
    index_fields,
    make_schema,
    phrase_texts,
)
from desktop.core.search.errors import (
    DAMAGE_ERRORS,
    IndexFormatError,
    SearchCancelledError,
    internal_error,
    is_index_damage,
    strict,
)
from desktop.core.search.filter_sql import search_fallback, search_filters_only
from desktop.core.search.parallel_build import (
    BuildCancelledError,
    IndexBuildError,
    default_workers,
    slices_of,
    write_segments,
)
from desktop.core.search.query import And, Node, Not, Or, ParsedQuery, parse_query
from desktop.core.search.ranker import (
    Engine,
    holds_phrase,
    searchable,
    searches_default_fields,
    split_negations,
)
from desktop.core.search.related import related_docs, related_terms
from desktop.core.search.results import SearchResults
from desktop.core.search.snippets import MatchTerms, fill_hits, match_terms
from desktop.core.search.suggestions import suggest
from desktop.core.search.whoosh_segments import (
    PrivateRamStorage,
    WhooshAccess,
    add_documents,
    commit_segments,
    compatibility_problem,
    live_documents,
    segment_access,
)
from desktop.core.sql import chunks, int_array, marks

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]
# The clean-close stamp's contents: {"generation": N}.
Stamp = dict[str, Any]

INDEX_DIR = "index"
DEFAULT_LIMIT = 100
WRITE_TIMEOUT = 10.0
_BATCH = 1000
# Segments of fewer documents than this are small: the increments that imports and edits add.
# More than SMALL_SEGMENTS_KEPT of them are merged into one by the next write that may merge
# (merge_small); the large segments of a build are never merged (Whoosh's own policy would,
# after enough small ones: minutes and gigabytes at a million papers).
SMALL_SEGMENT_DOCS = 5_000
SMALL_SEGMENTS_KEPT = 6
# A full rebuild writes a segment per this many papers (the writer holds a segment's
# postings in memory: about 100 MB per 50,000 papers, in each worker process).
SEGMENT_DOCS = 50_000
# A build from scratch of more papers than this runs in worker processes (parallel_build.py);
# below it, starting the processes (about a second) costs more than they save.
PARALLEL_MIN_PAPERS = 2 * SEGMENT_DOCS
# A cancellable search asks its cancel function every this many SQLite steps.
SQL_CANCEL_STEPS = 2000
REBUILDING = "The search index is being rebuilt; related papers are unavailable."
SLOW_PATH = "Searching and indexing use Whoosh's own code instead: exact, but slower."

# Said once per process when the running Whoosh lacks what the fast paths need.
_compatibility_logged = False


# -- locking -----------------------------------------------------------------------------------
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def is_small(segment: Any) -> bool:
    """Whether a segment is one of the small ones merge_small merges."""
    return int(segment.doc_count_all()) < SMALL_SEGMENT_DOCS


def merge_small(writer: Any, segments: list[Any]) -> list[Any]:
    """A Whoosh merge policy (``writer.commit(mergetype=...)``): the small segments merged
    into the one being written when there are more than SMALL_SEGMENTS_KEPT; returns the
    segments kept as they are (every large one)."""
    from whoosh.reading import SegmentReader

    small = [seg for seg in segments if is_small(seg)]
    if len(small) <= SMALL_SEGMENTS_KEPT:
        return list(segments)
    for seg in small:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
    return [seg for seg in segments if not is_small(seg)]


def _process_lock(key: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


class BackgroundWriter(Protocol):
    """Writes the index copies of papers on a thread of its own (index_writer.py)."""

    def submit(self, ids: Iterable[int]) -> bool:
        """Write these papers' index copies from SQLite; False when it no longer runs."""
        ...

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until everything submitted is written; False on a timeout."""
        ...

    def stop(self, timeout: float) -> frozenset[int]:
        """Write what is pending, end; returns the papers left unwritten."""
        ...


# How long closing the index waits for the background writer to write what it was given.
CLOSE_WAIT = 10.0


class _NothingToDoError(Exception):
    """Raised inside a write to cancel it when nothing changed."""


class RebuildCancelledError(Exception):
    """A rebuild of the index was cancelled; the index is left empty (rebuilt later)."""


def _column_rows(reader: Any, names: Sequence[str], access: WhooshAccess) -> list[tuple[int, ...]]:
    """``(docnum, *values)`` of the numeric columns ``names`` for every live document."""
    rows: list[tuple[int, ...]] = []
    for segment, offset in reader.leaf_readers():
        if not segment.doc_count_all():
            continue
        cols = [access.numbers(segment, n) for n in names]
        rows.extend((offset + d, *(c[d] for c in cols)) for d in live_documents(segment, access))
    return rows


def _index_summary(reader: Any, access: WhooshAccess) -> tuple[int, int, int, dict[int, int]]:
    """Live documents' count, max and sum of paper ids, and the non-zero annotation keys.

    Read at every start: whole columns at a time as numpy arrays (no Python int per
    document: a million of them twice was 80 MB at each open), a few tens of milliseconds
    at a million papers.
    """
    import numpy as np

    count = top = total = 0
    akeys: dict[int, int] = {}
    for ids, keys in _live_columns(reader, access, ("docid", "akey")):
        count += len(ids)
        top = max(top, int(ids.max(initial=0)))
        total += int(ids.sum(dtype=np.int64))
        annotated = keys.nonzero()[0]
        akeys.update(zip(ids[annotated].tolist(), keys[annotated].tolist(), strict=True))
    return count, top, total, akeys


def _live_columns(reader: Any, access: WhooshAccess, names: Sequence[str]) -> Iterator[list[Any]]:
    """The numeric columns ``names`` of each segment's live documents, as int64 arrays."""
    import numpy as np

    for segment, _offset in reader.leaf_readers():
        count = segment.doc_count_all()
        if not count:
            continue
        columns = [access.number_array(segment, name) for name in names]
        dead = access.deleted(segment)
        if dead:
            live = np.setdiff1d(np.arange(count, dtype=np.int64), np.asarray(dead, np.int64))
            columns = [column[live] for column in columns]
        yield columns


def _stale_papers(db: Database, reader: Any, access: WhooshAccess) -> tuple[int, list[int] | None]:
    """How many papers SQLite holds, and the ids whose index documents are not as SQLite
    says, ascending: a paper with no document, another version or annotation key, or more
    than one document, and a document whose paper is gone. None instead of the ids when the
    index holds no document but SQLite holds papers (then everything is written).

    Compared as sorted numpy arrays (a reconcile after an unclean close, at a million
    papers: two dicts of a million entries and a set took the window to 520 MB)."""
    import numpy as np

    row = db.execute(
        "SELECT group_concat(id), group_concat(version) FROM (SELECT id, version FROM papers"
        " ORDER BY id)"
    ).fetchone()
    sql_ids, sql_versions = _narrow(int_array(row[0])), _narrow(int_array(row[1]))
    del row  # the texts (about 10 MB at a million papers) go before the arrays are made
    if len(sql_ids) != len(sql_versions):
        raise ValueError("paper versions do not line up with their ids")
    parts = [
        [_narrow(column) for column in columns]
        for columns in _live_columns(reader, access, ("docid", "ver", "akey"))
    ]
    if not parts or not sum(len(p[0]) for p in parts):
        return len(sql_ids), (None if len(sql_ids) else [])
    pids = np.concatenate([p[0] for p in parts])
    versions = np.concatenate([p[1] for p in parts])
    keys = np.concatenate([p[2] for p in parts])
    del parts
    held, first, copies = np.unique(pids, return_index=True, return_counts=True)
    del pids
    held_versions, held_keys = versions[first], keys[first]
    del versions, keys, first
    # Annotation keys are crc32s: uint32 when the index's are (else as wide as theirs).
    wanted_keys = np.zeros(
        len(sql_ids), dtype=held_keys.dtype if held_keys.dtype == np.uint32 else np.int64
    )
    annotated = np.fromiter(annotated_ids(db), dtype=np.int64)
    annotated = annotated[_sorted_in(sql_ids, annotated)]
    for pid, key in annotation_keys(db, set(annotated.tolist())).items():
        wanted_keys[np.searchsorted(sql_ids, pid)] = key
    at = np.minimum(np.searchsorted(held, sql_ids), len(held) - 1)
    same = held[at] == sql_ids
    same &= held_versions[at] == sql_versions
    same &= held_keys[at] == wanted_keys
    same &= copies[at] == 1
    del at, wanted_keys, held_versions, held_keys, copies
    gone = held[~_sorted_in(sql_ids, held)]
    stale = np.union1d(sql_ids[~same], gone)
    return len(sql_ids), [int(pid) for pid in stale]


def _narrow(values: Any) -> Any:
    """An int64 array as int32, or as uint32 when it has no negative value, if its values
    fit (half the memory: ids, versions and annotation keys at a million papers)."""
    import numpy as np

    if not len(values):
        return values
    low, high = int(values.min()), int(values.max())
    if low >= 0 and high <= 0xFFFFFFFF:
        return values.astype(np.uint32)
    if low >= -(2**31) and high < 2**31:
        return values.astype(np.int32)
    return values


def _sorted_in(ordered: Any, values: Any) -> Any:
    """Which of ``values`` are in ``ordered`` (ascending, no repeats): a bool array, by
    binary search (np.isin would sort both together again)."""
    import numpy as np

    if not len(ordered):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return ordered[at] == values


class SearchIndex:
    """The Whoosh index of one library; every write goes through ``_write``."""

    def __init__(self, db: Database, path: Path | None) -> None:
        self.db = db
        self.path = path
        self._ix: Any = None
        self._whoosh_fault_repaired = False  # see is_damage()
        self._searcher: Any = None
        self._engine: Engine | None = None
        self._corrector: Any = None
        self._lock_key = str(path.resolve()) if path is not None else f"ram:{id(self)}"
        self._pending: set[int] = set()
        self._needs_reconcile = False
        self._access: WhooshAccess | None = None
        self.broken_reason: str | None = None
        # A message for the user about the index itself (e.g. the slower path), or None.
        self.notice: str | None = None
        # True when open(defer_rebuild=True) left the index to be built by build_index().
        self.needs_rebuild = False
        # True when open(defer_reconcile=True) left the check against SQLite to
        # reconcile_index() on another connection (with taken_stamp, the stamp it took): the
        # index answers meanwhile (after a crash, papers it was not told of may be missing),
        # and leaves no clean-close stamp until checked_elsewhere().
        self.reconcile_due = False
        self.taken_stamp: Stamp | None = None
        # Set by open(defer_rebuild=True): damage found later is left to build_index() too.
        self.defer_rebuilds = False
        self.last_written = 0  # documents written by the last sync, for tests and benchmarks
        self.rebuilds = 0  # full rebuilds this object ran (reliability tests count them)
        self._cancel: CancelFn | None = None  # asked while the running search() runs
        # Writes annotation edits off the calling thread (write_in_background), or None.
        self._background: BackgroundWriter | None = None

    # -- opening and health ------------------------------------------------------------------
    @property
    def usable(self) -> bool:
        """True when searches are answered by the index (not the SQLite fallback).

        An index that missed a write (locked by another process, or the disk was full) is
        behind SQLite, so searches use the fallback until the next write or start catches up.
        """
        return self._ix is not None and self.broken_reason is None and not self._needs_reconcile

    @property
    def access(self) -> WhooshAccess:
        """How Whoosh's segments are read and written: fast, or (see ``notice``) public."""
        if self._access is None:
            self._access = segment_access()
            problem = compatibility_problem()
            if problem:
                global _compatibility_logged
                if not _compatibility_logged:
                    log.warning("%s. %s", problem, SLOW_PATH)
                    _compatibility_logged = True
                self.notice = f"{problem}. {SLOW_PATH}"
        return self._access

    @property
    def generation(self) -> int:
        """The generation of the index on disk (it grows with each commit); -1 when closed."""
        return -1 if self._ix is None else int(self._ix.latest_generation())

    def open(
        self,
        *,
        defer_rebuild: bool = False,
        defer_reconcile: bool = False,
        stamp: Stamp | None = None,
    ) -> None:
        """Open the index, rebuilding it when missing or damaged, then reconcile with SQLite.

        With ``defer_rebuild``, an index that has to be built from scratch (missing, damaged,
        of an older version, or empty while the library is not) is left alone: ``needs_rebuild``
        turns true, searches answer from SQLite, and :func:`build_index` builds it on another
        thread, after which ``open()`` again picks it up. A window can then show at once.
        With ``defer_reconcile``, the index is not compared with SQLite here: not even the
        clean-close check (a few hundred milliseconds at a million papers), let alone the full
        comparison after a crash (seconds). The clean-close stamp is taken (``taken_stamp``)
        and ``reconcile_due`` turns true; :func:`reconcile_index` then checks, on another
        connection, with that ``stamp``, and :meth:`checked_elsewhere` picks the result up.
        It also leaves the check that Whoosh has what the fast paths need to the first read.
        """
        self.needs_rebuild = False
        self.reconcile_due = False
        self.taken_stamp = None
        self.broken_reason = None
        self.defer_rebuilds = defer_rebuild and self.path is not None
        rebuild = self._defer if self.defer_rebuilds else self.rebuild_from_scratch
        if not defer_reconcile:
            # The compatibility check (once a process, 40-80 ms) before anything is read; a
            # window (defer_reconcile) leaves it to the first read, the first count's, on
            # its worker thread: ``access`` makes it there.
            _ = self.access
        try:
            self._open_existing()
        except FileNotFoundError:
            log.info("no search index yet; building it")
            rebuild()
            return
        except Exception as exc:
            if not is_index_damage(exc):
                raise
            log.warning("search index unusable (%s); rebuilding it", exc)
            rebuild()
            return
        try:
            saved = stamp if stamp is not None else self._take_stamp()
            if (
                rebuild == self._defer
                and not self._get_searcher().doc_count_all()
                and self.db.execute("SELECT 1 FROM papers LIMIT 1").fetchone()
            ):
                rebuild()  # an empty index (a cancelled build) of a library with papers
                return
            if defer_reconcile and self.path is not None:
                self.reconcile_due = True
                self.taken_stamp = saved
            elif self._stamp_matches(saved):
                self.last_written = 0  # closed cleanly and nothing changed since: no walk
            else:
                self.reconcile()
        except Exception as exc:  # damage that only shows when the postings are read
            if not is_index_damage(exc):
                raise
            log.warning("search index could not be reconciled (%s); rebuilding it", exc)
            rebuild()
            return
        if self._pending and self.usable:
            self.sync(())  # changes made while the index was being built elsewhere

    def checked_elsewhere(self) -> None:
        """Take up what :func:`reconcile_index` wrote for an index opened with
        ``defer_reconcile``: the next search reads the index as it is now, and the close
        leaves a clean-close stamp again."""
        self._close_searcher()
        self.reconcile_due = False
        self.taken_stamp = None

    def mark_broken(self, reason: str) -> None:
        """Stop answering from the index (searches use SQLite) until it is rebuilt."""
        log.warning("search index: %s", reason)
        self.broken_reason = reason
        self._close_searcher()

    def _rebuild_after_damage(self, reason: str) -> None:
        """Rebuild an index found damaged in use: at once, or (when the index was opened with
        ``defer_rebuild``) left to :func:`build_index` on another thread, as at open."""
        self.mark_broken(reason)
        if self.defer_rebuilds:
            self._defer()
        else:
            self.rebuild_from_scratch()

    def _defer(self) -> None:
        self._close_index()
        self.needs_rebuild = True
        self.broken_reason = "the search index is being rebuilt"

    def _open_existing(self) -> None:
        self._close_index()
        if self.path is None:
            if self._ix is None:
                self._ix = PrivateRamStorage().create_index(make_schema(), indexname=INDEX_NAME)
            return
        if not index.exists_in(str(self.path), indexname=INDEX_NAME):
            raise FileNotFoundError("no index of this version yet")
        ix = index.open_dir(str(self.path), indexname=INDEX_NAME)
        if set(ix.schema.names()) != set(make_schema().names()):
            raise IndexFormatError("index schema is from another version")
        self._ix = ix
        self._get_searcher().doc_count()  # open() then reads every column in reconcile()

    def rebuild_from_scratch(
        self,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
        *,
        workers: int = 1,
        segment_docs: int = SEGMENT_DOCS,
    ) -> None:
        """Throw the index files away and build them again from SQLite (a cancel propagates,
        and so does IndexBuildError, a worker process of a parallel build that died; other
        failures leave ``broken_reason`` set). With ``workers`` > 1 the segments are written
        by that many worker processes (see :meth:`rebuild`)."""
        self._close_index()
        self.broken_reason = None
        self.rebuilds += 1
        try:
            if self.path is None:
                self._ix = PrivateRamStorage().create_index(make_schema(), indexname=INDEX_NAME)
            else:
                with _process_lock(self._lock_key):
                    if self.path.exists():
                        shutil.rmtree(self.path)
                    self.path.mkdir(parents=True)
                    self._ix = FileStorage(str(self.path)).create_index(
                        make_schema(), indexname=INDEX_NAME
                    )
            self.rebuild(progress, cancel, workers=workers, segment_docs=segment_docs)
        except RebuildCancelledError:
            self.mark_broken("the search index rebuild was cancelled")
            raise
        except DAMAGE_ERRORS as exc:
            self.mark_broken(f"the search index could not be rebuilt ({exc})")

    # -- the clean-close stamp -----------------------------------------------------------
    # Reconciling reads every paper's version from SQLite (seconds at 100,000 papers). On
    # open, the index's paper ids and annotation keys are compared with SQLite's (cheap
    # aggregates), and versions are trusted when the last close left a stamp for this very
    # index generation. Opening removes the stamp, so after a crash (SQLite committed, the
    # index not) the next start reconciles everything.
    def _stamp_path(self) -> Path | None:
        return None if self.path is None else self.path / f"{INDEX_NAME}.stamp"

    def _take_stamp(self) -> Stamp | None:
        """The clean-close stamp, removed from disk (a crash from now on leaves none)."""
        stamp_path = self._stamp_path()
        if stamp_path is None or not stamp_path.exists():
            return None
        try:
            saved = json.loads(stamp_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = None
        with contextlib.suppress(OSError):
            stamp_path.unlink()
        return saved if isinstance(saved, dict) else None

    def _stamp_matches(self, saved: Stamp | None) -> bool:
        """True when the last close was clean (``saved`` is its stamp, for this very index
        generation) and ids and annotations agree with SQLite."""
        if saved is None or saved != {"generation": self.generation}:
            return False
        count, max_id, sum_id = self.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(SUM(id), 0) FROM papers"
        ).fetchone()
        held = _index_summary(self._get_searcher().reader(), self.access)
        held_count, held_max, held_sum, held_akeys = held
        if (count, max_id, sum_id) != (held_count, held_max, held_sum):
            return False
        return held_akeys == annotation_keys(self.db, annotated_ids(self.db))

    def forget_stamp(self) -> None:
        """Remove the clean-close stamp: the next open compares every paper with SQLite."""
        stamp_path = self._stamp_path()
        if stamp_path is not None:
            with contextlib.suppress(FileNotFoundError):
                stamp_path.unlink()

    def _write_stamp(self) -> None:
        stamp_path = self._stamp_path()
        if stamp_path is None or not self.usable or self._pending:
            return
        if self.reconcile_due and self.taken_stamp != {"generation": self.generation}:
            return  # unchecked, and written since: only the stamp taken, untouched, goes back
        try:
            stamp = {"generation": self.generation}
            tmp = stamp_path.with_suffix(".stamp.tmp")
            tmp.write_text(json.dumps(stamp), encoding="utf-8")
            os.replace(tmp, stamp_path)
        except DAMAGE_ERRORS as exc:  # no stamp only means a full reconcile on the next open
            log.warning("search index stamp not written (%s)", exc)

    def close(self, *, stamp: bool = True) -> None:
        """Close the searcher and the index, leaving a stamp when it is in sync (and
        ``stamp``: without one, the next open compares every paper, as after a crash).

        The background writer, if any, first writes what it was given (for at most
        CLOSE_WAIT seconds); what it leaves unwritten leaves no stamp either."""
        if self._background is not None:
            left = self._background.stop(CLOSE_WAIT)
            self._background = None
            if left:
                log.warning("%d papers left to index on the next start", len(left))
                stamp = False
        if stamp and self._ix is not None and self.path is not None:
            self._write_stamp()
        self._close_index()

    def _close_index(self) -> None:
        self._close_searcher()
        if self._ix is not None and self.path is not None:
            self._ix.close()
            self._ix = None

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(*DAMAGE_ERRORS):  # a damaged reader may fail to close
                self._searcher.close()
        self._searcher = None
        self._engine = None
        self._corrector = None

    def _get_searcher(self) -> Any:
        if self._searcher is None:
            self._searcher = self._ix.searcher(weighting=scoring.BM25F())
            self._engine, self._corrector = None, None
        elif not self._searcher.up_to_date():
            # Not refresh(): Whoosh-Reloaded 2.7.5 keeps merged-away segments in a refreshed
            # reader, so documents show up twice (tests/reliability/test_crash_index.py).
            self._searcher.close()
            self._searcher = self._ix.searcher(weighting=scoring.BM25F())
            self._engine, self._corrector = None, None
        return self._searcher

    def engine(self) -> Engine:
        """The query evaluator over the current searcher, ready for a new query."""
        searcher = self._get_searcher()
        if self._engine is None or self._engine.searcher is not searcher:
            self._engine = Engine(searcher, functools.partial(phrase_texts, self.db), self.access)
        self._engine.new_query(self._cancel)
        return self._engine

    def warm_up(self) -> None:
        """Get ready for a first search (imports numpy, reads the document ids): a GUI calls
        this when idle, so the first keystroke of a search does not wait for it."""
        if self.usable:
            self.engine()

    # -- index state -------------------------------------------------------------------------
    def held_state(self) -> dict[int, tuple[int, int, int]]:
        """Paper id -> (version, annotation key, copies) as the index holds them."""
        return self._state(self._get_searcher())

    def _state(self, searcher: Any) -> dict[int, tuple[int, int, int]]:
        state: dict[int, tuple[int, int, int]] = {}
        rows = _column_rows(searcher.reader(), ("docid", "ver", "akey"), self.access)
        for _docnum, pid, ver, akey in rows:
            copies = state[pid][2] + 1 if pid in state else 1
            state[pid] = (ver, akey, copies)
        return state

    def _state_for(self, searcher: Any, ids: Iterable[int]) -> dict[int, tuple[int, int, int]]:
        reader = searcher.reader()
        if not reader.doc_count_all():
            return {}
        vers = reader.column_reader("ver")
        akeys = reader.column_reader("akey")
        state: dict[int, tuple[int, int, int]] = {}
        for pid in ids:
            nums = list(searcher.document_numbers(pid=str(pid)))
            if nums:
                state[pid] = (vers[nums[0]], akeys[nums[0]], len(nums))
        return state

    def is_damage(self, exc: BaseException) -> bool:
        """Whether ``exc`` means a damaged index (see errors.py), which a rebuild repairs.

        An error Whoosh's own code raises while reading its files counts once per index: if
        it comes back after the rebuild, a rebuild does not repair it and it is a bug.
        """
        if not is_index_damage(exc):
            return False
        whoosh_fault = not isinstance(exc, DAMAGE_ERRORS)
        if whoosh_fault and self._whoosh_fault_repaired:
            return False  # back after the rebuild, which therefore does not repair it
        self._whoosh_fault_repaired |= whoosh_fault
        return True

    # -- writing -----------------------------------------------------------------------------
    def write_in_background(self, writer: BackgroundWriter) -> None:
        """Hand the index updates of annotation edits to ``writer`` from now on (see
        index_writer.py); :meth:`close` stops it."""
        if self._background is not None:
            self._background.stop(CLOSE_WAIT)
        self._background = writer

    @property
    def background(self) -> BackgroundWriter | None:
        """The writer annotation edits are handed to (write_in_background), or None."""
        return self._background

    def background_failed(self, reason: str) -> None:
        """The background writer could not write (any thread may call this): searches answer
        from SQLite until the next write here catches up with it."""
        log.warning("search index: background update failed: %s", reason)
        self._needs_reconcile = True

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until the background writer wrote what it was given (True at once without
        one); False on a timeout."""
        return self._background is None or self._background.wait_idle(timeout)

    def _in_background(self, changes: Changes) -> bool:
        """Hand an annotation edit's papers to the background writer if there is one, the
        index is in step, and the edit is committed (the writer reads its own connection)."""
        return (
            self._background is not None
            and bool(changes.papers)
            and changes.annotations
            and not changes.library
            and self.usable
            and not self._pending
            and not self.db.conn.in_transaction
            and self._background.submit(changes.papers)
        )

    def on_changes(self, changes: Changes) -> None:
        """Library listener: reindex papers whose text or annotations changed (annotation
        edits on the background writer's thread, when there is one)."""
        if not changes.indexed_text:
            return
        if self._ix is None:
            # Written while the index is not open here (a CLI command that does not search):
            # the last close's stamp no longer tells the truth, so the next open compares.
            self.forget_stamp()
        if self._in_background(changes):
            return
        try:
            if changes.papers:
                self.sync(changes.papers)
            else:
                self.reconcile()
        except Exception as exc:  # noqa: BLE001 - sorted into damage and bugs just below
            if self.is_damage(exc):  # e.g. a full disk: SQLite holds the data, index catches up
                self._needs_reconcile = True
                self.mark_broken(f"the search index could not be updated ({exc})")
                return
            log.exception("search index update failed (a bug, not damage)")
            self._needs_reconcile = True
            self.mark_broken(internal_error(exc))
            if strict():
                raise

    def sync(self, ids: Iterable[int], *, merge: bool = True) -> int:
        """Write the papers among ``ids`` whose index copy is missing or stale; delete gone ones.

        Returns how many documents were written. Without ``merge`` the commit adds its segment
        without merging small ones (the background writer merges them later).
        """
        wanted = set(int(i) for i in ids) | self._pending
        if self._needs_reconcile:
            return self.reconcile()
        if self._ix is None or self.broken_reason is not None:
            self._pending |= wanted
            return 0
        return self._write_changed(sorted(wanted), full=False, merge=merge)

    def reconcile(self) -> int:
        """Bring the whole index in line with SQLite; returns how many documents were written.

        The comparison runs without the write lock; only papers found stale are then
        rechecked and written under it.
        """
        if self._ix is None:
            return 0
        self._needs_reconcile = False
        papers, stale = _stale_papers(self.db, self._get_searcher().reader(), self.access)
        if stale is None:
            return self._write_changed(None, full=True)  # empty index: one bulk write
        if not stale:
            self.last_written = 0
            return 0
        return self._write_changed(stale, full=len(stale) > papers // 2)

    def rebuild(
        self,
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
        *,
        workers: int = 1,
        segment_docs: int = SEGMENT_DOCS,
    ) -> int:
        """Rewrite every document from SQLite, a segment per ``segment_docs`` papers in id
        order; returns the count.

        ``progress(done, total, label)`` is called after each batch of papers; when
        ``cancel()`` turns true, the write is abandoned (RebuildCancelledError). With
        ``workers`` > 1, an index on disk read and written by the fast paths, and more than one
        segment to write, the segments are written by worker processes (parallel_build.py)
        and committed together: the same segments, term by term, as one process writes.
        """
        if self._ix is None:
            self.rebuild_from_scratch(progress, cancel, workers=workers, segment_docs=segment_docs)
            return self.last_written
        ids = [r[0] for r in self.db.execute("SELECT id FROM papers ORDER BY id")]
        db_path = self._database_path()
        if workers > 1 and db_path is not None and self.access.fast and len(ids) > segment_docs:
            return self._rebuild_in_processes(ids, db_path, workers, segment_docs, progress, cancel)
        written = 0

        def work(writer: Any, searcher: Any, part: list[int]) -> int:
            nonlocal written
            for start in range(0, len(part), _BATCH):
                if cancel is not None and cancel():
                    raise RebuildCancelledError
                docs = build_documents(self.db, part[start : start + _BATCH]).values()
                add_documents(writer, [index_fields(doc) for doc in docs])
                written += len(docs)
                if progress is not None:
                    progress(written, len(ids), "Indexing")
            return written

        # A segment per segment_docs papers keeps the writer's memory bounded; the first
        # commit replaces the old index, and no later one merges segments (so the segments
        # are those a parallel build writes).
        parts = [ids[i : i + segment_docs] for i in range(0, len(ids), segment_docs)] or [[]]
        for n, part in enumerate(parts):
            self._write(functools.partial(work, part=part), clear=n == 0, merge=False)
        self.last_written = written
        return written

    def _database_path(self) -> Path | None:
        """The file of the library database, or None for one in memory."""
        for _seq, name, file in self.db.execute("PRAGMA database_list").fetchall():
            if name == "main" and file:
                return Path(file)
        return None

    def _rebuild_in_processes(
        self,
        ids: list[int],
        db_path: Path,
        workers: int,
        segment_docs: int,
        progress: ProgressFn | None,
        cancel: CancelFn | None,
    ) -> int:
        """Write the segments in worker processes, then commit them as the whole index."""
        assert self.path is not None
        lock = _process_lock(self._lock_key)
        if not lock.acquire(timeout=WRITE_TIMEOUT):
            raise IndexBuildError("the search index is being written by another thread")
        try:
            index_lock = self._ix.lock("WRITELOCK")
            if not try_for(index_lock.acquire, timeout=WRITE_TIMEOUT, delay=0.1):
                raise IndexBuildError("the search index is locked by another process")
            try:
                segments = write_segments(
                    db_path,
                    self.path,
                    slices_of(ids, segment_docs),
                    workers=workers,
                    total=len(ids),
                    progress=progress,
                    cancel=cancel,
                )
                self._close_searcher()
                commit_segments(self._ix, segments)
            except BuildCancelledError:
                raise RebuildCancelledError from None
            except IndexBuildError as exc:
                self.mark_broken(f"the search index could not be built ({exc})")
                raise
            finally:
                index_lock.release()
        finally:
            lock.release()
        self._pending.clear()
        self.broken_reason = None
        self.last_written = len(ids)
        return len(ids)

    def _versions(self, ids: list[int]) -> dict[int, int]:
        out: dict[int, int] = {}
        for chunk in chunks(ids):
            rows = self.db.execute(
                f"SELECT id, version FROM papers WHERE id IN ({marks(len(chunk))})", list(chunk)
            )
            out.update(rows.fetchall())
        return out

    def _write_changed(self, ids: list[int] | None, *, full: bool, merge: bool = True) -> int:
        def work(writer: Any, searcher: Any) -> int:
            if full or ids is None:
                sql = dict(self.db.execute("SELECT id, version FROM papers").fetchall())
                held = self._state(searcher)
            else:
                sql = self._versions(ids)
                held = self._state_for(searcher, ids)
            akeys = annotation_keys(self.db, set(sql))
            stale = sorted(
                pid
                for pid in sql
                if held.get(pid) is None
                or held[pid][0] != sql[pid]
                or held[pid][1] != akeys.get(pid, 0)
                or held[pid][2] != 1
            )
            gone = [pid for pid in held if pid not in sql]
            for pid in gone:
                writer.delete_by_term("pid", str(pid))
            written = 0
            for start in range(0, len(stale), _BATCH):
                chunk = stale[start : start + _BATCH]
                docs = build_documents(self.db, chunk)
                for pid in docs:  # an update: the old document goes, the new one is added
                    if pid in held:
                        writer.delete_by_term("pid", str(pid))
                add_documents(writer, [index_fields(doc) for doc in docs.values()])
                written += len(docs)
            if not written and not gone:
                raise _NothingToDoError(0)
            return written

        return self._write(work, merge=merge)

    def _write(self, work: Any, *, clear: bool = False, merge: bool = True) -> int:
        """Run ``work(writer, searcher)`` under the process lock and the index lock, commit.

        The index lock is taken here rather than by Whoosh's writer, so that it is released
        even when the writer fails to start or to commit (a full disk); otherwise it would stay
        held by this process and block every later write.
        """
        lock = _process_lock(self._lock_key)
        if not lock.acquire(timeout=WRITE_TIMEOUT):
            self._needs_reconcile = True
            return 0
        try:
            index_lock = self._ix.lock("WRITELOCK")
            if not try_for(index_lock.acquire, timeout=WRITE_TIMEOUT, delay=0.1):
                log.warning("search index is locked by another process; will catch up later")
                self._needs_reconcile = True
                return 0
            try:
                writer = self.access.writer(self._ix, TEXT_FIELDS)
                try:
                    with self._ix.searcher() as searcher:
                        count = work(writer, searcher)
                    mergetype = merge_small if merge else writing.NO_MERGE
                    writer.commit(mergetype=writing.CLEAR if clear else mergetype)
                    self._pending.clear()
                except _NothingToDoError:
                    writer.cancel()
                    count = 0
                except BaseException:
                    with contextlib.suppress(*DAMAGE_ERRORS):  # cancelling fails on a full disk
                        writer.cancel()
                    raise
            finally:
                index_lock.release()
        finally:
            lock.release()
        self.last_written = count
        self.broken_reason = None
        return count

    # -- searching ---------------------------------------------------------------------------
    def search(
        self, text: str, *, limit: int | None = DEFAULT_LIMIT, cancel: CancelFn | None = None
    ) -> SearchResults:
        """Search the library; never raises (outside strict mode, see errors.py), except
        SearchCancelledError once ``cancel()`` turns true while the search runs.

        A damaged index is rebuilt (once) and the search run again; a bug leaves the index
        alone and returns results whose ``error`` says the search failed. ``cancel`` is asked
        often (ranker.py says where, and SQLite every few thousand steps of a statement), so
        an overtaken search stops within milliseconds.
        """
        parsed = parse_query(text)
        results = SearchResults(text, notice=" ".join(parsed.notices) or None)
        if parsed.empty or (limit is not None and limit < 1):
            return results
        self._cancel = cancel
        if cancel is not None:
            self.db.conn.set_progress_handler(lambda: int(cancel()), SQL_CANCEL_STEPS)
        try:
            self._search(parsed, results, limit)
        except SearchCancelledError:
            raise
        except Exception as exc:
            if cancel is not None and cancel():
                raise SearchCancelledError from exc  # SQLite's "interrupted", or what followed
            log.exception("search of %r failed (a bug, not index damage)", text)
            self._report_bug(results, exc)
        finally:
            self._cancel = None
            if cancel is not None:
                self.db.conn.set_progress_handler(None, 0)
        if cancel is not None and cancel():
            raise SearchCancelledError
        return results

    def _report_bug(self, results: SearchResults, exc: Exception) -> None:
        """Raise a bug found while searching in strict mode, else put it in the results."""
        if strict():
            raise exc
        results.hits.clear()
        results.suggestion = None
        results.error = internal_error(exc)
        results.add_notice(results.error)

    def _search(self, parsed: ParsedQuery, results: SearchResults, limit: int | None) -> None:
        notice = results.notice
        if self.usable:
            try:
                self._search_index(parsed, results, limit)
                return
            except Exception as exc:  # noqa: BLE001 - a bug is raised again at once
                if not self.is_damage(exc):
                    raise
                self._rebuild_after_damage(f"search failed ({exc})")
            results.hits.clear()
            results.notice = notice
            if self.usable:
                try:
                    self._search_index(parsed, results, limit)
                    return
                except DAMAGE_ERRORS as exc:  # still damaged: no second rebuild
                    self.mark_broken(f"search failed after a rebuild ({exc})")
                    results.hits.clear()
                    results.notice = notice
        search_fallback(self.db, parsed, results, limit)

    def _search_index(self, parsed: ParsedQuery, results: SearchResults, limit: int | None) -> None:
        if parsed.text is None:
            assert parsed.filters is not None
            search_filters_only(self.db, parsed.filters, results, limit)
            return
        if not searchable(parsed.text):
            results.add_notice("Only common words; nothing to search for.")
            return
        engine = self.engine()
        # Top-level exclusions (``-word``) become a mask of documents; a negated phrase stays
        # in the query, so that only the best candidates are checked for it (finding every
        # paper that holds it would read thousands).
        text_node, negated = split_negations(parsed.text)
        masked = [n for n in negated if not holds_phrase(n)]
        phrased = [n for n in negated if holds_phrase(n)]
        if phrased:
            text_node = And((text_node, *(Not(n) for n in phrased)))
        # The filters and the exclusions are asked of the best candidates only, a batch at a
        # time, while that costs less than listing every paper they keep (candidate_checks.py).
        checks: list[CandidateCheck] = []
        if parsed.filters is not None:
            checks.append(FilterCheck(self.db, parsed.filters, engine))
        if masked:
            excluded = masked[0] if len(masked) == 1 else Or(tuple(masked))
            checks.append(ExclusionCheck(self.db, excluded, engine))
        deny = None
        # Phase 1: papers whose title holds the words rank first. Phase 2, only when phase 1
        # did not fill the limit: every other match, ranked by BM25F over all fields.
        found: list[tuple[int, float]] = []
        if searches_default_fields(text_node):
            found = engine.top(text_node, limit, None, deny, title_only=True, checks=checks)
        if limit is None or len(found) < limit:
            if found:
                deny = engine.docs_for_docnums([d for d, _ in found])
            rest = None if limit is None else limit - len(found)
            found += engine.top(text_node, rest, None, deny, checks=checks)
        for notice in engine.notices:
            results.add_notice(notice)
        scored = [(PaperId(int(engine.docids[d])), float(score)) for d, score in found]
        engine.check_cancelled()  # before the snippets, then before looking for a suggestion
        fill_hits(self.db, results, scored, match_terms(parsed.text))
        if not results.hits and parsed.words:
            engine.check_cancelled()
            base = " ".join(parsed.words) if parsed.degraded else results.query
            results.suggestion = self._suggest(base, parsed)

    def _suggest(self, original: str, parsed: ParsedQuery) -> str | None:
        """A corrected query that finds something, from the words of the indexed abstracts."""
        searcher = self._get_searcher()
        if self._corrector is None:
            self._corrector = searcher.corrector("abstract")
        return suggest(searcher, self._corrector, self.engine(), original, parsed)

    def matching_ids(self, text: Node) -> list[PaperId] | None:
        """Every paper whose indexed text matches a text tree, unranked (saved views and
        rules count these); None while the index cannot answer (damaged, being rebuilt)."""
        found = self.matching_array(text)
        return None if found is None else cast(list[PaperId], found.tolist())

    def matching_array(self, text: Node) -> np.ndarray | None:
        """:meth:`matching_ids` as an int64 array (no Python int per paper: a common word
        matches hundreds of thousands at a million papers)."""
        if not self.usable:
            return None
        try:
            engine = self.engine()
            mask = engine.matching(text)
            return cast("np.ndarray", engine.docids[mask]).astype("int64", copy=False)
        except Exception as exc:
            if not self.is_damage(exc):
                raise
            self._rebuild_after_damage(f"search failed ({exc})")
            return None

    # -- related -----------------------------------------------------------------------------
    def related(self, paper_id: int, *, limit: int = 10) -> SearchResults:
        """The papers most like ``paper_id`` by title and abstract, without the paper itself.

        Never raises (outside strict mode); the same error boundary as :meth:`search`.
        """
        results = SearchResults(f"related:{paper_id}")
        try:
            self._related(paper_id, limit, results)
        except Exception as exc:
            log.exception("related papers of %s failed (a bug, not index damage)", paper_id)
            self._report_bug(results, exc)
        return results

    def _related(self, paper_id: int, limit: int, results: SearchResults) -> None:
        row = self.db.execute(
            "SELECT title, abstract FROM papers WHERE id = ?", [paper_id]
        ).fetchone()
        if row is None:
            results.notice = f"No paper with id {paper_id}."
            return
        if not self.usable:
            results.notice = REBUILDING
            results.fallback = True
            return
        title, abstract = row
        try:
            engine = self.engine()
            terms = related_terms(engine, title, abstract)
            scored = related_docs(engine, terms, paper_id, limit)
        except Exception as exc:  # noqa: BLE001 - a bug is raised again at once
            if not self.is_damage(exc):
                raise
            self._rebuild_after_damage(f"related failed ({exc})")
            results.notice = REBUILDING
            results.fallback = True
            return
        stems = frozenset(term for _f, term, _b in terms)
        fill_hits(self.db, results, [(PaperId(p), s) for p, s in scored], MatchTerms(stems, ()))


def reconcile_index(db_path: Path, index_path: Path, stamp: Stamp | None) -> int | None:
    """Check the index at ``index_path`` against the database at ``db_path`` as an open does
    (``stamp``: the clean-close stamp the library's own open took), writing what differs, on
    a connection of its own (any thread may call it). Returns the documents written, or None
    when the index must be built again instead. Leaves no stamp: the library that asked is
    still open, and its close writes one."""
    from desktop.core import store  # the library's connection settings

    db = store.connect(db_path, check=False)  # the library's open checks integrity
    try:
        index = SearchIndex(db, index_path)
        try:
            index.open(defer_rebuild=True, stamp=stamp)  # a missing or damaged one is left
            return None if index.needs_rebuild or not index.usable else index.last_written
        finally:
            index.close(stamp=False)
    finally:
        db.close()


def build_index(
    db_path: Path,
    index_path: Path,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    *,
    workers: int | None = None,
    segment_docs: int = SEGMENT_DOCS,
) -> int:
    """Build the index of the database at ``db_path`` from scratch, on a connection of its own
    (so any thread may call it); returns how many papers were indexed.

    ``workers`` worker processes write the segments (default: one per CPU when the library
    has over PARALLEL_MIN_PAPERS papers, else none: this process writes them). Raises
    RebuildCancelledError when cancelled, and RuntimeError (IndexBuildError when a worker
    process died) when it could not be built; the index is then left empty, to be built again.
    """
    from desktop.core import store  # the library's connection settings

    # No integrity check here: the library's open (or its background check) does that.
    db = store.connect(db_path, check=False)
    try:
        built = SearchIndex(db, index_path)
        if workers is None:
            (count,) = db.execute("SELECT COUNT(*) FROM papers").fetchone()
            workers = default_workers() if count > PARALLEL_MIN_PAPERS else 1
        try:
            built.rebuild_from_scratch(progress, cancel, workers=workers, segment_docs=segment_docs)
            if built.broken_reason is not None:
                raise RuntimeError(built.broken_reason)
            return built.last_written
        finally:
            built.close()
    finally:
        db.close()

"""The full-text search index: a Whoosh index derived from SQLite, with a SQLite fallback.

SQLite is the truth; the index under ``<data_dir>/index/`` is a cache that is reconciled on
open (by per-paper version and annotation key), kept in sync from the library's Changes, and
rebuilt when missing or damaged. Triage state, digests and dates are filtered in SQLite, so a
keypress in the GUI never rewrites the index. While the index cannot be used, search answers
from a slower LIKE scan of SQLite.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from whoosh import columns, index, query, scoring, writing
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import COLUMN, ID, KEYWORD, TEXT, Schema
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.spelling import Corrector
from whoosh.util.filelock import try_for

from desktop.core.models import Changes, PaperId
from desktop.core.search.index_writer import WORD_PATTERN, FastSegmentWriter, analyze, load_numbers
from desktop.core.search.query import (
    And,
    Filter,
    Node,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Word,
    parse_query,
)

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]

# Snippet term markers: plain control characters that imported text never keeps.
MARK_START = "\x02"
MARK_END = "\x03"

INDEX_DIR = "index"
# The index name carries the schema version: an index of another version is rebuilt.
INDEX_NAME = "SEARCH4"
TITLE_BOOST = 3.0
DEFAULT_LIMIT = 100
WRITE_TIMEOUT = 10.0
SNIPPET_CHARS = 220
RELATED_TERMS = 10
RELATED_MAX_DF_SHARE = 0.03
RELATED_MIN_DF = 30
_BATCH = 1000
# A full rebuild writes a segment per this many papers (the writer holds a segment's
# postings in memory: about 100 MB per 50,000 papers).
SEGMENT_DOCS = 50_000

# No stemming: phrases stay exact, prefix* works on real words, and the spelling corrector
# suggests real words; indexing is also faster. Text fields are written with
# index_writer.analyze, which gives the same terms much faster.
# Words are runs of letters and digits (Whoosh's default pattern also keeps "*", so "**bold**"
# Markdown would be the word "**bold**").
ANALYZER = StandardAnalyzer(expression=WORD_PATTERN, minsize=1)
# Free text matched by plain words, with its weight relative to the abstract.
DEFAULT_FIELDS = {"title": TITLE_BOOST, "abstract": 1.0, "note": 1.0, "highlight": 1.0}
PHRASE_FIELDS = ("title", "abstract", "note", "highlight")
TEXT_FIELDS = frozenset(PHRASE_FIELDS)
_MARKS_RE = re.compile(f"[{MARK_START}{MARK_END}]")


def make_schema() -> Schema:
    """The index schema: ids and versions as columns, no stored text (SQLite has it).

    Text fields keep word frequencies but no positions: phrases are checked in the text
    (search_engine.py), which makes the index smaller and much faster to write.
    """
    return Schema(
        pid=ID(unique=True),
        docid=COLUMN(columns.NumericColumn("q")),
        ver=COLUMN(columns.NumericColumn("q")),
        akey=COLUMN(columns.NumericColumn("Q")),
        title=TEXT(analyzer=ANALYZER, phrase=False),
        abstract=TEXT(analyzer=ANALYZER, phrase=False),
        note=TEXT(analyzer=ANALYZER, phrase=False),
        highlight=TEXT(analyzer=ANALYZER, phrase=False),
        tag=KEYWORD(lowercase=True, commas=True, scorable=True),
        color=KEYWORD(lowercase=True),
        has=KEYWORD(),
    )


def split_marked(snippet: str) -> list[tuple[str, bool]]:
    """Split a snippet into ``(text, is_match)`` parts, so a front end can style matches."""
    parts: list[tuple[str, bool]] = []
    for n, chunk in enumerate(re.split(f"{MARK_START}|{MARK_END}", snippet)):
        if chunk:
            parts.append((chunk, n % 2 == 1))
    return parts


def strip_marks(snippet: str) -> str:
    """A snippet without its term markers."""
    return _MARKS_RE.sub("", snippet)


@dataclass(frozen=True)
class SearchHit:
    """One ranked result: the paper, its score and a snippet with marked terms."""

    id: PaperId
    title: str
    score: float
    snippet: str

    def to_json(self) -> dict[str, Any]:
        """A plain dict for --json output (the snippet keeps its markers)."""
        return {
            "id": int(self.id),
            "title": self.title,
            "score": self.score,
            "snippet": self.snippet,
        }


@dataclass
class SearchResults:
    """Ranked hits for a query, with a notice for degraded queries and a spelling suggestion."""

    query: str
    hits: list[SearchHit] = field(default_factory=list)
    notice: str | None = None
    suggestion: str | None = None
    fallback: bool = False  # answered by the SQLite scan, not the index

    @property
    def ids(self) -> list[PaperId]:
        """Paper ids, best first."""
        return [h.id for h in self.hits]

    def __len__(self) -> int:
        return len(self.hits)


# -- documents ---------------------------------------------------------------------------------
def _table_columns(db: Database, table: str) -> list[str]:
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
    ).fetchone()
    if not exists:
        return []
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def _pick(cols: list[str], *names: str) -> str | None:
    return next((n for n in names if n in cols), None)


@dataclass
class _AnnotationText:
    note: str = ""
    highlights: list[str] = field(default_factory=list)
    colors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _annotation_text(db: Database, ids: Sequence[int]) -> dict[int, _AnnotationText]:
    """Notes, highlights and tags for ``ids``, read only from the tables that exist."""
    out: dict[int, _AnnotationText] = {}
    if not ids:
        return out
    marks = _marks(len(ids))

    def get(pid: int) -> _AnnotationText:
        return out.setdefault(pid, _AnnotationText())

    try:
        cols = _table_columns(db, "notes")
        body = _pick(cols, "body", "text", "note", "markdown", "content")
        if body and "paper_id" in cols:
            for pid, text in db.execute(
                f"SELECT paper_id, {body} FROM notes WHERE paper_id IN ({marks})", list(ids)
            ):
                if text and text.strip():
                    get(pid).note = text
        cols = _table_columns(db, "highlights")
        if "paper_id" in cols:
            quote = _pick(cols, "quote", "text")
            note = _pick(cols, "note", "comment")
            color = _pick(cols, "color", "colour")
            fields = [c or "NULL" for c in (quote, note, color)]
            order = "id" if "id" in cols else "rowid"
            for pid, q, n, c in db.execute(
                f"SELECT paper_id, {', '.join(fields)} FROM highlights "
                f"WHERE paper_id IN ({marks}) ORDER BY {order}",
                list(ids),
            ):
                ann = get(pid)
                ann.highlights.append(" ".join(t for t in (q, n) if t))
                if c:
                    ann.colors.append(str(c))
        pt_cols = _table_columns(db, "paper_tags")
        tag_cols = _table_columns(db, "tags")
        if "paper_id" in pt_cols:
            tag_name = _pick(tag_cols, "name", "tag", "label")
            direct = _pick(pt_cols, "tag", "name")
            if "tag_id" in pt_cols and tag_name and "id" in tag_cols:
                sql = (
                    f"SELECT pt.paper_id, t.{tag_name} FROM paper_tags pt "
                    f"JOIN tags t ON t.id = pt.tag_id WHERE pt.paper_id IN ({marks})"
                )
            elif direct:
                sql = f"SELECT paper_id, {direct} FROM paper_tags WHERE paper_id IN ({marks})"
            else:
                sql = ""
            if sql:
                for pid, name in db.execute(sql, list(ids)):
                    if name:
                        get(pid).tags.append(str(name))
    except sqlite3.Error as exc:  # an annotation schema this version cannot read
        log.warning("annotations not indexed: %s", exc)
    return out


def annotated_ids(db: Database) -> set[int]:
    """Ids of papers that have a note, a highlight or a tag."""
    found: set[int] = set()
    for table in ("notes", "highlights", "paper_tags"):
        if "paper_id" in _table_columns(db, table):
            found.update(r[0] for r in db.execute(f"SELECT DISTINCT paper_id FROM {table}"))
    return found


def build_documents(db: Database, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The index documents for papers ``ids`` (missing ids are left out).

    This is the one place that decides what the index holds for a paper.
    """
    docs: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        rows = db.execute(
            f"SELECT id, title, abstract, version FROM papers WHERE id IN ({_marks(len(chunk))})",
            chunk,
        ).fetchall()
        notes = _annotation_text(db, [r[0] for r in rows])
        for pid, title, abstract, version in rows:
            docs[pid] = _document(pid, title, abstract, version, notes.get(pid))
    return docs


def _document(
    pid: int, title: str, abstract: str, version: int, ann: _AnnotationText | None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "pid": str(pid),
        "docid": pid,
        "ver": version,
        "akey": 0,
        "title": title,
        "abstract": abstract,
    }
    if ann is not None:
        has = [
            n
            for n, on in (("note", ann.note), ("highlight", ann.highlights), ("tag", ann.tags))
            if on
        ]
        tags = ",".join(t.replace(",", " ") for t in ann.tags)
        text = "\n".join([ann.note, *ann.highlights])
        doc["akey"] = (
            zlib.crc32("\x1f".join([ann.note, *ann.highlights, tags, *ann.colors]).encode("utf-8"))
            or 1
        )
        if ann.note:
            doc["note"] = ann.note
        if ann.highlights:
            doc["highlight"] = "\n".join(ann.highlights)
        if tags:
            doc["tag"] = tags
        if ann.colors:
            doc["color"] = " ".join(ann.colors)
        if has:
            doc["has"] = " ".join(has)
        doc["_annotation_text"] = text
    return doc


def _index_doc(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


# -- locking -----------------------------------------------------------------------------------
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _process_lock(key: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


# -- snippets ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _MatchTerms:
    stems: frozenset[str]
    prefixes: tuple[str, ...]

    def matches(self, token: str) -> bool:
        low = token.lower()
        return low in self.stems or (bool(self.prefixes) and low.startswith(self.prefixes))

    @property
    def empty(self) -> bool:
        return not (self.stems or self.prefixes)

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """One regex finding every matching word (much faster than tokenizing in Python)."""
        alts = [re.escape(t) + r"(?!\w)" for t in sorted(self.stems, key=len, reverse=True)]
        alts += [re.escape(p) + r"\w*" for p in self.prefixes]
        return re.compile(r"(?<!\w)(?:" + "|".join(alts) + ")", re.IGNORECASE)


def make_snippet(text: str, terms: _MatchTerms, width: int = SNIPPET_CHARS) -> tuple[str, int]:
    """A window of ``text`` around its best run of matches, with matches marked.

    Returns the snippet and how many matches it holds.
    """
    text = _MARKS_RE.sub("", text)
    spans = [] if terms.empty else [m.span() for m in terms.pattern.finditer(text)]
    if not spans:
        cut = text[:width]
        if len(text) > width:
            cut = cut.rsplit(" ", 1)[0] + " …"
        return cut, 0
    best, best_count = 0, 0
    for i, (start, _) in enumerate(spans):
        count = sum(1 for s, _e in spans[i:] if s < start + width - 40)
        if count > best_count:
            best, best_count = i, count
    lo = max(0, spans[best][0] - 40)
    if lo > 0:
        space = text.find(" ", lo)
        lo = space + 1 if 0 <= space < spans[best][0] else lo
    hi = min(len(text), lo + width)
    if hi < len(text):
        space = text.rfind(" ", lo, hi)
        hi = space if space > spans[best][1] else hi
    out: list[str] = []
    pos = lo
    for s, e in spans:
        if s < lo or e > hi:
            continue
        out += [text[pos:s], MARK_START, text[s:e], MARK_END]
        pos = e
    out.append(text[pos:hi])
    snippet = ("… " if lo > 0 else "") + "".join(out) + (" …" if hi < len(text) else "")
    return snippet, sum(1 for s, e in spans if s >= lo and e <= hi)


def _match_terms(node: Node | None) -> _MatchTerms:
    stems: set[str] = set()
    prefixes: list[str] = []

    def walk(n: Node | None) -> None:
        if isinstance(n, Word) and n.field not in ("tag", "color", "has"):
            if n.prefix:
                prefixes.append(n.text.lower())
            else:
                stems.update(analyze(n.text))
        elif isinstance(n, Phrase) and n.field not in ("tag", "color", "has"):
            stems.update(analyze(n.text))
        elif isinstance(n, And | Or):
            for child in n.children:
                walk(child)

    walk(node)
    return _MatchTerms(frozenset(stems), tuple(prefixes))


# -- SQL for filters and the fallback ----------------------------------------------------------
def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_IS_SQL = {
    "unread": "p.is_read = 0",
    "read": "p.is_read = 1",
    "queued": "p.queue_pos IS NOT NULL",
    "starred": "p.starred = 1",
    "archived": "p.archived = 1",
}


def filter_sql(node: Node) -> tuple[str, list[Any]]:
    """The SQL condition over papers ``p`` for a filter tree."""
    if isinstance(node, Filter):
        if node.kind == "is":
            return _IS_SQL[node.value], []
        if node.kind == "digest":
            params: list[Any] = [_like(node.value)]
            sql = "d.name LIKE ? ESCAPE '\\'"
            if node.value.isdigit():
                sql = f"(d.id = ? OR {sql})"
                params.insert(0, int(node.value))
            return (
                "p.id IN (SELECT s.paper_id FROM sightings s JOIN digests d "
                f"ON d.id = s.digest_id WHERE {sql})",
                params,
            )
        if node.kind == "year":
            year = int(node.value)
            return "(p.published >= ? AND p.published < ?)", [f"{year:04d}", f"{year + 1:04d}"]
        if node.kind == "after":
            return "p.published >= ?", [node.value]
        if node.kind == "before":
            return "p.published < ?", [node.value]
        raise ValueError(node.kind)
    if isinstance(node, And | Or):
        return _join_sql(node, filter_sql)
    if isinstance(node, Not):
        sql, params = filter_sql(node.child)
        return f"NOT COALESCE({sql}, 0)", params
    raise ValueError(f"not a filter: {node!r}")


def _join_sql(
    node: And | Or, to_sql: Callable[[Node], tuple[str, list[Any]]]
) -> tuple[str, list[Any]]:
    """The SQL of an And/Or node: its children's conditions joined, their parameters in order."""
    parts = [to_sql(c) for c in node.children]
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(p[0] for p in parts) + ")", [x for p in parts for x in p[1]]


def _fallback_sql(node: Node) -> tuple[str, list[Any]]:
    """A LIKE scan over title and abstract for a text tree (annotation fields never match)."""
    if isinstance(node, Word | Phrase):
        if node.field in (None, "title", "abstract"):
            cols = [node.field] if node.field else ["title", "abstract"]
            pattern = _like(node.text)
            return (
                "(" + " OR ".join(f"p.{c} LIKE ? ESCAPE '\\'" for c in cols) + ")",
                [pattern] * len(cols),
            )
        return "0", []
    if isinstance(node, And | Or):
        return _join_sql(node, _fallback_sql)
    if isinstance(node, Not):
        sql, params = _fallback_sql(node.child)
        return f"NOT {sql}", params
    return "1", []


# -- the index ---------------------------------------------------------------------------------
class _RamStorage(RamStorage):
    """RamStorage whose writers keep their temporary files in a folder of their own.

    Whoosh would use ``<tmp>/<index name>.tmp``, shared by every in-memory index of every
    process, and each writer deletes it when done, under the feet of the others.
    """

    def __init__(self) -> None:
        super().__init__()
        # Writers' folders live in here; it is removed with the storage (or at exit), so
        # in-memory indexes leave nothing behind in the system temp folder.
        self._tmp = tempfile.TemporaryDirectory(prefix="digest-desk-index-")

    def temp_storage(self, name: str | None = None) -> Any:
        """A fresh, randomly named temporary folder inside this storage's own."""
        return FileStorage(tempfile.mkdtemp(dir=self._tmp.name)).create()


class SearchIndex:
    """The Whoosh index of one library; every write goes through ``_write``."""

    def __init__(self, db: Database, path: Path | None) -> None:
        self.db = db
        self.path = path
        self._ix: Any = None
        self._searcher: Any = None
        self._engine: Any = None  # search_engine.Engine over the current searcher
        self._corrector: Corrector | None = None
        self._lock_key = str(path.resolve()) if path is not None else f"ram:{id(self)}"
        self._pending: set[int] = set()
        self._needs_reconcile = False
        self.broken_reason: str | None = None
        # True when open(defer_rebuild=True) left the index to be built by build_index().
        self.needs_rebuild = False
        # Set by open(defer_rebuild=True): damage found later is left to build_index() too.
        self.defer_rebuilds = False
        self.last_written = 0  # documents written by the last sync, for tests and benchmarks

    # -- opening and health ------------------------------------------------------------------
    @property
    def usable(self) -> bool:
        """True when searches are answered by the index (not the SQLite fallback).

        An index that missed a write (locked by another process, or the disk was full) is
        behind SQLite, so searches use the fallback until the next write or start catches up.
        """
        return self._ix is not None and self.broken_reason is None and not self._needs_reconcile

    def open(self, *, defer_rebuild: bool = False) -> None:
        """Open the index, rebuilding it when missing or damaged, then reconcile with SQLite.

        With ``defer_rebuild``, an index that has to be built from scratch (missing, damaged,
        of an older version, or empty while the library is not) is left alone: ``needs_rebuild``
        turns true, searches answer from SQLite, and :func:`build_index` builds it on another
        thread, after which ``open()`` again picks it up. A window can then show at once.
        """
        self.needs_rebuild = False
        self.broken_reason = None
        self.defer_rebuilds = defer_rebuild and self.path is not None
        rebuild = self._defer if defer_rebuild and self.path is not None else self._recreate
        try:
            self._open_existing()
        except FileNotFoundError:
            log.info("no search index yet; building it")
            rebuild()
            return
        except Exception as exc:  # whoosh raises many types on damaged files
            log.warning("search index unusable (%s); rebuilding it", exc)
            rebuild()
            return
        try:
            if self._stamp_matches():
                self.last_written = 0  # closed cleanly and nothing changed since: no walk
            elif rebuild == self._defer and not self._get_searcher().doc_count_all():
                if self.db.execute("SELECT 1 FROM papers LIMIT 1").fetchone():
                    rebuild()  # an empty index (a cancelled build) of a library with papers
                    return
            else:
                self.reconcile()
        except Exception as exc:  # damage that only shows when the postings are written
            log.warning("search index could not be reconciled (%s); rebuilding it", exc)
            rebuild()
            return
        if self._pending and self.usable:
            self.sync(())  # changes made while the index was being built elsewhere

    def _rebuild_after_damage(self) -> None:
        """Rebuild an index found damaged in use: at once, or (when the index was opened with
        ``defer_rebuild``) left to :func:`build_index` on another thread, as at open."""
        if self.defer_rebuilds:
            self._defer()
        else:
            self._recreate()

    def _defer(self) -> None:
        self._close_index()
        self.needs_rebuild = True
        self.broken_reason = "the search index is being rebuilt"

    def _open_existing(self) -> None:
        self._close_index()
        if self.path is None:
            if self._ix is None:
                self._ix = _RamStorage().create_index(make_schema(), indexname=INDEX_NAME)
            return
        if not index.exists_in(str(self.path), indexname=INDEX_NAME):
            raise FileNotFoundError("no index of this version yet")
        ix = index.open_dir(str(self.path), indexname=INDEX_NAME)
        if set(ix.schema.names()) != set(make_schema().names()):
            raise ValueError("index schema is from another version")
        self._ix = ix
        self._check_readable()

    def _check_readable(self) -> None:
        self._get_searcher().doc_count()  # open() then reads every column in reconcile()

    def _recreate(self, progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> None:
        """Throw the index files away and build them again from SQLite (a cancel propagates)."""
        self._close_index()
        self.broken_reason = None
        try:
            if self.path is None:
                self._ix = _RamStorage().create_index(make_schema(), indexname=INDEX_NAME)
            else:
                with _process_lock(self._lock_key):
                    if self.path.exists():
                        shutil.rmtree(self.path)
                    self.path.mkdir(parents=True)
                    self._ix = FileStorage(str(self.path)).create_index(
                        make_schema(), indexname=INDEX_NAME
                    )
            self.rebuild(progress, cancel)
        except RebuildCancelledError:
            self._mark_broken("the search index rebuild was cancelled")
            raise
        except Exception as exc:
            self._mark_broken(f"the search index could not be rebuilt ({exc})")

    def _mark_broken(self, reason: str) -> None:
        log.warning("search index: %s", reason)
        self.broken_reason = reason
        self._close_searcher()

    # -- the clean-close stamp -----------------------------------------------------------
    # Reconciling reads every paper's version from SQLite (seconds at 100,000 papers). On
    # open, the index's paper ids and annotation keys are compared with SQLite's (cheap
    # aggregates), and versions are trusted when the last close left a stamp for this very
    # index generation. Opening removes the stamp, so after a crash (SQLite committed, the
    # index not) the next start reconciles everything.
    def _stamp_path(self) -> Path | None:
        return None if self.path is None else self.path / f"{INDEX_NAME}.stamp"

    def _stamp_matches(self) -> bool:
        """True when the last close was clean and ids and annotations agree with SQLite."""
        stamp_path = self._stamp_path()
        if stamp_path is None or not stamp_path.exists():
            return False
        try:
            saved = json.loads(stamp_path.read_text(encoding="utf-8"))
            stamp_path.unlink()
        except (OSError, ValueError):
            with contextlib.suppress(OSError):
                stamp_path.unlink()
            return False
        if saved != {"generation": int(self._ix.latest_generation())}:
            return False
        count, max_id, sum_id = self.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(SUM(id), 0) FROM papers"
        ).fetchone()
        held_count, held_max, held_sum, held_akeys = _index_summary(self._get_searcher().reader())
        if (count, max_id, sum_id) != (held_count, held_max, held_sum):
            return False
        return held_akeys == self._annotation_keys(annotated_ids(self.db))

    def _write_stamp(self) -> None:
        stamp_path = self._stamp_path()
        if stamp_path is None or not self.usable or self._pending:
            return
        try:
            stamp = {"generation": int(self._ix.latest_generation())}
            tmp = stamp_path.with_suffix(".stamp.tmp")
            tmp.write_text(json.dumps(stamp), encoding="utf-8")
            os.replace(tmp, stamp_path)
        except Exception as exc:  # no stamp only means a full reconcile on the next open
            log.warning("search index stamp not written (%s)", exc)

    def close(self) -> None:
        """Close the searcher and the index (leaving a stamp when the index is in sync)."""
        if self._ix is not None and self.path is not None:
            self._write_stamp()
        self._close_index()

    def _close_index(self) -> None:
        self._close_searcher()
        if self._ix is not None and self.path is not None:
            self._ix.close()
            self._ix = None

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):  # a damaged reader may fail to close
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

    def _get_engine(self) -> Any:
        """The query evaluator over the current searcher (numpy is imported on first use)."""
        searcher = self._get_searcher()
        if self._engine is None or self._engine.searcher is not searcher:
            from desktop.core.search.ranker import Engine

            self._engine = Engine(searcher, self._phrase_texts)
        self._engine.new_query()
        return self._engine

    def warm_up(self) -> None:
        """Get ready for a first search (imports numpy, reads the document ids): a GUI calls
        this when idle, so the first keystroke of a search does not wait for it."""
        if self.usable:
            self._get_engine()

    def _phrase_texts(self, ids: Sequence[int]) -> dict[int, dict[str, str]]:
        """The indexed text fields of papers ``ids``, for checking phrases."""
        docs = build_documents(self.db, ids)
        return {pid: {f: doc.get(f) or "" for f in PHRASE_FIELDS} for pid, doc in docs.items()}

    # -- index state -------------------------------------------------------------------------
    def _state(self, searcher: Any) -> dict[int, tuple[int, int, int]]:
        """Paper id -> (version, annotation key, copies) as the index holds them."""
        state: dict[int, tuple[int, int, int]] = {}
        for _docnum, pid, ver, akey in _column_rows(searcher.reader(), ("docid", "ver", "akey")):
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

    # -- writing -----------------------------------------------------------------------------
    def on_changes(self, changes: Changes) -> None:
        """Library listener: reindex papers whose text or annotations changed."""
        if not (changes.library or changes.annotations):
            return  # triage state lives in SQLite only
        try:
            if changes.papers:
                self.sync(changes.papers)
            else:
                self.reconcile()
        except Exception as exc:  # e.g. a full disk: SQLite holds the data, the index catches up
            self._needs_reconcile = True
            self._mark_broken(f"the search index could not be updated ({exc})")

    def sync(self, ids: Iterable[int]) -> int:
        """Write the papers among ``ids`` whose index copy is missing or stale; delete gone ones.

        Returns how many documents were written.
        """
        wanted = set(int(i) for i in ids) | self._pending
        if self._needs_reconcile:
            return self.reconcile()
        if self._ix is None or self.broken_reason is not None:
            self._pending |= wanted
            return 0
        return self._write_changed(sorted(wanted), full=False)

    def reconcile(self) -> int:
        """Bring the whole index in line with SQLite; returns how many documents were written.

        The comparison runs without the write lock; only papers found stale are then
        rechecked and written under it.
        """
        if self._ix is None:
            return 0
        self._needs_reconcile = False
        sql = dict(self.db.execute("SELECT id, version FROM papers").fetchall())
        held = self._state(self._get_searcher())
        if not held and sql:
            return self._write_changed(None, full=True)  # empty index: one bulk write
        akeys = self._annotation_keys(set(sql))
        stale = [
            pid for pid, version in sql.items() if held.get(pid) != (version, akeys.get(pid, 0), 1)
        ]
        stale += [pid for pid in held if pid not in sql]
        if not stale:
            self.last_written = 0
            return 0
        return self._write_changed(sorted(stale), full=len(stale) > len(sql) // 2)

    def _annotation_keys(self, ids: set[int]) -> dict[int, int]:
        annotated = sorted(i for i in annotated_ids(self.db) if i in ids)
        return {pid: doc["akey"] for pid, doc in build_documents(self.db, annotated).items()}

    def rebuild(self, progress: ProgressFn | None = None, cancel: CancelFn | None = None) -> int:
        """Rewrite every document from SQLite; returns the count.

        ``progress(done, total, label)`` is called after each batch of papers; when
        ``cancel()`` turns true, the write is abandoned (RebuildCancelledError).
        """
        if self._ix is None:
            self._recreate(progress, cancel)
            return self.last_written
        ids = [r[0] for r in self.db.execute("SELECT id FROM papers ORDER BY id")]
        written = 0

        def work(writer: Any, searcher: Any, part: list[int]) -> int:
            nonlocal written
            for start in range(0, len(part), _BATCH):
                if cancel is not None and cancel():
                    raise RebuildCancelledError
                for doc in build_documents(self.db, part[start : start + _BATCH]).values():
                    writer.add_document(**_index_doc(doc))
                    written += 1
                if progress is not None:
                    progress(written, len(ids), "Indexing")
            return written

        # A segment per SEGMENT_DOCS papers keeps the writer's memory bounded; the first
        # commit replaces the old index.
        parts = [ids[i : i + SEGMENT_DOCS] for i in range(0, len(ids), SEGMENT_DOCS)] or [[]]
        for n, part in enumerate(parts):
            self._write(functools.partial(work, part=part), clear=n == 0)
        self.last_written = written
        return written

    def _write_changed(self, ids: list[int] | None, *, full: bool) -> int:
        def work(writer: Any, searcher: Any) -> int:
            if full:
                sql = dict(self.db.execute("SELECT id, version FROM papers").fetchall())
                held = self._state(searcher)
                check = sql.keys()
            else:
                assert ids is not None
                sql = dict(
                    row
                    for start in range(0, len(ids), 500)
                    for row in self.db.execute(
                        "SELECT id, version FROM papers WHERE id IN "
                        f"({_marks(len(ids[start : start + 500]))})",
                        ids[start : start + 500],
                    ).fetchall()
                )
                held = self._state_for(searcher, ids)
                check = sql.keys()
            akeys = self._annotation_keys(set(check))
            stale = [
                pid
                for pid in check
                if held.get(pid) is None
                or held[pid][0] != sql[pid]
                or held[pid][1] != akeys.get(pid, 0)
                or held[pid][2] != 1
            ]
            gone = [pid for pid in held if pid not in sql]
            for pid in gone:
                writer.delete_by_term("pid", str(pid))
            written = 0
            stale.sort()
            for start in range(0, len(stale), _BATCH):
                chunk = stale[start : start + _BATCH]
                for pid, doc in build_documents(self.db, chunk).items():
                    if pid in held:
                        writer.update_document(**_index_doc(doc))
                    else:
                        writer.add_document(**_index_doc(doc))
                    written += 1
            if not written and not gone:
                raise _NothingToDoError(0)
            return written

        return self._write(work)

    def _write(self, work: Any, *, clear: bool = False) -> int:
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
                # compound=False: a compound segment is read through Whoosh's BufferFile, which
                # copies the whole postings file into memory (~240 MB at 100,000 papers).
                writer = FastSegmentWriter(self._ix, TEXT_FIELDS, _lk=False, compound=False)
                try:
                    with self._ix.searcher() as searcher:
                        count = work(writer, searcher)
                    writer.commit(mergetype=writing.CLEAR if clear else None)
                    self._pending.clear()
                except _NothingToDoError:
                    writer.cancel()
                    count = 0
                except BaseException:
                    with contextlib.suppress(Exception):  # cancelling can fail on a full disk
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
    def search(self, text: str, *, limit: int | None = DEFAULT_LIMIT) -> SearchResults:
        """Search the library; never raises on any query text."""
        parsed = parse_query(text)
        results = SearchResults(text, notice=" ".join(parsed.notices) or None)
        if parsed.empty or (limit is not None and limit < 1):
            return results
        if self.usable:
            try:
                self._search_index(parsed, results, limit)
                return results
            except Exception as exc:  # a damaged index found during a search
                self._mark_broken(f"search failed ({exc})")
                self._rebuild_after_damage()
                if self.usable:
                    results.hits.clear()
                    self._search_index(parsed, results, limit)
                    return results
        self._search_fallback(parsed, results, limit)
        return results

    def _filter_mask(self, engine: Any, node: Node) -> tuple[Any, bool]:
        """Documents selected by a filter tree, or (when smaller) those it excludes, as flagged."""
        sql, params = filter_sql(node)
        total = int(self.db.execute("SELECT COUNT(*) FROM papers").fetchone()[0])
        count = int(
            self.db.execute(f"SELECT COUNT(*) FROM papers p WHERE {sql}", params).fetchone()[0]
        )
        excluded = count > total // 2
        where = f"NOT COALESCE({sql}, 0)" if excluded else sql
        rows = self.db.execute(f"SELECT p.id FROM papers p WHERE {where}", params)
        return engine.docs_for_pids(r[0] for r in rows), excluded

    def _search_index(self, parsed: ParsedQuery, results: SearchResults, limit: int | None) -> None:
        if parsed.text is None:
            assert parsed.filters is not None
            self._filters_only(parsed.filters, results, limit)
            return
        engine = self._get_engine()
        # Top-level exclusions (``-word``) become a mask of documents.
        text_node, negated = _split_negations(parsed.text)
        q = self._whoosh_query(text_node)
        if q is None:
            results.notice = results.notice or "Only common words; nothing to search for."
            return
        allow = None
        deny = None
        q_title = self._whoosh_query(text_node, title_only=True)
        if negated:
            masked = [k for n in negated if (k := self._whoosh_query(n)) is not None]
            # A negated phrase stays in the query, so that only the best candidates are
            # checked for it (finding every paper that holds it would read thousands).
            phrased = [query.Not(k) for k in masked if _holds_phrase(k)]
            masked = [k for k in masked if not _holds_phrase(k)]
            if masked:
                deny = engine.matching(query.Or(masked))
            if phrased:
                q = query.And([q, *phrased])
                if q_title is not None:
                    q_title = query.And([q_title, *phrased])
        if parsed.filters is not None:
            docs, excluded = self._filter_mask(engine, parsed.filters)
            if excluded:
                deny = docs if deny is None else deny | docs
            else:
                allow = docs
        # Phase 1: papers whose title holds the words rank first. Phase 2, only when phase 1
        # did not fill the limit: every other match, ranked by BM25F over all fields.
        found: list[tuple[int, float]] = []
        if q_title is not None and q_title != q:
            found = engine.top(q_title, limit, allow, deny)
        if limit is None or len(found) < limit:
            if found:
                seen = engine.docs_for_docnums([d for d, _ in found])
                deny = seen if deny is None else deny | seen
            found += engine.top(q, None if limit is None else limit - len(found), allow, deny)
        scored = [(PaperId(int(engine.docids[d])), float(score)) for d, score in found]
        self._fill(results, scored, _match_terms(parsed.text))
        if not results.hits and parsed.words:
            base = " ".join(parsed.words) if parsed.degraded else results.query
            results.suggestion = self._suggest(base, parsed)

    def _filters_only(self, node: Node, results: SearchResults, limit: int | None) -> None:
        sql, params = filter_sql(node)
        rows = self.db.execute(
            f"SELECT p.id FROM papers p WHERE {sql} ORDER BY p.published DESC, p.id DESC"
            + (" LIMIT ?" if limit else ""),
            [*params, limit] if limit else params,
        ).fetchall()
        self._fill(results, [(PaperId(r[0]), 0.0) for r in rows], _MatchTerms(frozenset(), ()))

    def _fill(
        self, results: SearchResults, scored: list[tuple[PaperId, float]], terms: _MatchTerms
    ) -> None:
        ids = [pid for pid, _ in scored]
        texts: dict[int, tuple[str, str]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for pid, title, abstract in self.db.execute(
                f"SELECT id, title, abstract FROM papers WHERE id IN ({_marks(len(chunk))})", chunk
            ):
                texts[pid] = (title, abstract)
        notes: dict[int, dict[str, Any]] = {}
        for pid, score in scored:
            if pid not in texts:
                continue  # deleted from SQLite since the index was written
            title, abstract = texts[pid]
            snippet, hits = make_snippet(abstract, terms)
            if not hits and not terms.empty and not _title_matches(title, terms):
                note_text = self._annotation_snippet_text(pid, notes)
                if note_text:
                    alt, alt_hits = make_snippet(note_text, terms)
                    if alt_hits:
                        snippet = alt
            results.hits.append(SearchHit(pid, title, round(score, 4), snippet))

    def _annotation_snippet_text(self, pid: int, cache: dict[int, dict[str, Any]]) -> str:
        if pid not in cache:
            cache.update(build_documents(self.db, [pid]))
        return str(cache.get(pid, {}).get("_annotation_text", ""))

    def _whoosh_query(self, node: Node, *, title_only: bool = False) -> query.Query | None:
        """The Whoosh query for a text tree.

        With ``title_only``, words without a field match the title alone (exclusions still
        apply to every field): the first, cheap phase of a search.
        """
        if isinstance(node, Word):
            return self._word_query(node, title_only=title_only)
        if isinstance(node, Phrase):
            return self._phrase_query(node.text, node.field, title_only=title_only)
        if isinstance(node, And | Or):
            kids = [
                k
                for c in node.children
                if (k := self._whoosh_query(c, title_only=title_only)) is not None
            ]
            if not kids:
                return None
            positive = [k for k in kids if not isinstance(k, query.Not)]
            if isinstance(node, And):
                if not positive:
                    kids.insert(0, query.Every())
                return kids[0] if len(kids) == 1 else query.And(kids)
            return kids[0] if len(kids) == 1 else query.Or(kids)
        if isinstance(node, Not):
            inner = self._whoosh_query(node.child)
            if inner is None:
                return None
            return query.Not(inner)
        return None

    def _word_query(self, word: Word, *, title_only: bool = False) -> query.Query | None:
        fieldname = word.field
        if fieldname in ("tag", "color", "has"):
            value = word.text.strip().lower()
            if word.prefix:
                return query.Prefix(fieldname, value)
            return query.Term(fieldname, value)
        if word.prefix:
            text = word.text.lower()
            if fieldname is not None:
                return self._prefix_query(fieldname, text)
            if title_only:
                return self._prefix_query("title", text, TITLE_BOOST)
            subs: list[query.Query] = [
                self._prefix_query(f, text, b) for f, b in DEFAULT_FIELDS.items()
            ]
            return query.Or([*subs, self._prefix_query("tag", text)])
        return self._phrase_query(word.text, fieldname, tag_term=True, title_only=title_only)

    def _prefix_query(self, fieldname: str, prefix: str, boost: float = 1.0) -> query.Query:
        """``prefix*`` in one field (the ranker adds up the index's words that start so)."""
        return query.Prefix(fieldname, prefix, boost=boost)

    def _phrase_query(
        self, text: str, fieldname: str | None, *, tag_term: bool = False, title_only: bool = False
    ) -> query.Query | None:
        if fieldname in ("tag", "color", "has"):
            return query.Term(fieldname, text.strip().lower())
        words = analyze(text)
        if not words:
            return None
        if fieldname:
            fields = {fieldname: 1.0}
        elif title_only:
            fields = {"title": TITLE_BOOST}
        else:
            fields = DEFAULT_FIELDS
        subs: list[query.Query] = []
        for name, boost in fields.items():
            if len(words) == 1:
                subs.append(query.Term(name, words[0], boost=boost))
            else:
                subs.append(query.Phrase(name, words, boost=boost))
        if tag_term and fieldname is None and not title_only:
            subs.append(query.Term("tag", text.strip().lower()))
        return subs[0] if len(subs) == 1 else query.Or(subs)

    def _suggest(self, original: str, parsed: ParsedQuery) -> str | None:
        """A corrected query that finds something, from the words of the indexed abstracts."""
        searcher = self._get_searcher()
        if self._corrector is None:
            self._corrector = searcher.corrector("abstract")
        text = original
        changed = False
        for word in dict.fromkeys(parsed.words):
            low = word.lower()
            if not low.isalpha() or len(low) < 3:
                continue
            if analyze(low) and searcher.doc_frequency("abstract", analyze(low)[0]) > 0:
                continue  # a known word
            found = self._corrector.suggest(low, limit=1, maxdist=2, prefix=1)
            if found and found[0] != low:
                text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", found[0], text, count=1)
                changed = True
        if not changed:
            return None
        reparsed = parse_query(text)
        if reparsed.text is None:
            return None
        q = self._whoosh_query(reparsed.text)
        if q is None or not self._get_engine().top(q, 1):
            return None
        return text

    def _search_fallback(
        self, parsed: ParsedQuery, results: SearchResults, limit: int | None
    ) -> None:
        results.fallback = True
        notice = "The search index is being rebuilt; results are approximate."
        results.notice = f"{results.notice} {notice}" if results.notice else notice
        where: list[str] = []
        params: list[Any] = []
        if parsed.text is not None:
            sql, p = _fallback_sql(parsed.text)
            where.append(sql)
            params += p
        if parsed.filters is not None:
            sql, p = filter_sql(parsed.filters)
            where.append(sql)
            params += p
        words = parsed.words or [""]
        rank = " + ".join(["(p.title LIKE ? ESCAPE '\\')"] * len(words))
        rows = self.db.execute(
            f"SELECT p.id, {rank} FROM papers p WHERE {' AND '.join(where) or '1'} "
            "ORDER BY 2 DESC, p.id DESC" + (" LIMIT ?" if limit else ""),
            [*[_like(w) for w in words], *params, *([limit] if limit else [])],
        ).fetchall()
        scored = [(PaperId(r[0]), float(r[1] or 0)) for r in rows]
        self._fill(results, scored, _match_terms(parsed.text))

    # -- related -----------------------------------------------------------------------------
    def related(self, paper_id: int, *, limit: int = 10) -> SearchResults:
        """The papers most like ``paper_id`` by title and abstract, without the paper itself."""
        results = SearchResults(f"related:{paper_id}")
        row = self.db.execute(
            "SELECT title, abstract FROM papers WHERE id = ?", [paper_id]
        ).fetchone()
        if row is None:
            results.notice = f"No paper with id {paper_id}."
            return results
        if not self.usable:
            results.notice = "The search index is being rebuilt; related papers are unavailable."
            results.fallback = True
            return results
        title, abstract = row
        try:
            searcher = self._get_searcher()
            subs: list[query.Query] = []
            stems: set[str] = set()
            # Words in more than a few percent of papers say little about a subject and have
            # long postings: leaving them out keeps this fast on a large library.
            common = max(RELATED_MIN_DF, searcher.doc_count() * RELATED_MAX_DF_SHARE)
            for fieldname, text, boost in (
                ("title", title, TITLE_BOOST),
                ("abstract", f"{title} {abstract}", 1.0),
            ):
                terms = [
                    (term, weight)
                    for term, weight in searcher.key_terms_from_text(
                        fieldname, text, numterms=RELATED_TERMS * 3
                    )
                    if len(term) >= 3  # not "i", "o" from "I/O"
                    and not term.isdigit()
                    and searcher.doc_frequency(fieldname, term) <= common
                ][:RELATED_TERMS]
                top = max((w for _, w in terms), default=1.0) or 1.0
                for term, weight in terms:
                    subs.append(query.Term(fieldname, term, boost=boost * weight / top))
                    stems.add(term)
            if not subs:
                return results
            engine = self._get_engine()
            found = engine.top(query.Or(subs), limit, None, engine.docs_for_pids([paper_id]))
            scored = [(PaperId(int(engine.docids[d])), float(s)) for d, s in found]
        except Exception as exc:
            self._mark_broken(f"related failed ({exc})")
            self._rebuild_after_damage()
            results.notice = "The search index is being rebuilt; related papers are unavailable."
            results.fallback = True
            return results
        self._fill(results, scored, _MatchTerms(frozenset(stems), ()))
        return results


def _column_rows(reader: Any, names: Sequence[str]) -> list[tuple[int, ...]]:
    """``(docnum, *values)`` of the numeric columns ``names`` for every live document.

    Columns are loaded a segment at a time as arrays, far faster than per-document lookups.
    """
    rows: list[tuple[int, ...]] = []
    for segment, offset in reader.leaf_readers():
        count = segment.doc_count_all()
        if not count:
            continue
        cols = [load_numbers(segment.column_reader(n, translate=False)) for n in names]
        live = segment.all_doc_ids() if segment.has_deletions() else range(count)
        rows.extend((offset + d, *(c[d] for c in cols)) for d in live)
    return rows


def _holds_phrase(q: query.Query) -> bool:
    """True when a Whoosh query has a phrase somewhere in it."""
    if isinstance(q, query.Phrase):
        return True
    return any(_holds_phrase(c) for c in q.children())


def _split_negations(node: Node) -> tuple[Node, list[Node]]:
    """A conjunction's positive part and the children of its top-level ``Not`` parts.

    Only when something positive is left: a query of exclusions alone is kept as it is.
    """
    if not isinstance(node, And):
        return node, []
    negated = [c.child for c in node.children if isinstance(c, Not)]
    positive = [c for c in node.children if not isinstance(c, Not)]
    if not negated or not positive:
        return node, []
    return (positive[0] if len(positive) == 1 else And(tuple(positive))), negated


def _index_summary(reader: Any) -> tuple[int, int, int, dict[int, int]]:
    """Live documents' count, max and sum of paper ids, and the non-zero annotation keys."""
    count = max_id = sum_id = 0
    akeys: dict[int, int] = {}
    for segment, _offset in reader.leaf_readers():
        total = segment.doc_count_all()
        if not total:
            continue
        ids = load_numbers(segment.column_reader("docid", translate=False))
        keys = load_numbers(segment.column_reader("akey", translate=False))
        if segment.has_deletions():
            live = list(segment.all_doc_ids())
            ids = [ids[d] for d in live]
            keys = [keys[d] for d in live]
        count += len(ids)
        sum_id += sum(ids)
        max_id = max(max_id, max(ids, default=0))
        akeys.update((pid, key) for pid, key in zip(ids, keys, strict=True) if key)
    return count, max_id, sum_id, akeys


def _title_matches(title: str, terms: _MatchTerms) -> bool:
    return not terms.empty and terms.pattern.search(title) is not None


class _NothingToDoError(Exception):
    """Raised inside a write to cancel it when nothing changed."""


class RebuildCancelledError(Exception):
    """A rebuild of the index was cancelled; the index is left empty (rebuilt later)."""


def build_index(
    db_path: Path,
    index_path: Path,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> int:
    """Build the index of the database at ``db_path`` from scratch, on a connection of its own
    (so any thread may call it); returns how many papers were indexed.

    Raises RebuildCancelledError when cancelled, and RuntimeError when it could not be built.
    """
    from desktop.core import store  # the library's connection settings

    db = store.connect(db_path)
    try:
        built = SearchIndex(db, index_path)
        try:
            built._recreate(progress, cancel)
            if built.broken_reason is not None:
                raise RuntimeError(built.broken_reason)
            return built.last_written
        finally:
            built.close()
    finally:
        db.close()

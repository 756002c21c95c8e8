"""The one module that touches Whoosh's internals (the seam between Whoosh and our code).

Two things are done here below Whoosh's public API, because the public API does them one
document or one posting at a time in Python:

- reading: a term's postings a whole block at a time, numeric columns and field lengths as
  whole arrays, and the deleted documents of a segment (:class:`FastAccess`);
- writing: :class:`FastSegmentWriter` writes the files Whoosh's writer would (the W3 codec:
  term table, posting blocks, length and value columns), so Whoosh reads them as its own, but
  tokenizes with one regular expression, keeps postings in per-term arrays already in document
  order (nothing is sorted but the term list) and encodes each block with a few C-level calls.
  Positions are not indexed: phrases are checked on the text itself (ranker.py).
  :func:`write_segment` writes one segment without committing it (a worker process of the
  parallel build does), and :func:`commit_segments` then makes a set of such segments the
  index, in one new table of contents.

Those internals are not promised by Whoosh, so :func:`compatibility_problem` checks, once per
process, that the running Whoosh has every class, attribute and signature used here, and runs
a small write-and-read round trip comparing the fast paths with the public ones. When it
finds a problem, :func:`segment_access` hands out :class:`WhooshAccess` (Whoosh's public
reader API and its own ``SegmentWriter``): the same results, more slowly. Nothing outside
this module names a private Whoosh member.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import io
import itertools
import logging
import os
import random
import shutil
import struct
import tempfile
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from whoosh import columns, writing
from whoosh.fields import COLUMN, ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.reading import TermNotFound

from desktop.core.search.analysis import ANALYZER, TermCounts, Vocabulary, analyze, count_terms

log = logging.getLogger(__name__)

# Postings per block: far more than Whoosh's 128, so that a common word is few blocks to read
# (at a million papers, a word of most abstracts is 750,000 postings: 180 blocks, not 5,900).
BLOCK_LIMIT = 4096
# A block of at least this many postings keeps its document deltas and weights as typed
# arrays, pickled as raw bytes (protocol 4), which numpy reads without a Python object per
# posting; smaller blocks keep Whoosh's tuples (an array costs ~50 bytes more to pickle).
ARRAY_BLOCK = 32
PICKLE_PROTOCOL = 4
# zlib's level for a block (Whoosh uses 3): level 1 compresses twice as fast, into blocks
# about a tenth larger; reading is as fast either way.
COMPRESSION = 1
# A term of fewer postings than this keeps them in its term info (Whoosh's "inlined"
# postings, which its reader reads as a list) rather than in a block of the postings file:
# most terms of a segment are in a document or two, and writing a block costs ~40 µs each.
INLINE_LIMIT = ARRAY_BLOCK

# (module, dotted attribute, parameter names it must accept, or None for "just exists").
# Every private Whoosh name this module uses is here; the round trip below checks behaviour.
REQUIRED: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("whoosh.codec.whoosh3", "LENGTHS_COLUMN", None),
    ("whoosh.codec.whoosh3", "W3PostingsWriter.__init__", ("postfile", "blocklimit")),
    ("whoosh.codec.whoosh3", "W3PostingsWriter._write_block", ("last",)),
    ("whoosh.codec.whoosh3", "WHOOSH3_HEADER_MAGIC", None),
    ("whoosh.codec.whoosh3", "W3TermInfo.add_block", ("block",)),
    ("whoosh.codec.whoosh3", "W3TermInfo._struct", None),
    ("whoosh.codec.whoosh3", "W3FieldWriter.start_field", ("fieldname", "fieldobj")),
    ("whoosh.filedb.filetables", "OrderedHashWriter.add", ("key", "value")),
    ("whoosh.codec.whoosh3", "W3PostingsWriter._new_block", ()),
    ("whoosh.util.numeric", "length_to_byte", None),
    ("whoosh.codec.whoosh3", "W3LeafMatcher._read_data", ()),
    ("whoosh.codec.whoosh3", "W3LeafMatcher._next_block", ()),
    ("whoosh.codec.whoosh3", "W3PerDocReader._cached_reader", ("fieldname", "column")),
    ("whoosh.codec.whoosh3", "W3PerDocReader.deleted_docs", ()),
    ("whoosh.codec.whoosh3", "W3TermInfo.is_inlined", ()),
    ("whoosh.codec.whoosh3", "W3TermInfo.inlined_postings", ()),
    ("whoosh.columns", "NumericColumn.Reader", None),
    ("whoosh.util.numeric", "byte_to_length", None),
    ("whoosh.writing", "SegmentWriter.__init__", ("ix", "_lk", "compound")),
    ("whoosh.writing", "SegmentWriter._check_state", ()),
    ("whoosh.writing", "SegmentWriter._check_fields", ("schema", "fieldnames")),
    ("whoosh.writing", "SegmentWriter._flush_segment", ()),
    ("whoosh.writing", "SegmentWriter.per_document_reader", ()),
    ("whoosh.writing", "SegmentWriter.add_postings_to_pool", ("reader", "startdoc", "docmap")),
    ("whoosh.reading", "SegmentReader.__init__", ("storage", "schema", "segment")),
    ("whoosh.writing", "SegmentWriter._finalize_segment", ()),
    ("whoosh.writing", "SegmentWriter._finish", ()),
    ("whoosh.index", "TOC.__init__", ("schema", "segments", "generation")),
    ("whoosh.index", "TOC.write", ("storage", "indexname")),
    ("whoosh.index", "clean_files", ("storage", "indexname", "gen", "segments")),
    ("whoosh.codec.whoosh3", "W3TermInfo.from_bytes", ("s",)),
    ("whoosh.codec.whoosh3", "W3TermsReader._keycoder", ("fieldname", "tbytes")),
    ("whoosh.filedb.filetables", "HashReader.ranges_for_key", ("key",)),
)


def _resolve(module: str, dotted: str) -> Any:
    found: Any = importlib.import_module(module)
    for part in dotted.split("."):
        found = getattr(found, part)
    return found


def _missing_names() -> list[str]:
    """The required names the running Whoosh lacks (or whose parameters differ)."""
    problems: list[str] = []
    for module, dotted, params in REQUIRED:
        name = f"{module}.{dotted}"
        try:
            found = _resolve(module, dotted)
        except (ImportError, AttributeError):
            problems.append(f"{name} is missing")
            continue
        if params is None:
            continue
        try:
            have = inspect.signature(found).parameters
        except (TypeError, ValueError):
            problems.append(f"{name} has no readable signature")
            continue
        lacking = [p for p in params if p not in have]
        if lacking:
            problems.append(f"{name} takes no {', '.join(lacking)}")
    return problems


@functools.lru_cache(maxsize=1)
def compatibility_problem() -> str | None:
    """None when the fast paths work on the running Whoosh; else one sentence saying why not.

    Checked once per process: the required names and signatures, then a round trip (a small
    in-memory index written by :class:`FastSegmentWriter`, with an update that leaves a
    deletion, read back through :class:`FastAccess` and compared with Whoosh's public API).
    """
    import whoosh

    version = whoosh.versionstring()
    missing = _missing_names()
    if missing:
        return f"Whoosh {version} lacks what the fast search index needs: {'; '.join(missing)}"
    try:
        mismatch = _round_trip()
    except Exception as exc:  # noqa: BLE001 - any failure of a private path means "not usable"
        return f"Whoosh {version}: the fast search index paths fail ({type(exc).__name__}: {exc})"
    if mismatch:
        return f"Whoosh {version}: the fast search index paths disagree with Whoosh ({mismatch})"
    return None


def _round_trip() -> str | None:
    """Write a tiny index fast, read it fast and publicly; the first difference, or None."""
    schema = Schema(
        key=ID(unique=True),
        num=COLUMN(columns.NumericColumn("q")),
        body=TEXT(analyzer=ANALYZER, phrase=False),
    )
    storage = PrivateRamStorage()
    ix = storage.create_index(schema, indexname="CHECK")
    words = ["graph"] * (BLOCK_LIMIT + 3)
    writer = FastSegmentWriter(ix, frozenset({"body"}))
    # Small blocks, so that a term of a few dozen documents spans several: blocks of arrays
    # (ARRAY_BLOCK postings or more, with weights that differ) and a last one of tuples.
    writer.block_limit = ARRAY_BLOCK
    writer.add_document(key="a", num=7, body="graph sampling graph")
    writer.add_document(key="b", num=8, body=" ".join(words))
    writer.add_document(key="c", num=9, body="sampling")
    for n in range(2 * ARRAY_BLOCK + 5):
        writer.add_document(key=f"m{n}", num=n, body="graph " * (1 + n % 3) + "many")
    writer.commit()
    writer = FastSegmentWriter(ix, frozenset({"body"}))
    writer.update_document(key="c", num=10, body="graph")
    writer.commit(mergetype=writing.NO_MERGE)
    fast, public = FastAccess(), WhooshAccess()
    with ix.reader() as reader:
        for segment, _offset in reader.leaf_readers():
            dead = set(public.deleted(segment))
            count = segment.doc_count_all()
            checks: list[tuple[str, Any, Any]] = [
                ("numbers", fast.numbers(segment, "num"), public.numbers(segment, "num")),
                ("deleted", fast.deleted(segment), sorted(dead)),
                (
                    "lengths",
                    fast.lengths(segment, "body") or [1] * count,
                    public.lengths(segment, "body"),
                ),
                (
                    "number arrays",
                    fast.number_array(segment, "num").tolist(),
                    public.number_array(segment, "num").tolist(),
                ),
                (
                    "length codes",
                    decoded_lengths(fast.length_codes(segment, "body"), count),
                    decoded_lengths(public.length_codes(segment, "body"), count),
                ),
            ]
            for btext in (b"graph", b"sampling", b"many", b"nosuchword"):
                ours_info, theirs_info = (
                    access.term_info(segment, "body", btext) for access in (fast, public)
                )
                checks.append(
                    (
                        f"term info of {btext!r}",
                        ours_info and (ours_info.weight(), ours_info.doc_frequency()),
                        theirs_info and (theirs_info.weight(), theirs_info.doc_frequency()),
                    )
                )
                if ("body", btext) in segment:
                    ids, weights = fast.postings(segment, "body", btext)
                    pairs = zip(ids.tolist(), weights.tolist(), strict=True)
                    live = [(d, w) for d, w in pairs if d not in dead]
                    theirs = public.postings(segment, "body", btext)
                    checks.append((f"postings of {btext!r}", live, list(zip(*theirs, strict=True))))
            for what, ours, theirs in checks:
                if ours != theirs:
                    return f"{what}: {ours!r:.80} != {theirs!r:.80}"
    return None


@contextlib.contextmanager
def unique_segment_names() -> Iterator[None]:
    """Whoosh names a new segment with the global ``random`` module: when something has seeded
    it (hypothesis does before every example), two writers get the same name and the second
    overwrites the first one's files. The name is drawn from fresh OS entropy instead, and the
    caller's random state is left as it was."""
    state = random.getstate()
    random.seed(os.urandom(16))
    try:
        yield
    finally:
        random.setstate(state)


class PrivateRamStorage(RamStorage):
    """RamStorage whose writers keep their temporary files in a folder of their own.

    Whoosh would use ``<tmp>/<index name>.tmp``, shared by every in-memory index of every
    process, and each writer deletes it when done, under the feet of the others.
    """

    def __init__(self) -> None:
        super().__init__()
        # Writers' folders live in here; it is removed with the storage (or at exit), so
        # in-memory indexes leave nothing behind in the system temp folder.
        self.own_tmp = tempfile.TemporaryDirectory(prefix="digest-desk-index-")

    def temp_storage(self, name: str | None = None) -> Any:
        """A fresh, randomly named temporary folder inside this storage's own."""
        return FileStorage(tempfile.mkdtemp(dir=self.own_tmp.name)).create()


WRITER_TMP_PREFIX = ".writer-"


class PrivateFileStorage(FileStorage):
    """FileStorage whose writers keep their temporary files in a folder of their own.

    Whoosh would use ``<index>/<index name>.tmp`` for every writer, and each writer removes
    it when done: two processes writing segments at once would remove it under each other.
    The folders start with a dot, which Whoosh's file cleaning passes over; a killed writer's
    folder goes with the index folder when the index is built again.
    """

    def temp_storage(self, name: str | None = None) -> Any:
        """A fresh, randomly named temporary folder inside the index folder."""
        return FileStorage(tempfile.mkdtemp(prefix=WRITER_TMP_PREFIX, dir=self.folder)).create()


def write_segment(
    ix: Any,
    documents: Iterable[dict[str, Any]],
    text_fields: frozenset[str],
    added: Any = None,
) -> Any:
    """Write ``documents`` as one new segment of ``ix``'s storage, without committing it.

    Returns the segment (a small picklable object) for :func:`commit_segments`; until then no
    table of contents names its files. ``added(count)`` is called after each batch of
    ``ADD_BATCH`` documents (added together, :meth:`FastSegmentWriter.add_documents`). The
    caller holds the index's write lock (or is a worker of a caller that holds it).
    """
    with unique_segment_names():
        writer = FastSegmentWriter(ix, text_fields, _lk=False, compound=False)
    try:
        count = 0
        docs = iter(documents)
        while batch := list(itertools.islice(docs, ADD_BATCH)):
            writer.add_documents(batch)
            count += len(batch)
            if added is not None:
                added(count)
        segment = writer._finalize_segment()
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    writer._finish()
    return segment


def commit_segments(ix: Any, segments: Sequence[Any]) -> int:
    """Make ``segments`` (from :func:`write_segment`, in this order) the whole index: one new
    table of contents, then the files of every other segment are removed. Returns the new
    generation. The caller holds the index's write lock."""
    from whoosh.index import TOC, clean_files

    generation = int(ix.latest_generation()) + 1
    TOC(ix.schema, list(segments), generation).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, generation, list(segments))
    folder = getattr(ix.storage, "folder", None)
    if folder is not None:  # the writers' temporary folders (PrivateFileStorage), all done
        for name in os.listdir(folder):
            if name.startswith(WRITER_TMP_PREFIX):
                shutil.rmtree(os.path.join(folder, name), ignore_errors=True)
    return generation


# -- reading -------------------------------------------------------------------------------------
# Field length bytes decoded (Whoosh's byte_to_length; byte 0, "no length", reads as 1).
def length_table() -> tuple[int, ...]:
    """The length each stored length byte stands for (byte 0, no length, reads as 1)."""
    return _length_table()


@functools.lru_cache(maxsize=1)
def _length_table() -> tuple[int, ...]:
    from whoosh.util.numeric import byte_to_length

    return (1, *(byte_to_length(b) for b in range(1, 256)))


class WhooshAccess:
    """Reads of one segment through Whoosh's public API: exact, one posting at a time.

    Segments are the leaf readers of a searcher's reader; document numbers are the segment's
    own (add the leaf's offset for the reader's).
    """

    fast = False

    def numbers(self, segment: Any, name: str) -> list[int]:
        """Every value of numeric column ``name``, by document number (deleted ones too)."""
        return list(segment.column_reader(name, translate=False))

    def number_array(self, segment: Any, name: str) -> np.ndarray:
        """:meth:`numbers` as an int64 array."""
        return np.array(self.numbers(segment, name), dtype=np.int64)

    def length_codes(self, segment: Any, fieldname: str) -> np.ndarray | None:
        """Field lengths by document number as Whoosh stores them, one byte each (decoded by
        ``length_table()``; 0, no length, reads as 1); None when the field has none."""
        from whoosh.util.numeric import length_to_byte

        lengths = self.lengths(segment, fieldname)
        if lengths is None:
            return None
        return np.array([length_to_byte(n) for n in lengths], dtype=np.uint8)

    def deleted(self, segment: Any) -> list[int]:
        """The deleted document numbers of a segment, ascending."""
        if not segment.has_deletions():
            return []
        return [d for d in range(segment.doc_count_all()) if segment.is_deleted(d)]

    def lengths(self, segment: Any, fieldname: str) -> list[int] | None:
        """Field lengths by document number (0, no length, read as 1); None when unknown."""
        count = segment.doc_count_all()
        return [segment.doc_field_length(d, fieldname, 0) or 1 for d in range(count)]

    def term_info(self, segment: Any, fieldname: str, btext: bytes) -> Any | None:
        """A term's info in a segment (its statistics and where its postings are), or None
        when the segment's term table does not hold it."""
        try:
            return segment.term_info(fieldname, btext)
        except TermNotFound:
            return None

    def postings(
        self, segment: Any, fieldname: str, btext: bytes, info: Any = None
    ) -> tuple[list[int], list[float]]:
        """A term's document numbers and weights, ascending (without deleted documents here;
        other accesses may include them: callers mask postings with the live documents)."""
        ids: list[int] = []
        weights: list[float] = []
        matcher = segment.postings(fieldname, btext)
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(float(matcher.weight()))
            matcher.next()
        return ids, weights

    def writer(self, ix: Any, text_fields: frozenset[str]) -> writing.SegmentWriter:
        """A segment writer that leaves locking to the caller and writes separate files.

        ``compound=False``: a compound segment is read through Whoosh's BufferFile, which
        copies the whole postings file into memory (~240 MB at 100,000 papers).
        """
        with unique_segment_names():
            return writing.SegmentWriter(ix, _lk=False, compound=False)


class FastAccess(WhooshAccess):
    """The same reads as :class:`WhooshAccess`, a block or a column at a time."""

    fast = True

    def term_info(self, segment: Any, fieldname: str, btext: bytes) -> StoredTermInfo | None:
        """:meth:`WhooshAccess.term_info` through :func:`hash_lookup` (half the time: related
        papers look up some 150 words in each of a million papers' 23 segments), as a
        :class:`StoredTermInfo` (its statistics read, the rest when its postings are)."""
        terms = segment._terms
        found = hash_lookup(terms._tindex, terms._keycoder(fieldname, btext))
        return None if found is None else StoredTermInfo(found)

    def numbers(self, segment: Any, name: str) -> list[int]:
        """Every value of numeric column ``name``, unpacked in one call when the layout allows."""
        return load_numbers(segment.column_reader(name, translate=False))

    def number_array(self, segment: Any, name: str) -> np.ndarray:
        """:meth:`numbers` as an int64 array, read by numpy from the column's bytes (no
        Python int per document: a million of them is one long call holding the GIL)."""
        return load_number_array(segment.column_reader(name, translate=False))

    def length_codes(self, segment: Any, fieldname: str) -> np.ndarray | None:
        """Field lengths by document number as stored (one byte each, see :func:`length_table`), or
        None when the field has none."""
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN

        col = segment._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if col is None:
            return None
        codes = load_number_array(col)
        if len(codes) and (int(codes.min()) < 0 or int(codes.max()) > 255):
            raise ValueError(f"field length bytes out of range in {fieldname}")
        return codes.astype(np.uint8)

    def deleted(self, segment: Any) -> list[int]:
        """The deleted document numbers of a segment, ascending."""
        if not segment.has_deletions():
            return []
        return sorted(segment._perdoc.deleted_docs())

    def lengths(self, segment: Any, fieldname: str) -> list[int] | None:
        """Decoded field lengths by document number, or None when the field has none."""
        return segment_lengths(segment._perdoc, fieldname)

    def postings(
        self, segment: Any, fieldname: str, btext: bytes, info: Any = None
    ) -> tuple[Any, Any]:
        """A term's document numbers (deleted ones included) and weights, a block at a time,
        as numpy arrays (int64 and float64)."""
        if isinstance(info, StoredTermInfo):
            info = info.parsed()
        return term_arrays(segment, fieldname, btext, info)

    def writer(self, ix: Any, text_fields: frozenset[str]) -> writing.SegmentWriter:
        """Our fast segment writer (same locking and file layout as :meth:`WhooshAccess.writer`)."""
        with unique_segment_names():
            return FastSegmentWriter(ix, text_fields, _lk=False, compound=False)


def segment_access() -> WhooshAccess:
    """The fast access when the running Whoosh supports it, else the public (slower) one."""
    return WhooshAccess() if compatibility_problem() else FastAccess()


class StoredTermInfo:
    """A W3 term info as its term table stores it (``W3TermInfo.to_bytes``): the weight and
    document frequency that statistics need, unpacked at once; the whole ``W3TermInfo``
    (a pickle of the postings for a rare term) parsed only when the postings are read."""

    __slots__ = ("_data", "_df", "_parsed", "_weight")
    # Flags, then the total weight and document frequency (W3TermInfo._struct's first three).
    _HEAD = struct.Struct("!BfI")

    def __init__(self, data: bytes) -> None:
        self._data = data
        _flags, self._weight, self._df = self._HEAD.unpack_from(data)
        self._parsed: Any = None

    def weight(self) -> float:
        """The term's total weight in the segment (W3TermInfo.weight)."""
        return float(self._weight)

    def doc_frequency(self) -> int:
        """The segment's documents holding the term (W3TermInfo.doc_frequency)."""
        return int(self._df)

    def parsed(self) -> Any:
        """The W3TermInfo, parsed once."""
        if self._parsed is None:
            from whoosh.codec.whoosh3 import W3TermInfo

            self._parsed = W3TermInfo.from_bytes(self._data)
        return self._parsed


# Whoosh's hash file layout (whoosh.filedb.filetables): a slot is the key's hash and the
# position of its entry; an entry is the key's and the value's lengths, the key, the value.
_SLOT = struct.Struct("!Iq")
_LENGTHS = struct.Struct("!ii")
# Bytes of value read with an entry's key (most term infos are shorter): one read for both.
_ENTRY_READ = 96


def hash_lookup(table: Any, key: bytes) -> bytes | None:
    """The value of ``key`` in a Whoosh hash file (``HashReader``), or None: the probes of
    ``HashReader.ranges_for_key`` with one ``os.pread`` each on a plain file (Whoosh's seek
    and read through a buffered file per field cost about as much again), else its reads."""
    dbfile = table.dbfile
    raw = dbfile.file
    if type(raw) is io.BufferedReader:  # a plain file: positions are the file's own
        fd = raw.fileno()

        def read(position: int, length: int) -> bytes:
            return os.pread(fd, length, position)

    else:
        read = dbfile.get
    keyhash = table.hashfn(key)
    start, slots = table.tables[keyhash & 255]
    if not slots:
        return None
    end = start + slots * _SLOT.size
    slot = start + ((keyhash >> 8) % slots) * _SLOT.size
    for _ in range(slots):
        slothash, entry = _SLOT.unpack(read(slot, _SLOT.size))
        if not entry:
            return None
        if slothash == keyhash:
            head = read(entry, _LENGTHS.size + len(key) + _ENTRY_READ)
            keylen, datalen = _LENGTHS.unpack_from(head)
            if keylen == len(key) and head[_LENGTHS.size : _LENGTHS.size + keylen] == key:
                at = _LENGTHS.size + keylen
                if at + datalen <= len(head):
                    return head[at : at + datalen]
                return read(entry + at, datalen)
        slot += _SLOT.size
        if slot == end:
            slot = start
    return None


def load_numbers(col: Any) -> list[int]:
    """Every value of a numeric column reader, unpacked in one call when the layout allows."""
    try:
        count, doccount, size = col._count, col._doccount, col._fixedlen
        data = col._dbfile.get(col._basepos, count * size)
        values = list(struct.unpack(f"!{count}{col._typecode}", data))
        return values + [col._default] * (doccount - count)
    except (AttributeError, struct.error):  # another column layout: the slow, general way
        return list(col)


def load_number_array(col: Any) -> np.ndarray:
    """:func:`load_numbers` as an int64 array: numpy reads the column's bytes at once."""
    try:
        count, doccount, size = col._count, col._doccount, col._fixedlen
        code = col._typecode
        if struct.calcsize(f"!{code}") != size or code not in "bBhHiIlLqQ":
            raise struct.error(f"unexpected column type {code!r}")
        data = col._dbfile.get(col._basepos, count * size)
        kind = "i" if code.islower() else "u"
        values = np.frombuffer(data, dtype=f">{kind}{size}", count=count).astype(np.int64)
        if doccount > count:
            values = np.concatenate([values, np.full(doccount - count, col._default, np.int64)])
        return values
    except (AttributeError, struct.error, ValueError, TypeError):  # another layout
        return np.array(load_numbers(col), dtype=np.int64)


def decoded_lengths(codes: np.ndarray | None, count: int) -> list[int]:
    """Length bytes (:meth:`FastAccess.length_codes`) as lengths; none read as 1 each."""
    if codes is None:
        return [1] * count
    table = _length_table()
    return [table[b] for b in codes.tolist()]


def segment_lengths(perdoc: Any, fieldname: str) -> list[int] | None:
    """Decoded field lengths by document number from a segment's per-document reader."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN

    col = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if col is None:
        return None
    table = _length_table()
    return [table[b] for b in load_numbers(col)]


def term_blocks(
    reader: Any, fieldname: str, btext: bytes, terminfo: Any = None
) -> Iterator[tuple[list[int], Any, Any]]:
    """The raw posting blocks of a term in one segment: ``(ids, weights, values)`` each.

    ``ids`` are document numbers (deleted documents included), ``weights`` is None (all 1),
    a float (all the same) or a tuple, and ``values`` the block's encoded values. The term's
    info is looked up unless given.
    """
    terms = reader._terms
    if terminfo is None:
        terminfo = terms.term_info(fieldname, btext)
    if terminfo.is_inlined():  # values one per posting: joined, as a block holds them
        ids, weights, values = terminfo.inlined_postings()
        yield list(ids), tuple(weights), b"".join(v or b"" for v in values)
        return
    fmt = reader.schema[fieldname].format
    matcher = terms._codec.postings_reader(terms._postfile, terminfo, fmt)
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        deltas, weights, values = matcher._data
        yield list(itertools.accumulate(deltas)), weights, values
        matcher._next_block()


_DELTA_TYPES = {"B": np.uint8, "H": np.uint16, "I": np.uint32, "L": np.uint64, "Q": np.uint64}


def _as_numbers(values: Any, dtype: Any) -> Any:
    """A block's ids or weights (an array, read without a Python object per value, or a
    tuple) as a numpy array of ``dtype``."""
    if isinstance(values, array):
        native = _DELTA_TYPES.get(values.typecode, np.float32 if values.typecode == "f" else None)
        if native is not None and values.itemsize == np.dtype(native).itemsize:
            return np.frombuffer(values, dtype=native).astype(dtype)
    return np.array(values, dtype=dtype)


def term_arrays(reader: Any, fieldname: str, btext: bytes, terminfo: Any = None) -> tuple[Any, Any]:
    """A term's postings in one segment as two numpy arrays: document numbers (int64, deleted
    documents included) and weights (float64).

    The blocks' id deltas are put end to end and summed once: each block's first delta is
    its first id, so the previous block's last id (from its block info) is taken off it.
    """
    terms = reader._terms
    if terminfo is None:
        terminfo = terms.term_info(fieldname, btext)
    if terminfo.is_inlined():
        ids, weights, _values = terminfo.inlined_postings()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)
    fmt = reader.schema[fieldname].format
    matcher = terms._codec.postings_reader(terms._postfile, terminfo, fmt)
    id_parts: list[Any] = []
    weight_parts: list[Any] = []
    last = 0
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        deltas, weights, _values = matcher._data
        block = _as_numbers(deltas, np.int64)
        block[0] -= last
        last = matcher._maxid
        id_parts.append(block)
        if weights is None or isinstance(weights, float):
            weight_parts.append(np.full(len(block), 1.0 if weights is None else weights))
        else:
            weight_parts.append(_as_numbers(weights, np.float64))
        matcher._next_block()
    if not id_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    ids = np.cumsum(np.concatenate(id_parts)) if len(id_parts) > 1 else np.cumsum(id_parts[0])
    return ids, np.concatenate(weight_parts)


# -- writing -------------------------------------------------------------------------------------
def _smallest_array(values: Any) -> array:
    """``values`` (a numpy array of non-negative integers) as an array of the smallest
    unsigned type holding them."""
    top = int(values.max())
    dtype, code = (
        (np.uint8, "B") if top < 1 << 8 else (np.uint16, "H") if top < 1 << 16 else (np.uint32, "I")
    )
    out = array(code)
    out.frombytes(values.astype(dtype).tobytes())
    return out


def _postings_writer_class() -> type:
    import pickle
    import zlib

    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3PostingsWriter
    from whoosh.util.numeric import length_to_byte

    class FastPostingsWriter(W3PostingsWriter):  # type: ignore[misc]
        """Whoosh's W3 postings writer, fed a whole block at a time.

        A block is what Whoosh writes (a block info tuple, then the pickled, compressed
        ``(ids, weights, values)`` tuple) but for two things Whoosh's reader reads alike:
        in blocks of ``ARRAY_BLOCK`` postings or more, the id deltas and the weights are
        arrays, not tuples, and the pickles use protocol ``PICKLE_PROTOCOL`` (an array then
        pickles as its bytes; under protocol 2 it would be a list); smaller blocks are not
        compressed. A block's numbers are worked out with numpy (``_block_ids`` and
        ``_block_weights`` hold them), never a Python object per posting.
        """

        _block_ids: Any = None
        _block_weights: Any = None

        def _mini_ids(self) -> Any:
            block = self._block_ids
            deltas = np.diff(block, prepend=np.uint32(0)) if len(block) else block
            return _smallest_array(deltas) if len(block) >= ARRAY_BLOCK else tuple(deltas.tolist())

        def _mini_weights(self) -> Any:
            weights = self._block_weights
            first = weights[0]
            if (weights == first).all():
                return None if first == 1 else float(first)
            if len(weights) >= ARRAY_BLOCK:
                return self._weights
            return tuple(float(w) for w in weights.tolist())

        def _write_block(self, last: bool = False) -> None:
            """Whoosh's ``W3PostingsWriter._write_block``, pickling with our protocol."""
            if not self._blockcount:
                self._postfile.write(WHOOSH3_HEADER_MAGIC)
            self._terminfo.add_block(self)
            data = (self._mini_ids(), self._mini_weights(), self._mini_values())
            # A small block is left uncompressed (its info says so, and readers look): zlib
            # saves nothing on a few dozen bytes, and costs a stream set-up each way.
            comp = COMPRESSION if len(self._ids) >= ARRAY_BLOCK else 0
            databytes = pickle.dumps(data, PICKLE_PROTOCOL)
            if comp:
                databytes = zlib.compress(databytes, comp)
            ids = self._ids
            info = (
                len(ids),
                ids[-1],
                self._maxweight,
                comp,
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            )
            infobytes = pickle.dumps(info, 2)
            length = len(infobytes) + len(databytes)
            self._postfile.write_int(-length if last else length)
            self._postfile.write(infobytes)
            self._postfile.write(databytes)
            self._blockcount += 1
            self._new_block()

        def write_postings(
            self,
            ids: array,
            freqs: array,
            field_boost: float,
            fixed_size: int | None,
            lengths: Any,
        ) -> None:
            """Write one term's postings (ascending ids) as blocks of ``BLOCK_LIMIT``.

            ``lengths`` is the field's length per document (a numpy array), or None.
            """
            count = len(ids)
            all_ids = np.frombuffer(ids, dtype=np.uint32)
            all_freqs = np.frombuffer(freqs, dtype=np.uint32)
            doc_lengths = lengths[all_ids] if lengths is not None else None
            for start in range(0, count, self._blocklimit):
                end = min(count, start + self._blocklimit)
                block_freqs = all_freqs[start:end]
                self._ids = ids[start:end]
                self._block_ids = all_ids[start:end]
                # Weights are frequencies: whole numbers, kept in the smallest unsigned type
                # (a byte each, mostly) rather than as 4-byte floats; a boosted field's are
                # floats. Readers take either (an array's items are numbers).
                if field_boost == 1.0:
                    self._block_weights = block_freqs
                    self._weights = _smallest_array(block_freqs)
                else:
                    self._block_weights = (block_freqs * field_boost).astype(np.float32)
                    self._weights = array("f", self._block_weights.tobytes())
                self._maxweight = float(self._block_weights.max())
                if fixed_size:  # Frequency: each value is the frequency as a 4-byte integer
                    self._values = [block_freqs.astype(">u4").tobytes()]
                else:
                    self._values = []
                self._minlength: int | None = None  # (no lengths: Whoosh's values)
                self._maxlength = 0
                if doc_lengths is not None:
                    block_lengths = doc_lengths[start:end]
                    self._minlength = int(block_lengths.min())
                    self._maxlength = int(block_lengths.max())
                self._write_block(last=end == count)

    return FastPostingsWriter


# A field pool sorts its flat arrays into per-term arrays once it holds this many postings.
POOL_CHUNK = 1 << 20


class _FieldPool:
    """The postings of the documents added to a segment, for one field.

    Postings go onto three flat arrays (term number, document number, frequency) with a few
    C-level calls: a batch of documents' rows at once (:meth:`add_counts`, from
    analysis.count_terms), or one document's terms (:meth:`add`), instead of an append per
    posting to per-term arrays. Every ``POOL_CHUNK`` postings the flat arrays are sorted by
    term (numpy, stable: documents stay in order) and moved onto the per-term arrays with one
    ``frombytes`` per term, so that memory stays what per-term arrays alone take.
    """

    __slots__ = ("vocabulary", "term_ids", "docs", "freqs", "postings")

    def __init__(self) -> None:
        self.vocabulary = Vocabulary()  # term -> its number, in order of first sight
        self.term_ids = array("I")
        self.docs = array("I")
        self.freqs = array("I")
        self.postings: list[tuple[array, array] | None] = []  # by term number

    def add(self, docnum: int, counts: dict[str, int]) -> None:
        """Add one document's terms with their frequencies."""
        vocab = self.vocabulary.numbers
        keys = counts.keys()
        if not vocab.keys() >= keys:  # (keys - vocab.keys() would walk the whole vocabulary)
            for term in [t for t in keys if t not in vocab]:
                vocab[term] = len(vocab)
        self.term_ids.extend(map(vocab.__getitem__, keys))
        self.freqs.extend(counts.values())
        self.docs.extend(itertools.repeat(docnum, len(keys)))
        if len(self.term_ids) >= POOL_CHUNK:
            self._sort_chunk()

    def add_counts(self, docnums: Any, counts: TermCounts) -> None:
        """Add the rows of :func:`count_terms` (over this pool's vocabulary) for documents
        ``docnums`` (by the rows' text); each term's documents come in ascending order, after
        those added before."""
        self.term_ids.frombytes(counts.terms.astype(np.uint32).tobytes())
        self.docs.frombytes(docnums[counts.texts].astype(np.uint32).tobytes())
        self.freqs.frombytes(counts.counts.astype(np.uint32).tobytes())
        if len(self.term_ids) >= POOL_CHUNK:
            self._sort_chunk()

    def _sort_chunk(self) -> None:
        if not self.term_ids:
            return
        ids = np.frombuffer(self.term_ids, dtype=np.uint32)
        order = np.argsort(ids, kind="stable")
        ids = ids[order]
        docs = np.frombuffer(self.docs, dtype=np.uint32)[order].tobytes()
        freqs = np.frombuffer(self.freqs, dtype=np.uint32)[order].tobytes()
        del order
        self.term_ids, self.docs, self.freqs = array("I"), array("I"), array("I")
        starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
        bounds = (4 * starts).tolist() + [4 * len(ids)]
        postings = self.postings
        postings.extend([None] * (len(self.vocabulary.numbers) - len(postings)))
        for number, start, end in zip(ids[starts].tolist(), bounds, bounds[1:], strict=False):
            entry = postings[number]
            if entry is None:
                entry = postings[number] = (array("I"), array("I"))
            entry[0].frombytes(docs[start:end])
            entry[1].frombytes(freqs[start:end])

    def terms(self) -> dict[str, tuple[array, array]]:
        """term -> (document numbers, frequencies), ascending by document; empties the pool."""
        self._sort_chunk()
        postings = self.postings
        out = {term: postings[number] for term, number in self.vocabulary.numbers.items()}
        self.vocabulary, self.postings = Vocabulary(), []
        return out  # type: ignore[return-value]  # every term has postings


# Documents whose text fields FastSegmentWriter.add_documents analyses together.
ADD_BATCH = 500


class FastSegmentWriter(writing.SegmentWriter):
    """A Whoosh segment writer with fast analysis, no posting sort and block-wise encoding.

    Every field must use the Existence or Frequency format (no positions). Fields named in
    ``text_fields`` are analyzed with :func:`analyze` (one document) or :func:`count_terms`
    (a batch, :meth:`add_documents`); others with their own field type.
    """

    block_limit = BLOCK_LIMIT  # postings per block (the compatibility check writes small ones)

    def __init__(self, ix: Any, text_fields: frozenset[str], **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._text_fields = text_fields
        # The postings of added documents, by field (see _FieldPool), and of merged segments:
        # fieldname -> term -> (document numbers, frequencies), in document order. Terms are
        # kept as text and encoded once each when written (UTF-8 sorts as the text does).
        self._pools: dict[str, _FieldPool] = {}
        self._posts: dict[str, dict[str, tuple[array, array]]] = {}
        self._merged = False
        self._unordered = False

    def add_document(self, **fields: Any) -> None:
        """Add one document (the same keyword arguments as Whoosh's writer)."""
        self._check_state()
        self._check_fields(self.schema, sorted(n for n in fields if not n.startswith("_")))
        self._add(fields, {})

    def add_documents(self, docs: Sequence[dict[str, Any]]) -> None:
        """Add documents (each a dict of :meth:`add_document`'s arguments), in order, with
        each text field's words counted for all of them at once.

        The same segment as adding them one by one. Every document's fields are checked
        before any is added.
        """
        self._check_state()
        schema = self.schema
        for doc in docs:
            self._check_fields(schema, sorted(n for n in doc if not n.startswith("_")))
        counted: list[dict[str, int]] = [{} for _ in docs]
        for name in sorted(self._text_fields):
            if name not in schema or not schema[name].indexed:
                continue
            at = [i for i, doc in enumerate(docs) if isinstance(doc.get(name), str)]
            if not at:
                continue
            pool = self._pool(name)
            counts = count_terms([docs[i][name] for i in at], pool.vocabulary)
            pool.add_counts(self.docnum + np.asarray(at, dtype=np.int64), counts)
            scorable = schema[name].scorable
            for i, length in zip(at, counts.lengths.tolist(), strict=True):
                counted[i][name] = length if scorable else 0
        for doc, lengths in zip(docs, counted, strict=True):
            self._add(doc, lengths)

    def _add(self, fields: dict[str, Any], counted: dict[str, int]) -> None:
        """Add one document whose fields are checked; the postings of the fields in
        ``counted`` (name -> length) are in their pools already."""
        if self._merged:
            self._unordered = True  # a merge gave later numbers to earlier postings
        schema = self.schema
        pdw = self.perdocwriter
        docnum = self.docnum
        found: list[tuple[str, dict[str, int]]] = []
        pdw.start_doc(docnum)
        try:
            for name in sorted(n for n in fields if not n.startswith("_")):
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if name in counted:
                    length = counted[name]
                elif field.indexed:
                    counts: dict[str, int]
                    if name in self._text_fields and isinstance(value, str):
                        words = analyze(value)
                        counts = Counter(words)
                        length = len(words) if field.scorable else 0
                    else:
                        counts = {}
                        for tb, freq, _w, _v in field.index(value):
                            term = tb.decode("utf-8")
                            counts[term] = counts.get(term, 0) + freq
                        length = sum(counts.values()) if field.scorable else 0
                    found.append((name, counts))
                pdw.add_field(name, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    pdw.add_column_value(name, column, field.to_column_value(value))
        except BaseException:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        for name, counts in found:
            self._pool(name).add(docnum, counts)
        self._added = True
        self.docnum += 1

    def _pool(self, name: str) -> _FieldPool:
        pool = self._pools.get(name)
        if pool is None:
            pool = self._pools[name] = _FieldPool()
        return pool

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Any) -> None:
        """Merging a segment: read its postings a block at a time into the arrays."""
        self._merged = True
        schema = self.schema
        for fieldname in sorted(reader.indexed_field_names()):
            if fieldname not in schema:
                continue
            fixed = schema[fieldname].format.fixed_value_size()
            terms = self._posts.setdefault(fieldname, {})
            for btext in reader.lexicon(fieldname):
                new_ids = array("I")
                new_freqs = array("I")
                for ids, _weights, values in term_blocks(reader, fieldname, btext):
                    if fixed:
                        freqs: Any = struct.unpack(f"!{len(ids)}I", values)
                    else:
                        freqs = itertools.repeat(1, len(ids))
                    if docmap is None:
                        new_ids.extend(startdoc + d for d in ids)
                        new_freqs.extend(freqs)
                    else:
                        for d, f in zip(ids, freqs, strict=False):
                            new = docmap.get(d)
                            if new is not None:
                                new_ids.append(new)
                                new_freqs.append(f)
                if not new_ids:
                    continue
                term = btext.decode("utf-8")
                entry = terms.get(term)
                if entry is None:
                    terms[term] = (new_ids, new_freqs)
                else:
                    entry[0].extend(new_ids)
                    entry[1].extend(new_freqs)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        fw = self.fieldwriter
        postings_writer = _postings_writer_class()
        try:
            for fieldname in sorted(self._pools.keys() | self._posts.keys()):
                terms = self._field_terms(fieldname)
                if not terms:
                    continue
                fieldobj = self.schema[fieldname]
                fmt = fieldobj.format
                lengths = segment_lengths(pdr, fieldname) if fieldobj.scorable else None
                length_array = None if lengths is None else np.array(lengths, dtype=np.int64)
                fw.start_field(fieldname, fieldobj)
                writer = postings_writer(fw._postfile, self.block_limit)
                fw._postwriter = writer
                inline = _inliner(fw, fmt, lengths)
                for term in sorted(terms):
                    ids, freqs = terms[term]
                    if self._unordered:
                        pairs = sorted(zip(ids, freqs, strict=True))
                        ids = array("I", (p[0] for p in pairs))
                        freqs = array("I", (p[1] for p in pairs))
                    btext = term.encode("utf-8")
                    if len(ids) < INLINE_LIMIT:
                        inline(btext, ids, freqs)
                        continue
                    fw.start_term(btext)
                    writer.write_postings(
                        ids, freqs, fmt.field_boost, fmt.fixed_value_size(), length_array
                    )
                    fw.finish_term()
                fw.finish_field()
        finally:
            pdr.close()
        fw.close()
        self._posts.clear()

    def _field_terms(self, fieldname: str) -> dict[str, tuple[array, array]]:
        """Every posting of a field, added and merged: term -> (documents, frequencies).

        Added documents take their numbers before any merge (unless a document was added
        after one: then ``_unordered``, and the postings are sorted when written), so a term's
        added postings come before its merged ones.
        """
        pool = self._pools.pop(fieldname, None)
        terms = pool.terms() if pool is not None else {}
        for term, (ids, freqs) in self._posts.pop(fieldname, {}).items():
            entry = terms.get(term)
            if entry is None:
                terms[term] = (ids, freqs)
            else:
                entry[0].extend(ids)
                entry[1].extend(freqs)
        return terms


# A frequency as Whoosh's Frequency format encodes it (a 4-byte unsigned int), for the common ones.
_FREQ_BYTES = tuple(struct.pack("!I", f) for f in range(256))


def _inliner(fw: Any, fmt: Any, lengths: list[int] | None) -> Any:
    """A function writing one term of few postings straight into the field's term table,
    inlined: the row ``W3FieldWriter`` would write for the term (the key, then
    ``W3TermInfo.to_bytes()`` of a term info whose postings are inlined), without a block.

    Statistics are those ``W3TermInfo.add_block`` keeps; weights are the frequencies as the
    block writer stores them (whole numbers, or floats for a boosted field), values each
    posting's bytes (the frequency), or None for the Existence format.
    """
    import pickle

    from whoosh.codec.whoosh3 import W3TermInfo
    from whoosh.util.numeric import length_to_byte

    add = fw._tindex.add
    prefix = struct.pack("!H", fw._fieldid)
    pack_info = W3TermInfo._struct.pack
    boost = fmt.field_boost
    fixed = fmt.fixed_value_size()
    freq_bytes = _FREQ_BYTES

    def inline(btext: bytes, ids: array, freqs: array) -> None:
        id_list = ids.tolist()
        freq_list = freqs.tolist()
        weights = tuple(freq_list) if boost == 1.0 else tuple(f * boost for f in freq_list)
        if fixed:
            values = tuple(freq_bytes[f] if f < 256 else struct.pack("!I", f) for f in freq_list)
        else:
            values = (None,) * len(id_list)  # what Whoosh's block reader gives
        if lengths is not None:
            doc_lengths = [lengths[d] for d in id_list]
            minlength = length_to_byte(min(doc_lengths))
            maxlength = length_to_byte(max(doc_lengths))
        else:
            minlength = maxlength = 0
        info = pack_info(
            1, sum(weights), len(id_list), minlength, maxlength, float(max(weights)),
            id_list[0], id_list[-1],
        )  # fmt: skip
        add(prefix + btext, info + pickle.dumps((tuple(id_list), weights, values), 2))

    return inline


def add_documents(writer: Any, docs: Sequence[dict[str, Any]]) -> None:
    """Add ``docs`` to a writer from :meth:`WhooshAccess.writer`: all at once through
    :meth:`FastSegmentWriter.add_documents`, or one by one to Whoosh's own writer."""
    if isinstance(writer, FastSegmentWriter):
        writer.add_documents(docs)
    else:
        for doc in docs:
            writer.add_document(**doc)


def live_documents(segment: Any, access: WhooshAccess) -> Sequence[int]:
    """The live document numbers of a segment, ascending."""
    count = segment.doc_count_all()
    dead = access.deleted(segment)
    if not dead:
        return range(count)
    gone = set(dead)
    return [d for d in range(count) if d not in gone]

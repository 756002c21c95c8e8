"""Writing the Whoosh index fast, in Whoosh's own on-disk format.

Whoosh's segment writer spends most of its time per posting in Python: a token object per
word through a chain of generator filters, a sort of every posting tuple (spilled to temporary
files past a memory limit), and a method call per posting to encode it. ``FastSegmentWriter``
keeps the same files (the W3 codec: term table, posting blocks, length and value columns), so
Whoosh reads them as its own, but builds them differently:

- text is tokenized with one regular expression and counted with ``collections.Counter``,
  giving exactly the terms of Whoosh's ``StandardAnalyzer`` with our word pattern (tested);
- postings go straight into per-term arrays, already in document order, so nothing is sorted
  but the term list;
- each posting block is encoded with a few C-level calls instead of per-posting Python.

Positions are not indexed: phrases are checked on the text itself (search_engine.py).
"""

from __future__ import annotations

import itertools
import operator
import re
import struct
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import writing
from whoosh.analysis import STOP_WORDS
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PostingsWriter
from whoosh.util.numeric import byte_to_length

# Postings per block: larger than Whoosh's 128, so a common word is fewer blocks to read.
BLOCK_LIMIT = 512
WORD_PATTERN = r"\w+(?:\.?\w+)*"
_TOKEN_RE = re.compile(WORD_PATTERN, re.UNICODE)
_STOP = frozenset(STOP_WORDS)
# Field length bytes decoded (Whoosh's byte_to_length; byte 0, "no length", reads as 1).
LENGTHS = [1] + [byte_to_length(b) for b in range(1, 256)]


def analyze(text: str) -> list[str]:
    """The index terms of ``text``: words lowercased, stop words dropped.

    The same terms, in the same order, as Whoosh's
    ``StandardAnalyzer(expression=WORD_PATTERN, minsize=1)``.
    """
    if text.isascii():  # lowercasing first changes no word boundary, and is one C call
        return [w for w in _TOKEN_RE.findall(text.lower()) if w not in _STOP]
    return [w for t in _TOKEN_RE.findall(text) if (w := t.lower()) not in _STOP]


def _deltas(ids: Any) -> tuple[int, ...]:
    return tuple(map(operator.sub, ids, itertools.chain((0,), ids)))


class FastPostingsWriter(W3PostingsWriter):
    """Whoosh's W3 postings writer, fed a whole block at a time."""

    def _mini_ids(self) -> tuple[int, ...]:
        return _deltas(self._ids)

    def _mini_weights(self) -> Any:
        weights = self._weights
        first = weights[0]
        if weights.count(first) == len(weights):
            return None if first == 1.0 else first
        return tuple(weights)

    def write_postings(
        self,
        ids: array,
        freqs: array,
        field_boost: float,
        fixed_size: int | None,
        lengths: list[int] | None,
    ) -> None:
        """Write one term's postings (ascending ids) as blocks of ``BLOCK_LIMIT``."""
        count = len(ids)
        for start in range(0, count, self._blocklimit):
            end = min(count, start + self._blocklimit)
            block_ids = ids[start:end]
            block_freqs = freqs[start:end]
            self._ids = block_ids
            weights = (
                array("f", block_freqs)
                if field_boost == 1.0
                else array("f", (f * field_boost for f in block_freqs))
            )
            self._weights = weights
            self._maxweight = max(weights)
            if fixed_size:  # Frequency: each value is the frequency as a 4-byte integer
                self._values = [struct.pack(f"!{end - start}I", *block_freqs)]
            else:
                self._values = []
            if lengths is not None:
                block_lengths = [lengths[d] for d in block_ids]
                self._minlength = min(block_lengths)
                self._maxlength = max(block_lengths)
            else:
                self._minlength, self._maxlength = None, 0
            self._write_block(last=end == count)


def load_numbers(col: Any) -> list[int]:
    """Every value of a numeric column reader, unpacked in one call when the layout allows."""
    try:
        count, doccount, size = col._count, col._doccount, col._fixedlen
        data = col._dbfile.get(col._basepos, count * size)
        values = list(struct.unpack(f"!{count}{col._typecode}", data))
        return values + [col._default] * (doccount - count)
    except (AttributeError, struct.error):  # another column layout: the slow, general way
        return list(col)


def segment_lengths(perdoc: Any, fieldname: str) -> list[int] | None:
    """Decoded field lengths by document number from a segment's per-document reader."""
    col = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if col is None:
        return None
    return [LENGTHS[b] for b in load_numbers(col)]


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
    if terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        yield list(ids), tuple(weights), values
        return
    fmt = reader.schema[fieldname].format
    matcher = terms._codec.postings_reader(terms._postfile, terminfo, fmt)
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        deltas, weights, values = matcher._data
        yield list(itertools.accumulate(deltas)), weights, values
        matcher._next_block()


class FastSegmentWriter(writing.SegmentWriter):
    """A Whoosh segment writer with fast analysis, no posting sort and block-wise encoding.

    Every field must use the Existence or Frequency format (no positions). Fields named in
    ``text_fields`` are analyzed with :func:`analyze`; others with their own field type.
    """

    def __init__(self, ix: Any, text_fields: frozenset[str], **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._text_fields = text_fields
        # fieldname -> term -> (document numbers, frequencies), in document order. Terms are
        # kept as text and encoded once each when written (UTF-8 sorts as the text does).
        self._posts: dict[str, dict[str, tuple[array, array]]] = {}
        self._merged = False
        self._unordered = False

    def add_document(self, **fields: Any) -> None:
        """Add one document (the same keyword arguments as Whoosh's writer)."""
        self._check_state()
        if self._merged:
            self._unordered = True  # a merge gave later numbers to earlier postings
        schema = self.schema
        pdw = self.perdocwriter
        docnum = self.docnum
        names = sorted(n for n in fields if not n.startswith("_"))
        self._check_fields(schema, names)
        found: list[tuple[str, Any]] = []
        pdw.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    if name in self._text_fields and isinstance(value, str):
                        words = analyze(value)
                        counts: Any = Counter(words).items()
                        length = len(words) if field.scorable else 0
                    else:
                        counts = [
                            (tb.decode("utf-8"), freq) for tb, freq, _w, _v in field.index(value)
                        ]
                        length = sum(f for _t, f in counts) if field.scorable else 0
                    found.append((name, counts))
                pdw.add_field(name, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    pdw.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        for name, counts in found:
            self._add_postings(name, docnum, counts)
        self._added = True
        self.docnum += 1

    def _add_postings(self, name: str, docnum: int, counts: Iterable[tuple[str, int]]) -> None:
        terms = self._posts.get(name)
        if terms is None:
            terms = self._posts[name] = {}
        get = terms.get
        for term, freq in counts:
            entry = get(term)
            if entry is None:
                entry = terms[term] = (array("I"), array("I"))
            entry[0].append(docnum)
            entry[1].append(freq)

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
        try:
            for fieldname in sorted(self._posts):
                terms = self._posts[fieldname]
                if not terms:
                    continue
                fieldobj = self.schema[fieldname]
                fmt = fieldobj.format
                lengths = segment_lengths(pdr, fieldname) if fieldobj.scorable else None
                fw.start_field(fieldname, fieldobj)
                writer = FastPostingsWriter(fw._postfile, BLOCK_LIMIT)
                fw._postwriter = writer
                for term in sorted(terms):
                    ids, freqs = terms[term]
                    if self._unordered:
                        pairs = sorted(zip(ids, freqs, strict=True))
                        ids = array("I", (p[0] for p in pairs))
                        freqs = array("I", (p[1] for p in pairs))
                    fw.start_term(term.encode("utf-8"))
                    writer.write_postings(
                        ids, freqs, fmt.field_boost, fmt.fixed_value_size(), lengths
                    )
                    fw.finish_term()
                fw.finish_field()
        finally:
            pdr.close()
        fw.close()
        self._posts.clear()

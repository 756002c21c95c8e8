"""A snapshot entry as the writer stores it: the entry's fields with its stored values beside.

The snapshot reader processes (snapshot_workers.py) parse each line into the fields of an
:class:`~desktop.core.importing.result.Entry` (``record_values``) and add what the writer
would otherwise work out per paper on its one core: the title's key, and the author and
category lists as the JSON text the papers table holds. A row is those fields then
``title_key``, ``authors_json``, ``categories_json``; its line and position count from the
start of its chunk, which carries the offsets to add.

The author and category lists travel as that JSON text only: a row's ``authors`` and
``categories`` fields are None, and :func:`row_entry` reads the lists back from the JSON for
the few papers that become an Entry. A paper's names were a tenth of a row's objects and
about a third of the cost of pickling it in the reader and unpickling it in the writer.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing
from operator import itemgetter
from typing import Any

from desktop.core.importing.arxiv_snapshot import placed_entry
from desktop.core.importing.result import ENTRY_FIELDS, Entry
from desktop.core.importing.sql_values import json_categories, json_names, sql_int
from desktop.core.importing.textnorm import title_key

ENTRY_WIDTH = len(ENTRY_FIELDS)
# Where a row holds each value (the Entry fields first, in their order).
TITLE, ABSTRACT, LINE, POSITION = 0, 1, 2, 3
AUTHORS_COUNT, SUBMITTER, PUBLISHED, PUBLISHED_RAW, YEAR_INFERRED, UPVOTES = 4, 5, 6, 7, 8, 9
ARXIV_ID, ARXIV_VERSION, AUTHORS, COMMENTS, ARXIV_COMMENTS = 11, 12, 13, 14, 15
CATEGORIES, PRIMARY_CATEGORY, JOURNAL_REF = 16, 17, 18
TITLE_KEY, AUTHORS_JSON, CATEGORIES_JSON = ENTRY_WIDTH, ENTRY_WIDTH + 1, ENTRY_WIDTH + 2

Row = tuple[Any, ...]
# Rows read from one part of the file, with the line and entry numbers before that part.
Chunk = tuple[list[Row], int, int]


# The papers columns a new paper's row fills as it stands (id and the clock stamps aside),
# each with where the row holds its value: see ImportWriter._insert_new_rows.
_NEW_PAPER = (
    ("title", TITLE),
    ("title_key", TITLE_KEY),
    ("abstract", ABSTRACT),
    ("authors_count", AUTHORS_COUNT),
    ("submitter", SUBMITTER),
    ("published", PUBLISHED),
    ("published_raw", PUBLISHED_RAW),
    ("arxiv_id", ARXIV_ID),
    ("arxiv_version", ARXIV_VERSION),
    ("authors", AUTHORS_JSON),
    ("arxiv_comments", ARXIV_COMMENTS),
    ("categories", CATEGORIES_JSON),
    ("primary_category", PRIMARY_CATEGORY),
    ("journal_ref", JOURNAL_REF),
)
NEW_PAPER_COLUMNS = tuple(column for column, _ in _NEW_PAPER)
new_paper_values = itemgetter(*(at for _, at in _NEW_PAPER))
# The fields a snapshot's record never has (record_values gives them as these), left to the
# papers columns' defaults by the new-paper insert: each None bound cost the sqlite3 module
# an adapter lookup. The year is never inferred (a snapshot dates every version), and the
# Hugging Face counts (upvotes, comments) are not arXiv's.
SNAPSHOT_CONSTANTS = {YEAR_INFERRED: False, UPVOTES: None, COMMENTS: None}
# The integer fields, kept to what SQLite can hold (sql_int) so that a row binds as it is.
_INTEGERS = (AUTHORS_COUNT, UPVOTES, ARXIV_VERSION, COMMENTS)


def prepared(values: tuple[Any, ...]) -> Row:
    """An entry's fields (``record_values``) with its stored values added, its author and
    category lists as JSON only (the fields None); its integers are the ones the papers
    table would store (sql_int: one too large for SQLite is None)."""
    fields = list(values)
    if any(values[at] is not None and sql_int(values[at]) is None for at in _INTEGERS):
        for at in _INTEGERS:
            fields[at] = sql_int(fields[at])
    fields[AUTHORS] = fields[CATEGORIES] = None
    fields += (
        title_key(values[TITLE]),
        json_names(values[AUTHORS]),
        json_categories(values[CATEGORIES]),
    )
    return tuple(fields)


def row_entry(row: Row, line_offset: int, entry_offset: int) -> Entry:
    """The Entry of a row, its line and position counted from the file's start, its author
    and category lists read back from their JSON."""
    fields = list(row[:ENTRY_WIDTH])
    fields[AUTHORS] = tuple(json.loads(row[AUTHORS_JSON]))
    fields[CATEGORIES] = tuple(json.loads(row[CATEGORIES_JSON]))
    return placed_entry(tuple(fields), row[LINE] + line_offset, row[POSITION] + entry_offset)


def entry_rows(entries: Generator[Entry, None, None], size: int) -> Generator[Chunk, None, None]:
    """Entries (numbered from the file's start) as chunks of up to ``size`` rows; closing
    this closes ``entries``."""
    rows: list[Row] = []
    with closing(entries):
        for entry in entries:
            rows.append(prepared(tuple(getattr(entry, name) for name in ENTRY_FIELDS)))
            if len(rows) >= size:
                yield rows, 0, 0
                rows = []
    if rows:
        yield rows, 0, 0


def batches(chunks: Iterable[Chunk], size: int) -> Iterator[list[Chunk]]:
    """The rows of ``chunks`` regrouped into batches of exactly ``size`` rows (the last may
    hold fewer): a chunk is cut where a batch ends (its rows keep their offsets)."""
    batch: list[Chunk] = []
    held = 0
    for rows, lines, entries in chunks:
        while rows:
            taken = rows[: size - held]
            rows = rows[len(taken) :]
            batch.append((taken, lines, entries))
            held += len(taken)
            if held >= size:
                yield batch
                batch, held = [], 0
    if batch:
        yield batch

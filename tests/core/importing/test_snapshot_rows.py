"""A snapshot row holds an entry's fields and the values the writer stores, made alike."""

from __future__ import annotations

from dataclasses import fields

from hypothesis import given
from hypothesis import strategies as st

from desktop.core.importing import snapshot_rows
from desktop.core.importing.arxiv_snapshot import record_values
from desktop.core.importing.result import Entry, entry_from_values
from desktop.core.importing.snapshot_rows import (
    batches,
    entry_rows,
    prepared,
    row_entry,
)
from desktop.core.importing.sql_values import json_categories, json_names
from desktop.core.importing.textnorm import title_key
from desktop.core.library import Library
from tests.core.importing.test_snapshot_equivalence import record


def test_the_row_positions_name_the_entry_fields() -> None:
    names = [f.name for f in fields(Entry)]
    assert len(names) == snapshot_rows.ENTRY_WIDTH
    for constant, name in (
        ("TITLE", "title"),
        ("ABSTRACT", "abstract"),
        ("LINE", "line"),
        ("POSITION", "position"),
        ("AUTHORS_COUNT", "authors_count"),
        ("SUBMITTER", "submitter"),
        ("PUBLISHED", "published"),
        ("PUBLISHED_RAW", "published_raw"),
        ("YEAR_INFERRED", "published_year_inferred"),
        ("UPVOTES", "upvotes"),
        ("ARXIV_ID", "arxiv_id"),
        ("ARXIV_VERSION", "arxiv_version"),
        ("AUTHORS", "authors"),
        ("COMMENTS", "comments"),
        ("ARXIV_COMMENTS", "arxiv_comments"),
        ("CATEGORIES", "categories"),
        ("PRIMARY_CATEGORY", "primary_category"),
        ("JOURNAL_REF", "journal_ref"),
    ):
        assert names[getattr(snapshot_rows, constant)] == name


def test_a_row_holds_the_entry_and_its_stored_values() -> None:
    values = record_values(record(3, title="Ünïcode Títle: a  Study"), 5, 2)
    assert isinstance(values, tuple)
    row = prepared(values)
    entry = entry_from_values(values)
    assert row[snapshot_rows.TITLE_KEY] == title_key(entry.title)
    assert row[snapshot_rows.AUTHORS_JSON] == json_names(entry.authors)
    assert row[snapshot_rows.CATEGORIES_JSON] == json_categories(entry.categories)
    placed = row_entry(row, 100, 10)
    assert placed.line == 105 and placed.position == 12
    assert placed == entry_from_values((*values[:2], 105, 12, *values[4:]))


def test_entry_rows_give_back_the_entries() -> None:
    entries = [
        entry_from_values(v)
        for n in range(1, 8)
        if isinstance(v := record_values(record(n), n, n), tuple)
    ]
    chunks = list(entry_rows((e for e in entries), 3))
    assert [len(rows) for rows, _l, _e in chunks] == [3, 3, 1]
    assert [row_entry(r, lines, at) for rows, lines, at in chunks for r in rows] == entries


@given(
    st.lists(st.integers(min_value=0, max_value=9), max_size=12),
    st.integers(min_value=1, max_value=7),
)
def test_batches_cut_chunks_into_batches_of_the_size(sizes: list[int], size: int) -> None:
    chunks = []
    start = 0
    for n, count in enumerate(sizes):
        chunks.append(([(start + i,) for i in range(count)], n * 100, n * 10))
        start += count
    out = list(batches(iter(chunks), size))
    flat = [(row, lines, at) for batch in out for rows, lines, at in batch for row in rows]
    assert flat == [(row, lines, at) for rows, lines, at in chunks for row in rows]
    held = [sum(len(rows) for rows, _l, _e in batch) for batch in out]
    assert all(h == size for h in held[:-1]) and (not held or 0 < held[-1] <= size)


def test_the_fields_the_new_paper_insert_leaves_to_defaults_are_constant() -> None:
    """ImportWriter._insert_new_rows binds no year, upvotes or comments: every record gives
    them as SNAPSHOT_CONSTANTS holds, and the columns' defaults are those values."""
    from tests.core.importing.test_snapshot_equivalence import TRICKY

    for n, rec in enumerate([*TRICKY, *(record(n) for n in range(1, 30))]):
        values = record_values(rec, n + 1, n + 1)
        if isinstance(values, tuple):
            for at, constant in snapshot_rows.SNAPSHOT_CONSTANTS.items():
                assert values[at] is constant, (rec, at)
    with Library.in_memory() as lib:
        lib.db.execute(
            "INSERT INTO papers (title, title_key, abstract, added_at, updated_at) "
            "VALUES ('t', 't', '', 'now', 'now')"
        )
        row = lib.db.execute(
            "SELECT published_year_inferred, upvotes, comments FROM papers"
        ).fetchone()
    assert tuple(row) == (0, None, None)

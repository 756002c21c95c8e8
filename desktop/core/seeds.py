"""The sample digests of a first run: where they are, and seeding a library that never had any.

The seeds ship inside the package (``desktop/seeds/``, copied there from the source tree's
top-level ``seeds/`` when the wheel is built, see setup.py) and are found with
``importlib.resources``; an editable install, which has no copy, reads the source tree's
``seeds/`` folder.

When to seed needs no marker of its own: the ``digests`` table is the log of every import (a
digest row is what makes re-importing a file a no-op; removing a digest only marks the row
removed), and seeding writes four of them, flagged as the samples. A library with no papers
and no digests has therefore never imported anything, the seeds included: it was just created,
or every import into it was refused. A user who deleted every paper, or removed the samples,
still has the digest rows they came from, and is not seeded again.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from desktop.core.library import Library
from desktop.core.models import ImportResult

SEEDS_FOLDER = "seeds"
# The source tree's seeds (an editable install, or running from a checkout).
SOURCE_SEEDS = Path(__file__).resolve().parent.parent.parent / SEEDS_FOLDER


def seeds_dir() -> Path | Traversable:
    """The bundled sample digests: the package's copy, else the source tree's ``seeds/``."""
    packaged = resources.files("desktop") / SEEDS_FOLDER
    if packaged.is_dir():
        return packaged
    return SOURCE_SEEDS


def needs_seeds(library: Library) -> bool:
    """True when the library has never imported anything: no papers and no digests."""
    row = library.db.execute(
        "SELECT EXISTS (SELECT 1 FROM papers) OR EXISTS (SELECT 1 FROM digests)"
    ).fetchone()
    return not row[0]


def seed_if_empty(library: Library) -> list[ImportResult]:
    """Import the sample digests into a library that never had any import; else do nothing."""
    if not needs_seeds(library):
        return []
    library.importer.record_history = False  # the samples are not an action to undo
    try:
        with seeds_on_disk(seeds_dir()) as folder:
            results = library.importer.import_paths([folder])
    finally:
        library.importer.record_history = True
    # Marked as the samples, so that they can be removed in one step (library.removal).
    ids = [int(r.digest_id) for r in results if r.digest_id is not None]
    with library.db.atomic():
        library.db.conn.executemany(
            "UPDATE digests SET sample = 1 WHERE id = ?", [(i,) for i in ids]
        )
    return results


@contextmanager
def seeds_on_disk(folder: Path | Traversable) -> Iterator[Path]:
    """The seeds as a real folder: ``folder`` itself, or a temporary copy of a resource that
    is not a file on disk (a zipped package), removed afterwards."""
    if isinstance(folder, Path):
        yield folder
        return
    target = Path(tempfile.mkdtemp(prefix="digest-desk-seeds-"))
    try:
        for entry in folder.iterdir():
            if entry.is_file():
                (target / entry.name).write_bytes(entry.read_bytes())
        yield target
    finally:
        shutil.rmtree(target, ignore_errors=True)

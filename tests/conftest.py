"""Shared fixtures: an in-memory library, and one with the seeds imported into tmp_path."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.core.library import Library  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
# The seeds' year-less dates are inferred relative to this day in tests, so results are stable.
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _no_real_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never touch the user's real data directory."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("DIGEST_DESK_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg-cache"))
    # A bug in the search engine raises in tests instead of becoming an error result.
    monkeypatch.setenv("DIGEST_DESK_STRICT", "1")


@pytest.fixture
def seeds_dir() -> Path:
    """The bundled sample digests."""
    return SEEDS


@pytest.fixture
def lib() -> Iterator[Library]:
    """A fresh, empty in-memory library."""
    library = Library.in_memory()
    library.today = lambda: TODAY
    library.importer.record_history = False  # imports in tests are set-up, not actions
    yield library
    library.close()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library with the four seed digests imported, built once per test session."""
    data = tmp_path_factory.mktemp("seeded-template") / "data"
    with Library.open(data) as library:
        library.today = lambda: TODAY
        library.importer.record_history = False  # tests start with an empty undo history
        results = library.importer.import_paths([SEEDS])
        assert all(r.ok for r in results)
    return data


@pytest.fixture
def seeded_dir(seeded_template: Path, tmp_path: Path) -> Path:
    """A data directory holding a private copy of the seeded library (see seeded_template)."""
    data = tmp_path / "data"
    shutil.copytree(seeded_template, data)
    return data


@pytest.fixture
def seeded(seeded_dir: Path) -> Iterator[Library]:
    """An on-disk library with the seeds imported, opened."""
    library = Library.open(seeded_dir)
    library.today = lambda: TODAY
    yield library
    library.close()


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of the seeds folder."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target

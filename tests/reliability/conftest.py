"""Fixtures for the crash tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.crash_support import write_crash_digests


@pytest.fixture(scope="session")
def crash_digests(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The smallest seed, then five small digests that overlap it and each other."""
    return write_crash_digests(tmp_path_factory.mktemp("crash-digests"))

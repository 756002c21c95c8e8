"""Search tests run in strict mode: a bug in the search code raises instead of being reported."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop.core.search.errors import STRICT_ENV


@pytest.fixture(autouse=True)
def _strict_search(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(STRICT_ENV, "1")
    yield

"""The window's process fixes glibc's mmap threshold (desktop/gui/malloc_tuning.py)."""

from __future__ import annotations

import sys

import pytest

from desktop.gui import malloc_tuning


def test_the_allocator_is_tuned_on_linux_and_left_alone_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if sys.platform.startswith("linux"):
        assert malloc_tuning.tune_allocator() is True  # glibc accepts the threshold
    monkeypatch.setattr(malloc_tuning.sys, "platform", "darwin")
    assert malloc_tuning.tune_allocator() is False

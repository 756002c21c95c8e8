"""The Qt desktop app: a thin layer over desktop.core.Library."""

from __future__ import annotations

"""Digest Desk: triage research-paper digests from the keyboard."""

from __future__ import annotations

__version__ = "0.1.0"

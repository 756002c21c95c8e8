"""How the command line speaks: stdout through `Output`, one-line errors and notices on stderr,
JSON or text listings, and the error a command raises to stop with a message.

Everything printed is escaped (control characters, bidi overrides: ``desktop.core.plain_text``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO, TypeVar

from desktop.core.plain_text import terminal_safe

T = TypeVar("T")


class CliError(Exception):
    """A user-facing error: printed as one line, exit code 1 (or ``code``)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class Output:
    """The one way the CLI writes to stdout: control characters and bidi overrides escaped."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.json = False  # set while JSON is written: escapes are then JSON's own

    def write(self, text: str) -> int:
        """Write ``text`` with unsafe characters escaped."""
        return self.stream.write(terminal_safe(text, json=self.json))

    def flush(self) -> None:
        """Flush the stream underneath."""
        self.stream.flush()


def error(message: str) -> None:
    """Print one error line on stderr, escaped like all output."""
    line = " ".join(terminal_safe(str(message)).splitlines())
    print(f"digest-desk: error: {line}", file=sys.stderr)


def notice(message: str) -> None:
    """Print one notice line on stderr (such as a wait), escaped like all output."""
    print(f"digest-desk: {terminal_safe(message)}", file=sys.stderr, flush=True)


def print_json(data: Any, out: TextIO) -> None:
    """Print ``data`` as indented JSON, escaped as JSON escapes."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if isinstance(out, Output):
        out.json = True
        try:
            out.write(text)
        finally:
            out.json = False
    else:
        out.write(terminal_safe(text, json=True))


def plural(count: int, noun: str) -> str:
    """``1 paper``, ``2 papers``."""
    return f"{count} {noun}{'s' if count != 1 else ''}"


def print_listing(
    out: TextIO,
    items: Sequence[T],
    *,
    as_json: bool,
    to_json: Callable[[T], Any],
    to_line: Callable[[T], str],
    noun: str,
) -> None:
    """A listing command's output: a JSON array, or one line per item and then their count."""
    if as_json:
        print_json([to_json(item) for item in items], out)
        return
    for item in items:
        out.write(to_line(item) + "\n")
    out.write(plural(len(items), noun) + "\n")

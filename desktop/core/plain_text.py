"""Names and text fit for a terminal: control characters and bidi overrides never go out raw.

``clean_name`` cleans a name derived from outside (a digest's file name) before it is
stored: control characters (C0, DEL, C1, so ESC and OSC sequences lose their introducer) and
bidirectional overrides are removed and runs of white space fold to one space.
``terminal_safe`` escapes the same characters in text about to be printed, visibly
(``\\x1b``, ``\\u202e``), keeping newlines and tabs; in JSON text the escapes are JSON's own,
so the output stays valid JSON with the same values.
"""

from __future__ import annotations

import re

# Bidirectional formatting characters (embeddings, overrides, isolates, marks): they can make
# a terminal show text in another order than it is (CVE-2021-42574 "Trojan Source").
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_UNSAFE_NAME = re.compile(f"[{_CONTROL}\t{BIDI}\u2028\u2029]")
_UNSAFE_OUT = re.compile(f"[{_CONTROL}{BIDI}\u2028\u2029]")
_UNSAFE_LINE = re.compile(f"[{_CONTROL}\n\t{BIDI}\u2028\u2029]")
_SPACES = re.compile(r"\s+")


def clean_name(name: str) -> str:
    """``name`` without control characters or bidi overrides, white space folded, trimmed."""
    return _SPACES.sub(" ", _UNSAFE_NAME.sub(" ", name)).strip()


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escape_json(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def terminal_safe(text: str, *, json: bool = False) -> str:
    """``text`` with control characters (but newline and tab) and bidi overrides escaped."""
    return _UNSAFE_OUT.sub(_escape_json if json else _escape, text)


def one_line(text: str) -> str:
    """``text`` escaped for one line of output: newlines and tabs are escaped too."""
    return _UNSAFE_LINE.sub(_escape, text)

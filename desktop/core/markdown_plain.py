"""Markdown as the words a reader sees: for snippets and one-line previews of notes."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_QUOTE = re.compile(r"^\s{0,3}(>\s?)+")
_BULLET = re.compile(r"^\s*([-*+]|\d{1,9}[.)])\s+(\[[ xX]\]\s+)?")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_CODE = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_STAR_EMPHASIS = re.compile(r"(?<!\*)\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?!\*)")
_UNDERSCORE_EMPHASIS = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")
_HELD = 0xE000  # escaped characters wait in the private use area while syntax is removed
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _inline(line: str) -> str:
    line = _ESCAPE.sub(lambda m: chr(_HELD + ord(m.group(1))), line)
    line = _IMAGE.sub(r"\1", line)
    line = _LINK.sub(r"\1", line)
    line = _REF_LINK.sub(r"\1", line)
    line = _AUTOLINK.sub(r"\1", line)
    line = _CODE.sub(r"\2", line)
    line = _STRONG.sub(r"\2", line)
    line = _STAR_EMPHASIS.sub(r"\1", line)
    line = _UNDERSCORE_EMPHASIS.sub(r"\1", line)
    line = _STRIKE.sub(r"\1", line)
    return "".join(chr(ord(c) - _HELD) if _HELD <= ord(c) < _HELD + 128 else c for c in line)


def markdown_to_plain(text: str) -> str:
    """The text of a Markdown note without its syntax: no ``#``, ``**``, ``[..](..)``,
    list markers or code fences. Raw HTML stays as the text it is (notes never render it)."""
    out: list[str] = []
    for raw in text.splitlines():
        if _FENCE.match(raw) or _RULE.match(raw) or _TABLE_RULE.match(raw):
            continue
        if _SETEXT.match(raw) and out and out[-1].strip():
            continue
        line = _HEADING.sub("", raw)
        line = _QUOTE.sub("", line)
        line = _BULLET.sub("", line)
        line = line.strip().strip("|").replace(" | ", "  ") if "|" in line else line.strip()
        line = re.sub(r"\s#+\s*$", "", line)  # closing hashes of an ATX heading
        out.append(_inline(line))
    return "\n".join(out).strip()


def markdown_one_line(text: str, limit: int = 300) -> str:
    """A note's plain text on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(markdown_to_plain(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"

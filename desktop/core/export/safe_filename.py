"""File names made from paper titles that are valid on Windows, macOS and Linux."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

MAX_NAME_CHARS = 120
# Linux allows 255 bytes per name; keep a margin for the ".md" and for other tools.
MAX_NAME_BYTES = 240

_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"]
    + [f"{dev}{n}" for dev in ("COM", "LPT") for n in [*"0123456789", "¹", "²", "³"]]
)
# Characters Windows forbids, plus ones that break wiki links in Obsidian and Logseq.
_REPLACE = {
    ":": " - ",
    "/": "-",
    "\\": "-",
    "|": "-",
    '"': "'",
    "<": "",
    ">": "",
    "?": "",
    "*": "",
    "#": "",
    "^": "",
    "[": "(",
    "]": ")",
}


class UnsafePathError(ValueError):
    """A file name would leave its folder."""


def _drop_char(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")


def _fit(stem: str, limit_chars: int) -> str:
    """Cut ``stem`` to the limits, at a word break when one is near the end."""
    if len(stem) <= limit_chars and len(stem.encode("utf-8")) <= MAX_NAME_BYTES - 8:
        return stem
    cut = stem[:limit_chars]
    while len(cut.encode("utf-8")) > MAX_NAME_BYTES - 8:
        cut = cut[:-1]
    space = cut.rfind(" ")
    if space >= len(cut) - 20 and space > 0:
        cut = cut[:space]
    return cut


def _trim(stem: str) -> str:
    stem = re.sub(r"\s+", " ", stem)
    stem = stem.lstrip(". -")  # no hidden files, no "..", no option-like names
    return stem.rstrip(". ")  # Windows drops trailing dots and spaces


def safe_stem(title: str, max_chars: int = MAX_NAME_CHARS - 3) -> str:
    """A file name stem (no extension) made from ``title``; never empty, never reserved."""
    text = unicodedata.normalize("NFC", title)
    chars = []
    for ch in text:
        if ch in _REPLACE:
            chars.append(_REPLACE[ch])
        elif ch.isspace() or unicodedata.category(ch) in ("Zl", "Zp"):
            chars.append(" ")
        elif not _drop_char(ch):
            chars.append(ch)
    stem = _trim("".join(chars))
    stem = _trim(_fit(stem, max_chars))
    if not stem:
        stem = "untitled"
    first, dot, rest = stem.partition(".")
    if first.rstrip(" ").upper() in _WINDOWS_RESERVED:  # Windows reserves "NUL.txt" too
        stem = _trim(_fit(first.rstrip(" ") + "_" + dot + rest, max_chars))
    return stem


def name_key(name: str) -> str:
    """How a file system that ignores case and Unicode form compares names."""
    return unicodedata.normalize("NFC", name).casefold()


def unique_names(items: Sequence[tuple[int, str]], ext: str = ".md") -> dict[int, str]:
    """Safe file names for ``(id, title)`` pairs, unique even on case-insensitive disks.

    A title keeps its plain name unless another title gives the same one; then the lowest id
    keeps it and the others get `` (paper ID)``, so a paper's name does not change when a
    newer paper with a similar title arrives. Ids must be unique.
    """
    suffix_room = MAX_NAME_CHARS - len(ext)
    stage: dict[int, int] = {pid: 0 for pid, _ in items}
    titles = dict(items)

    def name_for(pid: int) -> str:
        level = stage[pid]
        if level == 0:
            return safe_stem(titles[pid], suffix_room) + ext
        tag = f" (paper {pid})"
        if level == 1:
            return safe_stem(titles[pid], suffix_room - len(tag)).rstrip(". ") + tag + ext
        return f"paper {pid}" + ext

    while True:
        names = {pid: name_for(pid) for pid in stage}
        groups: dict[str, list[int]] = {}
        for pid, name in names.items():
            groups.setdefault(name_key(name), []).append(pid)
        moved = False
        for members in groups.values():
            if len(members) < 2:
                continue
            if any(stage[p] == 2 for p in members):
                movers = [p for p in members if stage[p] < 2]  # "paper ID" names never move
            else:
                keeper = min(members, key=lambda p: (stage[p], p))
                movers = [p for p in members if p != keeper]
            for pid in movers:
                stage[pid] += 1
                moved = True
        if not moved:
            return names


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing any name that would point outside ``folder``."""
    if (
        not name
        or name in (".", "..")
        or "/" in name
        or "\\" in name
        or "\x00" in name
        or Path(name).is_absolute()
        or Path(name).name != name
    ):
        raise UnsafePathError(f"unsafe file name {name!r}")
    target = folder / name
    if target.parent.resolve() != folder.resolve():
        raise UnsafePathError(f"{name!r} would be written outside {folder}")
    return target

"""The links of a one-file export's contents list: GitHub anchors, Obsidian wiki links, or both.

GitHub (and most Markdown viewers) follow ``[Title](#slug)``, where the slug is GitHub's
anchor for the heading. Obsidian does not: it follows ``[[#Heading text]]``, the heading's own
text, and resolves it to the first heading of the file whose text matches. So that every entry
reaches its own paper in Obsidian:

- the characters Obsidian gives a meaning inside a link (``#`` a heading, ``|`` the shown
  text, ``^`` a block, ``[`` and ``]`` the link itself) are left out of the link, and spaces
  are collapsed, as Obsidian's own link suggestions do (``%%``, which opens an Obsidian
  comment, becomes ``%``; with both flavours, ``<`` and ``>``
  too, so that GitHub never reads a tag in them); Obsidian then matches the heading by its
  letters and digits;
- a paper's heading that would match an earlier heading of the file (a second paper of the
  same title, a title such as "Contents" or "Note", a heading inside an earlier note) or
  has nothing left to link by (a title of only ``#``) gets its number in the contents
  appended, ``Title (3)``, so that it is the first of its kind.

``links_for_folder`` picks the flavour when none is asked for: Obsidian inside a vault (a
folder with ``.obsidian/`` in it or above it), GitHub elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

LINK_FLAVOURS = ("github", "obsidian", "both")
VAULT_MARKER = ".obsidian"
# What Obsidian reads as link syntax, so a heading link never holds it.
_LINK_SYNTAX = re.compile(r"[#|^\[\]]")
_ATX = re.compile(r"^ {0,3}(?:>\s?)*(?:[-*+]\s+|\d+[.)]\s+)*(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$")
_LINK_DESTINATION = re.compile(r"\]\([^)]*\)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def obsidian_target(heading: str, *, html_safe: bool = False) -> str:
    """The text of ``[[#…]]`` that links to a heading reading ``heading`` (plain text);
    ``html_safe`` also leaves out ``<`` and ``>``, for a file other readers render too (a
    wiki link is plain text to them, where a tag would be HTML)."""
    text = _LINK_SYNTAX.sub("", heading)
    while "%%" in text:  # "%%" opens an Obsidian comment, which would hide the rest
        text = text.replace("%%", "%")
    if html_safe:
        text = text.replace("<", "").replace(">", "")
    return " ".join(text.split())


def heading_key(text: str) -> str:
    """What two headings must share for a link to one to maybe reach the other: their
    letters and digits, case-folded (looser than Obsidian's matching, so that no collision
    goes unseen: a needless ``(n)`` is the worst it does)."""
    return "".join(ch for ch in text.casefold() if unicodedata.category(ch)[0] in "LN")


def obsidian_link(target: str) -> str:
    """A wiki link to a heading of the same file."""
    return f"[[#{target}]]"


def headings_of(markdown: str) -> list[str]:
    """The text of every ATX heading in ``markdown`` outside fenced code (as written, so
    escapes stay; ``heading_key`` ignores them), in list items and quotes too."""
    found: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        heading = _ATX.match(line)
        if heading:
            found.append(heading.group(2) or "")
    return found


class ObsidianHeadings:
    """The headings of one file so far, to give each paper a heading its link reaches."""

    def __init__(self, *headings: str) -> None:
        self._keys: set[str] = set()
        for heading in headings:
            self.add(heading)

    def add(self, heading: str) -> None:
        """Count a heading of the file (in order), as written and as read (without the
        destinations of its Markdown links)."""
        self._keys.add(heading_key(heading))
        self._keys.add(heading_key(_LINK_DESTINATION.sub("]", heading)))

    def add_all(self, markdown: str) -> None:
        """Count every heading of a piece of the file (in order)."""
        for heading in headings_of(markdown):
            self.add(heading)

    def heading_for(self, title: str, number: int) -> str:
        """The heading a paper's section gets: its title, or ``title (number)`` (then
        ``title (number.2)``…) when the title alone would reach an earlier heading."""
        heading = title
        extra = 1
        while not heading_key(obsidian_target(heading)) or self._taken(heading):
            heading = f"{title} ({number})" if extra == 1 else f"{title} ({number}.{extra})"
            extra += 1
        self.add(heading)
        return heading

    def _taken(self, heading: str) -> bool:
        return heading_key(obsidian_target(heading)) in self._keys


def in_obsidian_vault(folder: Path) -> bool:
    """True when ``folder`` (or the nearest folder of it that exists) is in an Obsidian
    vault: it or a folder above it holds ``.obsidian/``."""
    folder = Path(folder).expanduser().absolute()
    for candidate in (folder, *folder.parents):
        try:
            if (candidate / VAULT_MARKER).is_dir():
                return True
        except OSError:  # a folder we may not look into
            continue
    return False


def links_for_folder(folder: Path, chosen: str | None = None) -> str:
    """The link flavour of an export into ``folder``: ``chosen`` if given (one of
    LINK_FLAVOURS), else Obsidian's inside a vault and GitHub's elsewhere."""
    if chosen:
        if chosen not in LINK_FLAVOURS:
            raise ValueError(
                f"unknown link flavour {chosen!r}; use one of {', '.join(LINK_FLAVOURS)}"
            )
        return chosen
    return "obsidian" if in_obsidian_vault(folder) else "github"

"""Markdown text helpers: escape imported text, fence code, and make a user's note safe to embed.

Two kinds of text end up in an export. Imported text (titles, abstracts, quotes, digest names)
is hostile: ``escape_inline`` turns it into one line that renders back to exactly the same
characters, with no emphasis, link, HTML, heading, list or table syntax left. A user's note is
Markdown written on purpose: ``embed_note`` keeps it as Markdown but makes sure it cannot break
the document around it (headings demoted, fences closed, raw HTML and non-http(s) links
neutralised, ``---`` lines turned into ``***`` so they can never read as front matter).
"""

from __future__ import annotations

import re
import unicodedata

# Escaped wherever they appear: emphasis, code, links, HTML, tables, strike-through, tags, math.
_ALWAYS = frozenset("\\`*_{}[]<|~#$")
# Escaped only as the first character: block starts (lists, quotes, setext, definition lists).
_LEADING = frozenset("-+>=:!")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)")
_ORDERED = re.compile(r"(\d{1,9})([.)])")
_SPACE = re.compile(r"\s+")
# Characters removed from any text: C0/C1 controls (except tab and newline), DEL, and lone
# surrogates (which cannot be written as UTF-8).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Normalise newlines to ``\\n`` and drop control characters and lone surrogates."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATE.sub("\ufffd", text)
    text = _CONTROL.sub(lambda m: " " if m.group() in "\x0b\x0c" else "", text)
    return unicodedata.normalize("NFC", text)


def collapse_space(text: str) -> str:
    """The text on one line: every run of whitespace becomes one space, ends trimmed."""
    return _SPACE.sub(" ", clean_text(text)).strip()


def escape_inline(text: str) -> str:
    """Imported text as one line of Markdown that renders back to ``collapse_space(text)``."""
    flat = collapse_space(text)
    out: list[str] = []
    n = len(flat)
    i = 0
    if flat and (m := _ORDERED.match(flat)):
        out.append(m.group(1) + "\\" + m.group(2))
        i = m.end()
    elif flat and flat[0] in _LEADING:
        out.append("\\" + flat[0])
        i = 1
    while i < n:
        ch = flat[i]
        if ch in _ALWAYS:
            out.append("\\" + ch)
        elif ch == "&" and _ENTITY.match(flat, i):
            out.append("\\&")
        elif ch in "%=" and ((i + 1 < n and flat[i + 1] == ch) or (i and flat[i - 1] == ch)):
            out.append("\\" + ch)  # Obsidian: %%comment%% hides text, ==text== highlights it
        elif ch == "^" and (i == 0 or flat[i - 1] == " "):
            out.append("\\^")  # Obsidian: a trailing " ^id" is a hidden block id
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def fence_code(code: str, info: str = "") -> str:
    """A fenced code block holding ``code`` verbatim, fenced with more backticks than it has."""
    code = clean_text(code)
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    info = re.sub(r"[`\s]+", "", clean_text(info))
    body = code if code.endswith("\n") or not code else code + "\n"
    return f"{fence}{info}\n{body}{fence}"


def is_http_url(url: str) -> bool:
    """True for an absolute http:// or https:// URL (the only links an export keeps)."""
    return re.match(r"https?://\S", url.strip(), re.IGNORECASE) is not None


# -- a user's note -----------------------------------------------------------------------------

# Container markers in front of a line's content: quotes, list bullets, ordered-list numbers.
_PREFIX = re.compile(r"(?:[ \t]*(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))*[ \t]*")
_ATX = re.compile(r"(#{1,6})(?=[ \t]|$)")
_UNDERLINE = re.compile(r"([ \t>]*)(=+|-+)[ \t]*$")
_FENCE_OPEN = re.compile(r"(`{3,}|~{3,})(.*)$")
_INDENTED_FENCE = re.compile(r"( {1,3})(?:`{3,}|~{3,})")
_HTTP_DEST = re.compile(r"[ \t]*<?https?://", re.IGNORECASE)
_AUTOLINK = re.compile(r"<https?://[^\s<>]*>", re.IGNORECASE)
_FOOTNOTE_DEF = re.compile(r"\[\^[^\]\s]+\]:[ \t]+\S+[ \t]+[^\s\"'(]")


def _closes(line: str, char: str, length: int) -> bool:
    m = re.match(r" {0,3}(" + re.escape(char) + "{" + str(length) + r",})[ \t]*$", line)
    return m is not None


def _plain_paragraph_line(line: str) -> bool:
    """True when ``line`` reads as top-level paragraph text (so an underline would head it)."""
    if not line.strip() or line.startswith(("    ", "\t")):
        return False
    body = line.lstrip(" ")
    if _PREFIX.match(line).group().strip():  # type: ignore[union-attr]
        return False
    return not (
        _ATX.match(body)
        or _FENCE_OPEN.match(body)
        or _UNDERLINE.match(body)
        or re.match(r"(?:(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$", body)
    )


def _note_inline(text: str) -> str:
    """Neutralise raw HTML and non-http(s) links in one line of a note, keeping the rest."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            out.append(text[i : i + 2])  # an escape the user wrote stays as it is
            i += 2
            continue
        if ch == "<":
            auto = _AUTOLINK.match(text, i)
            if auto:
                out.append(auto.group())
                i = auto.end()
                continue
            nxt = text[i + 1] if i + 1 < n else ""
            out.append("\\<" if (nxt.isascii() and nxt.isalpha()) or nxt in "/!?" else "<")
        elif ch == "]" and i + 1 < n and text[i + 1] in "(:":
            footnote = text[i + 1] == ":" and _FOOTNOTE_DEF.match(text) is not None
            if _HTTP_DEST.match(text, i + 2) or (footnote and text.index("]:") == i):
                out.append("]")
            else:
                out.append("\\]")  # an escaped bracket cannot close a link or a definition
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _demote(line: str, min_level: int) -> str:
    prefix = _PREFIX.match(line).group()  # type: ignore[union-attr]
    rest = line[len(prefix) :]
    atx = _ATX.match(rest)
    if atx:
        level = min(6, len(atx.group(1)) + min_level - 1)
        rest = "#" * level + rest[atx.end() :]
    return prefix + _note_inline(rest)


def embed_note(note: str, min_level: int) -> str:
    """A user's Markdown note made safe to place under a heading of level ``min_level - 1``.

    Headings become level ``min_level`` or deeper (capped at 6), setext headings become ATX
    ones, unclosed code fences are closed, raw HTML is escaped, links and link definitions
    to anything but http(s) are neutralised, and ``---``/``===`` lines can no longer act as
    front matter or setext underlines. Text inside top-level fenced code is kept verbatim.
    """
    lines = clean_text(note).split("\n")
    out: list[str] = []
    fence: tuple[str, int] | None = None
    for line in lines:
        if fence is not None:
            out.append(line)
            if _closes(line, *fence):
                fence = None
            continue
        opening = _FENCE_OPEN.match(line)
        if opening and not (opening.group(1)[0] == "`" and "`" in opening.group(2)):
            # no "|" in the info string: some parsers would read the line as a table header
            emitted = opening.group(1) + _note_inline(opening.group(2).replace("|", ""))
            run = re.match(r"`+|~+", emitted).group()  # type: ignore[union-attr]
            fence = (run[0], len(run))
            out.append(emitted)
            continue
        indented = _INDENTED_FENCE.match(line)
        if indented:
            # An indented fence may sit in a list item or at the top level, and only the
            # latter can run past the note; without tracking lists we cannot tell, so an
            # indented fence is shown as plain text and can never swallow what follows.
            line = indented.group(1) + "\\" + line[indented.end(1) :]
        under = _UNDERLINE.match(line)
        if under:
            prefix, run = under.group(1), under.group(2)
            if (
                not prefix.strip(" ")
                and len(prefix) <= 3
                and out
                and _plain_paragraph_line(out[-1])
            ):
                level = min(6, min_level + (0 if run[0] == "=" else 1))
                out[-1] = "#" * level + " " + out[-1].strip()
            elif run[0] == "-" and len(run) >= 3:
                out.append(prefix + "***")
            else:
                out.append(prefix + "\\" + run)
            continue
        out.append(_demote(line, min_level))
    if fence is not None:
        out.append(fence[0] * fence[1])
    while out and not out[-1].strip():
        out.pop()
    while out and not out[0].strip():
        out.pop(0)
    return "\n".join(out)

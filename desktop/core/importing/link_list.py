"""Read reading lists: one paper per line, named by a link or an id beside its title.

Newsletters, chat messages and notes list papers as lines such as
``- [Title](https://arxiv.org/abs/2611.20001) — one line on it``,
``1. Title, https://arxiv.org/pdf/2611.20004.pdf`` or ``**Title** ([arXiv:2611.20003](…))``.
Each line that names an arXiv id (:mod:`arxiv_ids`: arXiv and Hugging Face links, ``arXiv:``
labels) is a paper: its title is the link's text when the link names it, else the text
beside the id with list markers, emphasis and quotes removed; what follows a dash after the
title, and indented lines under it, is its summary (stored as the abstract). Headings and
lines without an id are the list's prose, not papers; a line that is only a link has no title
and is reported. Links are never followed.
"""

from __future__ import annotations

import re

from desktop.core.importing.arxiv_ids import INLINE_ID_RE, cut_ids, find_id, has_inline_marker
from desktop.core.importing.plausibility import MIN_ABSTRACT_CHARS, refusal
from desktop.core.importing.result import LINK_LIST, Entry, ParseResult, SkippedBlock
from desktop.core.importing.tex import tex_to_unicode
from desktop.core.importing.textnorm import fold_space

_MARKER_RE = re.compile(r"^\s*(?:[-*+•–—>]|\(?\d{1,4}[.)])\s+(?:\[[ xX]\]\s+)?")
_MD_LINK_RE = re.compile(r"!?\[(?P<text>[^\]\n]*)\]\((?P<url>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_URL_RE = re.compile(r"<?https?://[^\s<>]+>?")
# "Title — summary" or "Title - summary" (a colon is not one: titles hold colons).
_SEPARATOR_RE = re.compile(r"\s+[—–-]{1,2}\s+")
_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|`)(.+?)\1")
# A title is a phrase: a second sentence in it makes it prose (a line that cites a paper).
_SENTENCE_RE = re.compile(r"[.!?]\s+[A-Z]")
_QUOTES = "\"'“”‘’«»"
# Link texts that are not titles: "arXiv:…", "pdf", "paper", "[link]".
_NOT_A_TITLE_RE = re.compile(
    r"^(?:arxiv(?::\s?\S+)?|pdf|html|abs|paper|link|here|code|project(?: page)?|hf|"
    r"hugging ?face|\S+\.\S+/\S*|\d{4}\.\d{4,5}(?:v\d+)?)$",
    re.IGNORECASE,
)


def _unemphasise(text: str) -> str:
    while True:
        plain = _EMPHASIS_RE.sub(r"\2", text)
        if plain == text:
            return text
        text = plain


def _strip(text: str) -> str:
    text = fold_space(_unemphasise(text))
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    return fold_space(text).strip(" \t-–—|:;,·•").strip(_QUOTES).strip()


def _title_and_rest(line: str) -> tuple[str, str, tuple[str, int | None] | None]:
    """A list line's title, the rest of it, and the id it names (None: no id)."""
    found: tuple[str, int | None] | None = None
    title = ""
    rest = line
    for link in _MD_LINK_RE.finditer(line):
        url_id = find_id(link.group("url"))
        if url_id is None:
            continue
        found = found or url_id
        text = _strip(link.group("text"))
        if text and not _NOT_A_TITLE_RE.match(text) and not title:
            title = text
            rest = line[link.end() :]
    if found is None:
        found = find_id(line)
        if found is None:
            return "", "", None
    if not title:
        # The title is the text beside the id: links and ids out, then the part before a dash.
        text = _MD_LINK_RE.sub(
            lambda m: (
                " "
                if find_id(m.group("url")) or _NOT_A_TITLE_RE.match(m.group("text"))
                else m.group("text")
            ),
            line,
        )
        first = INLINE_ID_RE.search(text)
        if first is not None and text[: first.start()].rstrip().endswith(":"):
            return "", "", found  # "Also worth a look: arXiv:…" is a lead-in, not a title
        text = cut_ids(text)[0] if has_inline_marker(text) else text
        text = _URL_RE.sub(" ", INLINE_ID_RE.sub(" ", text))
        text = _unemphasise(fold_space(text))
        parts = _SEPARATOR_RE.split(text, maxsplit=1)
        title = _strip(parts[0])
        rest = parts[1] if len(parts) > 1 else ""
    else:
        rest = _MD_LINK_RE.sub(" ", rest)
    summary = _strip(_URL_RE.sub(" ", INLINE_ID_RE.sub(" ", _unemphasise(rest))))
    return title, summary, found


def reads_better(listed: ParseResult, other: ParseResult) -> bool:
    """Whether the reading-list reading of a text finds more papers than ``other`` reading.

    It must name more distinct papers than the other found, and the other must not have found
    papers with real abstracts (an abstract that cites another paper's id is not a list line).
    """
    distinct = len({e.arxiv_id for e in listed.entries})
    if distinct <= len(other.entries):
        return False
    with_abstracts = sum(1 for e in other.entries if len(e.abstract) >= MIN_ABSTRACT_CHARS)
    return with_abstracts * 2 < distinct


def parse_link_list(text: str) -> ParseResult:
    """Parse a list of papers given by links or ids, one per line; never raises."""
    result = ParseResult(layout=LINK_LIST, format=LINK_LIST)
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    last: int | None = None  # the entry an indented line continues
    summaries: list[list[str]] = []
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            last = None
            continue
        if not has_inline_marker(raw):
            if last is not None and raw[:1].isspace() and not _MARKER_RE.match(raw):
                summaries[last].append(_strip(_unemphasise(raw)))
            else:
                last = None
            continue
        line = _MARKER_RE.sub("", raw, count=1)
        if line.lstrip().startswith("#"):
            last = None
            continue  # a heading that names a paper is still the list's heading
        title, summary, found = _title_and_rest(line)
        if found is None:
            continue
        title = fold_space(tex_to_unicode(title))
        problem = refusal(title, "a link with no title")
        if problem is None and _SENTENCE_RE.search(title):
            problem = "a sentence that cites a paper, not a title"
        if problem is not None:
            result.skipped.append(SkippedBlock(number, problem, fold_space(raw)[:200]))
            last = None
            continue
        summaries.append([summary] if summary else [])
        last = len(summaries) - 1
        result.entries.append(
            Entry(
                title,
                "",
                number,
                len(result.entries) + 1,
                arxiv_id=found[0],
                arxiv_version=found[1],
            )
        )
    result.entries = [
        Entry(
            e.title,
            fold_space(" ".join(s for s in summary if s)),
            e.line,
            e.position,
            arxiv_id=e.arxiv_id,
            arxiv_version=e.arxiv_version,
        )
        for e, summary in zip(result.entries, summaries, strict=True)
    ]
    return result

"""What a paper looks like: a title is one line with words, an abstract is a long paragraph.

Used by the text readers to refuse prose that holds no paper (short e-mails, meeting notes, a
list of links) from its shape, not from a list of known messages.
"""

from __future__ import annotations

import re

# A title longer than this is not believable; such text is reported, not guessed at.
MAX_TITLE_CHARS = 400
# A paragraph this long vouches for itself as an abstract (real abstracts run 500 to 2,000
# characters); a shorter one needs a title that reads as a title (see unvouched_problem).
MIN_ABSTRACT_CHARS = 150
# Lines a page copy shows around papers that are never titles (after folding case and spaces).
HEADER_WORDS = frozenset(
    {
        "new",
        "get trending papers in your email inbox!",
        "get trending papers in your email inbox once a day!",
        "get trending papers in your email inbox",
        "subscribe",
        "daily papers",
        "byak and the research community",
        "by ak and the research community",
        "daily",
        "weekly",
        "monthly",
        "trending papers",
        "trending",
        "upvote",
    }
)
_LONGEST_HEADER = max(map(len, HEADER_WORDS))
# A letter: a word character that is neither a digit nor the underscore.
_LETTER_RE = re.compile(r"[^\W\d_]")
_LIST_MARKERS = ("- ", "* ", "• ", "– ", "— ", "+ ", "> ")
_SENTENCE_ENDS = (".", ",", ":", ";", "?", "!", "…")
_ABSTRACT_ENDS = (".", "!", "?", ")", '"', "”", "]")
# "Thanks. See you": a sentence end followed by the start of another sentence.
_SECOND_SENTENCE_RE = re.compile(r"[.!?]\s+[A-Z]")
# "Attendees: Ana, Ben" or "When: Thursday 3pm": a short label and a colon.
_LABEL_RE = re.compile(r"^[A-Za-z][\w/-]*(?: [\w/-]+)?:\s")


def title_problem(title: str) -> str | None:
    """Why ``title`` (one folded line) cannot be a paper's title, or None when it can."""
    if len(title) > MAX_TITLE_CHARS:
        return f"title too long ({len(title)} characters)"
    if _LETTER_RE.search(title) is None:
        return "a title with no words (a number or a dash)"
    if len(title) <= _LONGEST_HEADER and title.casefold() in HEADER_WORDS:
        return "a page header, not a title"
    return None


def refusal(title: str, untitled: str) -> str | None:
    """Why a reader's entry with ``title`` is no paper (``untitled`` when it has none), or None."""
    return untitled if not title else title_problem(title)


def is_count(line: str) -> bool:
    """Whether a line is only a count (``65``, ``1,204``, ``3.2k``) or the no-count dash."""
    if not line[:1].isdigit():
        return line == "-" or line == "–"
    body = line.replace(",", "")
    if body[-1:] in ("k", "K", "m", "M"):
        body = body[:-1]
    return body.replace(".", "", 1).isdigit()


def unvouched_problem(title: str, abstract: str) -> str | None:
    """Why a title/abstract pair with no metadata is not a paper, or None when it looks like one.

    Nothing but the shape vouches for such a pair. A long abstract (a paragraph of
    MIN_ABSTRACT_CHARS or more) makes a paper unless the title is a short salutation or lead-in
    (``Hi all,``, ``Agenda:``), a list item or a link. A short one makes a paper only when the
    title reads as a title (one phrase, not a sentence: no closing punctuation, no second
    sentence) and the text as an abstract (a sentence, not a ``Label: value`` line, a word or
    two of page chrome, a list item or a link):
    so prose made of short paragraphs, meeting notes and lists of links give no paper.
    """
    if title.startswith(_LIST_MARKERS) or abstract.startswith(_LIST_MARKERS):
        return "a list item, not a paper"
    if ("://" in title and " " not in title) or ("://" in abstract and " " not in abstract):
        return "a link, not a paper"
    if len(abstract) >= MIN_ABSTRACT_CHARS:
        if title.endswith((",", ":", ";")) and title.count(" ") < 3:
            return "a salutation or lead-in, not a title"
        return None
    if title.endswith(_SENTENCE_ENDS) or _SECOND_SENTENCE_RE.search(title):
        return f"a sentence, not a title, before a short paragraph ({len(abstract)} characters)"
    if _LABEL_RE.match(abstract):
        return "a labelled line, not an abstract"
    if not abstract.endswith(_ABSTRACT_ENDS) or " " not in abstract:
        return f"a short line, not an abstract ({len(abstract)} characters)"
    return None

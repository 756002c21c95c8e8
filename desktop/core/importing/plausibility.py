"""What a paper looks like: a title is one line with words, an abstract is a long paragraph.

Used by the text readers to refuse prose that holds no paper (short e-mails, meeting notes, a
list of links) from its shape, not from a list of known messages.
"""

from __future__ import annotations

# A title longer than this is not believable; such text is reported, not guessed at.
MAX_TITLE_CHARS = 400
# An abstract of a paper with nothing else to vouch for it (no metadata line, no arXiv
# structure) has at least this many characters; real abstracts run 500 to 2,000.
MIN_ABSTRACT_CHARS = 200
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
        "submitted by",
    }
)
_LIST_MARKERS = ("- ", "* ", "• ", "– ", "+ ")


def title_problem(title: str) -> str | None:
    """Why ``title`` (one folded line) cannot be a paper's title, or None when it can."""
    if len(title) > MAX_TITLE_CHARS:
        return f"title too long ({len(title)} characters)"
    if not any(c.isalpha() for c in title):
        return "a title with no words (a number or a dash)"
    if title.casefold() in HEADER_WORDS:
        return "a page header, not a title"
    return None


def is_count(line: str) -> bool:
    """Whether a line is only a count (``65``, ``1,204``, ``3.2k``) or the no-count dash."""
    if line == "-" or line == "–":
        return True
    body = line.replace(",", "")
    if body[-1:] in ("k", "K", "m", "M"):
        body = body[:-1]
    return body.replace(".", "", 1).isdigit()


def unvouched_problem(title: str, abstract: str) -> str | None:
    """Why a title/abstract pair with no metadata is not a paper, or None when it looks like one.

    Nothing but the shape vouches for such a pair, so the abstract must be long and the title
    must read as a title: not a short salutation or lead-in (``Hi all,``, ``Agenda:``), not a
    list item.
    """
    if len(abstract) < MIN_ABSTRACT_CHARS:
        return f"too short for an abstract ({len(abstract)} characters)"
    if title.endswith((",", ":", ";")) and title.count(" ") < 3:
        return "a salutation or lead-in, not a title"
    if title.startswith(_LIST_MARKERS) or abstract.startswith(_LIST_MARKERS):
        return "a list item, not a paper"
    if "://" in title and " " not in title:
        return "a link, not a title"
    return None

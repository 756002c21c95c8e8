"""Text normalisation shared by the readers: line ends, whitespace folding and title keys."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence


def normalise_digest_text(text: str) -> str:
    """The text with no BOM, ``\\n`` line ends, no trailing whitespace on a line or at the end.

    The digest's identity (``DigestSource.sha256``) is computed from this, so the same digest
    saved with a BOM and CRLF, or pasted again with extra trailing whitespace, is the same.
    """
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip()


def normalise_text(text: str) -> str:
    """Drop a BOM, unify line endings and strip trailing whitespace on every line."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n"))


def fold_space(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    # Fast path: a printable string has no whitespace but the ASCII space (every other
    # whitespace character is a control or separator), so with no doubled or end spaces it is
    # already folded.
    if text.isprintable():
        if "  " not in text and text[:1] != " " and text[-1:] != " ":
            return text
        return " ".join(text.split())
    # Wrapped text (an abstract as the arXiv snapshot holds it): once its ends are stripped
    # and its line ends made spaces, it is folded when it has no other whitespace and no
    # doubled space. Cheaper than splitting a 2,000-character text into its words; and
    # only_plain_spaces (a memchr per other space) costs a tenth of isprintable's pass.
    joined = text.strip().replace("\n", " ")
    if "  " not in joined and only_plain_spaces(joined):
        return joined
    return " ".join(text.split())


# Every whitespace character (str.isspace, which str.split() and str.strip() use) but the space
# and the newline; tests/core/test_parser_equivalence.py checks the lists over every code point.
OTHER_SPACE = (
    "\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
ASCII_OTHER_SPACE = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f"


def only_plain_spaces(text: str) -> bool:
    """True when the only whitespace in ``text`` is the space and the newline.

    Then a stripped line is folded as soon as it has no doubled space. One substring search per
    character costs far less than folding every line (``c in text`` runs in C at memory speed).
    """
    others = ASCII_OTHER_SPACE if text.isascii() else OTHER_SPACE
    return not any(c in text for c in others)


# \W is exactly "not str.isalnum()" plus the underscore (checked over every code point).
_NOT_ALNUM = re.compile(r"[\W_]+")
# For ASCII titles: each character that is not a letter or a digit becomes a space.
_ASCII_NOT_ALNUM = str.maketrans({c: " " for c in range(128) if not chr(c).isalnum()})


def title_key(title: str) -> str:
    """The dedupe key of a title: case, whitespace and punctuation folded."""
    if title.isascii():
        # ASCII text is its own NFKC form, its casefold() is its lower(), and [\W_] over it is
        # exactly what the table maps: the same key as below without the Unicode passes.
        return " ".join(title.lower().translate(_ASCII_NOT_ALNUM).split())
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(_NOT_ALNUM.sub(" ", text).split())


# The same table keeping the newline, which title_keys() puts between titles.
_ASCII_NOT_ALNUM_KEEP_NEWLINE = str.maketrans(
    {c: " " for c in range(128) if not chr(c).isalnum() and c != 10}
)


def title_keys(titles: Sequence[str]) -> list[str]:
    """``[title_key(t) for t in titles]``, faster: ASCII titles are folded all in one pass."""
    joined = "\n".join(titles)
    if joined.isascii() and joined.count("\n") == len(titles) - 1:
        # No title holds a newline, so each line of the folded text is one title's.
        folded = joined.lower().translate(_ASCII_NOT_ALNUM_KEEP_NEWLINE).split("\n")
        return [" ".join(line.split()) for line in folded]
    return [title_key(t) for t in titles]

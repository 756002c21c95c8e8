"""TeX accents in arXiv titles and names (``Bo\\"otes``, ``Sa\\v{s}a``) shown as Unicode.

Only accent and letter macros are converted, one at a time, by pylatexenc: the rest of the
text (math, percent signs, ampersands) stays exactly as written, since converting a whole
title as LaTeX would drop or mangle it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

# \"o  \"{o}  {\"o}  \'{\i}  \v{s}  \H{o}  \c{c}  \o  \ss  \aa  \AE ...
_ACCENT = (
    r"""\\(?:["'`^~=.]\s*|[uvHcdbkr](?:\s+|(?=\{)))"""
    r"(?:\{\s*\\?[A-Za-z]\s*\}|\\[ij](?![A-Za-z])|[A-Za-z])"
)
_LETTER = r"\\(?:ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j)(?![A-Za-z])(?:\{\}| )?"
TEX_RE = re.compile(rf"\{{(?:{_ACCENT}|{_LETTER})\}}|{_ACCENT}|{_LETTER}")
_CONVERTER = LatexNodes2Text()


@lru_cache(maxsize=4096)
def _convert(macro: str) -> str:
    try:
        text = _CONVERTER.latex_to_text(macro)
    except Exception:  # noqa: BLE001 - a library failure keeps the text as written
        return macro
    text = unicodedata.normalize("NFC", text.strip())
    # One accented letter (or ß, æ, ø ...) is what a macro gives; anything else keeps the TeX.
    if not text or len(text) > 2 or not all(c.isalpha() for c in text):
        return macro
    return text


def tex_to_unicode(text: str) -> str:
    """``text`` with its TeX accent and letter macros as Unicode letters, the rest as written."""
    if "\\" not in text:
        return text
    return TEX_RE.sub(lambda m: _convert(m.group(0)), text)

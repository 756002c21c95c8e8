"""How text becomes index terms: the word pattern, stop words and the analyzer."""

from __future__ import annotations

import re

from whoosh.analysis import STOP_WORDS, StandardAnalyzer

# Words are runs of letters and digits with inner dots kept ("v1.5"). Whoosh's default pattern
# also keeps "*", so "**bold**" Markdown would be the word "**bold**".
WORD_PATTERN = r"\w+(?:\.?\w+)*"
_TOKEN_RE = re.compile(WORD_PATTERN, re.UNICODE)
_STOP = frozenset(STOP_WORDS)

# No stemming: phrases stay exact, prefix* works on real words, and the spelling corrector
# suggests real words. Text fields are written with analyze(), which gives the same terms as
# this analyzer much faster (a test holds them equal); the schema keeps the analyzer so that
# Whoosh's own writer and key-term extraction see the same words.
ANALYZER = StandardAnalyzer(expression=WORD_PATTERN, minsize=1)


def analyze(text: str) -> list[str]:
    """The index terms of ``text``: words lowercased, stop words dropped.

    The same terms, in the same order, as :data:`ANALYZER`.
    """
    if text.isascii():  # lowercasing first changes no word boundary, and is one C call
        return [w for w in _TOKEN_RE.findall(text.lower()) if w not in _STOP]
    return [w for t in _TOKEN_RE.findall(text) if (w := t.lower()) not in _STOP]

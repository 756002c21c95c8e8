"""Entry values as the papers table stores them: integers SQLite can hold, JSON name lists.

Plain functions of plain values, so that the snapshot reader processes can compute them
beside parsing (see snapshot_rows.py) as well as the writer.
"""

from __future__ import annotations

import json

_SQL_INT = range(-(2**63), 2**63)


def sql_int(value: int | None) -> int | None:
    """``value`` if SQLite can store it as an INTEGER, else None (a count nobody believes)."""
    return value if value is None or value in _SQL_INT else None


def json_names(names: tuple[str, ...]) -> str:
    """``json.dumps(list(names), ensure_ascii=False)``, without the encoder for the usual names.

    The encoder escapes only the quote, the backslash and the control characters (none of
    them printable): names that are printable and hold no backslash, joined by ``", "``
    with no other quote, are the JSON text as they stand.
    """
    if not names:
        return "[]"
    joined = '", "'.join(names)
    if joined.count('"') == 2 * (len(names) - 1) and "\\" not in joined and joined.isprintable():
        return f'["{joined}"]'
    return json.dumps(list(names), ensure_ascii=False)


# json_names() of the category lists seen lately: a snapshot repeats a few thousand of them.
_CATEGORIES_JSON: dict[tuple[str, ...], str] = {}
_CATEGORIES_JSON_MAX = 4096


def json_categories(categories: tuple[str, ...]) -> str:
    """``json_names(categories)``, remembered for the last few thousand lists."""
    try:
        return _CATEGORIES_JSON[categories]
    except KeyError:
        text = json_names(categories)
        if len(_CATEGORIES_JSON) >= _CATEGORIES_JSON_MAX:
            _CATEGORIES_JSON.clear()
        _CATEGORIES_JSON[categories] = text
        return text
    except TypeError:  # not hashable (not a tuple of strings)
        return json_names(categories)

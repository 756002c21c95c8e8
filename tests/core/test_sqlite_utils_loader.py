"""The sqlite-utils loader leaves numpy and pandas out and defers dateutil's parser."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_loading_sqlite_utils_runs_neither_numpy_nor_the_date_parser() -> None:
    out = _run(
        "import sys\n"
        "from desktop.core.sqlite_utils_loader import load_sqlite_utils\n"
        "load_sqlite_utils()\n"
        "import sqlite_utils.recipes\n"
        "print('numpy' in sys.modules, 'dateutil.parser._parser' in sys.modules)\n"
    )
    assert out == "False False"


def test_the_deferred_date_parser_still_works_when_used() -> None:
    out = _run(
        "import sys\n"
        "from desktop.core.sqlite_utils_loader import load_sqlite_utils\n"
        "load_sqlite_utils()\n"
        "from sqlite_utils import recipes\n"
        "print(recipes.parsedate('2021-03-04'))\n"
        "from dateutil import parser\n"
        "same = sys.modules['dateutil.parser'].parse is parser.parse\n"
        "print(parser.parse('5 Jan 2020').date(), same)\n"
        "import numpy\n"
        "print(numpy.__name__)\n"
    )
    assert out.splitlines() == ["2021-03-04", "2020-01-05 True", "numpy"]


def test_click_secrets_and_hashlib_wait_until_used_and_then_are_the_real_ones() -> None:
    out = _run(
        "import re, sys\n"
        "compile_before = re.compile\n"
        "from desktop.core.sqlite_utils_loader import load_sqlite_utils\n"
        "load_sqlite_utils()\n"
        "import sqlite_utils\n"
        "print(re.compile is compile_before)\n"
        "print([n for n in ('click.core', '_hashlib', 'hmac')"
        " if n in sys.modules])\n"
        "db = sqlite_utils.Database(memory=True, execute_plugins=False)\n"
        "with db.atomic():\n"
        "    with db.atomic():\n"  # a nested savepoint is named with secrets
        "        db['t'].insert({'a': 1})\n"
        "print(db['t'].count, sqlite_utils.utils.hash_record({'a': 1})[:8])\n"
        "from click import Group\n"
        "import click\n"
        "real = sys.modules['click']\n"
        "print(Group is real.Group, isinstance(Group, type), click.Group is Group)\n"
    )
    assert out.splitlines() == ["True", "[]", "1 " + _sha1_of_a_record(), "True True True"]


def _sha1_of_a_record() -> str:
    import hashlib
    import json

    return hashlib.sha1(
        json.dumps({"a": 1}, separators=(",", ":"), sort_keys=True).encode()
    ).hexdigest()[:8]


def test_the_patterns_compiled_later_still_match() -> None:
    out = _run(
        "from desktop.core.sqlite_utils_loader import load_sqlite_utils\n"
        "load_sqlite_utils()\n"
        "import sqlite_utils\n"
        "db = sqlite_utils.Database(memory=True, execute_plugins=False)\n"
        "db['docs'].insert({'body': 'hello world'})\n"
        "db['docs'].enable_fts(['body'])\n"
        "print(db['docs_fts'].virtual_table_using, db.quote_fts('hello \"big world\"'))\n"
    )
    assert out == 'FTS5 "hello" "big world"'

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

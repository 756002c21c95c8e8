"""Coverage-guided fuzzing of the digest reader, the digest parser and the query parser.

Not a pytest module: run it by hand (atheris installs on Linux x86-64 wheels only), e.g.

    pip install atheris
    python -m tests.reliability.fuzz_atheris digest -atheris_runs=200000
    python -m tests.reliability.fuzz_atheris query -max_total_time=120

Any input that raises something other than the documented refusal is a crash: atheris stops
and writes it to ``crash-*``; keep it as a regression test in tests/core/test_hostile_input.py.
"""

from __future__ import annotations

import datetime as dt
import sys

import atheris

with atheris.instrument_imports():
    from desktop.core.importing.digest_file import ImportRefusedError, read_digest_bytes
    from desktop.core.importing.digest_parser import parse_digest, title_key
    from desktop.core.search.query import parse_query

TODAY = dt.date(2026, 11, 22)


def fuzz_digest(data: bytes) -> None:
    """Read bytes as a digest file and parse them: refusal is fine, anything else is not."""
    try:
        source = read_digest_bytes(data, "fuzz.txt")
    except ImportRefusedError:
        return
    result = parse_digest(source.text, TODAY)
    for entry in result.entries:
        assert entry.title.strip() and entry.abstract.strip()
        assert "\n" not in entry.title
        title_key(entry.title)


def fuzz_query(data: bytes) -> None:
    """Parse any text as a search query: it never raises."""
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    parse_query(text)


TARGETS = {"digest": fuzz_digest, "query": fuzz_query}


def main() -> None:
    """Fuzz the target named by the first argument; the rest go to libFuzzer."""
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

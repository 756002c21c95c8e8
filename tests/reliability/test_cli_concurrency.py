"""Two real processes on one library: restore vs a writer, a short write vs an import, new
libraries opened at once, read-only folders, and the CLI's output and exits (issue 14)."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop import cli
from desktop.cli import maintenance
from desktop.core import backup
from desktop.core.instance_lock import AccessLock
from desktop.core.library import DB_FILE, Library
from desktop.core.plain_text import BIDI, clean_name, terminal_safe
from tests.conftest import SEEDS

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

pytestmark = pytest.mark.reliability


def digest_desk(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Digests of 6,000 papers: an import of a few seconds."""
    out = tmp_path_factory.mktemp("digests") / "d"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests/perf/gen_digests.py"),
            "--papers",
            "15000",
            "--out",
            str(out),
        ],
        check=True,
        env=ENV,
        stdout=subprocess.DEVNULL,
    )
    return out


def test_restore_waits_for_a_running_import_and_loses_nothing(
    seeded_dir: Path, big_folder: Path
) -> None:
    with Library.open(seeded_dir) as lib:
        saved = backup.take_backup(lib.db, seeded_dir, "manual")
    importer = digest_desk("--data-dir", str(seeded_dir), "import", str(big_folder))
    time.sleep(0.7)
    assert importer.poll() is None, "the import must still run when restore starts"
    restorer = digest_desk("--data-dir", str(seeded_dir), "restore", str(saved))
    _, rerr = restorer.communicate(timeout=60)
    iout, _ = importer.communicate(timeout=60)
    import_ended = importer.returncode
    assert import_ended == 0 and "0 failed" in iout
    if restorer.returncode == 0:
        # it waited for the import: every paper the import reported is in the moved-aside db
        assert "waiting for another digest-desk command" in rerr
        (previous,) = seeded_dir.glob(f"{DB_FILE}.before-restore-*")
        conn = sqlite3.connect(previous)
        count = conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
        conn.close()
        assert f"library has {count} papers" in iout
    else:
        assert "not restored" in rerr and "still using this library" in rerr


def test_restore_refuses_when_a_command_keeps_the_library(
    seeded_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = backup.latest_backup(seeded_dir)
    with Library.open(seeded_dir) as lib:
        saved = backup.take_backup(lib.db, seeded_dir, "manual")
    monkeypatch.setattr(maintenance, "RESTORE_WAIT_SECONDS", 0.3)
    other = AccessLock(seeded_dir)
    assert other.acquire(exclusive=False)  # a command using the library
    try:
        code = cli.main(["--data-dir", str(seeded_dir), "restore", str(saved)], out=io.StringIO())
    finally:
        other.release()
    assert code == 1 and "not restored" in capsys.readouterr().err
    assert not list(seeded_dir.glob(f"{DB_FILE}.before-restore-*"))


def test_a_command_during_a_restore_waits_and_says_so(seeded_dir: Path) -> None:
    restore = AccessLock(seeded_dir)
    assert restore.acquire(exclusive=True)
    proc = digest_desk("--data-dir", str(seeded_dir), "stats")
    time.sleep(2.0)
    assert proc.poll() is None  # held back while the restore runs
    restore.release()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "286 papers" in out
    assert "waiting for a restore" in err


def test_a_short_write_goes_between_the_batches_of_an_import(
    seeded_dir: Path, big_folder: Path
) -> None:
    importer = digest_desk("--data-dir", str(seeded_dir), "import", str(big_folder))
    time.sleep(0.7)
    done_while_importing = 0
    for paper in (1, 2):
        mark = digest_desk("--data-dir", str(seeded_dir), "mark", str(paper), "--star")
        _, err = mark.communicate(timeout=60)
        assert mark.returncode == 0, err
        done_while_importing += importer.poll() is None
    importer.communicate(timeout=120)
    assert importer.returncode == 0
    assert done_while_importing == 2, "a mark had to wait for the whole import"
    with Library.open(seeded_dir, backups=False) as lib:
        assert {1, 2} <= set(lib.views.ids("starred"))


def test_a_waiting_write_says_so_after_a_second(seeded_dir: Path) -> None:
    holder = sqlite3.connect(seeded_dir / DB_FILE)
    holder.execute("BEGIN IMMEDIATE")  # another process's transaction, held
    proc = digest_desk("--data-dir", str(seeded_dir), "mark", "1", "--star")
    time.sleep(2.5)
    holder.rollback()
    holder.close()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and out == "star: 1 paper\n"
    assert "waiting for another process writing to this library" in err


CHILD_OPEN = """
import sys, time
from pathlib import Path
from desktop.core.library import Library
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.005)
with Library.open(Path(sys.argv[1])) as lib:
    print(lib.papers.count())
"""


def test_processes_opening_a_new_library_at_once_all_succeed(tmp_path: Path) -> None:
    for round_ in range(2):
        data, go = tmp_path / f"lib{round_}", tmp_path / f"go{round_}"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", CHILD_OPEN, str(data), str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=ENV,
            )
            for _ in range(5)
        ]
        time.sleep(1.2)  # all of them imported and waiting
        go.touch()
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0 and out == "0\n", err
        with Library.open(data, backups=False) as lib:
            names = [r[0] for r in lib.db.execute("SELECT name FROM _sqlite_migrations")]
            assert len(names) == len(set(names))


# -- read-only libraries ------------------------------------------------------------------------
def _as_reader(args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user who cannot write the library (root ignores permissions: run it
    as nobody with setpriv then)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "running as root needs setpriv to drop privileges"
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    return subprocess.run(
        [*prefix, sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        env={**ENV, "HOME": "/tmp"},
        timeout=60,
    )


@pytest.fixture
def read_only_library(seeded_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = Path(tmp_path_factory.mktemp("ro", numbered=True))
    base.chmod(0o755)
    for parent in base.parents:
        if parent == Path("/tmp") or parent == Path(parent.anchor):
            break
        parent.chmod(parent.stat().st_mode | 0o755)
    data = base / "lib"
    with Library.open(seeded_dir) as lib:  # a clean close: no WAL left
        lib.tags.add([1], "kept")
    shutil.copytree(seeded_dir, data)
    for path in [data, *data.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    yield data
    for path in [data, *data.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_reading_commands_work_on_a_read_only_library(read_only_library: Path) -> None:
    data = str(read_only_library)
    stats = _as_reader(["--data-dir", data, "stats"])
    assert stats.returncode == 0 and "286 papers" in stats.stdout, stats.stderr
    listed = _as_reader(["--data-dir", data, "list", "--view", "tag:kept"])
    assert listed.returncode == 0 and "1 papers in tag:kept" in listed.stdout, listed.stderr
    shown = _as_reader(["--data-dir", data, "show", "1", "--json"])
    assert shown.returncode == 0 and json.loads(shown.stdout)["tags"] == ["kept"]
    assert "Traceback" not in stats.stderr + listed.stderr + shown.stderr


def test_writing_commands_on_a_read_only_library_fail_in_one_line(read_only_library: Path) -> None:
    for args in (
        ["mark", "1", "--star"],
        ["note", "1", "x"],
        ["backup"],
        ["delete", "1"],
        ["digests", "--rename", "1", "x"],
        ["digests", "--remove", "1"],
    ):
        done = _as_reader(["--data-dir", str(read_only_library), *args])
        assert done.returncode != 0 and "Traceback" not in done.stderr
        assert done.stderr.count("\n") == 1 and str(read_only_library) in done.stderr
        assert f"`{args[0]}` cannot change it" in done.stderr, done.stderr
    listed = _as_reader(["--data-dir", str(read_only_library), "digests"])  # only reads
    assert listed.returncode == 0 and "papers" in listed.stdout, listed.stderr


# -- output and exits ---------------------------------------------------------------------------
def test_names_and_terminal_output_never_carry_control_characters() -> None:
    assert clean_name("evil\n\x1b]0;pwned\x07name\r.txt") == "evil ]0;pwned name .txt"
    assert clean_name("a\u202etxt.exe") == "a txt.exe"
    assert terminal_safe("red \x1b[31m\u202e x\n") == "red \\x1b[31m\\u202e x\n"
    assert json.loads(terminal_safe(json.dumps("\u202e\x85", ensure_ascii=False), json=True)) == (
        "\u202e\x85"
    )


def test_the_cli_escapes_control_characters_in_what_it_prints(seeded_dir: Path) -> None:
    with Library.open(seeded_dir, backups=False) as lib:
        lib.db.execute(
            "UPDATE papers SET title = ? WHERE id = 1", ["Evil \u202egnp.exe \x1b]0;pwned\x07"]
        )
        lib.db.execute("UPDATE digests SET name = ? WHERE id = 1", ["x\r\n\x1b[2Jname.txt"])
        lib.db.conn.commit()
    for args in (["list"], ["show", "1"], ["show", "1", "--json"], ["list", "--json"]):
        out = io.StringIO()
        assert cli.main(["--data-dir", str(seeded_dir), *args], out=out) == 0
        text = out.getvalue()
        assert not any(c in text for c in BIDI + "\x1b\x07\r"), args
        if "--json" in args:
            data = json.loads(text)
            first = data if isinstance(data, dict) else next(p for p in data if p["id"] == 1)
            assert first["title"] == "Evil \u202egnp.exe \x1b]0;pwned\x07"  # exact in JSON


class _ClosedPipe(io.StringIO):
    """stdout whose reader went away after the first line (`digest-desk list | head -1`)."""

    def write(self, text: str) -> int:
        if self.tell() > 0:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


def test_a_closed_pipe_ends_the_command_quietly(
    seeded_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """(The sandbox's pipes never report EPIPE, so the closed reader is simulated.)"""
    code = cli.main(["--data-dir", str(seeded_dir), "list"], out=_ClosedPipe())
    assert code == cli.EXIT_BROKEN_PIPE and capsys.readouterr().err == ""


def test_a_library_folder_that_is_a_file_is_one_clear_line(tmp_path: Path) -> None:
    home = tmp_path / "home-file"
    home.write_text("oops")
    for args in (["stats"], ["restore", str(home)], ["import", str(SEEDS)]):
        done = subprocess.run(
            [sys.executable, "-m", "desktop", *args],
            capture_output=True,
            text=True,
            env={**ENV, "DIGEST_DESK_HOME": str(home)},
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "is a file, not a folder" in done.stderr
        assert "Errno" not in done.stderr and "DIGEST_DESK_HOME" in done.stderr
    assert home.read_text() == "oops"


def test_the_cli_imports_only_what_a_command_needs() -> None:
    probe = (
        "import sys; import desktop.cli as c; c.build_parser(); "
        "print(sorted(m for m in ('whoosh', 'desktop.core.library', "
        "'desktop.core.export.markdown', 'desktop.core.backup', 'desktop.core.search.index') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=ENV, timeout=60
    )
    assert done.returncode == 0 and done.stdout == "[]\n", done.stderr
    assert (
        cli.DEFAULT_COLOR
        == __import__(
            "desktop.core.annotations.highlights", fromlist=["DEFAULT_COLOR"]
        ).DEFAULT_COLOR
    )
    from desktop.core.search.index import INDEX_DIR

    assert backup.INDEX_DIR == INDEX_DIR

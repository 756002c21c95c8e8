"""The wheel is a complete app: seeds (byte-identical to seeds/), icons, and a working command
from any folder once installed in a fresh virtual environment (not only as an editable install).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ICONS = ROOT / "desktop" / "gui" / "icons"


def _source_copy(target: Path) -> Path:
    """The files git knows (committed or not, minus ignored ones), as a pristine tree."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if name.startswith("tests/") or not source.is_file():
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target / name)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The wheel pip builds from a clean copy of the source tree (build isolation on)."""
    work = tmp_path_factory.mktemp("wheel")
    source = _source_copy(work / "src")
    out = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(out)],
        check=True,
        cwd=work,
    )
    (built,) = out.glob("digest_desk-*.whl")
    yield built


def _assert_seeds_packed(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        packed = sorted(n for n in names if n.startswith("desktop/seeds/"))
        assert packed == sorted(f"desktop/seeds/{p.name}" for p in SEEDS.iterdir() if p.is_file())
        for name in packed:
            assert z.read(name) == (SEEDS / Path(name).name).read_bytes(), name


def test_the_wheel_carries_the_seeds_byte_for_byte(wheel: Path) -> None:
    _assert_seeds_packed(wheel)


def test_a_wheel_built_from_the_source_distribution_carries_them_too(
    tmp_path: Path,
) -> None:
    """What pipx or pip do with a downloaded sdist: the seeds must travel in it."""
    source = _source_copy(tmp_path / "src")
    subprocess.run(
        [sys.executable, "-c", "from setuptools import build_meta as b; b.build_sdist('sdist')"],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (sdist,) = (source / "sdist").glob("digest[-_]desk-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {Path(n).relative_to(Path(n).parts[0]).as_posix() for n in tar.getnames()}
    assert {f"seeds/{p.name}" for p in SEEDS.glob("*.txt")} <= names
    assert {"setup.py", "resources/digest-desk.desktop", "resources/digest-desk.svg"} <= names
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(sdist), "--no-deps", "-q", "-w", str(out)],
        check=True,
        cwd=tmp_path,
    )
    (built,) = out.glob("digest_desk-*.whl")
    _assert_seeds_packed(built)


def test_the_wheel_carries_every_icon_and_the_entry_point(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        icons = sorted(ICONS.glob("*.svg"))
        assert len(icons) > 10
        for icon in icons:
            assert z.read(f"desktop/gui/icons/{icon.name}") == icon.read_bytes()
        # desktop-entry installs the app icon, which is the one resources/ shows.
        app_icon = (ROOT / "resources" / "digest-desk.svg").read_bytes()
        assert z.read("desktop/gui/icons/app.svg") == app_icon
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        assert "digest-desk = desktop.cli:main" in z.read(entry_points).decode()
        assert not [n for n in names if n.startswith("tests/")]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel installed (its dependencies are taken
    from the test environment through PYTHONPATH, which does not see editable installs)."""
    venv = tmp_path_factory.mktemp("venv") / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            "--force-reinstall",  # even when PYTHONPATH shows pip the source tree's egg-info
            str(wheel),
        ],
        check=True,
    )
    return venv


def _run(venv: Path, args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    bin_dir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    environment = {
        **os.environ,
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "QT_QPA_PLATFORM": "offscreen",
        **env,
    }
    first, *rest = args
    command = [str(bin_dir / first)] if first != "python" else [str(bin_dir / "python")]
    return subprocess.run(
        [*command, *rest], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def test_an_installed_wheel_runs_from_any_folder(installed: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = _run(installed, ["digest-desk", "--help"], elsewhere)
    assert done.returncode == 0, done.stderr
    assert "Triage research-paper digests" in done.stdout
    code = (
        "import desktop, sys\n"
        "from pathlib import Path\n"
        "from desktop.core.library import Library\n"
        "from desktop.core.seeds import seed_if_empty, seeds_dir\n"
        "print(Path(desktop.__file__).resolve())\n"
        "print(seeds_dir())\n"
        "with Library.open(Path(sys.argv[1])) as lib:\n"
        "    results = seed_if_empty(lib)\n"
        "    print(len(results), all(r.ok for r in results), lib.papers.count())\n"
    )
    done = _run(installed, ["python", "-c", code, str(tmp_path / "data")], elsewhere)
    assert done.returncode == 0, done.stderr
    package, seeds, summary = done.stdout.splitlines()
    assert Path(package).is_relative_to(installed.resolve()), "the wheel, not the source tree"
    assert Path(seeds).is_relative_to(installed.resolve())
    count, ok, papers = summary.split()
    assert (count, ok) == ("4", "True") and int(papers) > 200


def test_the_installed_desktop_entry_finds_its_icon(installed: Path, tmp_path: Path) -> None:
    share = tmp_path / "share"
    done = _run(installed, ["digest-desk", "desktop-entry"], tmp_path, XDG_DATA_HOME=str(share))
    assert done.returncode == 0, done.stderr
    icon = share / "icons" / "hicolor" / "scalable" / "apps" / "digest-desk.svg"
    assert icon.read_bytes() == (ICONS / "app.svg").read_bytes()
    assert (share / "applications" / "digest-desk.desktop").is_file()


def test_the_installed_wheel_knows_the_keys_and_presets(installed: Path, tmp_path: Path) -> None:
    """`digest-desk keys` reads the command names from the installed command modules and the
    presets from the package (no Qt): every default command is there, with its description."""
    config = tmp_path / "config"
    done = _run(
        installed, ["digest-desk", "keys", "--preset", "vim"], tmp_path, XDG_CONFIG_HOME=str(config)
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("# preset vim: ")
    assert any(line.split()[:2] == ["Ctrl+D", "scroll-detail-down"] for line in lines)
    assert any(line.split()[:2] == ["s", "toggle-star"] and "Star" in line for line in lines)
    (config / "digest-desk").mkdir(parents=True)
    (config / "digest-desk" / "keys.toml").write_text('[keys]\n"w" = "show-progress"\n')
    done = _run(
        installed, ["digest-desk", "keys", "--check"], tmp_path, XDG_CONFIG_HOME=str(config)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.endswith("no problems; preset default, 1 key changed\n")

"""Build hook: the wheel carries a copy of the top-level ``seeds/`` as ``desktop/seeds/``.

``seeds/`` stays the one source of the sample digests (tests and the benchmark read it there);
the build copies its files byte for byte into the package, where ``desktop.core.seeds`` finds
them with importlib.resources. An editable install needs no copy: it reads ``seeds/`` in place.
Everything else about the build is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SEEDS = ROOT / "seeds"


class build_py_with_seeds(build_py):  # noqa: N801 - setuptools command naming
    """build_py, then the seeds copied into the built ``desktop`` package."""

    def run(self) -> None:
        """Build the packages, then copy the seeds next to them (not for an editable install)."""
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "desktop" / "seeds"
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted(SEEDS.iterdir()):
            if source.is_file():
                shutil.copyfile(source, target / source.name)


setup(cmdclass={"build_py": build_py_with_seeds})

"""What an export wrote into a folder, per library: the only files a later export may replace.

A manifest lists each file a library's exports wrote into one folder, with the paper it holds
and the SHA-256 of the bytes written. It is a small JSON file kept by the library, in
``<data dir>/exports/`` (one per export folder, named after a hash of the folder's path), and
not in the export folder: a vault or a git repository gets no file it did not ask for, two
libraries exporting into one folder keep separate records without knowing of each other, and
writing an export needs no database connection (the app writes on a worker thread). It is
not library data (nothing is lost with it: without it no file counts as ours, the safe side),
so it is not in SQLite. An export with no library folder behind it (a plan made in memory)
keeps its manifest in the export folder instead, as ``.digest-desk-manifest-<id>.json``.

A file listed with a matching hash is ours and unchanged: it may be replaced or removed. A
listed file whose bytes differ was edited by the user: it is kept. Any file not listed (a
user's copy, another library's file, a file written before manifests existed) is never
touched. Hashes are recorded before the files are replaced (old and new both count as ours),
so an export killed half way leaves no file of ours looking edited.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core import temp_files

MANIFEST_PREFIX = ".digest-desk-manifest-"
LIBRARY_SUBDIR = "exports"
TEMP_PREFIX = ".digest-desk-export-"
_SAFE_ID = re.compile(r"^[0-9a-zA-Z_-]{1,64}$")


def sha256(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str | None:
    """The hex SHA-256 of a file's bytes, or None when it cannot be read."""
    try:
        return sha256(path.read_bytes())
    except OSError:
        return None


@dataclass
class Entry:
    """One file written by this library: the paper it holds (None: a single-file export) and
    the hashes of the bytes it may hold while still unchanged since export."""

    paper: int | None
    hashes: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    """The files one library's exports wrote into one folder, by name."""

    folder: Path
    library: str
    files: dict[str, Entry] = field(default_factory=dict)
    store: Path | None = None  # the library's manifest folder; None: in the export folder

    @property
    def path(self) -> Path:
        """Where this manifest is stored."""
        if self.store is None:
            return self.folder / f"{MANIFEST_PREFIX}{self.library}.json"
        key = sha256(os.fsencode(os.path.normcase(str(self.folder.resolve()))))[:24]
        return self.store / f"{key}.json"

    def state(self, name: str) -> str:
        """``free`` (no file), ``ours`` (listed, unchanged), ``edited`` (listed, changed since
        it was written) or ``foreign`` (a file this library did not write)."""
        target = self.folder / name
        if not target.exists() and not target.is_symlink():
            return "free"
        entry = self.files.get(name)
        if entry is None or target.is_symlink() or not target.is_file():
            return "foreign"
        return "ours" if file_sha256(target) in entry.hashes else "edited"

    def names_of(self, paper: int) -> list[str]:
        """The listed files holding ``paper``."""
        return sorted(n for n, e in self.files.items() if e.paper == paper)

    def save(self) -> None:
        """Write the manifest atomically (a temporary file renamed over it)."""
        data = {
            "folder": str(self.folder.resolve()),
            "library": self.library,
            "files": {
                name: {"paper": e.paper, "sha256": e.hashes}
                for name, e in sorted(self.files.items())
            },
        }
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        with contextlib.suppress(OSError):
            if self.path.read_text(encoding="utf-8") == text:
                return  # nothing changed: a re-export that writes nothing touches nothing
        where = self.path.parent
        where.mkdir(parents=True, exist_ok=True)
        temp = where / f"{temp_files.temp_prefix(TEMP_PREFIX)}manifest.tmp"
        try:
            with open(temp, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise


def load(folder: Path, library: str | None, store: Path | None = None) -> Manifest:
    """The manifest of ``library`` for ``folder``, kept in ``store`` (else in the folder);
    empty when there is none or it is unreadable: then no file counts as ours."""
    key = library if library and _SAFE_ID.match(library) else "anonymous"
    manifest = Manifest(Path(folder), key, store=store)
    try:
        raw = json.loads(manifest.path.read_text(encoding="utf-8"))
        files = raw["files"] if isinstance(raw, dict) and raw.get("library") == key else {}
    except (OSError, ValueError, KeyError):
        return manifest
    if not isinstance(files, dict):
        return manifest
    for name, entry in files.items():
        if not isinstance(name, str) or not isinstance(entry, dict):
            continue
        paper = entry.get("paper")
        hashes = entry.get("sha256")
        if isinstance(hashes, list) and all(isinstance(h, str) for h in hashes):
            manifest.files[name] = Entry(paper if isinstance(paper, int) else None, list(hashes))
    return manifest


def remove_stale_temp(folder: Path) -> None:
    """Remove temporary files left in ``folder`` by exports that were killed."""
    temp_files.remove_stale(folder, TEMP_PREFIX)

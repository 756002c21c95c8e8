"""First-run seeding: one condition (nothing ever imported), used by the CLI and the GUI."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from desktop import cli
from desktop.core import seeds
from desktop.core.library import Library
from desktop.core.seeds import needs_seeds, seed_if_empty, seeds_dir, seeds_on_disk
from tests.conftest import SEEDS

SEED_NAMES = sorted(p.name for p in SEEDS.glob("*.txt"))


def test_an_editable_install_finds_the_source_trees_seeds() -> None:
    folder = seeds_dir()
    assert isinstance(folder, Path) and folder.resolve() == SEEDS.resolve()
    assert len(SEED_NAMES) == 4


def test_the_packaged_copy_wins_over_the_source_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "000.txt").write_text("Title\n\nAbstract.\n", encoding="utf-8")
    monkeypatch.setattr(seeds.resources, "files", lambda package: tmp_path)
    assert seeds_dir() == tmp_path / "seeds"


def test_a_new_library_is_seeded_once(tmp_path: Path) -> None:
    with Library.open(tmp_path / "data") as library:
        assert needs_seeds(library)
        results = seed_if_empty(library)
        assert sorted(Path(r.path).name for r in results) == SEED_NAMES
        assert all(r.ok for r in results)
        count = library.papers.count()
        assert count > 200 and len(library.digests.all()) == 4
        assert not needs_seeds(library)
        assert seed_if_empty(library) == []
    with Library.open(tmp_path / "data") as again:
        assert seed_if_empty(again) == [] and again.papers.count() == count


def test_a_user_who_deleted_every_paper_is_not_seeded_again(tmp_path: Path) -> None:
    with Library.open(tmp_path / "data") as library:
        seed_if_empty(library)
        with library.db.atomic():
            library.db.execute("DELETE FROM papers")
        assert library.papers.count() == 0 and library.digests.all()
        assert seed_if_empty(library) == []
        assert library.papers.count() == 0


def test_a_library_with_the_users_own_digest_is_not_seeded(lib: Library) -> None:
    lib.importer.import_text("A paper of mine\n\nIts abstract, long enough to count.\n", "mine")
    assert seed_if_empty(lib) == []
    assert [d.name for d in lib.digests.all()] == ["mine"]


def test_a_library_whose_every_import_was_refused_is_still_seeded(
    lib: Library, tmp_path: Path
) -> None:
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    (refused,) = lib.importer.import_paths([binary])
    assert not refused.ok and lib.papers.count() == 0
    assert len(seed_if_empty(lib)) == 4 and lib.papers.count() > 200


def test_seeds_inside_a_zipped_package_are_imported_from_a_temporary_copy(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "desktop.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(SEEDS.glob("*.txt")):
            z.write(path, f"desktop/seeds/{path.name}")
    folder = zipfile.Path(archive, "desktop/seeds/")
    assert not isinstance(folder, Path)
    with seeds_on_disk(folder) as copy:
        assert sorted(p.name for p in copy.iterdir()) == SEED_NAMES
        assert all((copy / n).read_bytes() == (SEEDS / n).read_bytes() for n in SEED_NAMES)
    assert not copy.exists(), "the temporary copy is removed"
    monkeypatch.setattr(seeds, "seeds_dir", lambda: folder)
    results = seed_if_empty(lib)
    assert len(results) == 4 and all(r.ok for r in results)


def test_the_command_line_without_qt_seeds_with_the_same_condition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_gui(name: str, *args: object, **kwargs: object) -> object:
        if name == "desktop.gui.app":
            raise ImportError("no Qt here")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    data = tmp_path / "data"
    with Library.open(data) as library:
        library.importer.import_text(
            "A paper of mine\n\nIts abstract, long enough to count.\n", "mine"
        )
        with library.db.atomic():
            library.db.execute("DELETE FROM papers")
    monkeypatch.setattr(builtins, "__import__", no_gui)
    out = io.StringIO()
    assert cli.main(["--data-dir", str(data)], out=out) == 0
    assert "library has 0 papers" in out.getvalue(), "papers deleted: not seeded again"
    fresh = tmp_path / "fresh"
    mine = tmp_path / "mine.txt"
    mine.write_text("Another paper of mine\n\nIts abstract, long enough to count.\n", "utf-8")
    out = io.StringIO()
    assert cli.main(["--data-dir", str(fresh), str(mine)], out=out) == 0
    with Library.open(fresh) as library:
        names = [d.name for d in library.digests.all()]
        assert len(names) == 5 and "mine" in names[-1], "the seeds, then the file given"
        assert f"library has {library.papers.count()} papers" in out.getvalue()

"""Exporting a real library to disk: selections, idempotence, renames, atomic writes, errors."""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.cli import main
from desktop.core import store
from desktop.core.export.manifest import MANIFEST_PREFIX
from desktop.core.export.markdown import (
    ExportCancelledError,
    ExportError,
    Selection,
    plan_export,
    plan_items,
    render_preview,
    write_export,
)
from desktop.core.library import Library
from desktop.core.models import Annotations, PaperId
from tests.conftest import SEEDS, TODAY
from tests.core.test_export_markdown import check_paper_file, make_paper, split_front_matter, titles


def annotate(lib: Library) -> None:
    """A few highlights, notes and tags on the seed library."""
    lib.highlights.add_by_quote(1, "out-of-core", "green", note="Why *not* mmap?")
    lib.highlights.add_by_quote(1, "DiskGNN", "blue")
    lib.notes.set(1, "# Summary\n\nDisk-based GNN training.\n\n<script>x</script>\n---\n")
    lib.highlights.add_by_quote(3, "context switching", "red", note="Measured?")
    lib.tags.add([1, 3], "systems")
    lib.tags.add([5], "later")


def visible(folder: Path) -> list[str]:
    """The files of a folder, without the export manifests (hidden files of ours)."""
    return sorted(n for n in os.listdir(folder) if not n.startswith(MANIFEST_PREFIX))


def listing(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in visible(folder)}


@pytest.fixture(scope="module")
def annotated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An annotated seed library, built once per module (each test gets a copy)."""
    data = tmp_path_factory.mktemp("annotated") / "data"
    with Library.open(data) as lib:
        lib.today = lambda: TODAY
        assert all(r.ok for r in lib.importer.import_paths([SEEDS]))
        annotate(lib)
    return data


@pytest.fixture
def annotated(
    annotated_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Library]:
    data = tmp_path_factory.mktemp("lib") / "data"
    shutil.copytree(annotated_template, data)
    with Library.open(data) as lib:
        lib.today = lambda: TODAY
        yield lib


def test_default_selection_is_the_annotated_papers(annotated: Library) -> None:
    plan = plan_export(annotated, shape="per-paper")
    assert [f.paper_ids[0] for f in plan.files] == [1, 3, 5]
    assert (plan.papers, plan.highlights, plan.notes) == (3, 3, 3)
    for export_file in plan.files:
        paper = annotated.papers.get(export_file.paper_ids[0])
        assert paper is not None
        check_paper_file(paper, annotated.annotations(paper.id), export_file.content)


def test_other_selections(annotated: Library) -> None:
    starred_ids = annotated.views.ids("all")[10:13]
    annotated.triage.set_starred(starred_ids)
    assert plan_export(annotated, Selection.of_view("starred")).papers == 3
    assert plan_export(annotated, Selection.everything()).papers == 286
    some = plan_export(annotated, Selection.of_ids([3, 99999]), "per-paper")
    assert [f.paper_ids for f in some.files] == [(3,)]
    assert plan_export(annotated, Selection.of_paper(5), "per-paper").files[0].paper_ids == (5,)
    found = plan_export(annotated, Selection.of_query("DiskGNN"), "per-paper")
    assert 1 in [f.paper_ids[0] for f in found.files]
    with pytest.raises(ValueError):
        plan_export(annotated, Selection.of_view("nonsense"))


def test_planning_reports_progress_and_can_be_cancelled(annotated: Library) -> None:
    seen: list[tuple[int, int, str]] = []
    plan = plan_export(annotated, Selection.everything(), progress=lambda *a: seen.append(a))
    assert plan.papers == 286 and [s[:2] for s in seen] == [(200, 286), (286, 286)]
    with pytest.raises(ExportCancelledError):
        plan_export(annotated, Selection.everything(), cancel=lambda: True)


def test_single_file_preview_is_cut_to_its_first_papers(annotated: Library) -> None:
    preview = render_preview(annotated, Selection.everything(), max_papers=2)
    assert split_front_matter(preview)[0]["papers"] == 2


def test_preview_is_the_first_file(annotated: Library) -> None:
    preview = render_preview(annotated, shape="per-paper")
    assert preview == plan_export(annotated, shape="per-paper").files[0].content
    assert split_front_matter(preview)[0]["id"] == 1
    assert render_preview(annotated).startswith('---\ntitle: "Digest Desk notes"')


def test_same_library_gives_byte_identical_exports(tmp_path: Path) -> None:
    """Two libraries built the same way (at different times) export the same bytes, but for
    the line naming the library (each has its own random id)."""
    outputs = []
    for n in range(2):
        with Library.open(tmp_path / f"lib{n}") as lib:
            lib.today = lambda: TODAY
            lib.importer.import_paths([SEEDS])
            annotate(lib)
            for shape in ("single", "per-paper"):
                write_export(plan_export(lib, shape=shape), tmp_path / f"out{n}" / shape)
            line = f"\nlibrary: {store.library_id(lib.db)}\n".encode()
        outputs.append(
            {
                shape: {
                    name: data.replace(line, b"\n")
                    for name, data in listing(tmp_path / f"out{n}" / shape).items()
                    if data.count(line) == 1
                }
                for shape in ("single", "per-paper")
            }
        )
    assert outputs[0] == outputs[1]
    assert len(outputs[0]["per-paper"]) == 3


def test_missing_folder_is_created_and_reexport_changes_nothing(
    annotated: Library, tmp_path: Path
) -> None:
    target = tmp_path / "vault" / "papers" / "deep"
    plan = plan_export(annotated, shape="per-paper")
    first = write_export(plan, target)
    assert first.written == sorted(f.path for f in plan.files) and not first.unchanged
    if os.name == "posix":  # readable like any other file, not mkstemp's 0600
        assert {p.stat().st_mode & 0o777 for p in target.iterdir()} == {0o644}
    before = listing(target)
    stamps = {p.name: p.stat().st_mtime_ns for p in target.iterdir()}
    again = write_export(plan_export(annotated, shape="per-paper"), target)
    assert again.written == [] and again.unchanged == first.written and again.removed == []
    assert listing(target) == before
    assert {p.name: p.stat().st_mtime_ns for p in target.iterdir()} == stamps


def test_reexport_updates_in_place_without_copies(annotated: Library, tmp_path: Path) -> None:
    write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    names = sorted(visible(tmp_path))
    annotated.notes.set(3, "Changed my mind.")
    result = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert sorted(visible(tmp_path)) == names  # no "(1)" copies, no temp files
    assert (
        len(result.written) == 1
        and "Changed my mind." in (tmp_path / result.written[0]).read_text()
    )


def test_a_renamed_paper_replaces_its_old_file(annotated: Library, tmp_path: Path) -> None:
    write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    old = next(n for n in visible(tmp_path) if n.startswith("FastSwitch"))
    annotated.db.execute("UPDATE papers SET title = 'FastSwitch v2: Renamed' WHERE id = 3")
    annotated.db.conn.commit()
    result = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert result.removed == [old]
    assert "FastSwitch v2 - Renamed.md" in visible(tmp_path)
    assert not (tmp_path / old).exists() and len(visible(tmp_path)) == 3


def test_a_file_renamed_by_the_user_is_theirs_and_kept(annotated: Library, tmp_path: Path) -> None:
    write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    old = next(n for n in visible(tmp_path) if n.startswith("FastSwitch"))
    (tmp_path / old).rename(tmp_path / "my fastswitch notes.md")
    mine = (tmp_path / "my fastswitch notes.md").read_bytes()
    result = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert result.removed == [] and result.written == [old]
    assert (tmp_path / "my fastswitch notes.md").read_bytes() == mine
    assert len(visible(tmp_path)) == 4


def test_someone_elses_file_with_the_same_name_is_never_overwritten(
    annotated: Library, tmp_path: Path
) -> None:
    plan = plan_export(annotated, shape="per-paper")
    mine = tmp_path / plan.files[0].path
    mine.write_text("# my own notes, not an export\n")
    other_tool = tmp_path / plan.files[1].path
    other_tool.write_text("---\nid: 3\n---\nanother tool's file with an id\n")
    result = write_export(plan, tmp_path)
    assert mine.read_text() == "# my own notes, not an export\n"
    assert other_tool.read_text().startswith("---\nid: 3\n---\n")
    assert f"{mine.stem} (paper 1).md" in result.written
    assert f"{other_tool.stem} (paper 3).md" in result.written
    # and the next export finds the suffixed files again instead of making more
    again = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert again.written == [] and len(visible(tmp_path)) == 5


def test_when_every_name_is_taken_the_export_says_so(annotated: Library, tmp_path: Path) -> None:
    plan = plan_export(annotated, Selection.of_ids([3]), "per-paper")
    stem = plan.files[0].path[:-3]
    for name in (f"{stem}.md", f"{stem} (paper 3).md"):
        (tmp_path / name).write_text("someone else's\n")
    assert write_export(plan, tmp_path).written == ["paper 3.md"]
    (tmp_path / "paper 3.md").write_text("someone else's too\n")
    with pytest.raises(ExportError, match="cannot find a free file name for paper 3"):
        write_export(plan, tmp_path)
    assert len(visible(tmp_path)) == 3


def test_single_file_refuses_to_overwrite_a_foreign_file(
    annotated: Library, tmp_path: Path
) -> None:
    foreign = tmp_path / "notes.md"
    foreign.write_text("my diary\n")
    plan = plan_export(annotated, file_name="notes.md")
    with pytest.raises(ExportError, match="not written by Digest Desk"):
        write_export(plan, tmp_path)
    assert foreign.read_text() == "my diary\n"
    foreign.unlink()
    assert write_export(plan, tmp_path).written == ["notes.md"]
    assert write_export(plan, tmp_path).unchanged == ["notes.md"]


def test_a_folder_under_a_file_gives_a_clear_error(annotated: Library, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ExportError) as raised:
        write_export(plan_export(annotated, shape="per-paper"), blocker / "sub" / "deeper")
    assert str(raised.value) == (
        f"cannot export to {blocker / 'sub' / 'deeper'}: {blocker} is a file, not a folder"
    )
    with pytest.raises(ExportError, match="it is a file, not a folder"):
        write_export(plan_export(annotated, shape="per-paper"), blocker)
    assert visible(tmp_path) == ["a-file"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_read_only_folder_gives_a_clear_error(annotated: Library, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if not os.access(folder, os.W_OK):
            with pytest.raises(ExportError, match="cannot write in the folder"):
                write_export(plan_export(annotated, shape="per-paper"), folder)
            assert visible(folder) == []
            return
    finally:
        folder.chmod(0o700)
    # Running as root, permissions stop nothing: /proc is a folder nobody can create files in.
    assert Path("/proc").is_dir(), "needs Linux when running as root"
    with pytest.raises(ExportError, match="cannot write the export in /proc") as info:
        write_export(plan_export(annotated, shape="per-paper"), Path("/proc"))
    assert "nothing was changed" in str(info.value)


def fail_on_call(n: int, real: Callable[..., object]) -> Callable[..., object]:
    calls = {"n": 0}

    def fake(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == n:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    return fake


@pytest.mark.parametrize("what", ["fsync", "replace"])
def test_a_failed_write_leaves_nothing_half_written(
    annotated: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    before = listing(tmp_path)
    for pid in (1, 3, 5):
        annotated.notes.set(pid, f"new note {pid}")
    monkeypatch.setattr(os, what, fail_on_call(2 if what == "fsync" else 1, getattr(os, what)))
    with pytest.raises(ExportError, match="No space left on device") as info:
        write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert "nothing was changed" in str(info.value)
    assert listing(tmp_path) == before  # old files intact, and no temp files left


def test_cancel_writes_nothing_and_progress_is_reported(annotated: Library, tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    plan = plan_export(annotated, shape="per-paper")
    result = write_export(
        plan, tmp_path / "out", progress=lambda *a: seen.append(a), cancel=lambda: len(seen) > 2
    )
    assert result.cancelled and result.written == []
    assert visible(tmp_path / "out") == []
    seen.clear()
    result = write_export(plan, tmp_path / "out", progress=lambda *a: seen.append(a))
    assert [s[:2] for s in seen] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert not result.cancelled and len(result.written) == 3


def test_stale_temp_files_from_a_killed_export_are_cleaned(
    annotated: Library, tmp_path: Path
) -> None:
    killed = tmp_path / ".digest-desk-export-999999-0-abcd.tmp"  # no such process any more
    running = tmp_path / f".digest-desk-export-{os.getppid()}-0-abcd.tmp"  # a live export's
    old = tmp_path / ".digest-desk-export-x1y2z3.tmp"  # an older version's name, long ago
    for path in (killed, running, old):
        path.write_text("half")
    os.utime(old, (0, 0))
    write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert not killed.exists() and not old.exists() and running.exists()
    running.unlink()
    assert not any(n.startswith(".digest-desk-export-") for n in os.listdir(tmp_path))


# -- command line -------------------------------------------------------------------------------
def run(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main(args, out=out)
    return code, out.getvalue()


def test_cli_export(seeded_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--data-dir", str(seeded_dir)]
    code, text = run([*base, "export", "--out", str(tmp_path / "notes.md")])
    assert code == 0 and text == "nothing to export: no annotated papers\n"
    with Library.open(seeded_dir) as lib:
        annotate(lib)
    code, text = run([*base, "export", "--out", str(tmp_path / "notes.md")])
    assert code == 0
    assert text.startswith("exported 3 papers, 3 highlights, 3 notes in 1 file: 1 file written")
    single = (tmp_path / "notes.md").read_text()
    assert single.count("\n## ") == 4  # contents + 3 papers
    code, text = run([*base, "export", "--out", str(tmp_path / "vault"), "--per-paper"])
    assert code == 0 and len(visible(tmp_path / "vault")) == 3
    code, text = run([*base, "export", "--out", str(tmp_path / "vault"), "--per-paper"])
    assert "0 files written, 3 unchanged" in text
    code, text = run([*base, "export", "--out", str(tmp_path / "one"), "--per-paper", "--id", "3"])
    assert code == 0 and len(visible(tmp_path / "one")) == 1
    code, text = run([*base, "export", "--out", f"{tmp_path}/dir/", "--view", "tag:systems"])
    assert code == 0 and visible(tmp_path / "dir") == ["digest-desk-notes.md"]
    code, text = run(
        [*base, "export", "--out", str(tmp_path / "q"), "--query", "DiskGNN", "--json"]
    )
    report = json.loads(text)
    assert code == 0 and report["shape"] == "single" and report["papers"] >= 1
    assert report["written"] == ["q.md"] and report["folder"] == str(tmp_path)
    code, text = run([*base, "export", "--out", str(tmp_path / "all"), "--all", "--per-paper"])
    assert code == 0 and len(visible(tmp_path / "all")) == 286
    code, _ = run([*base, "export", "--out", str(tmp_path / "notes.md" / "x"), "--per-paper"])
    assert code == 1
    notes = tmp_path / "notes.md"
    assert f"{notes} is a file, not a folder" in capsys.readouterr().err
    code, _ = run([*base, "export", "--out", str(tmp_path / "q.md"), "--view", "bogus"])
    assert code == 1 and "unknown view" in capsys.readouterr().err


# -- only files this library wrote, unchanged, are ever replaced ------------------------------
def second_library(template: Path, tmp_path: Path) -> Library:
    """Another library with the same papers and notes (a copy made before it got an id)."""
    data = tmp_path / "second"
    with Library.open(data) as lib:
        lib.today = lambda: TODAY
        lib.importer.import_paths([SEEDS])
        annotate(lib)
    return Library.open(data)


def test_a_users_copy_of_an_export_file_survives(annotated: Library, tmp_path: Path) -> None:
    first = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    name = first.written[0]
    copy = tmp_path / "my copy.md"
    copy.write_bytes((tmp_path / name).read_bytes())  # cp Paper.md "my copy.md"
    annotated.notes.set(1, "a new note")
    annotated.notes.set(3, "another")
    result = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert copy.exists() and result.removed == [] and result.kept == []
    assert "a new note" not in copy.read_text()
    # and an unchanged copy too, when nothing changed
    again = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert copy.exists() and again.removed == []


def test_a_second_library_exporting_into_the_same_folder_leaves_the_first_alone(
    annotated: Library, annotated_template: Path, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    mine = write_export(plan_export(annotated, shape="per-paper"), vault)
    before = {n: (vault / n).read_bytes() for n in mine.written}
    with second_library(annotated_template, tmp_path) as other:
        other.notes.set(1, "the other library's note")
        theirs = write_export(plan_export(other, shape="per-paper"), vault)
        assert theirs.removed == [] and theirs.kept == []
        assert all((vault / n).read_bytes() == data for n, data in before.items())
        stems = sorted(n[:-3] for n in mine.written)
        assert [n.rsplit(" (paper ", 1)[0] for n in sorted(theirs.written)] == stems
        # each library finds its own files again: nothing more is written or removed
        again = write_export(plan_export(other, shape="per-paper"), vault)
        assert again.written == [] and again.removed == []
    again = write_export(plan_export(annotated, shape="per-paper"), vault)
    assert again.written == [] and again.removed == [] and len(visible(vault)) == 6
    # nothing of ours in the vault: each library keeps its own list of what it wrote there
    assert not [n for n in os.listdir(vault) if n.startswith(".")]
    assert annotated.data_dir is not None
    assert len(list((annotated.data_dir / "exports").glob("*.json"))) == 1


def test_a_renamed_papers_edited_old_file_is_kept_and_reported(
    annotated: Library, tmp_path: Path
) -> None:
    write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    old = next(n for n in visible(tmp_path) if n.startswith("FastSwitch"))
    with open(tmp_path / old, "a", encoding="utf-8") as fh:
        fh.write("\nMy own thoughts.\n")
    edited = (tmp_path / old).read_bytes()
    annotated.db.execute("UPDATE papers SET title = 'FastSwitch v2: Renamed' WHERE id = 3")
    annotated.db.conn.commit()
    result = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert result.removed == [] and result.kept == [(old, "")]
    assert (tmp_path / old).read_bytes() == edited
    assert "FastSwitch v2 - Renamed.md" in result.written
    assert f"{old} was edited since it was exported and was kept" in result.summary()
    # it is the user's file from now on: later exports leave it alone and say nothing more
    again = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert again.kept == [] and again.removed == [] and (tmp_path / old).read_bytes() == edited


def test_an_edited_export_file_is_never_overwritten(annotated: Library, tmp_path: Path) -> None:
    first = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    name = next(n for n in first.written if n.startswith("FastSwitch"))
    text = (tmp_path / name).read_text(encoding="utf-8") + "\n## My section\n\nKeep me.\n"
    (tmp_path / name).write_text(text, encoding="utf-8")
    annotated.notes.set(3, "Changed my mind.")
    result = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    beside = f"{name[:-3]} (paper 3).md"
    assert (tmp_path / name).read_text(encoding="utf-8") == text
    assert result.kept == [(name, beside)] and result.written == [beside]
    assert "Changed my mind." in (tmp_path / beside).read_text(encoding="utf-8")
    assert f"the new export is in {beside}" in result.summary()
    # the next export updates the file beside it, never the edited one
    annotated.notes.set(3, "Changed it again.")
    again = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert again.written == [beside] and again.kept == []
    assert (tmp_path / name).read_text(encoding="utf-8") == text


def test_an_edited_single_file_export_is_kept_and_the_new_one_written_beside(
    annotated: Library, tmp_path: Path
) -> None:
    plan = plan_export(annotated, file_name="notes.md")
    write_export(plan, tmp_path)
    (tmp_path / "notes.md").write_text("my rewrite of the notes\n")
    annotated.notes.set(3, "Changed my mind.")
    result = write_export(plan_export(annotated, file_name="notes.md"), tmp_path)
    assert (tmp_path / "notes.md").read_text() == "my rewrite of the notes\n"
    assert result.kept == [("notes.md", "notes (updated).md")]
    assert result.written == ["notes (updated).md"]


def test_an_unchanged_file_of_an_older_version_is_updated_not_duplicated(
    annotated: Library, tmp_path: Path
) -> None:
    """Before manifests, files had no library line: one that is exactly what that version
    wrote is adopted; one that differs (edited, or someone else's) is left alone."""
    plan = plan_export(annotated, shape="per-paper")
    line = f"\nlibrary: {plan.library}\n"
    for f in plan.files:
        (tmp_path / f.path).write_text(f.content.replace(line, "\n"), encoding="utf-8")
    edited = tmp_path / plan.files[1].path
    edited.write_text(edited.read_text(encoding="utf-8") + "mine\n", encoding="utf-8")
    result = write_export(plan, tmp_path)
    assert sorted(result.written) == sorted(
        [plan.files[0].path, plan.files[2].path, f"{plan.files[1].path[:-3]} (paper 3).md"]
    )
    assert edited.read_text(encoding="utf-8").endswith("mine\n")


def test_an_unreadable_manifest_means_no_file_is_ours(annotated: Library, tmp_path: Path) -> None:
    first = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert annotated.data_dir is not None
    (manifest,) = (annotated.data_dir / "exports").glob("*.json")
    manifest.write_text("{ not json")
    annotated.notes.set(3, "Changed my mind.")
    before = listing(tmp_path)
    result = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert all(listing(tmp_path)[n] == data for n, data in before.items())
    # every file is someone's as far as the export can tell: the new ones go beside them
    assert result.removed == [] and len(result.written) == len(first.written) == 3
    assert all(" (paper " in name for name in result.written)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(titles, min_size=1, max_size=6))
def test_hostile_titles_write_safely_and_reexport_idempotently(title_list: list[str]) -> None:
    items = [
        (make_paper(n + 1, title), Annotations(PaperId(n + 1), note="n"))
        for n, title in enumerate(title_list)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "out"
        first = write_export(plan_items(items, "per-paper"), folder)
        names = visible(folder)
        assert sorted(names) == first.written and len(names) == len(items)
        assert {p.parent for p in folder.iterdir()} == {folder}  # nothing escaped the folder
        for name in names:
            front, _ = split_front_matter((folder / name).read_text(encoding="utf-8"))
            assert front["exported_by"] == "digest-desk"
        again = write_export(plan_items(items, "per-paper"), folder)
        assert again.written == [] and sorted(visible(folder)) == sorted(names)
        assert os.listdir(Path(tmp)) == ["out"]


@pytest.mark.parametrize(
    "args",
    [
        ["--out", "{f}/x.md"],
        ["--out", "{f}/x"],
        ["--out", "{f}/sub/", "--per-paper"],
        ["--out", "{f}/", "--format", "bibtex"],
        ["--out", "{f}/a.bib", "--format", "bibtex"],
    ],
)
def test_cli_export_under_a_file_names_the_path_and_the_file(
    args: list[str], seeded_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file where --out needs a folder is one line naming both (never "File exists"), and
    the file is left as it was (a BibTeX export to ``FILE/`` once replaced it)."""
    with Library.open(seeded_dir) as lib:
        annotate(lib)
    place = tmp_path / "out"  # beside the library's folder
    place.mkdir()
    blocker = place / "a-file.txt"
    blocker.write_text("mine")
    out = [a.format(f=blocker) for a in args]
    code, _ = run(["--data-dir", str(seeded_dir), "export", "--all", *out])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    what = "it" if out[1].rstrip("/") == str(blocker) else str(blocker)
    assert f"cannot export to {out[1]}: {what} is a file, not a folder" in err
    assert blocker.read_text() == "mine" and visible(place) == ["a-file.txt"]


@pytest.mark.parametrize("out", ["", "  "])
def test_cli_export_refuses_an_empty_out(
    out: str,
    seeded_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--out ''`` is refused (it used to export into the current folder)."""
    with Library.open(seeded_dir) as lib:
        annotate(lib)
    place = tmp_path / "here"
    place.mkdir()
    monkeypatch.chdir(place)
    for fmt in ("markdown", "bibtex"):
        code, _ = run(
            ["--data-dir", str(seeded_dir), "export", "--all", "--out", out, "--format", fmt]
        )
        assert code == 1
        assert "--out needs a file or folder name" in capsys.readouterr().err
    assert visible(place) == []

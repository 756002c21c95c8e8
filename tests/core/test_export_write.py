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


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


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
    """Two libraries built the same way (at different times) export the same bytes."""
    outputs = []
    for n in range(2):
        with Library.open(tmp_path / f"lib{n}") as lib:
            lib.today = lambda: TODAY
            lib.importer.import_paths([SEEDS])
            annotate(lib)
            for shape in ("single", "per-paper"):
                write_export(plan_export(lib, shape=shape), tmp_path / f"out{n}" / shape)
        outputs.append(
            {shape: listing(tmp_path / f"out{n}" / shape) for shape in ("single", "per-paper")}
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
    names = sorted(os.listdir(tmp_path))
    annotated.notes.set(3, "Changed my mind.")
    result = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert sorted(os.listdir(tmp_path)) == names  # no "(1)" copies, no temp files
    assert (
        len(result.written) == 1
        and "Changed my mind." in (tmp_path / result.written[0]).read_text()
    )


def test_a_renamed_paper_replaces_its_old_file(annotated: Library, tmp_path: Path) -> None:
    write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    old = next(n for n in os.listdir(tmp_path) if n.startswith("FastSwitch"))
    annotated.db.execute("UPDATE papers SET title = 'FastSwitch v2: Renamed' WHERE id = 3")
    annotated.db.conn.commit()
    result = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert result.removed == [old]
    assert "FastSwitch v2 - Renamed.md" in os.listdir(tmp_path)
    assert not (tmp_path / old).exists() and len(os.listdir(tmp_path)) == 3


def test_a_file_renamed_by_the_user_is_found_by_its_id(annotated: Library, tmp_path: Path) -> None:
    write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    old = next(n for n in os.listdir(tmp_path) if n.startswith("FastSwitch"))
    (tmp_path / old).rename(tmp_path / "my fastswitch notes.md")
    result = write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert result.removed == ["my fastswitch notes.md"] and (tmp_path / old).exists()
    assert len(os.listdir(tmp_path)) == 3


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
    assert again.written == [] and len(os.listdir(tmp_path)) == 5


def test_when_every_name_is_taken_the_export_says_so(annotated: Library, tmp_path: Path) -> None:
    plan = plan_export(annotated, Selection.of_ids([3]), "per-paper")
    stem = plan.files[0].path[:-3]
    for name in (f"{stem}.md", f"{stem} (paper 3).md"):
        (tmp_path / name).write_text("someone else's\n")
    assert write_export(plan, tmp_path).written == ["paper 3.md"]
    (tmp_path / "paper 3.md").write_text("someone else's too\n")
    with pytest.raises(ExportError, match="cannot find a free file name for paper 3"):
        write_export(plan, tmp_path)
    assert len(os.listdir(tmp_path)) == 3


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
    with pytest.raises(ExportError, match="cannot create the folder"):
        write_export(plan_export(annotated, shape="per-paper"), blocker / "sub")
    with pytest.raises(ExportError, match="it is a file, not a folder"):
        write_export(plan_export(annotated, shape="per-paper"), blocker)
    assert os.listdir(tmp_path) == ["a-file"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_read_only_folder_gives_a_clear_error(annotated: Library, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if not os.access(folder, os.W_OK):
            with pytest.raises(ExportError, match="cannot write in the folder"):
                write_export(plan_export(annotated, shape="per-paper"), folder)
            assert os.listdir(folder) == []
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
    assert os.listdir(tmp_path / "out") == []
    seen.clear()
    result = write_export(plan, tmp_path / "out", progress=lambda *a: seen.append(a))
    assert [s[:2] for s in seen] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert not result.cancelled and len(result.written) == 3


def test_stale_temp_files_from_a_killed_export_are_cleaned(
    annotated: Library, tmp_path: Path
) -> None:
    (tmp_path / ".digest-desk-export-abc.tmp").write_text("half")
    write_export(plan_export(annotated, shape="per-paper"), tmp_path)
    assert not any(n.startswith(".digest-desk") for n in os.listdir(tmp_path))


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
    assert code == 0 and len(os.listdir(tmp_path / "vault")) == 3
    code, text = run([*base, "export", "--out", str(tmp_path / "vault"), "--per-paper"])
    assert "0 files written, 3 unchanged" in text
    code, text = run([*base, "export", "--out", str(tmp_path / "one"), "--per-paper", "--id", "3"])
    assert code == 0 and len(os.listdir(tmp_path / "one")) == 1
    code, text = run([*base, "export", "--out", f"{tmp_path}/dir/", "--view", "tag:systems"])
    assert code == 0 and os.listdir(tmp_path / "dir") == ["digest-desk-notes.md"]
    code, text = run(
        [*base, "export", "--out", str(tmp_path / "q"), "--query", "DiskGNN", "--json"]
    )
    report = json.loads(text)
    assert code == 0 and report["shape"] == "single" and report["papers"] >= 1
    assert report["written"] == ["q.md"] and report["folder"] == str(tmp_path)
    code, text = run([*base, "export", "--out", str(tmp_path / "all"), "--all", "--per-paper"])
    assert code == 0 and len(os.listdir(tmp_path / "all")) == 286
    code, _ = run([*base, "export", "--out", str(tmp_path / "notes.md" / "x"), "--per-paper"])
    assert code == 1
    assert "cannot create the folder" in capsys.readouterr().err
    code, _ = run([*base, "export", "--out", str(tmp_path / "q.md"), "--view", "bogus"])
    assert code == 1 and "unknown view" in capsys.readouterr().err


def test_export_files_are_recognised_by_their_front_matter(tmp_path: Path) -> None:
    from desktop.core.export.markdown import _front_matter_id

    cases = {
        "ours.md": f'---\nid: 7\ntitle: "{"x" * 9000}"\nexported_by: digest-desk\n---\n# x\n',
        "edited-by-obsidian.md": "---\nid: '7'\nexported_by: 'digest-desk'\naliases: []\n---\n",
        "other-tool.md": "---\nid: 7\n---\n",
        "no-front-matter.md": "# id: 7\nexported_by: digest-desk\n",
        "single.md": "---\ntitle: x\nexported_by: digest-desk\n---\n",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
    found = {name: _front_matter_id(tmp_path / name) for name in cases}
    assert found == {
        "ours.md": 7,
        "edited-by-obsidian.md": 7,
        "other-tool.md": None,
        "no-front-matter.md": None,
        "single.md": -1,
    }


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
        names = os.listdir(folder)
        assert sorted(names) == first.written and len(names) == len(items)
        assert {p.parent for p in folder.iterdir()} == {folder}  # nothing escaped the folder
        for name in names:
            front, _ = split_front_matter((folder / name).read_text(encoding="utf-8"))
            assert front["exported_by"] == "digest-desk"
        again = write_export(plan_items(items, "per-paper"), folder)
        assert again.written == [] and sorted(os.listdir(folder)) == sorted(names)
        assert os.listdir(Path(tmp)) == ["out"]

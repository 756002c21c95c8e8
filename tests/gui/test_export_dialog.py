"""The export dialog (Ctrl+E): choices, a preview of the first file, writing in the background."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.core.export.markdown import Selection, plan_export
from desktop.core.library import Library
from desktop.gui.dialogs.export_dialog import ExportDialog
from desktop.gui.main_window import MainWindow
from tests.gui.conftest import press


def annotate(lib: Library) -> list[int]:
    inbox = lib.views.ids("inbox")
    lib.notes.set(inbox[1], "# My take\n\n<script>x</script> see [this](javascript:alert(1))")
    lib.highlights.add(inbox[1], "abstract", 0, 12, "purple", "follow up")
    lib.tags.add([inbox[4]], "later")
    return [inbox[1], inbox[4]]


def open_dialog(qtbot: QtBot, win: MainWindow) -> ExportDialog:
    press(qtbot, "Ctrl+E")
    dialog = win.last_dialog
    assert isinstance(dialog, ExportDialog) and dialog.isVisible()
    return dialog


def finish(qtbot: QtBot, dialog: ExportDialog) -> None:
    dialog.start()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=20000)


def test_export_dialog_previews_and_writes_one_file_per_paper(
    qtbot: QtBot, win: MainWindow, fresh: Library, tmp_path: Path
) -> None:
    annotated = annotate(win.library)
    dialog = open_dialog(qtbot, win)
    assert dialog.what() == "annotated" and dialog.shape() == "single"
    assert "(2)" in dialog.what_buttons["annotated"].text()
    dialog.set_choice(shape="per-paper")
    target = tmp_path / "notes" / "per paper"  # missing folders are created
    dialog.set_target(target)
    plan = plan_export(fresh, Selection.annotated(), "per-paper")
    # The preview is the first file, shown as plain text (the note's <script> literally).
    assert dialog.preview_text() == plan.files[0].content
    assert "<script>" not in dialog.preview_text() or "\\<script>" in dialog.preview_text()
    assert "1 of 2 files" in dialog.preview_label.text()
    finish(qtbot, dialog)
    assert dialog.error is None, dialog.error
    written = sorted(p.name for p in target.iterdir())
    assert written == sorted(f.path for f in plan.files)
    for f in plan.files:
        assert (target / f.path).read_text(encoding="utf-8") == f.content
    assert "2 files written" in dialog.message.text()
    # Exporting again changes nothing and duplicates nothing.
    finish(qtbot, dialog)
    assert sorted(p.name for p in target.iterdir()) == written
    assert "0 files written, 2 unchanged" in dialog.message.text()
    assert annotated


def test_export_this_paper_to_one_file(
    qtbot: QtBot, win: MainWindow, fresh: Library, tmp_path: Path
) -> None:
    annotate(win.library)
    win.go_to_paper(fresh.views.ids("inbox")[1])
    dialog = open_dialog(qtbot, win)
    dialog.set_choice(what="paper")
    target = tmp_path / "one.md"
    dialog.set_target(target)
    title = win.detail.paper.title
    assert title[:20] in dialog.preview_text()
    finish(qtbot, dialog)
    content = target.read_text(encoding="utf-8")
    assert content == dialog.preview_text()
    assert "follow up" in content and "My take" in content


def test_current_view_and_selected_papers(qtbot: QtBot, win: MainWindow, tmp_path: Path) -> None:
    press(qtbot, "x j x j x")  # three papers selected for a bulk action
    dialog = open_dialog(qtbot, win)
    assert "(3)" in dialog.what_buttons["selected"].text()
    dialog.set_choice(what="selected", shape="per-paper")
    dialog.set_target(tmp_path / "sel")
    finish(qtbot, dialog)
    assert len(list((tmp_path / "sel").iterdir())) == 3
    dialog.set_choice(what="view", shape="single")
    assert "Inbox" in dialog.what_buttons["view"].text()
    assert "286 papers" in dialog.preview_label.text()


def test_an_unwritable_target_gives_a_clear_error_and_writes_nothing(
    qtbot: QtBot, win: MainWindow, tmp_path: Path
) -> None:
    annotate(win.library)
    place = tmp_path / "place"
    place.mkdir()
    blocker = place / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    dialog = open_dialog(qtbot, win)
    dialog.set_choice(shape="per-paper")
    dialog.set_target(blocker / "inside")
    finish(qtbot, dialog)
    assert dialog.error is not None
    assert dialog.message.text().startswith("Export failed: ")
    assert "Error:" not in dialog.message.text()  # no exception class names for people
    assert blocker.read_text(encoding="utf-8") == "not a folder"
    assert f"{blocker} is a file, not a folder" in dialog.message.text()
    assert [p.name for p in place.iterdir()] == ["a-file"]


def test_nothing_annotated_says_how_to_annotate(qtbot: QtBot, win: MainWindow) -> None:
    dialog = open_dialog(qtbot, win)
    assert not dialog.export_button.isEnabled()
    assert "highlight with h" in dialog.message.text()


def test_cancel_before_writing_leaves_nothing(
    qtbot: QtBot, win: MainWindow, tmp_path: Path
) -> None:
    import threading

    from desktop.gui.background import run_in_background

    annotate(win.library)
    # Hold the one worker thread so the export waits in the queue, then cancel it there.
    release = threading.Event()
    blocker = run_in_background(lambda _job: release.wait(30), lambda _r: None, lambda _e: None)
    dialog = open_dialog(qtbot, win)
    dialog.set_choice(shape="per-paper")
    target = tmp_path / "cancelled"
    dialog.set_target(target)
    job = dialog.start()
    assert job is not None and dialog.cancel_button.text() == "Cancel"
    dialog.cancel_button.click()
    release.set()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=20000)
    assert blocker.done.is_set()
    assert dialog.export_result is not None and dialog.export_result.cancelled
    assert "cancelled" in dialog.message.text()
    assert not target.exists() or list(target.iterdir()) == []
    assert dialog.cancel_button.text() == "Close"


def test_export_dialog_picks_obsidian_links_in_a_vault_and_lets_the_user_choose(
    qtbot: QtBot, win: MainWindow, tmp_path: Path
) -> None:
    annotate(win.library)
    dialog = open_dialog(qtbot, win)
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    dialog.set_target(tmp_path / "plain.md")
    assert dialog.link_flavour() == "github" and "[[#" not in dialog.preview_text()
    dialog.set_target(vault / "papers.md")
    assert dialog.link_flavour() == "obsidian"
    assert "1. [[#" in dialog.preview_text() and "](#" not in dialog.preview_text()
    dialog.set_links("both")
    assert "](#" in dialog.preview_text() and "[[#" in dialog.preview_text()
    dialog.set_links("obsidian")
    finish(qtbot, dialog)
    assert dialog.error is None, dialog.error
    assert (vault / "papers.md").read_text(encoding="utf-8") == dialog.preview_text()
    dialog.set_choice(shape="per-paper")
    assert not dialog.links.isVisible()  # per paper, there is no contents list
    dialog.close()

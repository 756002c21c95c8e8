"""Background import with progress and cancel, and hostile text shown as plain text."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.gui.background import run_in_background
from desktop.gui.dialogs.import_dialog import ImportResultDialog
from desktop.gui.main_window import MainWindow
from desktop.gui.widgets import detail_pane
from tests.conftest import SEEDS
from tests.gui.conftest import press


def digest_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    for n in range(3):
        (folder / f"d{n}.txt").write_text(
            f"Paper Number {n} On Background Imports\n\n"
            f"An abstract about importing digest number {n} while the window stays usable.\n\n"
            f"Second Paper {n} Of The Digest\n\n"
            f"Another abstract, long enough to be a paper of digest {n}.\n",
            encoding="utf-8",
        )
    (folder / "picture.txt").write_bytes(b"\x89PNG\x00\x00\x01binary")
    (folder / "seed.txt").write_bytes((SEEDS / "000_1581d1d7c8c6a1ac.txt").read_bytes())
    return folder


def test_import_runs_in_background_with_progress_and_a_result_per_file(
    qtbot: QtBot, win: MainWindow, fresh: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, int]] = []
    original = win.jobs.import_progress

    def record(done: int, total: int, name: str) -> None:
        seen.append((done, total))
        original(done, total, name)

    monkeypatch.setattr(win.jobs, "import_progress", record)
    win.ask_paths = lambda folder: [str(digest_folder(tmp_path))]
    win.run_command("import-folder")
    assert win.import_job is not None
    assert not win.progress.isHidden() and not win.cancel_button.isHidden()
    qtbot.waitUntil(lambda: win.import_job is None, timeout=20000)
    assert win.progress.isHidden() and win.cancel_button.isHidden()
    assert seen[-1] == (5, 5) and (0, 5) in seen
    dialog = win.last_dialog
    assert isinstance(dialog, ImportResultDialog)
    lines = dict(dialog.lines())
    assert lines["d0.txt"] == "2 new papers."
    assert lines["picture.txt"] == "Not imported: it is a binary file, not text."
    assert lines["seed.txt"] == "Already imported; nothing to do."
    formats = {
        item.text(0): item.text(2)
        for item in (dialog.table.topLevelItem(n) for n in range(dialog.table.topLevelItemCount()))
        if item is not None
    }
    assert formats["d0.txt"] == "title-abstract" and formats["picture.txt"] == ""  # if read
    assert fresh.papers.count() == 286 + 6
    # The window picked the new papers up: list and sidebar counts.
    assert win.model.ids == fresh.views.ids("inbox")
    qtbot.waitUntil(lambda: win.sidebar_model.entries[0].unread == 286 + 6)


def test_import_can_be_cancelled_and_the_window_stays_usable(
    qtbot: QtBot, win: MainWindow, fresh: Library, tmp_path: Path
) -> None:
    gate = threading.Event()
    run_in_background(lambda job: gate.wait(20), lambda _: None, lambda _: None)
    job = win.start_import([digest_folder(tmp_path)])
    assert job is not None
    # While the import waits its turn the window still triages.
    press(qtbot, "s")
    assert fresh.views.ids("starred") == [fresh.views.ids("inbox")[0]]
    qtbot.mouseClick(win.cancel_button, Qt.MouseButton.LeftButton)
    assert job.cancelled()
    gate.set()
    qtbot.waitUntil(lambda: win.import_job is None, timeout=20000)
    assert win.last_import_results is not None
    assert {r.status for r in win.last_import_results} == {"cancelled"}
    assert fresh.papers.count() == 286
    assert "cancelled" in win.statusBar().currentMessage()


def test_dropping_files_imports_them(qtbot: QtBot, win: MainWindow, tmp_path: Path) -> None:
    from PySide6.QtCore import QMimeData, QPointF
    from PySide6.QtGui import QDropEvent

    folder = digest_folder(tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder / "d1.txt"))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    win.dropEvent(event)
    qtbot.waitUntil(lambda: win.import_job is None, timeout=20000)
    assert win.last_import_results is not None
    assert [r.new_papers for r in win.last_import_results] == [2]


HOSTILE = "<b>x</b><img src=y>"


@pytest.fixture
def hostile(seeded: Library) -> int:
    text = (
        f"{HOSTILE}\n\n"
        "An abstract with <script>alert(1)</script> and links: https://example.org/paper?id=1 "
        "and javascript:alert(2) and file:///etc/passwd and http://example.com/x.\n"
    )
    result = seeded.importer.import_text(text, "<i>evil digest</i>")
    assert result.ok and result.new_ids
    return int(result.new_ids[0])


def test_titles_and_abstracts_render_as_plain_text(
    qtbot: QtBot, win: MainWindow, hostile: int
) -> None:
    win.go_to_paper(hostile)
    assert win.current_id() == hostile
    row = win.model.row_of(hostile)
    assert win.model.index(row, 0).data() == HOSTILE
    text = win.detail.plain_text()
    assert HOSTILE in text
    assert "<script>alert(1)</script>" in text
    doc: QTextDocument = win.detail.document()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            assert not fmt.isImageFormat()
            it += 1
        block = block.next()
    for label in win.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText or HOSTILE not in label.text()
    qtbot.waitUntil(lambda: "<i>evil digest</i>" in [e.label for e in win.sidebar_model.entries])


def anchors(doc: QTextDocument) -> list[str]:
    found = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor():
                found.append(fmt.anchorHref())
            it += 1
        block = block.next()
    return found


def test_only_http_links_are_links_and_they_open_in_the_browser(
    qtbot: QtBot, win: MainWindow, hostile: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(detail_pane, "open_external", lambda url: opened.append(url.toString()))
    win.go_to_paper(hostile)
    from desktop.gui.widgets.detail_pane import lookup_urls

    hrefs = anchors(win.detail.document())
    lookups = {url for _, url in lookup_urls(HOSTILE)}
    web = [h for h in hrefs if not h.startswith("dd:")]
    assert [h for h in web if h not in lookups] == [
        "https://example.org/paper?id=1",
        "http://example.com/x",
    ]
    for href in hrefs:
        win.detail.browser.anchorClicked.emit(QUrl(href))
    assert opened == web
    win.detail.browser.anchorClicked.emit(QUrl("javascript:alert(3)"))
    win.detail.browser.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert opened == web


def test_clicking_a_digest_in_the_detail_pane_opens_that_digest(
    qtbot: QtBot, win: MainWindow
) -> None:
    digest_links = [h for h in anchors(win.detail.document()) if h.startswith("dd:digest/")]
    assert digest_links
    win.detail.browser.anchorClicked.emit(QUrl(digest_links[-1]))
    assert win.view == "digest:" + digest_links[-1].rsplit("/", 1)[1]
    assert win.windowTitle().startswith("Digest Desk — Digest ")


def test_lookup_links_carry_the_title_url_encoded(hostile: int, win: MainWindow) -> None:
    from desktop.gui.widgets.detail_pane import lookup_urls

    urls = dict(lookup_urls(HOSTILE + " & more"))
    assert urls["arXiv"].startswith("https://arxiv.org/search/?query=%3Cb%3Ex%3C%2Fb%3E")
    assert "%26+more" in urls["Hugging Face"]
    win.go_to_paper(hostile)
    assert set(dict(lookup_urls(HOSTILE)).values()) <= set(anchors(win.detail.document()))

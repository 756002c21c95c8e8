"""Keymap sanity and README sync, the models, menus, and state restored across restarts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.cli import main
from desktop.core.library import Library
from desktop.gui.commands import COMMANDS
from desktop.gui.keymap import DEFAULT_KEYMAP, qt_sequence
from desktop.gui.keymap.readme import readme_key_table, render_key_table
from desktop.gui.main_window import MainWindow
from desktop.gui.models.paper_list import PAGE, PaperListModel
from desktop.gui.models.sidebar import SidebarModel
from tests.gui.conftest import open_window, press

README = Path(__file__).resolve().parents[2] / "README.md"


# -- keymap ----------------------------------------------------------------------------------
def test_every_bound_command_exists_and_every_command_has_a_docstring() -> None:
    for key, name in DEFAULT_KEYMAP.items():
        assert name in COMMANDS, f"{key} is bound to the unknown command {name}"
    for name, cmd in COMMANDS.items():
        assert cmd.doc and cmd.doc.endswith("."), f"{name} needs a one-line docstring"
        assert cmd.label


def test_every_key_parses_and_no_key_is_bound_twice() -> None:
    seen: dict[str, str] = {}
    for key in DEFAULT_KEYMAP:
        sequence = QKeySequence(qt_sequence(key))
        assert sequence.count() == len(key.split(",")), key
        assert not sequence.isEmpty(), key
        text = sequence.toString(QKeySequence.SequenceFormat.PortableText)
        assert text not in seen, f"{key} and {seen.get(text)} are the same key"
        seen[text] = key


def test_the_issue_key_table_is_bound() -> None:
    expected = {
        "j": "next-paper",
        "k": "previous-paper",
        "o": "open-paper",
        "m": "toggle-read",
        "s": "toggle-star",
        "l": "toggle-queue",
        "e": "archive",
        "x": "toggle-select",
        "u": "undo",
        "Ctrl+Z": "undo",
        "Ctrl+Shift+Z": "redo",
        "/": "focus-search",
        "Esc": "escape",
        "g,i": "go-inbox",
        "g,l": "go-queue",
        "g,s": "go-starred",
        "g,e": "go-archive",
        "g,a": "go-all",
        "Space": "scroll-detail-down",
        "Shift+Space": "scroll-detail-up",
        "Ctrl+K": "command-palette",
        "?": "cheat-sheet",
        "Ctrl+I": "import-files",
        "Ctrl+V": "paste-digest",
        "Ctrl+Q": "quit",
        "Alt+Up": "queue-move-up",
        "Alt+Down": "queue-move-down",
    }
    for key, name in expected.items():
        assert DEFAULT_KEYMAP.get(key) == name, key


def test_readme_key_table_matches_the_keymap() -> None:
    table = readme_key_table(README.read_text(encoding="utf-8"))
    assert table is not None, "README.md lost its key table markers"
    assert table == render_key_table(), (
        "README key table is out of date: run python -m desktop.gui.keymap --write-readme"
    )


def test_render_key_table_changes_with_the_keymap() -> None:
    changed = dict(DEFAULT_KEYMAP)
    changed["z"] = changed.pop("s")
    assert render_key_table(changed) != render_key_table()
    assert "| `z` | Star or unstar the paper. | `toggle-star` |" in render_key_table(changed)


# -- models ----------------------------------------------------------------------------------
def test_paper_list_model_passes_the_model_tester(
    qapp: QApplication,
    qtmodeltester,
    seeded: Library,  # noqa: ANN001
) -> None:
    model = PaperListModel(seeded)
    model.load_view("all")
    qtmodeltester.check(model)
    hits = seeded.index.search("graph", limit=50)
    model.show_search("graph", hits.ids, {h.id: h.snippet for h in hits.hits})
    qtmodeltester.check(model)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)


def test_sidebar_model_passes_the_model_tester(
    qapp: QApplication,
    qtmodeltester,
    seeded: Library,  # noqa: ANN001
) -> None:
    model = SidebarModel(seeded)
    qtmodeltester.check(model)
    labels = [e.label for e in model.entries]
    assert labels[:7] == [
        "Inbox",
        "Queue",
        "Starred",
        "Archive",
        "All papers",
        "Snoozed",
        "Highlights",
    ]
    assert labels[7] == "Digests" and len(labels) == 8 + len(seeded.digests.all())


def test_rows_load_lazily_a_page_at_a_time(qapp: QApplication, seeded: Library) -> None:
    calls: list[int] = []
    original = seeded.papers.many

    def counting(ids, **kw):  # noqa: ANN001, ANN003, ANN202
        calls.append(len(ids))
        return original(ids, **kw)

    seeded.papers.many = counting  # type: ignore[method-assign]
    model = PaperListModel(seeded)
    model.load_view("all")
    assert model.rowCount() == 286 and calls == []
    assert model.index(200, 0).data()
    assert calls == [PAGE]
    assert model.index(201, 1).data() is not None and calls == [PAGE]
    assert model.loaded_rows() == PAGE


def test_sorting_by_a_column_uses_the_database_order(qapp: QApplication, seeded: Library) -> None:
    model = PaperListModel(seeded)
    model.load_view("inbox")
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert model.ids == seeded.views.ids("inbox", sort="published", descending=True)
    model.sort(-1)
    assert model.ids == seeded.views.ids("inbox")


# -- menus, toolbar, context menu ------------------------------------------------------------
def test_every_command_is_reachable_with_the_mouse(win: MainWindow) -> None:
    in_menus: set[str] = set()
    for menu_action in win.menuBar().actions():
        menu = menu_action.menu()
        assert menu is not None
        for action in menu.actions():
            sub = action.menu()  # View → Sort by
            entries = sub.actions() if sub is not None else [action]
            in_menus |= {a.objectName() for a in entries if a.objectName()}
    assert in_menus == set(COMMANDS)
    toolbar = {a.objectName() for a in win.toolbar.actions() if a.objectName()}
    assert {"toggle-read", "toggle-star", "toggle-queue", "archive", "undo"} <= toolbar
    context = {a.objectName() for a in win.build_context_menu().actions() if a.objectName()}
    assert {"toggle-read", "toggle-star", "toggle-queue", "archive", "toggle-select"} <= context


def test_toolbar_actions_change_the_database(qtbot: QtBot, win: MainWindow, fresh: Library) -> None:
    first = win.current_id()
    win.actions_by_name["toggle-star"].trigger()
    assert fresh.views.ids("starred") == [first]
    win.actions_by_name["archive"].trigger()
    assert fresh.views.ids("archive") == [first]


# -- state across restarts -------------------------------------------------------------------
def test_view_paper_sort_geometry_and_splitter_are_restored(
    qtbot: QtBot, seeded: Library, settings: QSettings
) -> None:
    first = open_window(qtbot, seeded, settings)
    press(qtbot, "s j j s j s g,s j")
    chosen = first.current_id()
    assert first.view == "starred" and chosen == seeded.views.ids("starred")[1]
    first.resize(760, 560)
    first.splitter.setSizes([150, 330, 280])
    sizes = first.splitter.sizes()
    first.close()

    second = open_window(qtbot, seeded, settings)
    assert second.view == "starred"
    assert second.current_id() == chosen
    assert second.list.hasFocus()
    assert second.windowTitle() == "Digest Desk — Starred"
    assert (second.size().width(), second.size().height()) == (760, 560)
    assert second.splitter.sizes() == sizes
    second.close()


def test_a_paper_gone_from_the_view_falls_back_to_the_first(
    qtbot: QtBot, seeded: Library, settings: QSettings
) -> None:
    first = open_window(qtbot, seeded, settings)
    press(qtbot, "j j")
    gone = first.current_id()
    first.close()
    assert gone is not None
    seeded.triage.set_archived([gone], True)
    second = open_window(qtbot, seeded, settings)
    assert second.current_id() == seeded.views.ids("inbox")[0]
    second.close()


# -- starting the app ------------------------------------------------------------------------
def test_digest_desk_with_data_dir_starts_the_app_and_seeds_an_empty_library(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "fresh-library"
    shown: list[str] = []

    def close_when_shown() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                shown.append(widget.windowTitle())
                shown.append(str(len(widget.model.ids)))
                widget.close()
                return
        QTimer.singleShot(50, close_when_shown)

    QTimer.singleShot(50, close_when_shown)
    code = main(["--data-dir", str(data)], out=io.StringIO())
    import gc

    gc.collect()
    assert code == 0
    assert shown == ["Digest Desk — Inbox", "286"]
    with Library.open(data, backups=False) as lib:
        assert lib.papers.count() == 286


def test_every_icon_a_command_or_view_uses_is_shipped_and_renders(qapp: QApplication) -> None:
    from desktop.gui.icons import icon_path, pixmap
    from desktop.gui.models.sidebar import VIEW_ICONS

    names = {c.icon for c in COMMANDS.values() if c.icon} | set(VIEW_ICONS.values())
    names |= {"check", "star-filled", "queue-filled", "digest", "tag", "app"}
    for name in sorted(names):
        assert icon_path(name).is_file(), name
        image = pixmap(name, "#000000", 24).toImage()
        assert any(image.pixelColor(x, y).alpha() for x in range(24) for y in range(24)), (
            f"{name} renders empty"
        )

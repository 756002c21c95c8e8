"""Dark mode: the View menu's System / Light / Dark choice is remembered, System follows
``QStyleHints.colorScheme()`` as it changes, and in both schemes every text the window really
draws (palette roles, list rows, sidebar, the detail pane's rendered document with its
highlights, chips, tags and links) has WCAG AA contrast, at least 4.5:1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette, QTextCursor
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.core.library import Library
from desktop.gui import theme
from desktop.gui.main_window import SCHEME_SETTING, MainWindow
from desktop.gui.theme import contrast
from tests.gui.conftest import open_window, press

AA = 4.5
R = QPalette.ColorRole


@pytest.fixture(autouse=True)
def light_again() -> Iterator[None]:
    """Every test starts and ends with the system scheme unknown and the light theme."""
    yield
    theme.set_current(theme.LIGHT)


def annotate(win: MainWindow) -> int:
    """Give the current paper every kind of annotation the pane draws; its id."""
    paper_id = win.current_id()
    assert paper_id is not None
    lib = win.library
    words = lib.papers.get(paper_id).abstract.split()
    for n, color in enumerate(("yellow", "green", "blue", "red", "purple")):
        lib.highlights.add_by_quote(
            paper_id, " ".join(words[2 + 4 * n : 5 + 4 * n]), color, f"*note* {n}"
        )
    lib.tags.set_for_paper(paper_id, ["pruning"])
    lib.notes.set(paper_id, "## Verdict\n\n**Bold** and [a link](https://example.org).")
    lib.triage.set_starred([paper_id], True)
    lib.triage.set_queued([paper_id], True)  # it leaves the Inbox: show it in All papers
    win.go_to_paper(paper_id)
    QApplication.processEvents()
    assert win.detail.paper is not None and win.detail.paper.id == paper_id
    return paper_id


def brush_color(brush: QBrush, fallback: QColor) -> QColor:
    return brush.color() if brush.style() != Qt.BrushStyle.NoBrush else fallback


def detail_pairs(win: MainWindow) -> list[tuple[str, QColor, QColor]]:
    """(text, foreground, background) of every fragment of the detail pane's document, and
    of the highlights drawn over it, as Qt will paint them."""
    browser = win.detail.browser
    palette = browser.palette()
    text, base = palette.color(R.Text), palette.color(R.Base)
    doc = browser.document()
    pairs = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            shown = fragment.text().strip()
            if shown:
                fmt = fragment.charFormat()
                fg = brush_color(fmt.foreground(), text)
                bg = brush_color(fmt.background(), base)
                pairs.append((shown, fg, bg))
            it += 1
        block = block.next()
    for sel in browser.extraSelections():
        cursor: QTextCursor = sel.cursor  # type: ignore[attr-defined]
        fg = brush_color(sel.format.foreground(), text)  # type: ignore[attr-defined]
        bg = brush_color(sel.format.background(), base)  # type: ignore[attr-defined]
        pairs.append((cursor.selectedText(), fg, bg))
    return pairs


def widget_pairs(widget: QWidget) -> list[tuple[str, QColor, QColor]]:
    p = widget.palette()
    return [
        ("text", p.color(R.Text), p.color(R.Base)),
        ("alternate rows", p.color(R.Text), p.color(R.AlternateBase)),
        ("selection", p.color(R.HighlightedText), p.color(R.Highlight)),
        ("window text", p.color(R.WindowText), p.color(R.Window)),
        ("placeholder", p.color(R.PlaceholderText), p.color(R.Base)),
        ("link", p.color(R.Link), p.color(R.Base)),
        ("button", p.color(R.ButtonText), p.color(R.Button)),
    ]


def list_pairs(win: MainWindow) -> list[tuple[str, QColor, QColor]]:
    """Every cell's own text colour (or the palette's) over both row backgrounds."""
    p = win.list.palette()
    pairs = []
    for row in range(min(win.model.rowCount(), 40)):
        for col in range(4):
            index = win.model.index(row, col)
            fg = index.data(Qt.ItemDataRole.ForegroundRole)
            color = QColor(fg) if fg is not None else p.color(R.Text)
            for bg in (p.color(R.Base), p.color(R.AlternateBase)):
                pairs.append((f"row {row} col {col}", color, bg))
    t = theme.current()
    for bg in (p.color(R.Base), p.color(R.AlternateBase)):
        pairs.append(("snippet", t.color("muted"), bg))
        pairs.append(("snippet hit", t.color("hit"), bg))
    pairs.append(("search field", t.color("text"), t.color("field_bg")))
    pairs.append(("search placeholder", t.color("placeholder"), t.color("field_bg")))
    return pairs


def all_pairs(win: MainWindow) -> list[tuple[str, QColor, QColor]]:
    return (
        widget_pairs(win.list)
        + widget_pairs(win.detail.browser)
        + [(f"sidebar {n}", f, b) for n, f, b in widget_pairs(win.sidebar)]
        + list_pairs(win)
        + detail_pairs(win)
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_everything_drawn_has_aa_contrast(
    qtbot: QtBot, win: MainWindow, scheme: str, tmp_path: Path
) -> None:
    annotate(win)
    win.run_command(f"scheme-{scheme}")
    win.annotations.select_highlight(win.annotations.shown_highlights()[0].id)
    QApplication.processEvents()
    assert theme.current().name == scheme
    base = win.list.palette().color(R.Base)
    assert (base.lightness() < 60) == (scheme == "dark")
    pairs = all_pairs(win)
    assert len(pairs) > 300
    drawn = {name for name, _, _ in detail_pairs(win)}
    assert {"Unread", "★ Starred", "In reading queue", "#pruning"} <= {d.strip() for d in drawn}
    low = [(n[:40], f.name(), b.name(), round(contrast(f, b), 2)) for n, f, b in pairs]
    low = [x for x in low if x[3] < AA]
    assert not low, f"{scheme}: below {AA}:1: {low[:8]}"
    worst = min(contrast(f, b) for _, f, b in pairs)
    print(f"{scheme}: {len(pairs)} colour pairs, lowest contrast {worst:.2f}:1")
    assert win.grab().save(str(tmp_path / f"{scheme}.png"))


def test_the_choice_is_remembered(qtbot: QtBot, seeded: Library, settings: QSettings) -> None:
    win = open_window(qtbot, seeded, settings)
    assert win.color_scheme == "system"
    menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    texts = [a.text().split("\t")[0] for a in menu.actions() if not a.isSeparator()]
    assert texts[-3:] == ["Colours: follow the system", "Colours: light", "Colours: dark"]
    win.action("scheme-dark").trigger()
    assert win.action("scheme-dark").isChecked()
    assert not win.action("scheme-system").isChecked()
    assert str(settings.value(SCHEME_SETTING)) == "dark"
    win.close()
    theme.set_current(theme.LIGHT)
    again = open_window(qtbot, seeded, settings)
    try:
        assert again.color_scheme == "dark"
        assert theme.current().name == "dark"
        assert again.list.palette().color(R.Base) == QColor(theme.DARK.base)
    finally:
        again.close()


def test_system_follows_the_platform_while_running(
    qtbot: QtBot, win: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The offscreen platform has no colour scheme of its own (setColorScheme is ignored), so
    # the platform's answer is stood in for and its change signal sent as Qt sends it.
    hints = QGuiApplication.styleHints()
    assert theme.system_scheme() == "light"  # Unknown reads as light
    system = ["light"]
    monkeypatch.setattr(theme, "system_scheme", lambda: system[0])

    def platform_turns(scheme: str) -> None:
        system[0] = scheme
        dark = scheme == "dark"
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)
        QApplication.processEvents()

    win.set_color_scheme("system")
    platform_turns("dark")
    assert theme.current().name == "dark"
    assert win.detail.browser.palette().color(R.Base) == QColor(theme.DARK.base)
    assert win.sidebar.palette().color(R.Base) == QColor(theme.DARK.sidebar_bg)
    platform_turns("light")
    assert theme.current().name == "light"
    assert win.list.palette().color(R.Base) == QColor(theme.LIGHT.base)
    # A fixed choice does not follow.
    press(qtbot, "j")
    win.set_color_scheme("dark")
    platform_turns("light")
    assert theme.current().name == "dark"

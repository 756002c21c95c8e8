"""Controllers on their own widgets, without a main window: the list cursor and search."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLineEdit

from desktop.core.library import Library
from desktop.core.models import PaperId
from desktop.gui.controllers.paper_list import PaperListController
from desktop.gui.controllers.search import SearchController, results_message
from desktop.gui.models.paper_list import PaperListModel
from desktop.gui.widgets.paper_table import PaperTable


def make_list(library: Library) -> tuple[PaperListController, list[int]]:
    model = PaperListModel(library)
    table = PaperTable()
    table.setModel(model)
    shown: list[int] = []
    controller = PaperListController(model, table, lambda: shown.append(1))
    model.load_view("inbox")
    controller.select_row(0)
    return controller, shown


def test_the_cursor_moves_to_the_next_paper_when_the_current_one_leaves(
    qapp: QApplication, seeded: Library
) -> None:
    papers, _shown = make_list(seeded)
    inbox = seeded.views.ids("inbox")
    papers.move_current(+2)
    assert papers.current_id() == inbox[2] and papers.current_row() == 2
    papers.apply(seeded.triage.set_archived([inbox[2]], True))
    assert papers.current_id() == inbox[3], "the next paper, never the top"
    papers.move_current(+1000)
    last = papers.current_id()
    papers.apply(seeded.triage.set_archived([last], True))
    assert papers.current_id() == inbox[-2], "after the last one, the one before"


def test_undo_puts_the_cursor_on_the_paper_it_brings_back(
    qapp: QApplication, seeded: Library
) -> None:
    papers, _shown = make_list(seeded)
    inbox = seeded.views.ids("inbox")
    papers.apply(seeded.triage.set_archived([inbox[0]], True))
    papers.move_current(+5)
    with papers.returning_papers():  # the window hears the undo's Changes inside
        done = seeded.history.undo()
        assert done is not None
        papers.apply(done[1])
    assert papers.current_id() == inbox[0]


def test_targets_are_the_marked_papers_else_the_current_one(
    qapp: QApplication, seeded: Library
) -> None:
    papers, _shown = make_list(seeded)
    inbox = seeded.views.ids("inbox")
    assert papers.targets() == [inbox[0]]
    assert papers.toggle_mark(1) == 1
    assert papers.toggle_mark(3) == 2
    assert papers.targets() == [inbox[1], inbox[3]]


def test_search_shows_ranked_results_and_leaving_restores_the_paper(
    qapp: QApplication, seeded: Library
) -> None:
    papers, _shown = make_list(seeded)
    field = QLineEdit()
    said: list[str] = []
    restored: list[tuple[PaperId | None, int]] = []
    listed: list[int] = []
    search = SearchController(
        seeded,
        field,
        papers,
        say=said.append,
        restore_view=lambda paper, row: restored.append((paper, row)),
        shown=lambda: listed.append(1),
        index_damaged=lambda: None,
    )
    papers.select_row(2)
    start = papers.current_id()
    field.setText("DiskGNN")
    search.run()
    assert search.query == "DiskGNN"
    assert papers.model.ids == seeded.index.search("DiskGNN", limit=200).ids
    assert listed == [1] and said[-1].endswith("for “DiskGNN”   ·   Esc restores the view")
    first = papers.current_id()
    assert first == seeded.index.search("DiskGNN", limit=200).ids[0]
    search.clear()  # Esc: back to the view as it was, on the paper selected then
    assert restored == [(start, 2)]
    assert field.text() == "" and search.where == "the whole library"


def test_results_message_names_the_notice_and_the_suggestion() -> None:
    assert results_message(1, "gnn", None, None) == "1 result for “gnn”   ·   Esc restores the view"
    message = results_message(0, "grpah", "Searched the database", "graph")
    assert message.startswith(
        "Searched the database   ·   Did you mean “graph”? (Ctrl+Shift+D)   ·   0 results"
    )
    where = results_message(2, "gnn", None, None, "Inbox")
    assert where == "2 results in Inbox for “gnn”   ·   Esc restores the view"

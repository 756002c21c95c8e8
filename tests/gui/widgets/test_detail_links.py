"""The detail pane links a paper's own pages when its arXiv id is known."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.core.library import Library
from desktop.core.links import paper_links
from desktop.gui.widgets.detail_pane import DetailPane, lookup_urls
from tests.conftest import SEEDS
from tests.gui.test_import_and_safety import anchors

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "digests"


def test_a_paper_with_an_id_links_its_arxiv_pdf_and_hugging_face_pages(
    qapp: QApplication, lib: Library
) -> None:
    lib.importer.import_paths([FIXTURES / "arxiv_list_new_cs_CL.txt"])
    paper = next(p for p in lib.papers.many(lib.views.ids("all")) if p.arxiv_id)
    pane = DetailPane(lib)
    pane.show_paper(paper.id)
    links = anchors(pane.document())
    expected = paper_links(paper.arxiv_id, paper.title)
    assert [expected["abs"], expected["pdf"], expected["hf"]] == [
        u for u in links if u in expected.values()
    ]
    assert f"arXiv {paper.arxiv_id}" in pane.plain_text()
    assert not set(dict(lookup_urls(paper.title)).values()) & set(links)


def test_a_paper_without_an_id_links_title_searches(qapp: QApplication, lib: Library) -> None:
    lib.importer.import_paths([SEEDS])
    paper = next(p for p in lib.papers.many(lib.views.ids("all")) if not p.arxiv_id)
    pane = DetailPane(lib)
    pane.show_paper(paper.id)
    assert set(dict(lookup_urls(paper.title)).values()) <= set(anchors(pane.document()))
    assert "Look it up on" in pane.plain_text()

"""Only http(s) addresses are ever opened; a paper's links are built, never taken from text."""

from __future__ import annotations

import pytest

from desktop.core.links import is_web_url, paper_links


@pytest.mark.parametrize(
    "url",
    ["https://arxiv.org/abs/2401.01234", "http://example.org/x?y=1", "HTTPS://Example.org"],
)
def test_web_urls_are_allowed(url: str) -> None:
    assert is_web_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "dd:paper/3",
        "ftp://example.org",
        "https:///no-host",
        "https://exa mple.org",
        "https://example.org\n.evil",
        "//example.org",
        "",
    ],
)
def test_anything_else_is_refused(url: str) -> None:
    assert not is_web_url(url)


def test_a_title_with_url_characters_stays_inside_its_query() -> None:
    links = paper_links(None, "A&B=C #1 / ?")
    assert links["hf"] == "https://huggingface.co/papers?q=A%26B%3DC+%231+%2F+%3F"
    assert all(is_web_url(u) for u in links.values())

"""Where a paper lives on the web: its arXiv and Hugging Face pages, or title searches."""

from __future__ import annotations

from urllib.parse import quote, urlencode

ARXIV = "https://arxiv.org"
HUGGING_FACE = "https://huggingface.co"


def paper_links(arxiv_id: str | None, title: str) -> dict[str, str]:
    """The paper's web addresses, always ``https``.

    With an arXiv id: ``abs``, ``pdf`` and ``hf`` (its Hugging Face page). Without one: title
    searches on both sites under the same keys, ``abs`` and ``pdf`` both being arXiv's search.
    """
    if arxiv_id:
        safe = quote(arxiv_id, safe="/.")
        return {
            "abs": f"{ARXIV}/abs/{safe}",
            "pdf": f"{ARXIV}/pdf/{safe}",
            "hf": f"{HUGGING_FACE}/papers/{safe}",
        }
    arxiv_search = f"{ARXIV}/search/?" + urlencode(
        {"query": title, "searchtype": "title", "source": "header"}
    )
    return {
        "abs": arxiv_search,
        "pdf": arxiv_search,
        "hf": f"{HUGGING_FACE}/papers?" + urlencode({"q": title}),
    }


def is_web_url(url: str) -> bool:
    """True only for an ``http`` or ``https`` URL with a host: the only kind ever opened."""
    lowered = url.strip().lower()
    if not lowered.startswith(("http://", "https://")):
        return False
    rest = lowered.split("://", 1)[1]
    return bool(rest) and rest[0] not in "/\\" and not any(ch in url for ch in "\r\n\t\x00 ")

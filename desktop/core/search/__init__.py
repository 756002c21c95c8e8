"""Full-text search: the index (index.py) and what it is built from (see README "Search")."""

from desktop.core.search.index import INDEX_DIR, SearchIndex, build_index
from desktop.core.search.results import SearchResults

__all__ = ["INDEX_DIR", "SearchIndex", "SearchResults", "build_index"]

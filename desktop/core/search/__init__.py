"""Full-text search: the index (index.py) and what it is built from (see README "Search").

Nothing is imported here: the query language (query.py, filter_sql.py) serves commands that
never load the index or Whoosh (saved views in `digest-desk list`).
"""

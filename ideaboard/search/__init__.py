"""Full-text search over ideas, comments, campaigns, plan sections, critiques and their replies,
in Chinese and English, on SQLite and PostgreSQL.

- tokens.py     tokenisation shared by index, queries and highlighting (CJK bigrams, plurals)
- documents.py  what is searchable: one registration per document type
- index.py      the session listener that keeps `search_document` in step; `rebuild_index`
- query.py      `search()` and `similar_ideas()`, re-checked against the source rows
- snippets.py   <mark> highlighting over escaped text

Importing this package registers the listener (the app does, through its blueprints and
CLI), so content written through the ORM is indexed in its own transaction.
"""
from ideaboard.search import index as _index  # noqa: F401  (registers the session listener)

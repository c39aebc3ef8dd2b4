"""The column registry: every warehouse table and column declared once.

Why here, under transforms/: the declarations are pure data (names, DuckDB types,
constraints, meanings) and import nothing but polars, so both layers can read them.
transforms/ builds its batch frames from them (transforms/registry/frames.py) and may
never import warehouse/ (tests/test_imports.py); warehouse/ renders the DDL and the
`COMMENT ON` statements from them (warehouse/schema.py) and opens DuckDB; the suites'
columns and the typed records' fields are checked against them (tests/warehouse).

- columns.py: `Column` (type -> polars dtype and nullability) and `Table`
- extracted.py: articles, entities, entity_mentions, actions, quotes
- operational.py: pipeline_runs, quarantine, companies, fetch_state
- search.py: search_words, search_docs, search_terms (the search index)
- tables.py: all of them, in DDL order
- frames.py: the batch frames extraction produces, derived from the tables
"""

"""The warehouse's SQL macros, created by every migration run (warehouse/migrations.py)
like the views: `search_tokens(text)` and `search_news(query, since := NULL)`, BM25 over
the search index (warehouse/search_index.py).

`search_news` needs no extension: a query's words are stemmed through the vocabulary
(search_words, the stems the fts extension gave them when they were indexed), so it
answers in any DuckDB that reads the file, the pinned CLI in safe mode included (it cannot
load the fts extension package, built for another DuckDB). A query word the warehouse
never indexed is looked up as written; `stems := [...]` gives the terms instead (what
`newsetl search` does, with fts `stem()`: warehouse/search.py), so every form of a word
finds its stem.

The score is the fts extension's `match_bm25` (k 1.2, b 0.75, its idf), computed per kind:
articles are ranked among articles, actions among actions.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from warehouse.search_index import tokens


@dataclass(frozen=True)
class Macro:
    name: str
    params: str
    body: str  # an expression, or `TABLE <select>` for a table macro


SEARCH_TOKENS = Macro("search_tokens", "text", tokens("text"))

SEARCH_NEWS = Macro(
    "search_news",
    "query, since := NULL, stems := NULL, k := 1.2, b := 0.75",
    f"""TABLE
    WITH words AS (SELECT DISTINCT unnest({tokens("query")}) AS word),
    terms AS (
        SELECT CASE WHEN v.word IS NULL THEN w.word ELSE v.term END AS term
        FROM words w LEFT JOIN search_words v ON v.word = w.word
        WHERE w.word <> '' AND stems IS NULL
        UNION
        SELECT unnest(CAST(stems AS VARCHAR[]))
    ),
    hits AS (
        SELECT p.term, p.doc_id, p.tf, d.kind, d.length, d.article_id, d.action_id
        FROM search_terms p JOIN search_docs d USING (doc_id)
        WHERE p.term IN (SELECT term FROM terms WHERE term IS NOT NULL)
    ),
    stats AS (SELECT kind, count(*) AS n, avg(length) AS avgdl FROM search_docs GROUP BY kind),
    df AS (SELECT kind, term, count(*) AS df FROM hits GROUP BY kind, term),
    scores AS (
        SELECT h.kind, h.doc_id, any_value(h.article_id) AS article_id, any_value(h.action_id) AS action_id,
               sum(log((s.n - f.df + 0.5) / (f.df + 0.5) + 1)
                   * (h.tf * (k + 1)) / (h.tf + k * (1 - b + b * (h.length / s.avgdl)))) AS score,
               count(*) AS matched
        FROM hits h JOIN df f USING (kind, term) JOIN stats s USING (kind)
        GROUP BY h.kind, h.doc_id
    )
    SELECT sc.kind, sc.score, sc.matched, r.article_id, sc.action_id,
           CAST(r.published_at AS DATE) AS published, r.source, r.title, r.url,
           coalesce(e.name, a.actor_text) AS actor, a.verb, a.evidence
    FROM scores sc
    JOIN articles r USING (article_id)
    LEFT JOIN actions a ON a.action_id = sc.action_id
    LEFT JOIN entities e ON e.entity_id = a.actor_entity_id
    WHERE since IS NULL OR coalesce(r.published_at, r.loaded_at) >= CAST(since AS TIMESTAMP)""",
)

MACROS: tuple[Macro, ...] = (SEARCH_TOKENS, SEARCH_NEWS)


def _create(m: Macro, temp: bool) -> str:
    return f"CREATE OR REPLACE {'TEMP ' if temp else ''}MACRO {m.name}({m.params}) AS {m.body}"


def _definitions(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, str]:
    """name -> stored definition of the macros in `database` (SQL: a name or an expression)."""
    rows = con.execute(
        "SELECT function_name, macro_definition FROM duckdb_functions() "
        f"WHERE function_type IN ('macro', 'table_macro') AND database_name = {database} AND NOT internal"
    ).fetchall()
    return {name: definition for name, definition in rows}


def refresh_macros(con: duckdb.DuckDBPyConnection) -> int:
    """Create or replace the macros whose definition differs from the stored one (each is
    first rendered as a temporary macro, as DuckDB normalises it); returns how many."""
    stored = _definitions(con, "current_database()")
    for m in MACROS:
        con.execute(_create(m, temp=True))
    rendered = _definitions(con, "'temp'")
    for m in MACROS:
        con.execute(f"DROP MACRO {'TABLE ' if m.body.startswith('TABLE') else ''}temp.main.{m.name}")
    replaced = 0
    for m in MACROS:
        if stored.get(m.name) != rendered[m.name]:
            con.execute(_create(m, temp=False))
            replaced += 1
    return replaced


def temp_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The macros as this connection's temporary ones: a DuckLake catalog stores no macros
    (its types have no NULL, which a macro's default takes), so every connection to a lake,
    a reader's too, defines them for itself."""
    for m in MACROS:
        con.execute(_create(m, temp=True))

"""The search index, kept incrementally: a batch's articles replace their indexed texts
(search_docs) and postings (search_terms) in the batch's transaction, new words join the
vocabulary (search_words). Nothing is rebuilt: the cost follows the batch, not the history
(DuckDB's `PRAGMA create_fts_index` rebuilds the whole index and cannot be updated).

Texts are tokenized as the fts extension tokenizes them (`tokens`: its 1.5.5 `tokenize`
macro), stopwords (its English list) are dropped, and each word is stemmed with its
`stem(word, 'porter')`: writable connections load fts (warehouse/connection.py). The
ranking is warehouse/macros.py's.
"""

from __future__ import annotations

from functools import cache

import duckdb

from warehouse.extensions import load

STEMMER = "porter"


def tokens(expr: str) -> str:
    """SQL for the words of text `expr` (a column or a macro parameter): the fts extension's
    tokenizer, as the `tokenize` macro PRAGMA create_fts_index writes it. The list may hold
    empty strings (text that starts with a separator)."""
    return (
        f"string_split_regex(regexp_replace(lower(strip_accents(CAST({expr} AS VARCHAR))), "
        "'[0-9!@#$%^&*()_+={}\\[\\]:;<>,.?~\\\\/\\|''''\"`-]+', ' ', 'g'), '\\s+')"
    )


# the texts of a batch: (articles relation, actions relation) -> kind, article_id, action_id,
# run_id, text; copies (duplicate_of) are not indexed
_TEXTS = """
SELECT 'article' AS kind, article_id, NULL::VARCHAR AS action_id, run_id, concat_ws(' ', title, body) AS text
FROM {articles} WHERE duplicate_of IS NULL
UNION ALL
SELECT 'action', x.article_id, x.action_id, r.run_id, x.evidence
FROM {actions} x JOIN {articles} r USING (article_id) WHERE r.duplicate_of IS NULL"""


@cache
def stopwords() -> tuple[str, ...]:
    """The fts extension's English stopwords, as its index builder has them (read from an
    index it builds on an empty table in memory)."""
    con = duckdb.connect()
    try:
        load(con, "fts")
        con.execute("CREATE TABLE t (id INTEGER, s VARCHAR)")
        con.execute("PRAGMA create_fts_index('t', 'id', 's', stopwords = 'english')")
        return tuple(
            r[0] for r in con.execute("SELECT DISTINCT sw FROM fts_main_t.stopwords ORDER BY sw").fetchall()
        )
    finally:
        con.close()


def add_stopwords(con: duckdb.DuckDBPyConnection) -> None:
    """Put the stopwords in the vocabulary, without a term (never indexed)."""
    con.execute(
        """INSERT INTO search_words (word, term, run_id)
           SELECT w, NULL::VARCHAR, NULL::VARCHAR FROM (SELECT unnest(?) AS w) ANTI JOIN search_words v ON v.word = w""",
        [list(stopwords())],
    )


def unindex(con: duckdb.DuckDBPyConnection, articles: str) -> int:
    """Remove the indexed texts of the articles in relation `articles` (a name of this
    module's callers) with their postings; returns how many texts were removed."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _gone AS
            SELECT doc_id FROM search_docs WHERE article_id IN (SELECT article_id FROM {articles})"""
    )
    row = con.execute("SELECT count(*), min(doc_id), max(doc_id) FROM _gone").fetchone()
    assert row is not None
    n, lo, hi = row
    if n:
        # the bounds are constants to the scan: row groups outside them are skipped
        con.execute(
            "DELETE FROM search_terms WHERE doc_id BETWEEN ? AND ? AND doc_id IN (SELECT doc_id FROM _gone)",
            [lo, hi],
        )
        con.execute("DELETE FROM search_docs WHERE doc_id IN (SELECT doc_id FROM _gone)")
    con.execute("DROP TABLE _gone")
    return int(n)


def index(con: duckdb.DuckDBPyConnection, articles: str, actions: str) -> int:
    """Index the texts of the articles in relation `articles` and their actions in `actions`
    (names of this module's callers: the batch's frames, or the tables for a backfill);
    returns how many texts were indexed. Their earlier texts must be gone (`unindex`).
    The new texts are numbered after every stored one, so their postings are appended in a
    range of doc_id of their own (what `unindex` and the lengths below skip to)."""
    row = con.execute("SELECT coalesce(max(doc_id), 0) FROM search_docs").fetchone()
    base = int(row[0]) if row else 0
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _docs AS
            SELECT ? + row_number() OVER (ORDER BY kind DESC, article_id, action_id) AS doc_id, *
            FROM ({_TEXTS.format(articles=articles, actions=actions)})""",
        [base],
    )
    # each text's words with their counts; a new word joins the vocabulary with its stem
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _words AS
            SELECT doc_id, run_id, word, count(*) AS n
            FROM (SELECT doc_id, run_id, unnest({tokens("text")}) AS word FROM _docs)
            WHERE word <> '' GROUP BY ALL"""
    )
    con.execute(
        f"""INSERT INTO search_words (word, term, run_id)
            SELECT word, stem(word, '{STEMMER}'), run_id
            FROM (SELECT word, min(run_id) AS run_id FROM _words GROUP BY word) w
            ANTI JOIN search_words v USING (word)"""
    )
    con.execute(
        """INSERT INTO search_terms (term, doc_id, tf, run_id)
           SELECT v.term, w.doc_id, sum(w.n)::INTEGER, w.run_id
           FROM _words w JOIN search_words v USING (word)
           WHERE v.term IS NOT NULL GROUP BY v.term, w.doc_id, w.run_id"""
    )
    con.execute(
        """INSERT INTO search_docs (doc_id, kind, article_id, action_id, length, run_id)
           SELECT d.doc_id, d.kind, d.article_id, d.action_id, coalesce(l.n, 0)::INTEGER, d.run_id
           FROM _docs d LEFT JOIN (
               SELECT doc_id, sum(tf) AS n FROM search_terms WHERE doc_id > ? GROUP BY doc_id
           ) l USING (doc_id)""",
        [base],
    )
    row = con.execute("SELECT count(*) FROM _docs").fetchone()
    for temp in ("_words", "_docs"):
        con.execute(f"DROP TABLE {temp}")
    return int(row[0]) if row else 0


def reindex(con: duckdb.DuckDBPyConnection, articles: str, actions: str) -> None:
    """Replace the indexed texts of the articles in `articles` by their texts now."""
    unindex(con, articles)
    index(con, articles, actions)


def backfill(con: duckdb.DuckDBPyConnection, chunk: int = 20_000) -> int:
    """Index every stored article and action (migration 11), `chunk` articles at a time so
    the words in flight stay bounded; returns how many texts were indexed."""
    row = con.execute("SELECT count(*) FROM articles").fetchone()
    parts = max(1, -(-(int(row[0]) if row else 0) // chunk))
    done = 0
    for part in range(parts):
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _backfill_articles AS SELECT * FROM articles WHERE hash(article_id) % ? = ?",
            [parts, part],
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _backfill_actions AS
               SELECT * FROM actions WHERE article_id IN (SELECT article_id FROM _backfill_articles)"""
        )
        done += index(con, "_backfill_articles", "_backfill_actions")
    con.execute("DROP TABLE IF EXISTS _backfill_actions")
    con.execute("DROP TABLE IF EXISTS _backfill_articles")
    return done

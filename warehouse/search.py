"""Searching the warehouse (`newsetl search`): the query's stems from the fts extension,
then the `search_news` macro's BM25 ranking (warehouse/macros.py), the best articles and
the best actions with their evidence, on a read-only connection that cannot reach files."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

import duckdb

from warehouse.connection import reader
from warehouse.search_index import STEMMER, tokens


class NoSearchIndex(RuntimeError):
    """The warehouse predates the search index (migration 11): a run adds it."""


@dataclass(frozen=True)
class Hits:
    """Ranked articles and actions: column names and rows of each."""

    article_columns: list[str]
    articles: list[tuple[object, ...]]
    action_columns: list[str]
    actions: list[tuple[object, ...]]
    # the query's words that cannot match: stopwords, and words no indexed text has
    stopwords: list[str] = field(default_factory=list)
    unseen: list[str] = field(default_factory=list)


ARTICLE_COLUMNS = ["article_id", "published", "source", "title", "score"]
ACTION_COLUMNS = ["article_id", "published", "actor", "verb", "evidence", "score"]

# the best `limit` of each kind, in one pass of the macro
_RANKED = """
SELECT kind, article_id, published, source, title, actor, verb, evidence, round(score, 3) AS score
FROM search_news(?, since := ?, stems := ?::VARCHAR[])
QUALIFY row_number() OVER (PARTITION BY kind ORDER BY score DESC, article_id, action_id) <= ?
ORDER BY kind DESC, score DESC, article_id, action_id"""

_STEMS = f"SELECT list(DISTINCT stem(w, '{STEMMER}')) FROM (SELECT unnest({tokens('?')}) AS w) WHERE w <> ''"


def stems(con: duckdb.DuckDBPyConnection, query: str) -> list[str]:
    """The query's terms as the index has them: its words, fts-stemmed (stopwords kept, as
    fts `match_bm25` keeps them: they have no postings)."""
    row = con.execute(_STEMS, [query]).fetchone()
    return list(row[0] or []) if row else []


# each word of the query: a stopword (in the vocabulary without a term), or never indexed
_WORDS = f"""
SELECT w, coalesce(v.word IS NOT NULL AND v.term IS NULL, false) AS stop, v.word IS NULL AS unseen
FROM (SELECT DISTINCT unnest({tokens("?")}) AS w) q LEFT JOIN search_words v ON v.word = q.w
WHERE w <> '' ORDER BY w"""


def unmatched(con: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[str]]:
    """The query's stopwords and its words no indexed text has (neither can match)."""
    rows = con.execute(_WORDS, [query]).fetchall()
    return [w for w, stop, _ in rows if stop], [w for w, _, unseen in rows if unseen]


def search(path: str | os.PathLike[str], query: str, since: date | None = None, limit: int = 10) -> Hits:
    """The `limit` best articles and actions for `query` (published on or after `since`)."""
    con = reader(path, extensions=("fts",))
    try:
        terms = stems(con, query)
        try:
            cur = con.execute(_RANKED, [query, since, terms, limit])
        except duckdb.CatalogException as exc:
            if "search_news" not in str(exc):
                raise
            raise NoSearchIndex(
                f"warehouse {path} has no search index yet: a run (newsetl run) adds it"
            ) from exc
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        stop, unseen = unmatched(con, query) if not rows else ([], [])
    finally:
        con.close()
    return Hits(
        ARTICLE_COLUMNS,
        [tuple(r[c] for c in ARTICLE_COLUMNS) for r in rows if r["kind"] == "article"],
        ACTION_COLUMNS,
        [tuple(r[c] for c in ACTION_COLUMNS) for r in rows if r["kind"] == "action"],
        stop,
        unseen,
    )

"""Loading a batch: its articles replace their earlier versions with all their rows (their
texts in the search index too), the entities they name are merged and recounted, its
rejections are stored, in one transaction.

Frames go in as registered Arrow relations (`INSERT ... BY NAME`), never as SQL text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import duckdb
import polars as pl

from transforms.registry.frames import QUARANTINE_FRAME
from warehouse.bands import batch_bands, rebuild, stored_scheme
from warehouse.migrations import QUARANTINE_KEY_SQL, transaction, utcnow
from warehouse.search_index import reindex

# tables whose rows belong to an article, children first (deleted before the article)
_ARTICLE_TABLES = (
    "article_bands",
    "main_events",
    "action_amounts",
    "quotes",
    "actions",
    "entity_mentions",
    "articles",
)

_PLACE_COLUMNS = ("country_code", "subdivision_code", "latitude", "longitude")

# how a stored entity takes in a new observation (`excluded`): one text for both upserts
_ENTITY_SET = """
  name = CASE WHEN length(excluded.name) > length(entities.name)
                OR (length(excluded.name) = length(entities.name) AND excluded.name < entities.name)
              THEN excluded.name ELSE entities.name END,
  ticker = coalesce(entities.ticker, excluded.ticker),
  exchange = coalesce(entities.exchange, excluded.exchange),
  sector = coalesce(entities.sector, excluded.sector),
  country_code = coalesce(entities.country_code, excluded.country_code),
  subdivision_code = CASE WHEN entities.country_code IS NULL THEN excluded.subdivision_code
                          ELSE entities.subdivision_code END,
  latitude = CASE WHEN entities.country_code IS NULL THEN excluded.latitude ELSE entities.latitude END,
  longitude = CASE WHEN entities.country_code IS NULL THEN excluded.longitude ELSE entities.longitude END,
  aliases = list_sort(list_distinct(list_concat(entities.aliases, excluded.aliases)))"""

_ENTITY_COLUMNS = """entity_id, name, label, ticker, exchange, sector, aliases, country_code, subdivision_code,
  latitude, longitude, mention_count, article_count"""

# a DuckDB file: the primary key finds the stored entity
_UPSERT_ENTITIES = f"""
INSERT INTO entities ({_ENTITY_COLUMNS})
SELECT entity_id, name, label, ticker, exchange, sector, aliases, country_code, subdivision_code,
       latitude, longitude, 0, 0 FROM _entities
ON CONFLICT (entity_id) DO UPDATE SET {_ENTITY_SET}"""

# a DuckLake has no keys: MERGE finds it by entity_id (the writer is alone in its transaction)
_MERGE_ENTITIES = f"""
MERGE INTO entities USING _entities AS excluded ON entities.entity_id = excluded.entity_id
WHEN MATCHED THEN UPDATE SET {_ENTITY_SET}
WHEN NOT MATCHED THEN INSERT ({_ENTITY_COLUMNS}) VALUES (
  excluded.entity_id, excluded.name, excluded.label, excluded.ticker, excluded.exchange, excluded.sector,
  excluded.aliases, excluded.country_code, excluded.subdivision_code, excluded.latitude, excluded.longitude, 0, 0)"""

_RECOUNT_ENTITIES = """
UPDATE entities SET mention_count = s.n, article_count = s.na,
       first_seen = s.first_seen, last_seen = s.last_seen
FROM (SELECT m.entity_id, count(*) AS n, count(DISTINCT m.article_id) AS na,
             min(coalesce(a.published_at, a.loaded_at)) AS first_seen,
             max(coalesce(a.published_at, a.loaded_at)) AS last_seen
      FROM entity_mentions m JOIN articles a USING (article_id)
      WHERE m.entity_id IN (SELECT entity_id FROM _touched)
      GROUP BY m.entity_id) s
WHERE entities.entity_id = s.entity_id"""

_INSERT_QUARANTINE = f"""
INSERT INTO quarantine BY NAME
SELECT * FROM (
  SELECT * REPLACE (coalesce(quarantine_key, {QUARANTINE_KEY_SQL}) AS quarantine_key) FROM _q) k
WHERE NOT EXISTS (
  SELECT 1 FROM quarantine s WHERE s.quarantine_key = k.quarantine_key AND s.run_id <> k.run_id)"""


def stamped_articles(articles: pl.DataFrame, run_id: str, now: datetime) -> pl.DataFrame:
    """The batch's articles with the run and load time they are stored with."""
    return articles.with_columns(pl.lit(run_id).alias("run_id"), pl.lit(now).alias("loaded_at"))


def merged_entities(entities: pl.DataFrame) -> pl.DataFrame:
    """One row per entity from its observations (one per article). The canonical name is
    the longest form seen, ties broken alphabetically: the same whatever order batches
    arrive in."""
    return (
        entities.sort(pl.col("name").str.len_chars(), "name", descending=[True, False])
        .group_by("entity_id", maintain_order=True)
        .agg(
            pl.col("name").first(),
            pl.col("label").first(),
            pl.col("ticker").drop_nulls().first(),
            pl.col("exchange").drop_nulls().first(),
            pl.col("sector").drop_nulls().first(),
            # a place's codes: those of the first observation that has any (the four together)
            *[pl.col(c).filter(pl.col("country_code").is_not_null()).first() for c in _PLACE_COLUMNS],
            pl.col("aliases").list.explode(keep_nulls=False, empty_as_null=False).unique().sort(),
        )
    )


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> Iterator[None]:
    """The frames as relations named by their keys while the block runs."""
    for name, frame in frames.items():
        con.register(name, frame.to_arrow())
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)


T = TypeVar("T")


class Writer:
    """How the warehouse's parts write: `write(fn)` runs `fn` in one write transaction.
    A DuckDB file has one writer (the run); a DuckLake's writer (warehouse/lake.py) runs
    `fn` again after a conflict with another writer, so `fn` only writes."""

    con: duckdb.DuckDBPyConnection
    keys = True  # the backend has primary keys (ON CONFLICT finds the stored row)

    def write(self, fn: Callable[[], T]) -> T:
        with transaction(self.con):
            return fn()


class Loader(Writer):
    """Loading on the warehouse's connection (a part of `Warehouse`)."""

    banding: tuple[int, int] | None = None  # (bands, rows) of article_bands; None: the default's

    def use_banding(self, bands: int, rows: int) -> bool:
        """Write `article_bands` in this scheme (transforms/dedup.py `banding` of the run's
        threshold); when the table holds another, rebuild it first from the stored
        signatures, in one write (once, when the threshold changes). Returns whether it
        was rebuilt."""
        self.banding = (bands, rows)
        have = stored_scheme(self.con)
        if have is None or have == (bands, rows):
            return False
        self.write(lambda: rebuild(self.con, bands, rows))
        return True

    def _bands(self, articles: pl.DataFrame) -> pl.DataFrame:
        if self.banding is None:
            from transforms.dedup import banding

            self.banding = banding()
        return batch_bands(articles, *self.banding)

    def add_quarantine(self, rows: list[dict[str, Any]]) -> None:
        """Store rejected inputs, except those an earlier run already stored (same
        quarantine_key): re-running unchanged input adds no quarantine rows. Within one
        run every rejection is kept."""
        if rows:
            self.write(lambda: self._insert_quarantine(rows))

    def _insert_quarantine(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        with registered(self.con, {"_q": pl.DataFrame(rows, schema=QUARANTINE_FRAME.schema)}):
            self.con.execute(_INSERT_QUARANTINE)

    def load_batch(
        self,
        run_id: str,
        articles: pl.DataFrame,
        entities: pl.DataFrame,
        mentions: pl.DataFrame,
        actions: pl.DataFrame,
        quotes: pl.DataFrame,
        amounts: pl.DataFrame,
        main_events: pl.DataFrame,
        quarantine: list[dict[str, Any]],
    ) -> None:
        """Replace the batch's articles and their rows (their near-duplicate bands too),
        upsert entities, in one transaction."""
        rels = {
            "_articles": stamped_articles(articles, run_id, utcnow()),
            "_entities": merged_entities(entities),
            "_mentions": mentions,
            "_actions": actions,
            "_quotes": quotes,
            "_amounts": amounts,
            "_main_events": main_events,
            "_bands": self._bands(articles),
        }

        def load() -> None:
            self._replace_articles()
            self._merge_entities()
            self._insert_quarantine(quarantine)

        with registered(self.con, rels):
            self.write(load)

    def _replace_articles(self) -> None:
        """Delete the batch's articles' earlier versions with their rows, insert the new ones;
        note the entities they named before and name now (`_touched`)."""
        con = self.con
        con.execute(
            """CREATE TEMP TABLE _touched AS
               SELECT DISTINCT entity_id FROM entity_mentions
               WHERE article_id IN (SELECT article_id FROM _articles) AND entity_id IS NOT NULL
               UNION SELECT entity_id FROM _entities"""
        )
        for table in _ARTICLE_TABLES:
            con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM _articles)")
        con.execute("INSERT INTO articles BY NAME SELECT * FROM _articles")
        con.execute("INSERT INTO entity_mentions BY NAME SELECT * FROM _mentions")
        con.execute("INSERT INTO actions BY NAME SELECT * FROM _actions")
        con.execute("INSERT INTO quotes BY NAME SELECT * FROM _quotes")
        con.execute("INSERT INTO action_amounts BY NAME SELECT * FROM _amounts")
        con.execute("INSERT INTO main_events BY NAME SELECT * FROM _main_events")
        con.execute("INSERT INTO article_bands BY NAME SELECT * FROM _bands")
        reindex(con, "_articles", "_actions")  # their texts in the search index, replaced

    def _merge_entities(self) -> None:
        """Upsert the batch's entities, recount the touched ones, drop those no longer named."""
        con = self.con
        con.execute(_UPSERT_ENTITIES if self.keys else _MERGE_ENTITIES)
        con.execute(_RECOUNT_ENTITIES)
        con.execute(
            """DELETE FROM entities WHERE entity_id IN (SELECT entity_id FROM _touched)
               AND entity_id NOT IN (SELECT entity_id FROM entity_mentions WHERE entity_id IS NOT NULL)"""
        )
        con.execute("DROP TABLE _touched")

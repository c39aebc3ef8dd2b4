"""What a run asks the warehouse while it works: which articles are loaded and unchanged,
the duplicate index's stored side, a feed's known entries and validators, and a run table's rows
to validate. Ids go in as registered Arrow relations, values as bound parameters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from transforms.registry.tables import TABLES_BY_NAME
from warehouse.loading import Writer, registered
from warehouse.migrations import utcnow

_UPSERT_FETCH_STATE = """INSERT INTO fetch_state (url, etag, last_modified, status, fetched_at, run_id)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
  status = excluded.status, fetched_at = excluded.fetched_at, run_id = excluded.run_id"""

# a DuckLake has no keys: MERGE finds a URL's row
_MERGE_FETCH_STATE = """MERGE INTO fetch_state USING _fetched AS f ON fetch_state.url = f.url
WHEN MATCHED THEN UPDATE SET etag = f.etag, last_modified = f.last_modified, status = f.status,
  fetched_at = f.fetched_at, run_id = f.run_id
WHEN NOT MATCHED THEN INSERT (url, etag, last_modified, status, fetched_at, run_id)
  VALUES (f.url, f.etag, f.last_modified, f.status, f.fetched_at, f.run_id)"""


class Lookups(Writer):
    """Reads (and the fetch state) on the warehouse's connection (a part of `Warehouse`)."""

    con: duckdb.DuckDBPyConnection

    def validation_rows(
        self, table: str, columns: list[str], *, run_id: str | None = None, limit: int | None = None
    ) -> pl.DataFrame:
        """`columns` of a table's rows, to validate them (expectations/runner.py
        RUN_TABLES): only the rows of run `run_id` when given (article_bands: those of the
        articles it loaded), only the first `limit` in the order of the columns when given.
        Names are checked against the schema (they come from the suites), values are bound."""
        declared = {c.name for c in TABLES_BY_NAME[table].columns}
        unknown = [c for c in columns if c not in declared]
        if unknown:
            raise ValueError(f"not columns of {table}: {unknown}")
        cols = ", ".join(f'"{c}"' for c in columns)
        where, params = ("WHERE run_id = ?", [run_id]) if run_id is not None else ("", [])
        if table == "article_bands" and run_id is not None:  # no run_id: its articles have it
            where = "WHERE article_id IN (SELECT article_id FROM articles WHERE run_id = ?)"
        bound: list[object] = list(params)
        if limit is not None:
            where += f" ORDER BY {cols} LIMIT ?"
            bound.append(limit)
        rows = self.con.execute(f"SELECT {cols} FROM {table} {where}", bound).fetchall()
        return pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)

    # ---- the duplicate index's stored side (transforms.dedup.Stored) ------------------
    def canonical_hashes(self, article_ids: Sequence[str]) -> dict[str, str]:
        """body_hash of those of these articles that are stored canonical (with a hash)."""
        ids = pl.DataFrame({"article_id": list(article_ids)}, schema={"article_id": pl.String})
        with registered(self.con, {"_canon_ids": ids}):
            rows = self.con.execute(
                """SELECT a.article_id, a.body_hash FROM articles a JOIN _canon_ids USING (article_id)
                   WHERE a.duplicate_of IS NULL AND a.body_hash IS NOT NULL"""
            ).fetchall()
        return dict(rows)

    def first_canonical(self, hashes: Sequence[str]) -> dict[str, str]:
        """For each of these body hashes: the first stored canonical article that has it
        (load time, then article id), if any."""
        want = pl.DataFrame({"body_hash": list(hashes)}, schema={"body_hash": pl.String})
        with registered(self.con, {"_first_hashes": want}):
            rows = self.con.execute(
                """SELECT a.body_hash, arg_min(a.article_id, (a.loaded_at, a.article_id))
                   FROM articles a JOIN _first_hashes USING (body_hash)
                   WHERE a.duplicate_of IS NULL GROUP BY a.body_hash"""
            ).fetchall()
        return dict(rows)

    def band_candidates(self, keys: Sequence[tuple[int, int]], rows: int) -> dict[str, bytes]:
        """MinHash of the stored canonical articles that have one of these (band, band
        hash) in `article_bands` (bands of `rows` values): one join, then the candidates'
        signatures only."""
        frame = pl.DataFrame(keys, schema={"band": pl.Int32, "band_hash": pl.Int64}, orient="row")
        with registered(self.con, {"_probe_bands": frame}):
            found = self.con.execute(
                """SELECT a.article_id, a.minhash FROM articles a
                   WHERE a.article_id IN (
                     SELECT b.article_id FROM article_bands b JOIN _probe_bands p
                       ON b.band = p.band AND b.band_hash = p.band_hash
                     WHERE b.rows_per_band = ?)
                   AND a.duplicate_of IS NULL AND a.minhash IS NOT NULL""",
                [rows],
            ).fetchall()
        return dict(found)

    def copies_of(self, article_ids: Iterable[str]) -> list[dict[str, Any]]:
        """The stored copies (`duplicate_of` one of these articles), whole rows, in the order
        they were loaded: what to re-check when those articles change."""
        ids = pl.DataFrame({"article_id": list(article_ids)}, schema={"article_id": pl.String})
        if ids.is_empty():
            return []
        self.con.register("_of_ids", ids.to_arrow())
        try:
            cur = self.con.execute(
                """SELECT a.* FROM articles a JOIN _of_ids o ON a.duplicate_of = o.article_id
                   ORDER BY a.loaded_at, a.article_id"""
            )
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        finally:
            self.con.unregister("_of_ids")

    def article_bodies(self, article_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """article_id -> (source, body) of the given stored articles."""
        ids = pl.DataFrame({"article_id": list(article_ids)}, schema={"article_id": pl.String})
        if ids.is_empty():
            return {}
        self.con.register("_body_ids", ids.to_arrow())
        try:
            rows = self.con.execute(
                "SELECT a.article_id, a.source, a.body FROM articles a JOIN _body_ids USING (article_id)"
            ).fetchall()
        finally:
            self.con.unregister("_body_ids")
        return {aid: (source, body) for aid, source, body in rows}

    def recent_bodies(self, source: str, limit: int) -> list[tuple[str, str]]:
        """`(article_id, body)` of the source's last `limit` canonical articles in the order
        they were stored (load time, then article id), oldest first: the paragraphs the
        source repeats (transforms.dedup boilerplate)."""
        rows = self.con.execute(
            """SELECT article_id, body FROM articles WHERE source = ? AND duplicate_of IS NULL
               ORDER BY loaded_at DESC, article_id DESC LIMIT ?""",
            [source, limit],
        ).fetchall()
        return [(aid, body) for aid, body in reversed(rows)]

    def loaded_entries(self, source: str, external_ids: list[str]) -> dict[str, datetime | None]:
        """external_id -> stored published_at of those of these ids of `source` that are
        loaded: a feed's entries not to fetch again, counted as seen and skipped."""
        ids = pl.DataFrame({"external_id": external_ids}, schema={"external_id": pl.String})
        self.con.register("_ext_ids", ids.to_arrow())
        try:
            rows = self.con.execute(
                """SELECT a.external_id, max(a.published_at) FROM articles a JOIN _ext_ids USING (external_id)
                   WHERE a.source = ? GROUP BY a.external_id""",
                [source],
            ).fetchall()
        finally:
            self.con.unregister("_ext_ids")
        return dict(rows)

    def fetch_validators(self) -> dict[str, tuple[str | None, str | None]]:
        """url -> (etag, last_modified) for conditional GET."""
        return {
            u: (e, m)
            for u, e, m in self.con.execute("SELECT url, etag, last_modified FROM fetch_state").fetchall()
        }

    def save_fetch_state(self, run_id: str, fetched: dict[str, dict[str, Any]]) -> None:
        if not fetched:
            return
        now = utcnow()
        rows = [
            [u, f.get("etag"), f.get("last_modified"), f.get("status"), now, run_id]
            for u, f in fetched.items()
        ]
        if self.keys:
            self.write(lambda: self.con.executemany(_UPSERT_FETCH_STATE, rows))
            return
        frame = pl.DataFrame(
            rows,
            schema=["url", "etag", "last_modified", "status", "fetched_at", "run_id"],
            orient="row",
            infer_schema_length=None,
        )
        with registered(self.con, {"_fetched": frame}):
            self.write(lambda: self.con.execute(_MERGE_FETCH_STATE))

    def existing_versions(self, article_ids: Iterable[str]) -> dict[str, tuple[str, object]]:
        """(content_hash, published_at) of the given articles that are already loaded."""
        ids = pl.DataFrame({"article_id": list(article_ids)}, schema={"article_id": pl.String})
        if ids.is_empty():
            return {}
        self.con.register("_ids", ids.to_arrow())
        try:
            rows = self.con.execute(
                "SELECT a.article_id, a.content_hash, a.published_at FROM articles a JOIN _ids USING (article_id)"
            ).fetchall()
        finally:
            self.con.unregister("_ids")
        return {aid: (h, pub) for aid, h, pub in rows}

    def existing_hashes(self, article_ids: Iterable[str]) -> dict[str, str]:
        """content_hash of the given articles that are already loaded."""
        return {aid: h for aid, (h, _) in self.existing_versions(article_ids).items()}

"""The near-duplicate index's table, `article_bands` (transforms/dedup.py, "Bands"): the
rows of a batch's canonical articles, the scheme the table holds, and its rebuild from
the stored signatures (migration 12; a run whose threshold changes the scheme)."""

from __future__ import annotations

import duckdb
import polars as pl

from transforms.dedup import band_frame
from transforms.shingles import NUM_PERM

_CANONICAL = "duplicate_of IS NULL AND body_hash IS NOT NULL AND minhash IS NOT NULL"


def batch_bands(articles: pl.DataFrame, bands: int, rows: int) -> pl.DataFrame:
    """The band rows of a batch's canonical articles (those with a signature); copies have none."""
    canon = articles.filter(
        pl.col("duplicate_of").is_null() & pl.col("minhash").is_not_null() & pl.col("body_hash").is_not_null()
    )
    return band_frame(canon["article_id"].to_list(), canon["minhash"].to_list(), bands, rows)


def stored_scheme(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """(bands, rows per band) the table holds, None when empty. An article's bands are
    written together, so the first rows in storage order hold a whole article's: read
    those (a LIMIT, not a scan)."""
    n, rows = con.execute(
        "SELECT max(band) + 1, any_value(rows_per_band) FROM (SELECT band, rows_per_band FROM article_bands LIMIT ?)",
        [2 * NUM_PERM],
    ).fetchone() or (None, None)
    return (int(n), int(rows)) if n is not None else None


def rebuild(con: duckdb.DuckDBPyConnection, bands: int, rows: int, chunk: int = 20_000) -> int:
    """Replace every row with those of the stored canonical articles' signatures in this
    scheme, `chunk` articles at a time (in the caller's transaction); returns the articles."""
    con.execute("DELETE FROM article_bands")
    ids = [
        r[0]
        for r in con.execute(
            f"SELECT article_id FROM articles WHERE {_CANONICAL} ORDER BY article_id"
        ).fetchall()
    ]
    for i in range(0, len(ids), chunk):
        part = con.execute(
            f"SELECT article_id, minhash FROM articles WHERE {_CANONICAL} AND article_id BETWEEN ? AND ?",
            [ids[i], ids[min(i + chunk, len(ids)) - 1]],
        ).fetchall()
        frame = band_frame([a for a, _ in part], [m for _, m in part], bands, rows)
        con.register("_bands", frame.to_arrow())
        try:
            con.execute("INSERT INTO article_bands BY NAME SELECT * FROM _bands")
        finally:
            con.unregister("_bands")
    return len(ids)

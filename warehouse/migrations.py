"""The warehouse's schema migrations: ordered, each applied once in its own transaction,
recorded in `schema_migrations`; every migration run recreates the views and the macros
(warehouse/macros.py) and refreshes the comments from the registry (transforms/registry, rendered by warehouse/schema.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

import duckdb
import polars as pl

from transforms.reference import COMPANIES_PATH
from transforms.registry.columns import Table
from transforms.registry.tables import TABLES, TABLES_BY_NAME
from warehouse.backend import BUMP_SQL, is_lake, rollback
from warehouse.extensions import load
from warehouse.macros import refresh_macros, temp_macros
from warehouse.schema import column_constraint, comment_sql, create_table_sql
from warehouse.search_index import add_stopwords, backfill
from warehouse.views import VIEWS, View


def utcnow() -> datetime:
    """Now in UTC, naive (as the warehouse's TIMESTAMP columns hold it)."""
    return datetime.now(UTC).replace(tzinfo=None)


def schema_version_table_sql(*, keys: bool = True) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER {column_constraint("PRIMARY KEY", keys=keys)},
  name VARCHAR NOT NULL,
  applied_at TIMESTAMP NOT NULL
)"""


SCHEMA_VERSION_TABLE = schema_version_table_sql()


def create_table(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Create a registry table (if absent) as this connection's backend takes it: a
    DuckLake gets no keys (warehouse.schema.column_constraint)."""
    con.execute(create_table_sql(TABLES_BY_NAME[name], keys=not is_lake(con)))


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction (on a DuckDB file the run is the only writer)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except Exception:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextmanager
def lake_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One write transaction on a lake: it first bumps the writers' table, so it conflicts
    with any other write transaction that overlaps it (warehouse/backend.py); the caller
    runs it again after a conflict (backend.retrying). A failed COMMIT leaves nothing open."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(BUMP_SQL)
        yield
    except BaseException:
        rollback(con)
        raise
    con.execute("COMMIT")


Transaction = Callable[[duckdb.DuckDBPyConnection], AbstractContextManager[None]]


def _m001_initial(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("articles", "entities", "entity_mentions", "actions", "pipeline_runs", "quarantine"):
        create_table(con, name)


SCHEMA_MIGRATIONS_COMMENTS: dict[str | None, str] = {
    None: "Applied schema migrations. Grain: one row per migration.",
    "version": "Migration number.",
    "name": "What the migration does.",
    "applied_at": "When it was applied (UTC).",
}


def _declared_comments() -> dict[tuple[str, str | None], tuple[str, str]]:
    """(relation, column or None) -> (kind, comment) for every documented relation."""
    out: dict[tuple[str, str | None], tuple[str, str]] = {}
    documented: list[Table | View] = [*TABLES, *VIEWS]
    for t in documented:
        kind = "VIEW" if isinstance(t, View) else "TABLE"
        out[(t.name, None)] = (kind, t.comment)
        for c in t.columns:
            out[(t.name, c.name)] = (kind, c.description)
    for col, text in SCHEMA_MIGRATIONS_COMMENTS.items():
        out[("schema_migrations", col)] = ("TABLE", text)
    return out


def _stored_comments(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str | None], str | None]:
    stored: dict[tuple[str, str | None], str | None] = {}
    for name, comment in con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() "
        "WHERE schema_name = 'main' AND NOT temporary AND NOT internal"
    ).fetchall():
        stored[(name, None)] = comment
    for name, column, comment in con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND database_name = current_database()"
    ).fetchall():
        stored[(name, column)] = comment
    return stored


def _comments(con: duckdb.DuckDBPyConnection, *, dry: bool = False) -> int:
    """Set the comments that differ from the registry's (a COMMENT ON costs a catalog write,
    so a warehouse already documented pays one query); returns how many were set."""
    stored = _stored_comments(con)
    lake = is_lake(con)
    changed = 0
    for (name, column), (kind, text) in _declared_comments().items():
        if stored.get((name, column)) == text:
            continue
        if lake and kind == "VIEW" and column is not None:
            continue  # a DuckLake keeps no comments on a view's columns (the registry has them)
        # COMMENT ON takes no bound parameters; the texts are the registry's own constants
        # (transforms/registry), quoted by comment_sql.
        if not dry:
            con.execute(comment_sql(kind, name, column, text))
        changed += 1
    return changed


def _views(con: duckdb.DuckDBPyConnection, *, dry: bool = False) -> int:
    """Create or replace the views whose definition differs from the stored one (DuckDB
    stores a view's SQL normalised, so each declared view is first rendered as a temporary
    view and the two texts compared); returns how many were replaced."""
    stored = dict(
        con.execute(
            "SELECT view_name, sql FROM duckdb_views() WHERE schema_name = 'main' "
            "AND NOT temporary AND NOT internal"
        ).fetchall()
    )
    replaced = 0
    for v in VIEWS:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {v.name} AS {v.sql}")
    rendered = dict(
        con.execute("SELECT view_name, sql FROM duckdb_views() WHERE database_name = 'temp'").fetchall()
    )
    for v in reversed(VIEWS):
        con.execute(f"DROP VIEW temp.main.{v.name}")
    for v in VIEWS:
        want = rendered[v.name].replace("CREATE TEMP VIEW", "CREATE VIEW", 1)
        if stored.get(v.name) == want:
            continue
        if not dry:
            con.execute(f"CREATE OR REPLACE VIEW {v.name} AS {v.sql}")
        replaced += 1
    return replaced


def _m002_companies(con: duckdb.DuckDBPyConnection) -> None:
    """The companies reference table, seeded from transforms/data/companies.csv."""
    from transforms.names import entity_id

    create_table(con, "companies")
    seed = pl.read_csv(COMPANIES_PATH, infer_schema=False).with_columns(
        pl.col("aliases").fill_null("").str.split("|").list.eval(pl.element().filter(pl.element() != "")),
        pl.col("ticker")
        .map_elements(lambda t: entity_id("ORG", "ticker:" + t), return_dtype=pl.String)
        .alias("entity_id"),
        *[pl.col(c).replace("", None) for c in ("exchange", "sector", "sub_industry", "headquarters")],
    )
    con.register("_seed", seed.to_arrow())
    try:
        con.execute("INSERT INTO companies BY NAME SELECT * FROM _seed")
    finally:
        con.unregister("_seed")


def _add_declared_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Add the columns schema.py declares for `table` that the database lacks."""
    for c in TABLES_BY_NAME[table].columns:
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {c.name} {c.type}")


def _m003_actions_detail_and_quotes(con: duckdb.DuckDBPyConnection) -> None:
    """actions: target_head, modality, action_type, event date and key; the quotes table."""
    _add_declared_columns(con, "actions")
    create_table(con, "quotes")


def _m004_run_window(con: duckdb.DuckDBPyConnection) -> None:
    """pipeline_runs: articles_out_of_range, since, until."""
    _add_declared_columns(con, "pipeline_runs")


def _m005_duplicates_and_fetch_state(con: duckdb.DuckDBPyConnection) -> None:
    """articles: body_hash, minhash, duplicate_of/kind/similarity; pipeline_runs:
    source_counts; the fetch_state table (conditional GET)."""
    _add_declared_columns(con, "articles")
    _add_declared_columns(con, "pipeline_runs")
    create_table(con, "fetch_state")


def _m006_cleaning_removed(con: duckdb.DuckDBPyConnection) -> None:
    """articles: cleaning_removed (what cleaning removed, by rule)."""
    _add_declared_columns(con, "articles")


# quarantine.quarantine_key in SQL, for rows that lack it; expectations/quarantine.py
# quarantine_row computes the same in Python
QUARANTINE_KEY_SQL = (
    "sha256(concat_ws(chr(31), coalesce(source_path, ''), coalesce(external_id, ''), stage, "
    "sha256(coalesce(raw, ''))))"
)


def _m007_quarantine_key(con: duckdb.DuckDBPyConnection) -> None:
    """quarantine: quarantine_key (what was rejected, across runs), filled for stored rows."""
    _add_declared_columns(con, "quarantine")
    con.execute(f"UPDATE quarantine SET quarantine_key = {QUARANTINE_KEY_SQL} WHERE quarantine_key IS NULL")


def _m008_names_that_are_no_entities(con: duckdb.DuckDBPyConnection) -> None:
    """entities keep the four kinds of the gold guidelines; a stored nationality, event, law,
    work or language becomes mentions without an entity (entity_mentions.entity_id NULL)."""
    nullable = con.execute(
        "SELECT is_nullable FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = 'entity_mentions' AND column_name = 'entity_id'"
    ).fetchone()
    if nullable == (False,):  # a warehouse created since is made with the column nullable
        con.execute("ALTER TABLE entity_mentions ALTER COLUMN entity_id DROP NOT NULL")
    others = (
        "SELECT entity_id FROM entities WHERE label IN ('NORP', 'EVENT', 'LAW', 'WORK_OF_ART', 'LANGUAGE')"
    )
    con.execute(f"UPDATE entity_mentions SET entity_id = NULL WHERE entity_id IN ({others})")
    con.execute(f"DELETE FROM entities WHERE entity_id IN ({others})")


def _m009_action_amounts(con: duckdb.DuckDBPyConnection) -> None:
    """The action_amounts table (stored articles get their amounts when they are loaded again)."""
    create_table(con, "action_amounts")


def _m010_main_events(con: duckdb.DuckDBPyConnection) -> None:
    """The main_events table; actions: place_entity_id (stored articles get them when they
    are loaded again)."""
    create_table(con, "main_events")
    _add_declared_columns(con, "actions")


def _m011_search(con: duckdb.DuckDBPyConnection) -> None:
    """The search index (search_words, search_docs, search_terms) and its macros; the
    stored articles and actions are indexed (warehouse/search_index.py)."""
    load(con, "fts")  # stem()
    for name in ("search_words", "search_docs", "search_terms"):
        create_table(con, name)
    add_stopwords(con)
    backfill(con)
    if not is_lake(con):
        refresh_macros(con)  # (a lake's connections define them: migrate)


def _m012_article_bands(con: duckdb.DuckDBPyConnection) -> None:
    """The article_bands table (the near-duplicate index), filled from the stored canonical
    articles' signatures in the default threshold's scheme (a run with another threshold
    rebuilds it)."""
    from transforms.dedup import banding
    from warehouse.bands import rebuild

    create_table(con, "article_bands")
    rebuild(con, *banding())


def _primary_keyed(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of this database that have a primary key."""
    return {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_constraints() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND constraint_type = 'PRIMARY KEY'"
        ).fetchall()
    }


def _rebuild(con: duckdb.DuckDBPyConnection, t: Table) -> None:
    """Recreate `t` as the registry declares it now, its rows kept (DuckDB cannot drop a
    constraint): its columns in declared order, a declared column it lacked NULL; the
    views bind by name, and migrate() puts the comments back."""
    tmp = f"{t.name}__rebuilt"
    con.execute(create_table_sql(t, keys=True, name=tmp))
    con.execute(f"INSERT INTO {tmp} BY NAME SELECT * FROM {t.name}")  # names: the registry's
    con.execute(f"DROP TABLE {t.name}")
    con.execute(f"ALTER TABLE {tmp} RENAME TO {t.name}")


def _m013_unindexed_article_keys(con: duckdb.DuckDBPyConnection) -> None:
    """On a DuckDB file, the tables that grow with every article (articles, their rows,
    search_docs; `key_index=False` in the registry) lose their primary-key index: a
    checkpoint rewrote each whole, a cost that grew with the history (issue 18). A lake has
    no keys."""
    if is_lake(con):
        return
    keyed = _primary_keyed(con)
    for t in TABLES:
        if not t.key_index and t.name in keyed:
            _rebuild(con, t)


# Ordered migrations: (version, name, function). Append; never edit an applied one.
MIGRATIONS: list[tuple[int, str, Callable[[duckdb.DuckDBPyConnection], None]]] = [
    (1, "initial tables", _m001_initial),
    (2, "companies reference table", _m002_companies),
    (3, "action modality, type, dates, event key; quotes", _m003_actions_detail_and_quotes),
    (4, "backfill window on pipeline_runs", _m004_run_window),
    (5, "duplicates, per-source counts, fetch state", _m005_duplicates_and_fetch_state),
    (6, "what cleaning removed, per article", _m006_cleaning_removed),
    (7, "quarantine key: a re-run does not quarantine the same input twice", _m007_quarantine_key),
    (8, "names that are no entities: mentions without an entity", _m008_names_that_are_no_entities),
    (9, "amounts on actions", _m009_action_amounts),
    (10, "main events; places on actions", _m010_main_events),
    (11, "search index over articles and action evidence", _m011_search),
    (12, "near-duplicate index: article bands", _m012_article_bands),
    (13, "no primary-key index on the tables that grow with every article", _m013_unindexed_article_keys),
]


class ColumnNeedsMigration(RuntimeError):
    """A NOT NULL column is declared that the warehouse lacks: only a migration can fill it."""


def _missing_declared_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Add the nullable columns the registry declares that an existing warehouse lacks (its
    stored rows hold NULL there until they are loaded again), so a new column is one
    declaration; a NOT NULL one needs a numbered migration that fills the stored rows."""
    have = set(
        con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main'"
        ).fetchall()
    )
    for t in TABLES:
        for c in t.columns:
            if (t.name, c.name) in have:
                continue
            if not c.nullable:
                raise ColumnNeedsMigration(
                    f"{t.name}.{c.name} is declared {c.constraint} but the warehouse has no such column: "
                    "add a migration that fills it (warehouse/migrations.py, MIGRATIONS)"
                )
            con.execute(f"ALTER TABLE {t.name} ADD COLUMN {c.name} {c.type}")  # names: the registry's


def _up_to_date(con: duckdb.DuckDBPyConnection) -> bool:
    """Every migration applied, every declared column there: nothing to write (a lake's
    writers then start without a catalog write)."""
    done = {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
    if any(v not in done for v, _, _ in MIGRATIONS):
        return False
    have = set(
        con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = 'main'"
        ).fetchall()
    )
    return all((t.name, c.name) in have for t in TABLES for c in t.columns)


def migrate(con: duckdb.DuckDBPyConnection, tx: Transaction = transaction) -> list[int]:
    """Apply pending migrations, add declared nullable columns the warehouse lacks, refresh
    views and comments; returns the versions applied. `tx`: how a write transaction is
    opened (`lake_transaction` on a DuckLake, whose caller retries after a conflict)."""
    lake = is_lake(con)
    if not lake or con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = 'schema_migrations'"
    ).fetchone() != (1,):
        with tx(con):
            con.execute(schema_version_table_sql(keys=not lake))
    done = {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied: list[int] = []
    for version, name, fn in MIGRATIONS:
        if version in done:
            continue
        with tx(con):
            if lake and con.execute(
                "SELECT count(*) FROM schema_migrations WHERE version = ?", [version]
            ).fetchone() != (0,):
                continue  # another writer applied it meanwhile
            fn(con)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, utcnow()])
        applied.append(version)
    if not lake or not _up_to_date(con):
        with tx(con):
            _missing_declared_columns(con)
    if _views(con, dry=True) or _comments(con, dry=True):  # (`dry`: count, change nothing)
        with tx(con):
            _views(con)
            _comments(con)
    if lake:
        temp_macros(con)  # a lake's catalog stores none: each connection has its own
    else:
        with tx(con):
            refresh_macros(con)  # (replaces only a macro whose definition differs)
    return applied

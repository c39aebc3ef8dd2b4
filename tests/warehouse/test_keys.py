"""Primary keys on a DuckDB file: the tables that grow with every article have none (an
index on them is rewritten whole at each checkpoint), the others keep theirs; migration 13
rebuilds a warehouse written before it with its rows, comments and search intact; the
loading keeps the unindexed keys unique."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from tests.warehouse.search_batches import action, article, load
from tests.warehouse.test_search import ACTIONS, DOCS, counts, ranked
from transforms.registry.tables import TABLES
from warehouse import migrations
from warehouse.backend import is_lake
from warehouse.connection import connect
from warehouse.db import Warehouse

UNINDEXED = {t.name for t in TABLES if not t.key_index}
# what the tables hold, by the key each declares
CONTENT = {
    "articles": "SELECT article_id, title, body, run_id FROM articles ORDER BY 1",
    "actions": "SELECT action_id, article_id, verb, evidence FROM actions ORDER BY 1",
    "search_docs": "SELECT doc_id, kind, article_id, action_id, length FROM search_docs ORDER BY 1",
    "search_terms": "SELECT term, doc_id, tf FROM search_terms ORDER BY 1, 2",
}


def primary_keys(con) -> set[tuple[str, str]]:
    return {
        (t, c)
        for t, cols in con.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE database_name = current_database() AND constraint_type = 'PRIMARY KEY'"
        ).fetchall()
        for c in cols
    }


def declared_keys(*, indexed_only: bool) -> set[tuple[str, str]]:
    return {
        (t.name, c.name)
        for t in TABLES
        if t.key_index or not indexed_only
        for c in t.columns
        if "PRIMARY KEY" in c.constraint
    }


def test_the_growing_tables_are_the_per_article_ones():
    assert {
        "articles",
        "entity_mentions",
        "actions",
        "quotes",
        "action_amounts",
        "main_events",
        "search_docs",
    } == UNINDEXED


def test_a_file_indexes_only_the_keys_of_the_tables_that_do_not_grow_per_article(wh_path):
    con = connect(wh_path)
    try:
        have = primary_keys(con)
        if is_lake(con):
            assert have == set()
        else:
            assert have == declared_keys(indexed_only=True) | {("schema_migrations", "version")}
            assert not any(t in UNINDEXED for t, _ in have)
            # each unindexed key column stays NOT NULL
            nullable = con.execute(
                "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
                "AND is_nullable"
            ).fetchall()
            assert not set(nullable) & declared_keys(indexed_only=False)
    finally:
        con.close()


def test_the_data_dictionary_still_names_every_declared_key(wh_path):
    from warehouse.docs import schema_markdown

    connect(wh_path).close()
    md = schema_markdown(wh_path)
    section = md.split("## actions (table)")[1].split("## ")[0]
    assert "| action_id | VARCHAR | PK |" in section


def keyed(t):
    """The table as it was declared before migration 13: its key indexed on a file."""
    return dataclasses.replace(t, key_index=True)


def written_before_migration_13(path, monkeypatch) -> dict[str, list[tuple]]:
    """A file warehouse of migration 12 (every declared key indexed) holding DOCS and
    ACTIONS; returns its tables' content."""
    with monkeypatch.context() as m:
        m.setattr(migrations, "MIGRATIONS", [x for x in migrations.MIGRATIONS if x[0] < 13])
        m.setattr(migrations, "TABLES_BY_NAME", {t.name: keyed(t) for t in TABLES})
        with Warehouse(path) as wh:
            load(wh, DOCS, ACTIONS)
            wh.publish()
        con = connect(path, read_only=True)
        try:
            assert {t for t, _ in primary_keys(con)} >= UNINDEXED
            return {name: con.execute(sql).fetchall() for name, sql in CONTENT.items()}
        finally:
            con.close()


def test_migration_13_drops_the_indexes_and_keeps_rows_comments_and_search(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    before = written_before_migration_13(path, monkeypatch)
    con = connect(path)  # migrates
    try:
        assert primary_keys(con) == declared_keys(indexed_only=True) | {("schema_migrations", "version")}
        assert {name: con.execute(sql).fetchall() for name, sql in CONTENT.items()} == before
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone() == (13,)
        missing = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND comment IS NULL"
        ).fetchall()
        assert missing == []
        # each rebuilt table has its declared columns, in declared order
        for t in TABLES:
            cols = con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
                "AND table_name = ? ORDER BY column_index",
                [t.name],
            ).fetchall()
            assert [c for (c,) in cols] == [c.name for c in t.columns], t.name
        assert migrations.migrate(con) == []
    finally:
        con.close()
    assert ranked(path, "facial recognition") == ["a1", "a4", "a3"]


def test_without_the_index_a_reloaded_article_still_has_one_row_per_key(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    written_before_migration_13(path, monkeypatch)
    changed = article("a1", "Weather report", "Rain all week in the valley.", datetime(2020, 6, 11))
    for run in ("run-2", "run-3"):  # the same article twice: replaced, never duplicated
        with Warehouse(path) as wh:
            load(wh, [changed], [action("a1", 2, "Rain all week in the valley.", "rain")], run_id=run)
            wh.publish()
    con = connect(path, read_only=True)
    try:
        for t in TABLES:
            for c in t.columns:
                if "PRIMARY KEY" in c.constraint:
                    dup = con.execute(
                        f"SELECT count(*) - count(DISTINCT {c.name}) FROM {t.name}"  # names: the registry's
                    ).fetchone()
                    assert dup == (0,), t.name
        assert con.execute("SELECT count(*) FROM articles WHERE article_id = 'a1'").fetchone() == (1,)
    finally:
        con.close()
    c = counts(path)
    assert c["docs"] == c["articles"] == 5 and c["action_docs"] == c["actions"] == 2
    assert c["orphans"] == c["stale_runs"] == 0

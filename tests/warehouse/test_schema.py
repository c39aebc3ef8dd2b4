import duckdb
import pytest

from transforms.registry.tables import TABLES
from warehouse.backend import is_lake
from warehouse.connection import connect
from warehouse.db import open_warehouse
from warehouse.migrations import MIGRATIONS, _comments, _views, migrate
from warehouse.schema import run_counters
from warehouse.views import VIEWS


def test_every_table_and_column_is_documented(wh_path):
    con = connect(wh_path)
    tables = con.execute(
        "select table_name, comment from duckdb_tables() where schema_name = 'main' and not internal"
    ).fetchall()
    assert {t for t, _ in tables} >= {t.name for t in TABLES}
    for name, comment in tables:
        assert comment, f"table {name} has no comment"
    cols = con.execute(
        "select table_name, column_name, comment from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'main' and not internal"
    ).fetchall()
    # a DuckLake keeps no comments on a view's columns (the registry has them: newsetl docs)
    views = {v.name for v in VIEWS} if is_lake(con) else set()
    missing = [(t, c) for t, c, comment in cols if not comment and t not in views]
    assert missing == []


@pytest.mark.parametrize("table", TABLES, ids=[t.name for t in TABLES])
def test_declared_docs_have_grain(table):
    assert table.grain.startswith("one row per")
    assert all(c.description for c in table.columns)


def test_migrations_are_idempotent(wh_path):
    con = connect(wh_path)
    assert migrate(con) == []
    versions = [v for (v,) in con.execute("select version from schema_migrations order by 1").fetchall()]
    assert versions == [m[0] for m in MIGRATIONS]


def test_reconnecting_rewrites_no_comment_and_no_view(wh_path):
    con = connect(wh_path)
    assert (_views(con), _comments(con)) == (0, 0)


def test_a_stale_comment_or_view_is_refreshed_and_only_it(wh_path):
    con = connect(wh_path)
    con.execute("COMMENT ON COLUMN actions.verb IS 'stale'")
    con.execute("COMMENT ON TABLE articles IS NULL")
    view = VIEWS[0]
    con.execute(f"CREATE OR REPLACE VIEW {view.name} AS SELECT 1 AS stale")
    assert _views(con) == 1
    # the replaced view lost its comments: the view's own and each of its columns' (a lake
    # keeps none on a view's columns), plus the two above
    assert _comments(con) == 1 + (0 if is_lake(con) else len(view.columns)) + 2
    assert (_views(con), _comments(con)) == (0, 0)
    verb = con.execute(
        "select comment from duckdb_columns() where table_name = 'actions' and column_name = 'verb'"
    ).fetchone()
    assert verb is not None and verb[0] != "stale"
    assert not con.execute("select * from duckdb_views() where database_name = 'temp'").fetchall()


def test_read_only_connection_cannot_write(wh_path):
    connect(wh_path).close()
    ro = connect(wh_path, read_only=True)
    with pytest.raises(duckdb.Error):
        ro.execute(
            "insert into quarantine (quarantine_id, run_id, stage, reason, created_at) values ('a','b','read','x', now())"
        )


def test_dead_runs_are_marked_killed(wh_path):
    with open_warehouse(wh_path) as wh:
        wh.begin_run("r1", sources=[], params={}, model_version="m", code_version="c")
        wh.con.execute("update pipeline_runs set pid = 2147483646 where run_id = 'r1'")
        assert wh.mark_dead_runs() == 1
        assert wh.con.execute("select status from pipeline_runs").fetchone()[0] == "killed"


def test_update_run_refuses_unknown_fields(wh_path):
    with open_warehouse(wh_path) as wh, pytest.raises(ValueError):
        wh.update_run("r1", **{"status = 'x'; drop table articles; --": 1})


def test_existing_hashes(wh_path):
    with open_warehouse(wh_path) as wh:
        assert wh.existing_hashes([]) == {}
        wh.con.execute(
            "insert into articles (article_id, external_id, source, body, content_hash, run_id, loaded_at)"
            " values (?, ?, ?, ?, ?, ?, now())",
            ["art_1", "x", "s", "body", "h1", "r"],
        )
        assert wh.existing_hashes(["nope", "art_1"]) == {"art_1": "h1"}


def test_run_counters_are_the_declared_integer_counts_and_start_at_zero(wh_path):
    assert run_counters() == (
        "articles_seen",
        "articles_loaded",
        "articles_skipped",
        "articles_quarantined",
        "rows_quarantined",
        "batches",
        "articles_out_of_range",
        "articles_duplicate",
    )
    with open_warehouse(wh_path) as wh:
        wh.begin_run("r1", sources=["s"], params={"a": 1}, model_version="m", code_version="c")
        row = wh.run_row("r1")
        assert row is not None and row["status"] == "running" and row["params"] == '{"a": 1}'
        assert {c: row[c] for c in run_counters()} == dict.fromkeys(run_counters(), 0)
        wh.update_run("r1", articles_duplicate=2, validation={"t": 1})
        row = wh.run_row("r1")
        assert row is not None and row["articles_duplicate"] == 2 and row["validation"] == '{"t": 1}'


def test_a_stored_nationality_becomes_mentions_without_an_entity(wh_path):
    """Migration 8: a warehouse written when nationalities, events and laws were entities
    keeps their mentions, without an entity; the other entities stay."""
    from warehouse.migrations import _m008_names_that_are_no_entities

    con = connect(wh_path)
    if not is_lake(con):  # as before migration 8 (no lake is older than it; DuckLake cannot set it on rows)
        con.execute("ALTER TABLE entity_mentions ALTER COLUMN entity_id SET NOT NULL")
    con.execute(
        "INSERT INTO entities (entity_id, name, label, mention_count, article_count) "
        "VALUES ('e1', 'Dutch', 'NORP', 1, 1), ('e2', 'Amazon', 'ORG', 1, 1)"
    )
    con.execute(
        "INSERT INTO entity_mentions (mention_id, article_id, entity_id, text, label, field, start_char, "
        "end_char, sentence_index) VALUES ('m1', 'a', 'e1', 'Dutch', 'NORP', 'body', 0, 5, 0), "
        "('m2', 'a', 'e2', 'Amazon', 'ORG', 'body', 6, 12, 0)"
    )
    _m008_names_that_are_no_entities(con)
    assert con.execute("select entity_id, label from entities").fetchall() == [("e2", "ORG")]
    assert con.execute("select mention_id, entity_id, label from entity_mentions order by 1").fetchall() == [
        ("m1", None, "NORP"),
        ("m2", "e2", "ORG"),
    ]

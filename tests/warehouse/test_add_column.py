"""Adding a column to `actions` is one declaration in the registry plus its producer: with a
temporary column declared (the registry's actions table, patched in place) and a record
field that produces it, the batch frames, the warehouse table (DDL and comment), the loaded
rows and the suites' column check all have it, and nothing else is edited."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from expectations.builtin import validate_builtin
from expectations.catalog import suite_columns
from tests.conftest import SAMPLE, query
from tests.warehouse.backends import rows
from transforms import actions as actions_module
from transforms.actions import ActionRecord
from transforms.registry.columns import Column
from transforms.registry.extracted import ACTIONS
from transforms.registry.frames import ACTION_FRAME

NEW = Column("verb_length", "INTEGER", "Characters in the verb as written.", "NOT NULL")
SUITE = {
    "expectations": [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "verb_length", "min_value": 1}}
    ]
}


@dataclasses.dataclass(frozen=True)
class MeasuredAction(ActionRecord):
    verb_length: int = 0  # the producer: a record field named like the column


def _declare(monkeypatch, column: Column = NEW) -> None:
    """The temporary registry (one more actions column) and its producer."""
    monkeypatch.setitem(vars(ACTIONS), "columns", (*ACTIONS.columns, column))
    analyse = actions_module.analyse

    def measured(doc, clusters, published_at=None):
        found, quotes = analyse(doc, clusters, published_at)
        fields = [f.name for f in dataclasses.fields(ActionRecord)]
        out = [
            MeasuredAction(**{f: getattr(a, f) for f in fields}, verb_length=len(a.verb_text)) for a in found
        ]
        return out, quotes

    monkeypatch.setattr(actions_module, "analyse", measured)


@pytest.fixture
def verb_length(monkeypatch):
    _declare(monkeypatch)


def test_the_suites_column_check_knows_only_declared_columns(monkeypatch):
    assert "verb_length" not in ACTION_FRAME.names
    monkeypatch.setitem(vars(ACTIONS), "columns", (*ACTIONS.columns, NEW))
    assert set(suite_columns(SUITE)) <= set(ACTION_FRAME.names)
    assert ACTION_FRAME.schema["verb_length"] == pl.Int32


def test_a_new_actions_column_reaches_the_frames(verb_length, nlp):
    from transforms.clean import clean_article
    from transforms.extract import Article, build_frames, content_hash

    c = clean_article("Acme buys Beta", "Acme Corp said it would buy Beta Inc. The company did not say why.")
    frames = build_frames(
        [(Article("art_1", "x1", "t", "mem", None, None, content_hash("x"), "{}", c), nlp(c.text))]
    )
    actions = frames.actions
    assert actions.height > 0 and actions.schema["verb_length"] == pl.Int32
    assert actions["verb_length"].to_list() == actions["verb_text"].str.len_chars().to_list()


def test_a_new_actions_column_reaches_the_warehouse_through_the_flow(verb_length, prefect_harness, tmp_path):
    from flows.nightly import run_nightly

    wh = tmp_path / "news.duckdb"
    result = run_nightly(sources=[str(SAMPLE)], warehouse=str(wh), n_process=1)
    assert result["status"] == "succeeded"
    declared = query(
        wh,
        """select data_type, is_nullable, comment from duckdb_columns()
           where table_name = 'actions' and column_name = 'verb_length'""",
    )
    assert declared == [("INTEGER", False, NEW.description)]
    rows = query(wh, "select verb_text, verb_length from actions")
    assert rows and all(n == len(v) for v, n in rows)
    # the suites' checks read it like any declared column
    loaded = pl.DataFrame(rows, schema=["verb_text", "verb_length"], orient="row")
    assert not validate_builtin("actions", loaded, SUITE).failed
    assert validate_builtin("actions", loaded.with_columns(verb_length=pl.lit(0)), SUITE).failed


def _sample_warehouse(wh: str) -> str:
    from flows.nightly import run_nightly

    assert run_nightly(sources=[str(SAMPLE)], warehouse=wh, n_process=1)["status"] == "succeeded"
    return wh


def test_an_existing_warehouse_gets_a_new_nullable_column_with_no_migration(
    prefect_harness, tmp_path, monkeypatch, wh_path
):
    import json

    from flows.nightly import run_nightly

    query = rows  # a DuckDB file or a lake (the wh_path fixture's backend)
    wh = _sample_warehouse(wh_path)  # written before the column was declared
    before = query(wh, "select count(*) from actions")[0][0]
    _declare(monkeypatch, dataclasses.replace(NEW, constraint=""))
    more = tmp_path / "more.jsonl"
    more.write_text(
        json.dumps({"id": "n1", "title": "Zeta buys Eta", "text": "Zeta Corp said it would buy Eta Inc."})
    )
    assert run_nightly(sources=[str(more)], warehouse=str(wh), n_process=1)["status"] == "succeeded"
    declared = query(
        wh,
        """select data_type, is_nullable, comment from duckdb_columns()
           where table_name = 'actions' and column_name = 'verb_length'""",
    )
    assert declared == [("INTEGER", True, NEW.description)]
    stored = query(wh, "select verb_length is null, count(*) from actions group by 1 order by 1")
    assert stored[0] == (False, query(wh, "select count(*) from actions")[0][0] - before)
    assert stored[1] == (True, before)  # rows loaded before it was declared: NULL, not made up


def test_a_new_not_null_column_on_an_existing_warehouse_asks_for_a_migration(
    prefect_harness, tmp_path, monkeypatch, wh_path
):
    from warehouse.db import connect
    from warehouse.migrations import ColumnNeedsMigration

    query = rows
    wh = _sample_warehouse(wh_path)
    _declare(monkeypatch)  # NOT NULL: the stored rows would have no value
    with pytest.raises(ColumnNeedsMigration, match=r"actions\.verb_length .* add a migration"):
        connect(wh).close()  # a writer's connection migrates
    assert not query(wh, "select 1 from duckdb_columns() where column_name = 'verb_length'")

"""The column registry (transforms/registry) is the one declaration: the suites read only
declared columns, every typed record's field is a column or feeds one, rows and frames have
exactly the declared columns with the declared dtypes."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import polars as pl
import pytest

from expectations.catalog import load_suite, suite_columns, suite_names
from expectations.quarantine import quarantine_row
from transforms.actions import ActionRecord, Argument
from transforms.clean import clean_article
from transforms.extract import (
    ACTION_ROWS,
    ARTICLE_ROWS,
    QUOTE_ROWS,
    Article,
    action_row,
    article_row,
    quote_row,
)
from transforms.quotes import QuoteRecord
from transforms.registry.columns import sql_dtype
from transforms.registry.frames import (
    ACTION_FRAME,
    ARTICLE_FRAME,
    BATCH_FRAMES,
    QUARANTINE_FRAME,
    QUOTE_FRAME,
)
from transforms.registry.tables import TABLES, TABLES_BY_NAME
from transforms.timex import EventTime
from warehouse.views import VIEWS

RECORDS = [(ACTION_ROWS, ActionRecord), (QUOTE_ROWS, QuoteRecord), (ARTICLE_ROWS, Article)]


def declared(table: str) -> set[str]:
    """The columns a table's suite may read: its batch frame's, else the table's."""
    if table in BATCH_FRAMES:
        return set(BATCH_FRAMES[table].names)
    return {c.name for c in TABLES_BY_NAME[table].columns}


@pytest.mark.parametrize("table", suite_names())
def test_every_suite_column_is_declared(table):
    stored = [c for c in suite_columns(load_suite(table)) if not c.startswith("_")]  # _: helper columns
    assert stored and set(stored) <= declared(table), set(stored) - declared(table)


@pytest.mark.parametrize(("mapping", "record"), RECORDS, ids=lambda x: getattr(x, "__name__", ""))
def test_every_record_field_is_a_column_or_feeds_one(mapping, record):
    fields = {f.name for f in dataclasses.fields(record)}
    names = set(mapping.frame.names)
    assert fields - mapping.unstored <= names, f"{record.__name__} fields without a column"
    assert mapping.unstored <= fields, "unstored names that are not fields"
    assert not mapping.unstored & names, "a field both stored and declared unstored"


@pytest.mark.parametrize(("mapping", "record"), RECORDS, ids=lambda x: getattr(x, "__name__", ""))
def test_a_field_that_may_be_none_has_a_nullable_column(mapping, record):
    table = mapping.frame.table
    for f in dataclasses.fields(record):
        if f.name not in mapping.unstored and "None" in str(f.type):
            assert table.column(f.name).nullable, f"{record.__name__}.{f.name} may be None"


def test_every_declared_type_has_a_polars_dtype():
    for t in (*TABLES, *VIEWS):
        for c in t.columns:
            assert c.dtype == sql_dtype(c.type)
            assert c.nullable == ("NOT NULL" not in c.constraint and "PRIMARY KEY" not in c.constraint)
    args = TABLES_BY_NAME["actions"].column("arguments").dtype
    assert args == pl.List(pl.Struct({"prep": pl.String, "text": pl.String, "entity_id": pl.String}))
    with pytest.raises(ValueError, match="no polars dtype"):
        sql_dtype("HUGEINT")


def _frame(rows, frame):
    out = pl.DataFrame(rows, schema=frame.schema)
    assert out.columns == list(frame.names) and out.height == len(rows)
    return out


def test_rows_are_the_frames_columns():
    c = clean_article("Acme buys Beta", "Acme Corp said it would buy Beta Inc. for $5.")
    art = Article("art_1", "x1", "src", "path", None, datetime(2020, 1, 2), "h", "{}", c, warnings=("w",))
    a = ActionRecord(
        sentence_index=1,
        actor_text="Acme Corp",
        actor_entity_id="ent_1",
        actor_resolution="direct",
        verb="buy",
        verb_text="buy",
        target_text="Beta Inc.",
        target_entity_id="ent_2",
        arguments=(Argument("for", "$5", None),),
        negated=False,
        evidence="Acme Corp said it would buy Beta Inc. for $5.",
        start_char=c.body_offset + 28,
        end_char=c.body_offset + 31,
        sentence_start_char=c.body_offset,
        event_time=EventTime(date(2020, 1, 1), "day", "2020-01-01", "today"),
    )
    q = QuoteRecord(
        "Acme Corp", "ent_1", "say", "it would buy Beta Inc.", False, c.body_offset + 15, c.body_offset + 37
    )
    actions = _frame([action_row("art_1", a, c.body_offset, 1)], ACTION_FRAME)
    assert actions.row(0, named=True) | {"action_id": None} == {
        **{f: getattr(a, f) for f in ACTION_FRAME.names if hasattr(a, f)},
        "action_id": None,
        "article_id": "art_1",
        "arguments": [{"prep": "for", "text": "$5", "entity_id": None}],
        "field": "body",
        "start_char": 28,
        "end_char": 31,
        "event_date": date(2020, 1, 1),
        "event_period": "2020-01-01",
        "event_date_text": "today",
    }
    quotes = _frame([quote_row("art_1", q, c.body_offset)], QUOTE_FRAME)
    assert quotes.select("field", "start_char", "end_char", "speaker_text").row(0) == (
        "body",
        15,
        37,
        "Acme Corp",
    )
    articles = _frame([article_row(art, ["extra"])], ARTICLE_FRAME)
    row = articles.row(0, named=True)
    assert (row["title"], row["body"], row["warnings"]) == (c.title, c.body, ["w", *c.warnings, "extra"])
    assert row["published_at"] == datetime(2020, 1, 2) and row["cleaning_removed"] == c.removed_json


def test_quarantine_rows_are_the_declared_columns():
    row = quarantine_row("r", source_path="p", external_id="x", stage="read", reason="why", raw="{}")
    assert list(row) == list(QUARANTINE_FRAME.names)
    assert pl.DataFrame([row], schema=QUARANTINE_FRAME.schema).schema["created_at"] == pl.Datetime("us")


def test_batch_frames_leave_out_what_loading_sets():
    assert "run_id" not in ARTICLE_FRAME.names and "loaded_at" not in ARTICLE_FRAME.names
    assert {"mention_count", "first_seen"}.isdisjoint(BATCH_FRAMES["entities"].names)
    assert "article_id" in BATCH_FRAMES["entities"].names  # one row per observation
    assert ARTICLE_FRAME.names.index("cleaning_removed") == ARTICLE_FRAME.names.index("warnings") + 1

from dataclasses import replace

import polars as pl
import pytest

from expectations.catalog import load_suite, suite_path
from expectations.gx import validate_table
from expectations.helpers import prepare_runs
from expectations.runner import validate_frames
from transforms.clean import clean_article
from transforms.extract import Article, build_frames, content_hash
from transforms.registry.tables import TABLES


@pytest.mark.parametrize("table", [t.name for t in TABLES])
def test_every_table_has_a_suite(table):
    assert suite_path(table).exists(), f"table {table} has no expectation suite"
    suite = load_suite(table)
    assert suite["table"] == table and suite["expectations"] and suite["description"]


@pytest.fixture(scope="module")
def frames(nlp):
    c = clean_article(
        "Acme buys Beta",
        "Acme Corp said it would buy Beta Inc for $5bn (£2.7bn). The company did not say why.",
    )
    art = Article("art_1", "x1", "test", "mem", None, None, content_hash("x"), "{}", c)
    return build_frames([(art, nlp(c.text))])


@pytest.mark.slow  # Great Expectations (4-8 s to import)
def test_good_batch_passes(frames):
    checked = validate_frames(frames, "run-1")
    assert checked.ok and not checked.quarantine
    assert checked.actions.height == frames.actions.height > 0
    assert checked.summary["actions"]["expectations"] > 5


@pytest.mark.slow  # Great Expectations (4-8 s to import)
def test_bad_rows_are_quarantined_the_rest_loads(frames):
    actions = (
        frames.actions.with_row_index("i")
        .with_columns(
            # first action: verb missing from its evidence; second: offsets past the body
            pl.when(pl.col("i") == 0).then(pl.lit("zzz")).otherwise(pl.col("verb_text")).alias("verb_text"),
            pl.when(pl.col("i") == 1).then(pl.lit(10_000)).otherwise(pl.col("end_char")).alias("end_char"),
        )
        .drop("i")
    )
    mentions = frames.entity_mentions.with_columns(pl.lit("ghost-entity").alias("entity_id"))
    bad = replace(frames, entity_mentions=mentions, actions=actions)
    checked = validate_frames(bad, "run-1")
    assert checked.ok  # row failures do not fail the batch
    assert checked.actions.height == frames.actions.height - 2
    assert checked.entity_mentions.height == 0
    reasons = [q["reason"] for q in checked.quarantine]
    assert any("evidence sentence contains the verb" in r for r in reasons)
    assert any("offsets inside the title or body" in r for r in reasons)
    assert any("or an entity of the batch" in r for r in reasons)
    assert all(q["stage"].startswith("validate:") and q["external_id"] == "x1" for q in checked.quarantine)


@pytest.mark.slow  # Great Expectations (4-8 s to import)
def test_bad_article_takes_its_rows_with_it(frames):
    arts = frames.articles.with_columns(pl.lit("not-a-hash").alias("content_hash"))
    checked = validate_frames(replace(frames, articles=arts), "r")
    assert checked.articles.height == 0 and checked.actions.height == 0
    assert checked.action_amounts.height == 0
    assert checked.rejected_article_ids == {"art_1"}
    assert [q["stage"] for q in checked.quarantine] == ["validate:articles"]


@pytest.mark.slow  # Great Expectations (4-8 s to import)
def test_reconciliation_is_an_expectation_of_pipeline_runs():
    from datetime import datetime

    now = datetime(2026, 12, 3)
    runs = pl.DataFrame(
        {
            "run_id": ["a"],
            "started_at": [now],
            "finished_at": [now],
            "status": ["nonsense"],
            "articles_seen": [3],
            "articles_loaded": [1],
            "articles_skipped": [1],
            "articles_quarantined": [0],
            "rows_quarantined": [0],
            "batches": [1],
        }
    )
    res = validate_table("pipeline_runs", prepare_runs(runs))
    assert any("_counts_reconcile" in f for f in res.failed) and res.row_reasons
    assert any("status" in f for f in res.failed)


@pytest.mark.slow  # Great Expectations (4-8 s to import)
def test_every_action_type_passes_the_suite(frames):
    from transforms.action_types import taxonomy

    types = sorted(taxonomy())
    actions = pl.concat([frames.actions.head(1)] * len(types)).with_columns(
        pl.Series("action_type", types),
        pl.Series("action_id", [f"act_{i}" for i in range(len(types))]),
    )
    checked = validate_frames(replace(frames, actions=actions), "r")
    assert checked.actions.height == len(types), [q["reason"] for q in checked.quarantine]
    bad = actions.with_columns(pl.lit("NOT_A_TYPE").alias("action_type"))
    checked = validate_frames(replace(frames, actions=bad), "r")
    assert checked.actions.height == 0


@pytest.mark.slow  # Great Expectations (4-8 s to import)
def test_an_amount_goes_with_its_quarantined_action(frames):
    """An amount whose action failed its suite is quarantined too (never a dangling
    action_id); an amount no action's verb governs (action_id NULL) loads."""
    assert frames.action_amounts.height >= 2
    first = frames.action_amounts["action_id"][0]
    assert first is not None
    actions = frames.actions.with_columns(
        pl.when(pl.col("action_id") == first)
        .then(pl.lit("zzz"))
        .otherwise(pl.col("verb_text"))
        .alias("verb_text")
    )
    amounts = (
        frames.action_amounts.with_row_index("i")
        .with_columns(pl.when(pl.col("i") == 1).then(None).otherwise(pl.col("action_id")).alias("action_id"))
        .drop("i")
    )
    checked = validate_frames(replace(frames, actions=actions, action_amounts=amounts), "r")
    kept = checked.action_amounts
    assert first not in kept["action_id"].to_list()
    assert kept["action_id"].null_count() >= 1
    assert any(
        q["stage"] == "validate:action_amounts" and "action_id" in q["reason"] for q in checked.quarantine
    )

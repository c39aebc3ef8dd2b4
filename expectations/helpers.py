"""Helper columns (`_name`): cross-row checks (offsets inside the article's text, foreign
keys, evidence containing the verb, counts that reconcile) computed in polars before
validation, so ordinary expectations in the suites can assert them."""

from __future__ import annotations

import json
from typing import Any

import polars as pl


def _with_field_length(frame: pl.DataFrame, articles: pl.DataFrame) -> pl.DataFrame:
    """Add `_article_known` and `_field_length` (length of the title or body the row's
    offsets refer to). Only lengths are joined: joining the texts themselves would copy a
    long body once per row."""
    lengths = articles.select(
        "article_id",
        pl.col("title").str.len_chars().fill_null(0).alias("_title_length"),
        pl.col("body").str.len_chars().fill_null(0).alias("_body_length"),
        pl.lit(True).alias("_article_known"),
    )
    out = frame.join(lengths, on="article_id", how="left", maintain_order="left")
    return out.with_columns(
        pl.col("_article_known").fill_null(False),
        pl.when(pl.col("field") == "title")
        .then(pl.col("_title_length"))
        .otherwise(pl.col("_body_length"))
        .fill_null(0)
        .alias("_field_length"),
    ).drop("_title_length", "_body_length")


def _text_at_offsets(frame: pl.DataFrame, articles: pl.DataFrame) -> pl.Series:
    """Whether each row's `text` is what its article's title/body holds at its offsets."""
    texts = {
        r["article_id"]: (r["title"] or "", r["body"] or "")
        for r in articles.select("article_id", "title", "body").iter_rows(named=True)
    }
    out = []
    for aid, fld, start, end, text in frame.select(
        "article_id", "field", "start_char", "end_char", "text"
    ).iter_rows():
        pair = texts.get(aid)
        out.append(
            pair is not None
            and start is not None
            and end is not None
            and (pair[0] if fld == "title" else pair[1])[start:end] == text
        )
    return pl.Series("_text_matches", out, dtype=pl.Boolean)


def prepare_articles(articles: pl.DataFrame) -> pl.DataFrame:
    return articles


def prepare_entities(entities: pl.DataFrame, articles: pl.DataFrame) -> pl.DataFrame:
    known = articles.select("article_id", pl.lit(True).alias("_article_known"))
    return entities.join(known, on="article_id", how="left", maintain_order="left").with_columns(
        pl.col("_article_known").fill_null(False)
    )


def prepare_mentions(mentions: pl.DataFrame, articles: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    out = _optional_entity_known(
        _with_field_length(mentions, articles), entities, "entity_id", "_entity_known"
    )
    return out.with_columns(_text_at_offsets(mentions, articles))


def _optional_entity_known(
    frame: pl.DataFrame, entities: pl.DataFrame, column: str, flag: str
) -> pl.DataFrame:
    """`flag` is true when `column` is NULL or an entity of the same article in the batch."""
    ents = entities.select(pl.col("entity_id").alias(column), "article_id").unique()
    out = frame.join(
        ents.with_columns(pl.lit(True).alias(flag)),
        on=[column, "article_id"],
        how="left",
        maintain_order="left",
    )
    return out.with_columns((pl.col(flag).fill_null(False) | pl.col(column).is_null()).alias(flag))


def prepare_actions(actions: pl.DataFrame, articles: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    out = _optional_entity_known(
        _with_field_length(actions, articles), entities, "actor_entity_id", "_actor_entity_known"
    )
    return out.with_columns(
        pl.col("evidence")
        .str.contains(pl.col("verb_text"), literal=True)
        .fill_null(False)
        .alias("_evidence_has_verb"),
        _other_share_column(actions),
    )


# The OTHER-share bound applies to batches with at least this many entity actions.
OTHER_SHARE_MIN_ACTIONS = 30


def _other_share_column(actions: pl.DataFrame) -> pl.Expr:
    """1.0 for an entity action typed OTHER, 0.0 for a typed one, null for non-entity actions;
    all 0.0 in batches too small for the bound to mean anything (see actions suite)."""
    n_entity = actions.filter(pl.col("actor_entity_id").is_not_null()).height
    if n_entity < OTHER_SHARE_MIN_ACTIONS:
        return pl.lit(0.0).alias("_entity_other")
    return (
        pl.when(pl.col("actor_entity_id").is_null())
        .then(None)
        .otherwise((pl.col("action_type") == "OTHER").cast(pl.Float64))
        .alias("_entity_other")
    )


def prepare_quotes(quotes: pl.DataFrame, articles: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    return _optional_entity_known(
        _with_field_length(quotes, articles), entities, "speaker_entity_id", "_speaker_entity_known"
    )


def prepare_amounts(amounts: pl.DataFrame, articles: pl.DataFrame, actions: pl.DataFrame) -> pl.DataFrame:
    """action_amounts rows with `_field_length`, `_article_known`, `_text_at_offsets` and
    `_action_known` (action_id NULL, or an action of the same article that passed)."""
    out = _with_field_length(amounts, articles).with_columns(
        _text_at_offsets(amounts, articles).alias("_text_at_offsets")
    )
    known = (
        actions.select("action_id", "article_id").unique().with_columns(pl.lit(True).alias("_action_known"))
    )
    out = out.join(known, on=["action_id", "article_id"], how="left", maintain_order="left")
    return out.with_columns(pl.col("_action_known").fill_null(False) | pl.col("action_id").is_null())


def prepare_main_events(events: pl.DataFrame, articles: pl.DataFrame, actions: pl.DataFrame) -> pl.DataFrame:
    """main_events rows with `_article_known` and `_action_known` (an action of the same
    article that passed its suite)."""
    known_articles = articles.select("article_id", pl.lit(True).alias("_article_known"))
    known = (
        actions.select("action_id", "article_id").unique().with_columns(pl.lit(True).alias("_action_known"))
    )
    out = events.join(known_articles, on="article_id", how="left", maintain_order="left")
    out = out.join(known, on=["action_id", "article_id"], how="left", maintain_order="left")
    return out.with_columns(
        pl.col("_article_known").fill_null(False), pl.col("_action_known").fill_null(False)
    )


def _sources_reconcile(source_counts: object) -> bool:
    """Each source's counts (pipeline_runs.source_counts, JSON) reconcile; none: true."""
    if source_counts is None:
        return True
    counts: Any = json.loads(source_counts) if isinstance(source_counts, str) else source_counts
    try:
        return all(
            n["seen"] == n["loaded"] + n["skipped"] + n["quarantined"] and n["duplicates"] <= n["loaded"]
            for n in counts.values()
        )
    except (AttributeError, KeyError, TypeError):  # not {source: {seen, loaded, ...}}
        return False


def prepare_runs(runs: pl.DataFrame) -> pl.DataFrame:
    """pipeline_runs rows with `_counts_reconcile` (seen = loaded + skipped + quarantined),
    `_sources_reconcile` (the same for each source in source_counts; true without them) and
    `_duplicates_within_loaded` (copies are loaded articles)."""
    out = runs.with_columns(
        (
            pl.col("articles_seen")
            == pl.col("articles_loaded") + pl.col("articles_skipped") + pl.col("articles_quarantined")
        )
        .fill_null(False)
        .alias("_counts_reconcile")
    )
    copies = pl.col("articles_duplicate") if "articles_duplicate" in runs.columns else pl.lit(0)
    per_source = runs["source_counts"] if "source_counts" in runs.columns else [None] * runs.height
    return out.with_columns(
        (copies.fill_null(0) <= pl.col("articles_loaded"))
        .fill_null(False)
        .alias("_duplicates_within_loaded"),
        pl.Series("_sources_reconcile", [_sources_reconcile(v) for v in per_source], dtype=pl.Boolean),
    )


PREPARE_RUN_TABLE = {"pipeline_runs": prepare_runs}

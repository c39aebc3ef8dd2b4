"""Run the Great Expectations suites (one per table, kept as JSON data in `suites/`) on a
batch's frames before loading, and route failing rows to quarantine.

Cross-row checks (offsets inside the article's text, foreign keys, evidence containing
the verb) are computed as helper columns (`_name`) in polars first, then asserted by
ordinary expectations, so every rule lives in a suite file.

A failed expectation that names rows rejects those rows (the rest of the batch loads);
one that names no rows (a table-level expectation) fails the whole batch.

The run tables (`RUN_TABLES`: pipeline_runs, quarantine, fetch_state, companies) are not
extraction rows: they are validated once per run, at its end (`validate_run_tables`), and
a failing expectation fails the run, naming the table, the expectation and the rows;
nothing is dropped. They are few rows, so when Great Expectations is not loaded yet (a run
that had no batch to validate) they are checked by a small built-in evaluator of the same
expectation types instead of importing it (4-8 s); docs/validation.md.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl

SUITES_DIR = Path(__file__).parent / "suites"
BATCH_TABLES = ("articles", "entities", "entity_mentions", "actions", "quotes")  # validated per batch
RUN_TABLES = ("pipeline_runs", "quarantine", "fetch_state", "companies")  # validated once per run
# the column that names a row of each run table in a failure message
RUN_TABLE_KEYS = {
    "pipeline_runs": "run_id",
    "quarantine": "quarantine_id",
    "fetch_state": "url",
    "companies": "ticker",
}
log = logging.getLogger(__name__)


def suite_path(table: str) -> Path:
    return SUITES_DIR / f"{table}.json"


def suite_names() -> list[str]:
    """Every suite that exists (the tables of `suites/*.json`): a run validates them all."""
    return sorted(p.stem for p in SUITES_DIR.glob("*.json"))


@cache
def load_suite(table: str) -> dict:
    """The suite for `table` as data (raises FileNotFoundError if the table has none)."""
    return json.loads(suite_path(table).read_text(encoding="utf-8"))


def suite_parameters() -> dict:
    """Values suites refer to as {"$PARAMETER": name}: kept where they are defined."""
    from transforms.action_types import taxonomy

    return {"action_types": sorted(taxonomy())}


def suite_columns(suite: dict) -> list[str]:
    cols: list[str] = []
    for e in suite["expectations"]:
        kw = e["kwargs"]
        for k in ("column", "column_A", "column_B"):
            if k in kw:
                cols.append(kw[k])
        cols.extend(kw.get("column_list", []))
    return list(dict.fromkeys(cols))


_GX_LOCK = threading.RLock()  # GX objects are built once, by whichever thread asks first


def preload() -> None:
    """Import Great Expectations and build its context and every suite now (4-8 s), e.g. in
    a background thread while the run starts, so the first batch does not wait for it."""
    for table in (*BATCH_TABLES, *RUN_TABLES):
        _suite(table)
        _batch_definition(table)


_PRELOADING: list[threading.Thread] = []
_PRELOAD_LOCK = threading.Lock()


def preload_in_background() -> None:
    """`preload` in a daemon thread, once per process (later calls do nothing)."""
    with _PRELOAD_LOCK:  # not _GX_LOCK: the preload holds that while it builds
        if _PRELOADING:
            return
        t = threading.Thread(target=_preload_quietly, name="newsetl-gx-preload", daemon=True)
        _PRELOADING.append(t)
    t.start()


def _preload_quietly() -> None:
    try:
        preload()
    except Exception:  # noqa: BLE001  (validation itself will raise it, with its context)
        log.debug("Great Expectations preload failed", exc_info=True)


def _locked(fn):
    """Cache `fn` and build each value once, even when a preload thread and the run ask
    together."""
    cached = cache(fn)

    def get(*args):
        with _GX_LOCK:
            return cached(*args)

    return get


@_locked
def _gx():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = ctx.data_sources.add_pandas("newsetl")
    return gx, ctx, source


@_locked
def _batch_definition(table: str):
    _, _, source = _gx()
    return source.add_dataframe_asset(table).add_batch_definition_whole_dataframe(f"{table}_batch")


@_locked
def _suite(table: str):
    gx, _, _ = _gx()
    s = load_suite(table)
    return gx.ExpectationSuite(
        name=s["name"],
        expectations=[
            {"type": e["type"], "kwargs": e["kwargs"], "meta": e.get("meta", {})} for e in s["expectations"]
        ],
    )


def _describe(cfg_type: str, kwargs: dict, meta: dict) -> str:
    cols = (
        kwargs.get("column") or kwargs.get("column_list") or [kwargs.get("column_A"), kwargs.get("column_B")]
    )
    args = ", ".join(cols) if isinstance(cols, list) else cols
    note = meta.get("notes") if meta else None
    return f"{cfg_type}({args})" + (f": {note}" if note else "")


@dataclass
class TableResult:
    table: str
    rows: int
    evaluated: int = 0
    failed: list[str] = field(default_factory=list)
    row_reasons: dict[int, list[str]] = field(default_factory=dict)
    batch_failures: list[str] = field(default_factory=list)
    ge_result: object | None = None  # the GX validation result, for Data Docs

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "expectations": self.evaluated,
            "failed": self.failed,
            "rows_rejected": len(self.row_reasons),
            "batch_failures": self.batch_failures,
        }


def _can_validate(result: TableResult, frame: pl.DataFrame, suite: dict) -> bool:
    """Is there anything to validate? No rows: nothing to do; a column the suite reads
    missing: the whole batch fails (recorded in `result`)."""
    if frame.height == 0:
        return False
    missing = [c for c in suite_columns(suite) if c not in frame.columns]
    if missing:
        result.batch_failures.append(f"columns missing for suite {result.table}: {missing}")
        result.failed.append("schema")
        return False
    return True


def validate_table(table: str, frame: pl.DataFrame) -> TableResult:
    """Validate one frame (with its helper columns) against the table's suite."""
    suite = load_suite(table)
    result = TableResult(table, frame.height, evaluated=len(suite["expectations"]))
    if not _can_validate(result, frame, suite):
        return result
    pdf = frame.select(suite_columns(suite)).to_pandas()
    batch = _batch_definition(table).get_batch(batch_parameters={"dataframe": pdf})
    res = batch.validate(
        _suite(table), result_format={"result_format": "COMPLETE"}, expectation_parameters=suite_parameters()
    )
    result.ge_result = res
    for r in res.results:
        if r.success:
            continue
        cfg = r.expectation_config
        reason = _describe(cfg.type, dict(cfg.kwargs), dict(cfg.meta or {}))
        result.failed.append(reason)
        exc = (r.exception_info or {}).get("exception_message") if r.exception_info else None
        idx = (r.result or {}).get("unexpected_index_list")
        if idx:
            for i in idx:
                result.row_reasons.setdefault(int(i), []).append(reason)
        else:
            result.batch_failures.append(reason + (f" ({exc})" if exc else ""))
    return result


# ---- helper columns ---------------------------------------------------------------


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
    out = _with_field_length(mentions, articles)
    ents = (
        entities.select("entity_id", "article_id").unique().with_columns(pl.lit(True).alias("_entity_known"))
    )
    out = out.join(ents, on=["entity_id", "article_id"], how="left", maintain_order="left")
    return out.with_columns(pl.col("_entity_known").fill_null(False), _text_at_offsets(mentions, articles))


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


def _sources_reconcile(source_counts: object) -> bool:
    """Each source's counts (pipeline_runs.source_counts, JSON) reconcile; none: true."""
    if source_counts is None:
        return True
    counts = json.loads(source_counts) if isinstance(source_counts, str) else source_counts
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


_PREPARE_RUN_TABLE = {"pipeline_runs": prepare_runs}


# ---- the run tables -----------------------------------------------------------------
# Validated once per run, at its end; a failure fails the run and drops nothing.


def _is_null(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


# kwargs the built-in evaluator understands, by expectation type
_BUILTIN_KWARGS = {
    "expect_column_values_to_not_be_null": {"column", "mostly"},
    "expect_column_values_to_be_unique": {"column", "mostly"},
    "expect_column_values_to_be_in_set": {"column", "value_set", "mostly"},
    "expect_column_values_to_be_between": {
        "column",
        "min_value",
        "max_value",
        "strict_min",
        "strict_max",
        "mostly",
    },
    "expect_column_values_to_match_regex": {"column", "regex", "mostly"},
    "expect_column_value_lengths_to_be_between": {"column", "min_value", "max_value", "mostly"},
}


def _builtin_supports(suite: dict) -> bool:
    return all(
        e["type"] in _BUILTIN_KWARGS
        and set(e["kwargs"]) <= _BUILTIN_KWARGS[e["type"]]
        and not any(isinstance(v, dict) for v in e["kwargs"].values())  # {"$PARAMETER": ...}
        for e in suite["expectations"]
    )


def _unexpected(etype: str, kw: dict, values: list) -> list[int]:
    """Indices of the unexpected values, as Great Expectations' column map expectations
    count them: NULLs are unexpected only to `not_be_null`, and ignored by the others."""
    if etype == "expect_column_values_to_not_be_null":
        return [i for i, v in enumerate(values) if _is_null(v)]
    present = [(i, v) for i, v in enumerate(values) if not _is_null(v)]
    if etype == "expect_column_values_to_be_unique":
        seen: dict[object, int] = {}
        for _, v in present:
            seen[v] = seen.get(v, 0) + 1
        return [i for i, v in present if seen[v] > 1]
    if etype == "expect_column_values_to_be_in_set":
        allowed = kw["value_set"]
        return [i for i, v in present if v not in allowed]
    if etype == "expect_column_values_to_match_regex":
        rx = re.compile(kw["regex"])
        return [i for i, v in present if not rx.search(str(v))]
    if etype in ("expect_column_values_to_be_between", "expect_column_value_lengths_to_be_between"):
        lo, hi = kw.get("min_value"), kw.get("max_value")
        strict_lo, strict_hi = kw.get("strict_min", False), kw.get("strict_max", False)

        def inside(x) -> bool:
            if lo is not None and (x <= lo if strict_lo else x < lo):
                return False
            return hi is None or not (x >= hi if strict_hi else x > hi)

        lengths = etype == "expect_column_value_lengths_to_be_between"
        return [i for i, v in present if not inside(len(str(v)) if lengths else v)]
    raise ValueError(f"not a built-in expectation type: {etype}")


def _validate_builtin(table: str, frame: pl.DataFrame, suite: dict) -> TableResult:
    """`validate_table` without Great Expectations, for suites of the types in
    `_BUILTIN_KWARGS` (same results; tests/expectations compares the two)."""
    result = TableResult(table, frame.height, evaluated=len(suite["expectations"]))
    if not _can_validate(result, frame, suite):
        return result
    for e in suite["expectations"]:
        etype, kw = e["type"], e["kwargs"]
        reason = _describe(etype, kw, e.get("meta", {}))
        values = frame[kw["column"]].to_list()
        try:
            bad = _unexpected(etype, kw, values)
        except (TypeError, re.error) as exc:  # values that cannot be compared, a bad regex
            result.failed.append(reason)
            result.batch_failures.append(f"{reason} ({type(exc).__name__}: {exc})")
            continue
        counted = (
            len(values)
            if etype == "expect_column_values_to_not_be_null"
            else sum(not _is_null(v) for v in values)
        )
        if not bad or (counted and 1 - len(bad) / counted >= kw.get("mostly", 1.0)):
            continue
        result.failed.append(reason)
        for i in bad:
            result.row_reasons.setdefault(i, []).append(reason)
    return result


@dataclass
class RunTableResult:
    """One run table's validation: the result, its summary and what failed, in words."""

    table: str
    result: TableResult
    engine: str  # "great_expectations" or "builtin"
    failures: list[str]  # one line per failed expectation, naming the table and the rows

    def summary(self) -> dict:
        s = self.result.summary()
        s["rows_rejected"] = 0  # nothing is dropped: the run fails instead
        s["rows_failing"] = len(self.result.row_reasons)
        s["engine"] = self.engine
        return s


def validate_run_table(table: str, frame: pl.DataFrame, *, use_gx: bool) -> RunTableResult:
    """Validate rows of a run table (`RUN_TABLES`): the run's own pipeline_runs row, the
    quarantine rows it added, the fetch_state rows it saves, the companies table. With
    `use_gx` false the built-in evaluator is used when the suite allows it (Great
    Expectations not imported); else Great Expectations."""
    suite = load_suite(table)
    prepared = _PREPARE_RUN_TABLE.get(table, lambda f: f)(frame)
    if not use_gx and _builtin_supports(suite):
        res, engine = _validate_builtin(table, prepared, suite), "builtin"
    else:
        res, engine = validate_table(table, prepared), "great_expectations"
    return RunTableResult(table, res, engine, _failure_lines(table, prepared, res))


def _failure_lines(table: str, frame: pl.DataFrame, res: TableResult) -> list[str]:
    key = RUN_TABLE_KEYS.get(table)
    rows_by_reason: dict[str, list[int]] = {}
    for i, reasons in sorted(res.row_reasons.items()):
        for r in reasons:
            rows_by_reason.setdefault(r, []).append(i)
    lines = []
    for reason in dict.fromkeys(res.failed):
        idx = rows_by_reason.get(reason)
        if not idx:
            continue
        if key and key in frame.columns:
            names = [repr(frame[key][i]) for i in idx[:3]]
        else:
            names = [f"row {i}" for i in idx[:3]]
        more = f" and {len(idx) - 3} more" if len(idx) > 3 else ""
        lines.append(
            f"{table}: {reason} fails for {len(idx)} row(s): {key or 'rows'} {', '.join(names)}{more}"
        )
    lines += [f"{table}: {b}" for b in res.batch_failures]
    return lines


# ---- the batch ----------------------------------------------------------------------


def quarantine_row(
    run_id: str,
    *,
    source_path: str | None,
    external_id: str | None,
    stage: str,
    reason: str,
    raw: str | None,
    max_raw: int = 20_000,
) -> dict:
    """One quarantine row (raw input truncated to `max_raw` characters, with a marker).
    Its quarantine_key names what was rejected, the same in every run: sha256 of source
    path, external id, stage and sha256 of the stored raw, joined by U+001F (warehouse/db.py
    computes the same in SQL for rows stored before the key existed)."""
    import hashlib
    from datetime import UTC, datetime
    from uuid import uuid4

    if raw is not None and len(raw) > max_raw:
        raw = raw[:max_raw] + f"... [truncated, {len(raw)} characters in all]"

    def sha(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    key = sha("\x1f".join((source_path or "", external_id or "", stage, sha(raw or ""))))
    return {
        "quarantine_id": str(uuid4()),
        "run_id": run_id,
        "source_path": source_path,
        "external_id": external_id,
        "stage": stage,
        "reason": reason,
        "raw": raw,
        "created_at": datetime.now(UTC).replace(tzinfo=None),
        "quarantine_key": key,
    }


@dataclass
class BatchValidation:
    """Frames that passed, what was rejected, and the per-table summary."""

    articles: pl.DataFrame
    entities: pl.DataFrame
    entity_mentions: pl.DataFrame
    actions: pl.DataFrame
    quotes: pl.DataFrame
    rejected_article_ids: set[str]
    quarantine: list[dict]
    summary: dict[str, dict]
    batch_failures: list[str]
    results: dict = field(default_factory=dict)  # table -> GX validation result

    @property
    def ok(self) -> bool:
        return not self.batch_failures


def _row_json(frame: pl.DataFrame, i: int) -> str:
    row = frame.row(i, named=True)
    return json.dumps(
        {k: v for k, v in row.items() if not k.startswith("_")}, default=str, ensure_ascii=False
    )


def validate_frames(frames, run_id: str, *, max_raw: int = 20_000) -> BatchValidation:
    """Validate a batch's `Frames` table by table; drop and quarantine failing rows.

    Articles go first: a rejected article takes its extracted rows with it (one
    quarantine row for the article). Then entities, mentions and actions are checked
    against the surviving articles; their failing rows are quarantined one by one.
    """
    summary: dict[str, dict] = {}
    quarantine: list[dict] = []
    batch_failures: list[str] = []
    articles = frames.articles.with_row_index("_row")
    meta = {
        r["article_id"]: (r["source_path"], r["external_id"])
        for r in articles.select("article_id", "source_path", "external_id").to_dicts()
    }

    res = validate_table("articles", prepare_articles(articles))
    summary["articles"] = res.summary()
    results = {"articles": res.ge_result}
    batch_failures += [f"articles: {b}" for b in res.batch_failures]
    rejected: set[str] = set()
    for i, reasons in res.row_reasons.items():
        aid = articles["article_id"][i]
        rejected.add(aid)
        src, ext = meta.get(aid, (None, None))
        quarantine.append(
            quarantine_row(
                run_id,
                source_path=src,
                external_id=ext,
                stage="validate:articles",
                reason="; ".join(reasons),
                raw=_row_json(articles, i),
                max_raw=max_raw,
            )
        )
    keep_articles = articles.filter(~pl.col("article_id").is_in(list(rejected))).drop("_row")

    def children(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(~pl.col("article_id").is_in(list(rejected))) if rejected else frame

    out: dict[str, pl.DataFrame] = {}
    entities = children(frames.entities)
    steps = (
        ("entities", entities, lambda f: prepare_entities(f, keep_articles)),
        (
            "entity_mentions",
            children(frames.entity_mentions),
            lambda f: prepare_mentions(f, keep_articles, entities),
        ),
        ("actions", children(frames.actions), lambda f: prepare_actions(f, keep_articles, entities)),
        ("quotes", children(frames.quotes), lambda f: prepare_quotes(f, keep_articles, entities)),
    )
    for table, frame, prep in steps:
        prepared = prep(frame)
        res = validate_table(table, prepared)
        summary[table] = res.summary()
        results[table] = res.ge_result
        batch_failures += [f"{table}: {b}" for b in res.batch_failures]
        bad = sorted(res.row_reasons)
        for i in bad:
            aid = prepared["article_id"][i]
            src, ext = meta.get(aid, (None, None))
            quarantine.append(
                quarantine_row(
                    run_id,
                    source_path=src,
                    external_id=ext,
                    stage=f"validate:{table}",
                    reason="; ".join(res.row_reasons[i]),
                    raw=_row_json(prepared, i),
                    max_raw=max_raw,
                )
            )
        if bad:
            frame = frame.with_row_index("_row").filter(~pl.col("_row").is_in(bad)).drop("_row")
        out[table] = frame
    return BatchValidation(
        articles=keep_articles,
        entities=out["entities"],
        entity_mentions=out["entity_mentions"],
        actions=out["actions"],
        quotes=out["quotes"],
        rejected_article_ids=rejected,
        quarantine=quarantine,
        summary=summary,
        batch_failures=batch_failures,
        results=results,
    )

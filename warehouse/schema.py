"""The warehouse schema, documented where it is defined.

Every table is declared once here with its grain and a meaning for every column; the
DDL and the `COMMENT ON` statements are rendered from these declarations, and a test
fails if any table or column lacks a description or an expectation suite.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    constraint: str = ""  # e.g. "PRIMARY KEY", "NOT NULL"


@dataclass(frozen=True)
class Table:
    name: str
    grain: str
    description: str
    columns: tuple[Column, ...]

    @property
    def comment(self) -> str:
        return f"{self.description} Grain: {self.grain}"


C = Column
ARG_TYPE = "STRUCT(prep VARCHAR, text VARCHAR, entity_id VARCHAR)[]"

ARTICLES = Table(
    "articles",
    "one row per input article (source + external_id), its latest content.",
    "Cleaned input articles. Every character offset elsewhere refers to this table's "
    "`title` or `body`, as named by the offset row's `field`.",
    (
        C("article_id", "VARCHAR", "Stable id: hash of source and external_id.", "PRIMARY KEY"),
        C(
            "external_id",
            "VARCHAR",
            "The input record's `id` (for .txt files: the path relative to the source folder).",
            "NOT NULL",
        ),
        C(
            "source",
            "VARCHAR",
            "Publisher or feed name: the record's `source`, else the input folder or file name.",
            "NOT NULL",
        ),
        C("source_path", "VARCHAR", "File the article was read from."),
        C("url", "VARCHAR", "Link to the original article, when known."),
        C("title", "VARCHAR", "Cleaned headline."),
        C(
            "body",
            "VARCHAR",
            "Cleaned body text: normalised Unicode and spacing, hard wraps undone, boilerplate and captions removed.",
            "NOT NULL",
        ),
        C(
            "published_at",
            "TIMESTAMP",
            "Publication time in UTC; NULL when absent or unparseable (see `warnings`).",
        ),
        C(
            "content_hash",
            "VARCHAR",
            "SHA-256 of the raw input fields; an unchanged hash means the article is skipped on re-runs.",
            "NOT NULL",
        ),
        C("metadata", "JSON", "Input fields newsetl does not model, as a JSON object."),
        C("tickers", "VARCHAR[]", "Ticker symbols the cleaner found in angle brackets (Reuters `<MLC>`)."),
        C(
            "warnings",
            "VARCHAR[]",
            "Problems that did not stop loading (unparseable date, markup removed, encoding fallback).",
        ),
        C("run_id", "VARCHAR", "Pipeline run that loaded this version of the article.", "NOT NULL"),
        C("loaded_at", "TIMESTAMP", "When this version was loaded (UTC).", "NOT NULL"),
    ),
)

ENTITIES = Table(
    "entities",
    "one row per canonical entity across all articles.",
    "Canonical entities (organisations, people, places, products). The same canonical "
    "key gets the same `entity_id` in every run.",
    (
        C("entity_id", "VARCHAR", "Stable id: hash of label and canonical name key.", "PRIMARY KEY"),
        C("name", "VARCHAR", "Canonical name: the fullest form seen first.", "NOT NULL"),
        C(
            "label",
            "VARCHAR",
            "Entity kind: ORG, PERSON, GPE, LOC, FAC, PRODUCT, EVENT, LAW or WORK_OF_ART.",
            "NOT NULL",
        ),
        C("ticker", "VARCHAR", "Stock ticker attached to this entity in the text, e.g. AMZN."),
        C("exchange", "VARCHAR", "Exchange of the ticker, e.g. NASDAQ."),
        C("sector", "VARCHAR", "Industry sector, when known from reference data."),
        C(
            "aliases",
            "VARCHAR[]",
            "Other surface forms used for this entity (short forms, spellings, tickers).",
        ),
        C("mention_count", "INTEGER", "Number of rows in entity_mentions for this entity.", "NOT NULL"),
        C("article_count", "INTEGER", "Number of distinct articles mentioning this entity.", "NOT NULL"),
        C("first_seen", "TIMESTAMP", "Earliest publication (else load) time of an article mentioning it."),
        C("last_seen", "TIMESTAMP", "Latest publication (else load) time of an article mentioning it."),
    ),
)

ENTITY_MENTIONS = Table(
    "entity_mentions",
    "one row per mention of an entity in an article.",
    "Where each entity is named, with offsets into the article's title or body.",
    (
        C("mention_id", "VARCHAR", "Stable id: hash of article, field and offsets.", "PRIMARY KEY"),
        C("article_id", "VARCHAR", "Article containing the mention (articles.article_id).", "NOT NULL"),
        C("entity_id", "VARCHAR", "Entity mentioned (entities.entity_id).", "NOT NULL"),
        C("text", "VARCHAR", "The mention exactly as written.", "NOT NULL"),
        C("label", "VARCHAR", "The entity's label (after per-article canonicalisation).", "NOT NULL"),
        C("ner_label", "VARCHAR", "The label the NER model gave this mention."),
        C("field", "VARCHAR", "Which text the offsets refer to: 'title' or 'body'.", "NOT NULL"),
        C("start_char", "INTEGER", "Start offset (inclusive) in the field's text.", "NOT NULL"),
        C("end_char", "INTEGER", "End offset (exclusive) in the field's text.", "NOT NULL"),
        C(
            "sentence_index",
            "INTEGER",
            "0-based sentence number in the article (the title is sentence 0).",
            "NOT NULL",
        ),
    ),
)

ACTIONS = Table(
    "actions",
    "one row per action: one verb with one doer.",
    "Who did what to whom: verbs with their doer, target, arguments and negation, with the "
    "sentence that says so.",
    (
        C("action_id", "VARCHAR", "Stable id: hash of article, verb offset and actor.", "PRIMARY KEY"),
        C("article_id", "VARCHAR", "Article the action was read from (articles.article_id).", "NOT NULL"),
        C("sentence_index", "INTEGER", "0-based sentence number in the article (title = 0).", "NOT NULL"),
        C(
            "actor_text",
            "VARCHAR",
            "The doer as written: a name, a pronoun ('it') or a description ('the firm').",
            "NOT NULL",
        ),
        C(
            "actor_entity_id",
            "VARCHAR",
            "Entity the doer refers to (entities.entity_id); NULL when it is not a named entity.",
        ),
        C(
            "actor_resolution",
            "VARCHAR",
            "How the doer was found: direct, pronoun, description or control.",
            "NOT NULL",
        ),
        C(
            "verb",
            "VARCHAR",
            "Lemma of the verb, lower case, particles dropped ('getting out of' -> 'get').",
            "NOT NULL",
        ),
        C("verb_text", "VARCHAR", "The verb as written.", "NOT NULL"),
        C(
            "target_text",
            "VARCHAR",
            "What the action is done to: direct object, else the completing preposition's object, else the reported clause.",
        ),
        C("target_entity_id", "VARCHAR", "Entity the target is, when it is one."),
        C("arguments", ARG_TYPE, "Prepositional arguments of the verb: {prep, text, entity_id}."),
        C(
            "negated",
            "BOOLEAN",
            "True when the verb itself is negated (not, n't, never, no longer, without).",
            "NOT NULL",
        ),
        C("evidence", "VARCHAR", "The sentence that states the action, as written.", "NOT NULL"),
        C("field", "VARCHAR", "Which text the offsets refer to: 'title' or 'body'.", "NOT NULL"),
        C("start_char", "INTEGER", "Start offset of the verb in the field's text.", "NOT NULL"),
        C("end_char", "INTEGER", "End offset (exclusive) of the verb in the field's text.", "NOT NULL"),
    ),
)

PIPELINE_RUNS = Table(
    "pipeline_runs",
    "one row per pipeline run.",
    "The run log: what each run read, loaded, skipped and quarantined, and how it ended. "
    "articles_seen = articles_loaded + articles_skipped + articles_quarantined.",
    (
        C("run_id", "VARCHAR", "Run id (UUID).", "PRIMARY KEY"),
        C("started_at", "TIMESTAMP", "Start time (UTC).", "NOT NULL"),
        C("finished_at", "TIMESTAMP", "End time (UTC); NULL while running or when the process died."),
        C(
            "status",
            "VARCHAR",
            "running, succeeded, failed, or killed (a run found dead by a later run).",
            "NOT NULL",
        ),
        C("articles_seen", "INTEGER", "Input records and unreadable inputs seen.", "NOT NULL"),
        C("articles_loaded", "INTEGER", "Articles new or changed and loaded.", "NOT NULL"),
        C(
            "articles_skipped",
            "INTEGER",
            "Articles unchanged since they were loaded (same content hash): not re-processed.",
            "NOT NULL",
        ),
        C("articles_quarantined", "INTEGER", "Inputs rejected whole (see quarantine).", "NOT NULL"),
        C(
            "rows_quarantined",
            "INTEGER",
            "Extracted rows (mentions, actions, ...) rejected by validation while their article loaded.",
            "NOT NULL",
        ),
        C("batches", "INTEGER", "Batches loaded.", "NOT NULL"),
        C("sources", "VARCHAR[]", "Sources the run read."),
        C("params", "JSON", "The run's settings."),
        C("stage_seconds", "JSON", "Wall time per stage: read, clean, parse, extract, validate, load."),
        C(
            "validation",
            "JSON",
            "Validation summary per table: expectations evaluated and failed, rows rejected.",
        ),
        C("model_version", "VARCHAR", "spaCy model name and version."),
        C("code_version", "VARCHAR", "newsetl version (and git commit when available)."),
        C("pid", "INTEGER", "Process id of the run, to detect runs that died."),
        C("error", "VARCHAR", "Why the run failed, when it did."),
    ),
)

QUARANTINE = Table(
    "quarantine",
    "one row per rejected input or rejected extracted row.",
    "Everything that could not be loaded, with the stage and a readable reason.",
    (
        C("quarantine_id", "VARCHAR", "Id of this quarantine row.", "PRIMARY KEY"),
        C("run_id", "VARCHAR", "Run that rejected it.", "NOT NULL"),
        C("source_path", "VARCHAR", "File (or source) the input came from."),
        C("external_id", "VARCHAR", "The input record's id, when known."),
        C("stage", "VARCHAR", "Where it was rejected: read, clean, validate:<table>, load.", "NOT NULL"),
        C("reason", "VARCHAR", "Why, in words (for validation: the failed expectation).", "NOT NULL"),
        C("raw", "VARCHAR", "The rejected input or row (truncated for very large inputs)."),
        C("created_at", "TIMESTAMP", "When it was rejected (UTC).", "NOT NULL"),
    ),
)

COMPANIES = Table(
    "companies",
    "one row per listed company in the reference list.",
    "Company reference data (seed: transforms/data/companies.csv, from the public-domain S&P 500 "
    "list) that entities are linked to by ticker, name and alias.",
    (
        C("ticker", "VARCHAR", "Ticker symbol.", "PRIMARY KEY"),
        C("name", "VARCHAR", "Short company name used as the entity name.", "NOT NULL"),
        C("exchange", "VARCHAR", "Listing exchange, where known."),
        C("sector", "VARCHAR", "GICS sector."),
        C("sub_industry", "VARCHAR", "GICS sub-industry."),
        C("headquarters", "VARCHAR", "Headquarters location."),
        C(
            "aliases",
            "VARCHAR[]",
            "Other names the company goes by (full legal name, former names, short forms).",
        ),
        C("entity_id", "VARCHAR", "The entities.entity_id this company gets when mentioned."),
    ),
)

TABLES: tuple[Table, ...] = (
    ARTICLES,
    ENTITIES,
    ENTITY_MENTIONS,
    ACTIONS,
    PIPELINE_RUNS,
    QUARANTINE,
    COMPANIES,
)
TABLES_BY_NAME = {t.name: t for t in TABLES}


def create_table_sql(t: Table) -> str:
    cols = ",\n  ".join(f"{c.name} {c.type} {c.constraint}".rstrip() for c in t.columns)
    return f"CREATE TABLE IF NOT EXISTS {t.name} (\n  {cols}\n)"


def comment_sql(t: Table) -> list[str]:
    """COMMENT ON statements; comments are literals, so quotes are escaped here."""

    def lit(s: str) -> str:
        return "'" + s.replace("'", "''") + "'"

    out = [f"COMMENT ON TABLE {t.name} IS {lit(t.comment)}"]
    out += [f"COMMENT ON COLUMN {t.name}.{c.name} IS {lit(c.description)}" for c in t.columns]
    return out

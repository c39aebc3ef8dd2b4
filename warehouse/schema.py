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
    counter: bool = False  # a pipeline_runs count a run starts at 0 and adds to


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
        C(
            "body_hash",
            "VARCHAR",
            "SHA-1 of the normalised body (lower case, words only): equal for exact copies of a story.",
        ),
        C(
            "minhash",
            "BLOB",
            "MinHash signature of the body's 5-word shingles (128 x uint64; NULL under 20 words), "
            "for near-duplicate detection (transforms/dedup.py).",
        ),
        C(
            "duplicate_of",
            "VARCHAR",
            "The first-seen article (articles.article_id) this one copies; NULL for a canonical "
            "article. Duplicates are stored but not extracted, so views count each story once.",
        ),
        C("duplicate_kind", "VARCHAR", "'exact' (same normalised body) or 'near' (MinHash similarity)."),
        C(
            "duplicate_similarity",
            "DOUBLE",
            "Estimated Jaccard similarity of the two bodies' shingles (1.0 for exact copies).",
        ),
        C(
            "cleaning_removed",
            "JSON",
            "What cleaning removed, one object per removal: `rule` (e.g. 'signature', "
            "'photo-credit', 'fool-disclaimer', 'markup:body'), `paragraphs`, `chars` and `text` "
            "(its first 200 characters); `[]` when nothing was removed. Rules: "
            "transforms/patterns/boilerplate.json.",
        ),
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
        C(
            "evidence",
            "VARCHAR",
            "The sentence that states the action, as written (of a sentence over 1,000 characters, "
            "the 1,000 around the verb; the article's warnings say so).",
            "NOT NULL",
        ),
        C("field", "VARCHAR", "Which text the offsets refer to: 'title' or 'body'.", "NOT NULL"),
        C("start_char", "INTEGER", "Start offset of the verb in the field's text.", "NOT NULL"),
        C("end_char", "INTEGER", "End offset (exclusive) of the verb in the field's text.", "NOT NULL"),
        C("target_head", "VARCHAR", "Head word of the target as written (for a clause: its main verb)."),
        C(
            "modality",
            "VARCHAR",
            "asserted; planned (will, plans to, intends to, agreed to); possible (may, could); "
            "conditional (if, unless); reported (by someone other than the actor, or 'according to').",
        ),
        C(
            "action_type",
            "VARCHAR",
            "Type from the verb lexicon (transforms/patterns/action_types.json), OTHER when none fits.",
        ),
        C(
            "event_date",
            "DATE",
            "First day of the period the clause's date expression names; NULL when the clause has none.",
        ),
        C(
            "event_period",
            "VARCHAR",
            "That period as a label: 2020-06-11, 2020-W24, 2020-03, 2020-Q3 or 2018.",
        ),
        C(
            "event_date_text",
            "VARCHAR",
            "The date expression as written ('Back in March', 'earlier this week').",
        ),
        C(
            "event_key",
            "VARCHAR",
            "Key of the real event: actor entity, type (verb for OTHER), target head and date (event date, "
            "else article date). Reports of one event share it; see the events view.",
        ),
    ),
)

QUOTES = Table(
    "quotes",
    "one row per quote: direct speech in quotation marks, or a clause a reporting verb governs.",
    "Who said what: speaker, cue verb and the words, with offsets into the article.",
    (
        C("quote_id", "VARCHAR", "Stable id: hash of article, offsets, kind and speaker.", "PRIMARY KEY"),
        C("article_id", "VARCHAR", "Article (articles.article_id).", "NOT NULL"),
        C(
            "speaker_text",
            "VARCHAR",
            "The speaker as written ('Amazon', 'he', 'a spokesperson'); NULL when unknown.",
        ),
        C(
            "speaker_entity_id",
            "VARCHAR",
            "Entity the speaker refers to (entities.entity_id), when it is one.",
        ),
        C("cue_verb", "VARCHAR", "Lemma of the reporting verb ('say', 'write', 'announce')."),
        C("content", "VARCHAR", "What was said: the quoted words, or the reported clause.", "NOT NULL"),
        C(
            "direct",
            "BOOLEAN",
            "True for words in quotation marks, false for reported (indirect) speech.",
            "NOT NULL",
        ),
        C("field", "VARCHAR", "Which text the offsets refer to: 'title' or 'body'.", "NOT NULL"),
        C("start_char", "INTEGER", "Start offset of the content in the field's text.", "NOT NULL"),
        C("end_char", "INTEGER", "End offset (exclusive) of the content in the field's text.", "NOT NULL"),
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
            "running, succeeded, failed, interrupted (SIGINT or SIGTERM; its staging copy is resumed), "
            "or killed (a run found dead by a later run).",
            "NOT NULL",
        ),
        C("articles_seen", "INTEGER", "Input records and unreadable inputs seen.", "NOT NULL", counter=True),
        C("articles_loaded", "INTEGER", "Articles new or changed and loaded.", "NOT NULL", counter=True),
        C(
            "articles_skipped",
            "INTEGER",
            "Articles unchanged since they were loaded (same content hash): not re-processed.",
            "NOT NULL",
            counter=True,
        ),
        C(
            "articles_quarantined",
            "INTEGER",
            "Inputs rejected whole (see quarantine).",
            "NOT NULL",
            counter=True,
        ),
        C(
            "rows_quarantined",
            "INTEGER",
            "Extracted rows (mentions, actions, ...) rejected by validation while their article loaded.",
            "NOT NULL",
            counter=True,
        ),
        C("batches", "INTEGER", "Batches loaded.", "NOT NULL", counter=True),
        C(
            "articles_out_of_range",
            "INTEGER",
            "Records outside the run's --since/--until window (not counted in articles_seen).",
            counter=True,
        ),
        C("since", "DATE", "Start of the run's backfill window (published_at), if any."),
        C("until", "DATE", "End of the run's backfill window (published_at), if any."),
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
        C(
            "articles_duplicate",
            "INTEGER",
            "Of the loaded articles, how many copy an earlier story (stored with duplicate_of, not extracted).",
            counter=True,
        ),
        C(
            "source_counts",
            "JSON",
            "Per source (name or location): {seen, loaded, skipped, quarantined, duplicates} articles.",
        ),
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
        C(
            "stage",
            "VARCHAR",
            "Where it was rejected: read, fetch, parse, clean, extract, validate:<table>, load.",
            "NOT NULL",
        ),
        C("reason", "VARCHAR", "Why, in words (for validation: the failed expectation).", "NOT NULL"),
        C("raw", "VARCHAR", "The rejected input or row (truncated for very large inputs)."),
        C("created_at", "TIMESTAMP", "When it was rejected (UTC).", "NOT NULL"),
        C(
            "quarantine_key",
            "VARCHAR",
            "What was rejected, across runs: sha256 of source_path, external_id, stage and the "
            "sha256 of raw. A re-run over the same input adds no row with a key an earlier run stored "
            "(run_id and created_at are the first run's).",
        ),
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

FETCH_STATE = Table(
    "fetch_state",
    "one row per fetched feed or page URL.",
    "What newsetl knows about each URL it fetches: the validators for conditional GET "
    "(an unchanged feed costs one request answered 304) and how the last fetch went.",
    (
        C("url", "VARCHAR", "The URL as configured (a feed or page).", "PRIMARY KEY"),
        C("etag", "VARCHAR", "ETag of the last successful response (sent back as If-None-Match)."),
        C(
            "last_modified",
            "VARCHAR",
            "Last-Modified of the last successful response (sent back as If-Modified-Since).",
        ),
        C("status", "INTEGER", "HTTP status of the last fetch (304: unchanged)."),
        C("fetched_at", "TIMESTAMP", "When it was last fetched (UTC).", "NOT NULL"),
        C("run_id", "VARCHAR", "Run that fetched it last.", "NOT NULL"),
    ),
)

TABLES: tuple[Table, ...] = (
    ARTICLES,
    ENTITIES,
    ENTITY_MENTIONS,
    ACTIONS,
    QUOTES,
    PIPELINE_RUNS,
    QUARANTINE,
    COMPANIES,
    FETCH_STATE,
)
TABLES_BY_NAME = {t.name: t for t in TABLES}

# pipeline_runs columns a run sets when it ends, besides its counters (Warehouse.update_run)
RUN_OUTCOME = ("status", "finished_at", "error", "stage_seconds", "validation", "source_counts")


def run_counters() -> tuple[str, ...]:
    """pipeline_runs' counter columns (declared `counter=True`), in declaration order: a run
    starts them at 0 and its counts (flows' RunCounts) have one field each."""
    return tuple(c.name for c in PIPELINE_RUNS.columns if c.counter)


def run_updatable() -> frozenset[str]:
    """The pipeline_runs columns `Warehouse.update_run` may set: the counters and the outcome."""
    return frozenset((*run_counters(), *RUN_OUTCOME))


@dataclass(frozen=True)
class View:
    """A documented view: like a table, plus the SELECT that defines it."""

    name: str
    grain: str
    description: str
    sql: str
    columns: tuple[Column, ...]

    @property
    def comment(self) -> str:
        return f"{self.description} Grain: {self.grain}"


EVENTS = View(
    "events",
    "one row per real-world event (event_key), however many articles report it.",
    "Actions by entities grouped into events: reports of the same actor doing the same kind of "
    "thing to the same target on the same date count once, with how many articles and sources said so.",
    """
    SELECT a.event_key,
           any_value(a.actor_entity_id) AS actor_entity_id,
           any_value(e.name) AS actor_name,
           any_value(a.action_type) AS action_type,
           list_sort(list_distinct(list(a.verb))) AS verbs,
           mode(lower(a.target_head)) AS target_head,
           min(a.event_date) AS event_date,
           coalesce(min(a.event_period), strftime(min(r.published_at), '%Y-%m-%d')) AS event_period,
           bool_or(a.negated) AS negated,
           count(*) AS mentions,
           count(DISTINCT a.article_id) AS articles,
           count(DISTINCT r.source) AS sources,
           list_sort(list_distinct(list(a.article_id))) AS article_ids,
           min(coalesce(r.published_at, r.loaded_at)) AS first_reported,
           max(coalesce(r.published_at, r.loaded_at)) AS last_reported,
           arg_min(a.evidence, coalesce(r.published_at, r.loaded_at)) AS evidence
    FROM actions a
    JOIN articles r USING (article_id)
    LEFT JOIN entities e ON e.entity_id = a.actor_entity_id
    WHERE a.event_key IS NOT NULL
    GROUP BY a.event_key
    """,
    (
        C("event_key", "VARCHAR", "Key of the event (actions.event_key)."),
        C("actor_entity_id", "VARCHAR", "The entity that acted (entities.entity_id)."),
        C("actor_name", "VARCHAR", "Its canonical name."),
        C("action_type", "VARCHAR", "Action type (OTHER events are keyed by verb)."),
        C("verbs", "VARCHAR[]", "Verb lemmas the reports used."),
        C("target_head", "VARCHAR", "Most common head word of the target across reports."),
        C("event_date", "DATE", "Earliest event date the reports give; NULL when none gives one."),
        C("event_period", "VARCHAR", "Event period label, else the first report's publication day."),
        C("negated", "BOOLEAN", "True when any report states it negated (did not, no longer)."),
        C("mentions", "BIGINT", "Number of actions (reports, including repeats within an article)."),
        C("articles", "BIGINT", "Number of distinct articles reporting it."),
        C("sources", "BIGINT", "Number of distinct sources reporting it."),
        C("article_ids", "VARCHAR[]", "The reporting articles (articles.article_id)."),
        C("first_reported", "TIMESTAMP", "Earliest publication (else load) time of a report."),
        C("last_reported", "TIMESTAMP", "Latest publication (else load) time of a report."),
        C("evidence", "VARCHAR", "The sentence of the first report."),
    ),
)

COMPANY_ACTIONS = View(
    "company_actions",
    "one row per action whose actor is an organisation.",
    "Actions by organisations with everything an analyst filters on: who (name, ticker, sector), "
    "what (verb, type, target, arguments, negation, modality), when (event and article date), "
    "where it was read (source, url) and the evidence sentence.",
    """
    SELECT a.action_id, a.article_id, e.entity_id AS actor_entity_id, e.name AS actor_name, e.ticker,
           e.sector, a.actor_text, a.verb, a.action_type, a.target_text, a.target_head, a.arguments,
           a.negated, a.modality, a.event_date, a.event_period, CAST(r.published_at AS DATE) AS article_date,
           r.source, r.url, r.title, a.evidence, a.event_key
    FROM actions a
    JOIN entities e ON e.entity_id = a.actor_entity_id
    JOIN articles r USING (article_id)
    WHERE e.label = 'ORG'
    """,
    (
        C("action_id", "VARCHAR", "The action (actions.action_id)."),
        C("article_id", "VARCHAR", "The article (articles.article_id)."),
        C("actor_entity_id", "VARCHAR", "The organisation (entities.entity_id)."),
        C("actor_name", "VARCHAR", "Its canonical name."),
        C("ticker", "VARCHAR", "Its ticker, when known."),
        C("sector", "VARCHAR", "Its sector, when known."),
        C("actor_text", "VARCHAR", "The doer as written ('it', 'the company', 'Amazon')."),
        C("verb", "VARCHAR", "Verb lemma."),
        C("action_type", "VARCHAR", "Action type."),
        C("target_text", "VARCHAR", "What the action is done to."),
        C("target_head", "VARCHAR", "Head word of the target."),
        C("arguments", ARG_TYPE, "Prepositional arguments."),
        C("negated", "BOOLEAN", "True when the action is negated."),
        C("modality", "VARCHAR", "asserted, planned, possible, conditional or reported."),
        C("event_date", "DATE", "Date of the event, when the text gives one."),
        C("event_period", "VARCHAR", "That date's period label."),
        C("article_date", "DATE", "Publication day of the article."),
        C("source", "VARCHAR", "Source of the article."),
        C("url", "VARCHAR", "Link to the article."),
        C("title", "VARCHAR", "Headline of the article."),
        C("evidence", "VARCHAR", "The sentence that states the action."),
        C("event_key", "VARCHAR", "Key of the real event (see the events view)."),
    ),
)

ENTITY_MENTIONS_DAILY = View(
    "entity_mentions_daily",
    "one row per entity and publication day.",
    "How often each entity is mentioned per day (articles without a date count on their load day).",
    """
    SELECT m.entity_id, e.name, e.label, CAST(coalesce(r.published_at, r.loaded_at) AS DATE) AS day,
           count(*) AS mentions, count(DISTINCT m.article_id) AS articles
    FROM entity_mentions m
    JOIN entities e USING (entity_id)
    JOIN articles r USING (article_id)
    GROUP BY ALL
    """,
    (
        C("entity_id", "VARCHAR", "The entity."),
        C("name", "VARCHAR", "Its canonical name."),
        C("label", "VARCHAR", "Its kind."),
        C("day", "DATE", "Publication (else load) day."),
        C("mentions", "BIGINT", "Mentions that day."),
        C("articles", "BIGINT", "Articles mentioning it that day."),
    ),
)

COOCCURRENCE = View(
    "cooccurrence",
    "one row per unordered pair of entities mentioned in the same article.",
    "Entities named together: in how many articles, and in how many sentences.",
    """
    WITH m AS (SELECT DISTINCT article_id, entity_id, sentence_index FROM entity_mentions)
    SELECT a.entity_id AS entity_a, ea.name AS name_a, b.entity_id AS entity_b, eb.name AS name_b,
           count(DISTINCT a.article_id) AS articles,
           count(DISTINCT CASE WHEN a.sentence_index = b.sentence_index
                               THEN a.article_id || ':' || a.sentence_index END) AS sentences
    FROM m a
    JOIN m b ON a.article_id = b.article_id AND a.entity_id < b.entity_id
    JOIN entities ea ON ea.entity_id = a.entity_id
    JOIN entities eb ON eb.entity_id = b.entity_id
    GROUP BY ALL
    """,
    (
        C("entity_a", "VARCHAR", "One entity of the pair (the smaller id)."),
        C("name_a", "VARCHAR", "Its canonical name."),
        C("entity_b", "VARCHAR", "The other entity."),
        C("name_b", "VARCHAR", "Its canonical name."),
        C("articles", "BIGINT", "Articles mentioning both."),
        C("sentences", "BIGINT", "Sentences mentioning both."),
    ),
)

VIEWS: tuple[View, ...] = (EVENTS, COMPANY_ACTIONS, ENTITY_MENTIONS_DAILY, COOCCURRENCE)


def create_table_sql(t: Table) -> str:
    cols = ",\n  ".join(f"{c.name} {c.type} {c.constraint}".rstrip() for c in t.columns)
    return f"CREATE TABLE IF NOT EXISTS {t.name} (\n  {cols}\n)"


def comment_sql(t: Table | View) -> list[str]:
    """COMMENT ON statements; comments are literals, so quotes are escaped here."""

    def lit(s: str) -> str:
        return "'" + s.replace("'", "''") + "'"

    kind = "VIEW" if isinstance(t, View) else "TABLE"
    out = [f"COMMENT ON {kind} {t.name} IS {lit(t.comment)}"]
    out += [f"COMMENT ON COLUMN {t.name}.{c.name} IS {lit(c.description)}" for c in t.columns]
    return out

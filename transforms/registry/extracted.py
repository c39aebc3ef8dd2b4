"""The extraction tables: articles and what is read from them (entities, their mentions,
actions, quotes). Each column is declared once here, with its meaning; the batch frames,
the DDL and the suites' columns follow from it (transforms/registry/columns.py).

`loaded=True` marks a column the warehouse sets when it loads the row (run, load time,
entity counts): the batch frames do not carry it.
"""

from __future__ import annotations

from transforms.registry.columns import Column as C
from transforms.registry.columns import Table

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
        C(
            "run_id",
            "VARCHAR",
            "Pipeline run that loaded this version of the article.",
            "NOT NULL",
            loaded=True,
        ),
        C("loaded_at", "TIMESTAMP", "When this version was loaded (UTC).", "NOT NULL", loaded=True),
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
    key_index=False,
)

ARTICLE_BANDS = Table(
    "article_bands",
    "one row per band of a canonical article's MinHash signature.",
    "The near-duplicate index: each canonical article's MinHash signature cut into bands, "
    "each band hashed (transforms/dedup.py `banding`, `band_hashes`). A run looks up the "
    "stored candidates of its articles here, one join per batch, instead of reading every "
    "signature. Written with the article, in its batch's transaction; a copy has none.",
    (
        C("article_id", "VARCHAR", "The canonical article (articles.article_id).", "NOT NULL"),
        C(
            "band",
            "INTEGER",
            "Band number, from 0: the band holds the signature's values band x rows_per_band to "
            "(band + 1) x rows_per_band - 1.",
            "NOT NULL",
        ),
        C("band_hash", "BIGINT", "64-bit hash of the band's values (transforms/dedup.py).", "NOT NULL"),
        C(
            "rows_per_band",
            "INTEGER",
            "Values per band: the LSH scheme, set by the duplicate threshold (4, with 32 bands, "
            "for the default 0.7); a run with another threshold rebuilds the table.",
            "NOT NULL",
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
            "Entity kind: ORG, PERSON, GPE (any named place: country, region, city, facility) or PRODUCT. "
            "Nationalities, events, laws and works are not entities (GUIDELINES: entities).",
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
        C(
            "country_code",
            "VARCHAR",
            "For a place (GPE): its ISO 3166-1 alpha-2 country ('US', 'GB'); the country itself for a "
            "country; NULL for other entities, regions and unknown places (transforms/geocode.py).",
        ),
        C(
            "subdivision_code",
            "VARCHAR",
            "For a place: the ISO 3166-2 code when it is a first-level subdivision ('US-TX', 'GB-SCT'), "
            "or the US state of a US city.",
        ),
        C("latitude", "DOUBLE", "For a city: latitude of its centre (GeoNames), decimal degrees."),
        C("longitude", "DOUBLE", "For a city: longitude of its centre (GeoNames), decimal degrees."),
        C(
            "mention_count",
            "INTEGER",
            "Number of rows in entity_mentions for this entity.",
            "NOT NULL",
            loaded=True,
        ),
        C(
            "article_count",
            "INTEGER",
            "Number of distinct articles mentioning this entity.",
            "NOT NULL",
            loaded=True,
        ),
        C(
            "first_seen",
            "TIMESTAMP",
            "Earliest publication (else load) time of an article mentioning it.",
            loaded=True,
        ),
        C(
            "last_seen",
            "TIMESTAMP",
            "Latest publication (else load) time of an article mentioning it.",
            loaded=True,
        ),
    ),
)

ENTITY_MENTIONS = Table(
    "entity_mentions",
    "one row per mention of an entity or another name in an article.",
    "Where each entity, and each name that is no entity (entity_id NULL), is named, with offsets into "
    "the article's title or body.",
    (
        C("mention_id", "VARCHAR", "Stable id: hash of article, field and offsets.", "PRIMARY KEY"),
        C("article_id", "VARCHAR", "Article containing the mention (articles.article_id).", "NOT NULL"),
        C(
            "entity_id",
            "VARCHAR",
            "Entity mentioned (entities.entity_id); NULL for a name that is no entity of the four kinds "
            "(a nationality, event, law, work or language: `label` says which).",
        ),
        C("text", "VARCHAR", "The mention exactly as written.", "NOT NULL"),
        C(
            "label",
            "VARCHAR",
            "The entity's label (after per-article canonicalisation); for a name that is no entity, its "
            "kind: NORP (nationality, religious or political group), EVENT, LAW, WORK_OF_ART or LANGUAGE.",
            "NOT NULL",
        ),
        C(
            "ner_label",
            "VARCHAR",
            "The label the recogniser (or a rule) gave this mention; NULL for a run of proper nouns it did not "
            "tag, kept by the entity-kind classifier.",
        ),
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
    key_index=False,
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
            "asserted; planned (will, plans to, intends to, agreed to); possible (may, could, is "
            "expected/likely to); conditional (if, unless); reported (by someone other than the actor, "
            "or 'according to').",
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
        C(
            "place_entity_id",
            "VARCHAR",
            "The place a phrase of the verb or of its object names ('opened a plant in Ohio': Ohio; in, at, "
            "across, throughout, near, within, into), a GPE entity (entities.entity_id); NULL when none.",
        ),
    ),
    key_index=False,
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
    key_index=False,
)

ACTION_AMOUNTS = Table(
    "action_amounts",
    "one row per amount (money, percentage, points, count or quantity) in an article.",
    "The numbers an article states, as numbers: value with scale words and sub-units resolved, "
    "unit, role, the sentence, and the action whose verb governs the amount (NULL when none does). "
    "Money keeps its currency: no conversion (transforms/amounts.py, docs/actions.md 'Amounts').",
    (
        C("amount_id", "VARCHAR", "Stable id: hash of article, field and offsets.", "PRIMARY KEY"),
        C("article_id", "VARCHAR", "Article (articles.article_id).", "NOT NULL"),
        C(
            "action_id",
            "VARCHAR",
            "The action of the verb that governs the amount (actions.action_id; an entity actor's action "
            "first when several actors share the verb); NULL when no action's verb governs it.",
        ),
        C(
            "text",
            "VARCHAR",
            "The amount as written ('$6bn', '6.5 mln dlrs', '1,200 jobs', '25 pct').",
            "NOT NULL",
        ),
        C(
            "value",
            "DOUBLE",
            "The number with scale words and sub-units resolved: '$6bn' 6e9, '20 cts' 0.2, '25 pct' 25, "
            "'a third' 0.3333.",
            "NOT NULL",
        ),
        C(
            "unit",
            "VARCHAR",
            "ISO 4217 currency code for money (USD, GBP, EUR, JPY, ...: as written, never converted); else "
            "percent, percentage_point, points, people, shares, units, sites, tonnes, barrels, ounces, "
            "bushels or fraction.",
            "NOT NULL",
        ),
        C(
            "unit_per",
            "VARCHAR",
            "The unit of a rate: 'share' of '20 cts a share', 'barrel' of '$40 a barrel'.",
        ),
        C(
            "role",
            "VARCHAR",
            "What the amount is to its clause: price (paid, charged or offered; a price level), stake "
            "(a share of ownership), count (how many people, shares, units or sites), change (the size "
            "of a rise or fall), target (a goal, forecast or planned level), level (any other figure).",
            "NOT NULL",
        ),
        C("field", "VARCHAR", "Which text the offsets refer to: 'title' or 'body'.", "NOT NULL"),
        C("start_char", "INTEGER", "Start offset of the amount in the field's text.", "NOT NULL"),
        C("end_char", "INTEGER", "End offset (exclusive) of the amount in the field's text.", "NOT NULL"),
        C("sentence_index", "INTEGER", "0-based sentence number in the article.", "NOT NULL"),
        C("evidence", "VARCHAR", "The sentence that states the amount, as written.", "NOT NULL"),
    ),
    key_index=False,
)

MAIN_EVENTS = Table(
    "main_events",
    "one row per article that has an action: its main event.",
    "Each article's main event: the headline's action when the headline has one, else the lead's "
    "(the first body sentence with one), an entity doer's first; for 'X said it would Y' the reported "
    "act Y. With why and how when a clause of its verb says so (transforms/main_event.py). "
    "See the article_events view for who, what, whom, when and where.",
    (
        C("article_id", "VARCHAR", "The article (articles.article_id).", "PRIMARY KEY"),
        C("action_id", "VARCHAR", "Its main action (actions.action_id).", "NOT NULL"),
        C(
            "from_title",
            "BOOLEAN",
            "True when the action is the headline's; false for the lead's.",
            "NOT NULL",
        ),
        C(
            "why_text",
            "VARCHAR",
            "Why, as written: a 'because', 'as' or 'since' clause, 'because of ...', 'in order to ...' or an "
            "infinitive of purpose after the verb ('to cut costs'); NULL when no clause says.",
        ),
        C(
            "how_text",
            "VARCHAR",
            "How, as written: 'by' with a verb ('by cutting 1,000 jobs'), 'through' or 'via' with a noun; "
            "NULL when no phrase says.",
        ),
    ),
    key_index=False,
)

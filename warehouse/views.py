"""The warehouse's views, documented like tables: a grain, a meaning for every column, and
the SELECT that defines them (created by every migration run, warehouse/migrations.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from transforms.registry.columns import Column
from transforms.registry.columns import Column as C
from transforms.registry.extracted import ARG_TYPE


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

ARTICLE_EVENTS = View(
    "article_events",
    "one row per article, with its main event when it has one.",
    "Each article with its main event (main_events): who did what to whom, when, where, why and how, "
    "with the sentence that says so. Articles with no action have NULL event columns.",
    """
    SELECT r.article_id, r.source, r.title, r.published_at, r.url,
           m.action_id, m.from_title,
           a.actor_entity_id, coalesce(who.name, a.actor_text) AS who, who.label AS who_label,
           a.verb, a.action_type, a.verb_text, a.negated, a.modality,
           a.target_text AS whom, a.target_entity_id, a.event_date, a.event_period,
           coalesce(a.event_period, strftime(r.published_at, '%Y-%m-%d')) AS "when",
           a.place_entity_id, place.name AS "where", place.country_code AS where_country,
           m.why_text AS why, m.how_text AS how, a.evidence
    FROM articles r
    LEFT JOIN main_events m USING (article_id)
    LEFT JOIN actions a ON a.action_id = m.action_id
    LEFT JOIN entities who ON who.entity_id = a.actor_entity_id
    LEFT JOIN entities place ON place.entity_id = a.place_entity_id
    """,
    (
        C("article_id", "VARCHAR", "The article (articles.article_id)."),
        C("source", "VARCHAR", "Its source."),
        C("title", "VARCHAR", "Its headline."),
        C("published_at", "TIMESTAMP", "When it was published."),
        C("url", "VARCHAR", "Link to it."),
        C("action_id", "VARCHAR", "The main action (actions.action_id); NULL when the article has none."),
        C("from_title", "BOOLEAN", "True when the main action is the headline's, false for the lead's."),
        C("actor_entity_id", "VARCHAR", "The doer's entity, when it is one."),
        C("who", "VARCHAR", "Who: the doer's canonical name, else the doer as written."),
        C("who_label", "VARCHAR", "The doer's entity label (ORG, PERSON, GPE)."),
        C("verb", "VARCHAR", "What: the verb lemma."),
        C("action_type", "VARCHAR", "What: the action type."),
        C("verb_text", "VARCHAR", "The verb as written."),
        C("negated", "BOOLEAN", "True when the action is negated."),
        C("modality", "VARCHAR", "asserted, planned, possible, conditional or reported."),
        C("whom", "VARCHAR", "To whom or what: the target as written."),
        C("target_entity_id", "VARCHAR", "The target's entity, when it is one."),
        C("event_date", "DATE", "The event's date, when the text gives one."),
        C("event_period", "VARCHAR", "That date's period label."),
        C("when", "VARCHAR", "When: the event's period, else the article's publication day."),
        C("place_entity_id", "VARCHAR", "Where: the place entity a phrase of the verb names."),
        C("where", "VARCHAR", "Where: that place's canonical name."),
        C("where_country", "VARCHAR", "Where: that place's ISO 3166-1 country."),
        C("why", "VARCHAR", "Why, when a clause says so (main_events.why_text)."),
        C("how", "VARCHAR", "How, when a phrase says so (main_events.how_text)."),
        C("evidence", "VARCHAR", "The sentence that states the main action."),
    ),
)

VIEWS: tuple[View, ...] = (EVENTS, COMPANY_ACTIONS, ENTITY_MENTIONS_DAILY, COOCCURRENCE, ARTICLE_EVENTS)

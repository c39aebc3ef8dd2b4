"""Every table of the warehouse, in the order the DDL creates and documents them."""

from __future__ import annotations

from transforms.registry.columns import Table
from transforms.registry.extracted import (
    ACTION_AMOUNTS,
    ACTIONS,
    ARTICLE_BANDS,
    ARTICLES,
    ENTITIES,
    ENTITY_MENTIONS,
    MAIN_EVENTS,
    QUOTES,
)
from transforms.registry.operational import COMPANIES, FETCH_STATE, PIPELINE_RUNS, QUARANTINE
from transforms.registry.search import SEARCH_DOCS, SEARCH_TERMS, SEARCH_WORDS

TABLES: tuple[Table, ...] = (
    ARTICLES,
    ENTITIES,
    ENTITY_MENTIONS,
    ACTIONS,
    QUOTES,
    ACTION_AMOUNTS,
    MAIN_EVENTS,
    PIPELINE_RUNS,
    QUARANTINE,
    COMPANIES,
    FETCH_STATE,
    SEARCH_WORDS,
    SEARCH_DOCS,
    SEARCH_TERMS,
    ARTICLE_BANDS,
)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

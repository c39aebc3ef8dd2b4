"""From cleaned articles and their parsed `Doc`s to the warehouse's frames (polars).

Pure: no I/O, no DuckDB, no Prefect. Offsets in every frame refer to the stored,
cleaned `title` or `body` of the article, as named by the row's `field` column.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import polars as pl

from transforms.clean import CleanArticle

if TYPE_CHECKING:
    from spacy.tokens import Doc


@dataclass(frozen=True)
class Article:
    """A read, cleaned article ready for NLP (one input record)."""

    article_id: str
    external_id: str
    source: str
    source_path: str
    url: str | None
    published_at: datetime | None
    content_hash: str
    metadata: str  # JSON object of the input fields newsetl does not model
    clean: CleanArticle
    warnings: tuple[str, ...] = ()
    body_hash: str | None = None  # transforms.dedup: set before extraction
    minhash: bytes | None = None
    duplicate_of: str | None = None  # a copy of this earlier article: not extracted
    duplicate_kind: str | None = None
    duplicate_similarity: float | None = None


def stable_id(prefix: str, *parts: object) -> str:
    """A deterministic id: the same inputs give the same id in every run."""
    raw = "\x1f".join("" if p is None else str(p) for p in parts)
    return prefix + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


ARTICLE_SCHEMA = {
    "article_id": pl.String,
    "external_id": pl.String,
    "source": pl.String,
    "source_path": pl.String,
    "url": pl.String,
    "title": pl.String,
    "body": pl.String,
    "published_at": pl.Datetime("us"),
    "content_hash": pl.String,
    "metadata": pl.String,
    "tickers": pl.List(pl.String),
    "warnings": pl.List(pl.String),
    "cleaning_removed": pl.String,
    "body_hash": pl.String,
    "minhash": pl.Binary,
    "duplicate_of": pl.String,
    "duplicate_kind": pl.String,
    "duplicate_similarity": pl.Float64,
}
MENTION_SCHEMA = {
    "mention_id": pl.String,
    "article_id": pl.String,
    "entity_id": pl.String,
    "text": pl.String,
    "label": pl.String,
    "ner_label": pl.String,
    "field": pl.String,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
    "sentence_index": pl.Int32,
}
ENTITY_SCHEMA = {
    "entity_id": pl.String,
    "name": pl.String,
    "label": pl.String,
    "ticker": pl.String,
    "exchange": pl.String,
    "sector": pl.String,
    "aliases": pl.List(pl.String),
    "article_id": pl.String,
}
ARGUMENT_DTYPE = pl.List(pl.Struct({"prep": pl.String, "text": pl.String, "entity_id": pl.String}))
QUOTE_SCHEMA = {
    "quote_id": pl.String,
    "article_id": pl.String,
    "speaker_text": pl.String,
    "speaker_entity_id": pl.String,
    "cue_verb": pl.String,
    "content": pl.String,
    "direct": pl.Boolean,
    "field": pl.String,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
}
ACTION_SCHEMA = {
    "action_id": pl.String,
    "article_id": pl.String,
    "sentence_index": pl.Int32,
    "actor_text": pl.String,
    "actor_entity_id": pl.String,
    "actor_resolution": pl.String,
    "verb": pl.String,
    "verb_text": pl.String,
    "target_text": pl.String,
    "target_entity_id": pl.String,
    "arguments": ARGUMENT_DTYPE,
    "negated": pl.Boolean,
    "evidence": pl.String,
    "field": pl.String,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
    "target_head": pl.String,
    "modality": pl.String,
    "action_type": pl.String,
    "event_date": pl.Date,
    "event_period": pl.String,
    "event_date_text": pl.String,
    "event_key": pl.String,
}


@dataclass(frozen=True)
class Frames:
    """One batch's rows for every extracted table."""

    articles: pl.DataFrame
    entities: pl.DataFrame  # one row per (entity, article) observation
    entity_mentions: pl.DataFrame
    actions: pl.DataFrame
    quotes: pl.DataFrame

    @property
    def row_counts(self) -> dict[str, int]:
        return {
            k: getattr(self, k).height
            for k in ("articles", "entities", "entity_mentions", "actions", "quotes")
        }


def _field(offset: int, body_offset: int) -> tuple[str, int]:
    return ("title", offset) if offset < body_offset else ("body", offset - body_offset)


# key of `extract_rows`' result: warnings about the article that extraction found
WARNINGS = "article_warnings"


def extract_rows(article: Article, doc: Doc) -> dict[str, list]:
    """Rows of every table for one article, and (under WARNINGS) what it should be warned of."""
    # spaCy-side modules are imported here, not at the top: the run's main process builds
    # frames from rows and never needs spaCy (a run with nothing new never imports it)
    from transforms.actions import EVIDENCE_MAX_CHARS, analyse
    from transforms.entities import cluster_entities

    boff = article.clean.body_offset
    source = article.clean.text
    clusters = cluster_entities(doc, article.clean.tickers)
    sent_at = [0] * len(doc)  # token index -> sentence index (Span.sent walks the sentence)
    long: dict[int, int] = {}  # start -> length of sentences whose evidence is windowed
    for si, sent in enumerate(doc.sents):
        sent_at[sent.start : sent.end] = [si] * len(sent)
        if (n := sent.end_char - sent.start_char) > EVIDENCE_MAX_CHARS:
            long[sent.start_char] = n
    mentions, entities = [], []
    for c in clusters:
        eid = c.entity_id
        entities.append(
            {
                "entity_id": eid,
                "name": c.name,
                "label": c.label,
                "ticker": c.ticker,
                "exchange": c.exchange,
                "sector": c.sector,
                "aliases": c.aliases,
                "article_id": article.article_id,
            }
        )
        for m in c.mentions:
            fld, start = _field(m.start_char, boff)
            mentions.append(
                {
                    "mention_id": stable_id("men_", article.article_id, fld, start, m.end_char),
                    "article_id": article.article_id,
                    "entity_id": eid,
                    "text": source[m.start_char : m.end_char],
                    "label": c.label,
                    "ner_label": m.label_,
                    "field": fld,
                    "start_char": start,
                    "end_char": start + (m.end_char - m.start_char),
                    "sentence_index": sent_at[m.start],
                }
            )
    actions = []
    seen: dict[tuple, int] = {}
    found, quote_records = analyse(doc, clusters, article.published_at)
    for a in found:
        fld, start = _field(a.start_char, boff)
        key = (a.start_char, a.actor_text)
        seen[key] = seen.get(key, 0) + 1
        actions.append(
            {
                "action_id": stable_id("act_", article.article_id, a.start_char, a.actor_text, seen[key]),
                "article_id": article.article_id,
                "sentence_index": a.sentence_index,
                "actor_text": a.actor_text,
                "actor_entity_id": a.actor_entity_id,
                "actor_resolution": a.actor_resolution,
                "verb": a.verb,
                "verb_text": a.verb_text,
                "target_text": a.target_text,
                "target_entity_id": a.target_entity_id,
                "arguments": [
                    {"prep": g.prep, "text": g.text, "entity_id": g.entity_id} for g in a.arguments
                ],
                "negated": a.negated,
                "evidence": a.evidence,
                "field": fld,
                "start_char": start,
                "end_char": start + (a.end_char - a.start_char),
                "target_head": a.target_head,
                "modality": a.modality,
                "action_type": a.action_type,
                "event_date": a.event_time.start if a.event_time else None,
                "event_period": a.event_time.label if a.event_time else None,
                "event_date_text": a.event_time.text if a.event_time else None,
                "event_key": a.event_key,
            }
        )
    quotes = []
    for q in quote_records:
        fld, start = _field(q.start_char, boff)
        if fld == "title" and q.end_char > len(article.clean.title):
            continue  # a quotation mark pair across title and body is not a quote
        quotes.append(
            {
                "quote_id": stable_id(
                    "quo_", article.article_id, q.start_char, q.end_char, q.direct, q.speaker_text
                ),
                "article_id": article.article_id,
                "speaker_text": q.speaker_text,
                "speaker_entity_id": q.speaker_entity_id,
                "cue_verb": q.cue_verb,
                "content": q.content,
                "direct": q.direct,
                "field": fld,
                "start_char": start,
                "end_char": start + (q.end_char - q.start_char),
            }
        )
    warnings = []
    if windowed := {a.sentence_start_char for a in found if a.sentence_start_char in long}:
        warnings.append(
            f"{len(windowed):,} sentence(s) with actions longer than {EVIDENCE_MAX_CHARS:,} characters "
            f"(longest {max(long[s] for s in windowed):,}): their actions' evidence is the {EVIDENCE_MAX_CHARS:,} characters "
            "around the verb"
        )
    return {
        "entities": entities,
        "entity_mentions": mentions,
        "actions": actions,
        "quotes": quotes,
        WARNINGS: warnings,
    }


def article_row(a: Article, extra_warnings: Iterable[str] = ()) -> dict:
    return {
        "article_id": a.article_id,
        "external_id": a.external_id,
        "source": a.source,
        "source_path": a.source_path,
        "url": a.url,
        "title": a.clean.title,
        "body": a.clean.body,
        "published_at": a.published_at,
        "content_hash": a.content_hash,
        "metadata": a.metadata,
        "tickers": list(a.clean.tickers),
        "warnings": list(a.warnings) + list(a.clean.warnings) + list(extra_warnings),
        "cleaning_removed": a.clean.removed_json,
        "body_hash": a.body_hash,
        "minhash": a.minhash,
        "duplicate_of": a.duplicate_of,
        "duplicate_kind": a.duplicate_kind,
        "duplicate_similarity": a.duplicate_similarity,
    }


def empty_rows() -> dict[str, list[dict]]:
    return {"articles": [], "entities": [], "entity_mentions": [], "actions": [], "quotes": []}


def batch_rows(pairs: Iterable[tuple[Article, Doc]]) -> dict[str, list[dict]]:
    """Rows of every table for a batch of (article, parsed doc) pairs."""
    rows = empty_rows()
    for article, doc in pairs:
        found = extract_rows(article, doc)
        rows["articles"].append(article_row(article, found.pop(WARNINGS)))
        for k, v in found.items():
            rows[k].extend(v)
    return rows


def frames_from_rows(rows: dict[str, list[dict]]) -> Frames:
    """The batch's frames, built in bulk from its rows."""
    return Frames(
        articles=pl.DataFrame(rows["articles"], schema=ARTICLE_SCHEMA),
        entities=pl.DataFrame(rows["entities"], schema=ENTITY_SCHEMA),
        entity_mentions=pl.DataFrame(rows["entity_mentions"], schema=MENTION_SCHEMA),
        actions=pl.DataFrame(rows["actions"], schema=ACTION_SCHEMA),
        quotes=pl.DataFrame(rows["quotes"], schema=QUOTE_SCHEMA),
    )


def build_frames(pairs: Iterable[tuple[Article, Doc]]) -> Frames:
    """Frames for a batch of (article, parsed doc) pairs, built in bulk."""
    return frames_from_rows(batch_rows(pairs))


_HASH_PIECE = 1 << 20  # characters of a long text JSON-encoded at a time


def content_hash(*parts: object) -> str:
    """SHA-256 over the raw fields that define an article's content: each part's JSON.
    A long text is encoded a piece at a time (the same bytes: JSON escapes characters one
    by one), so hashing a 200 MB body does not make two more copies of it."""
    h = hashlib.sha256()
    for p in parts:
        if isinstance(p, str) and len(p) > _HASH_PIECE:
            h.update(b'"')
            for i in range(0, len(p), _HASH_PIECE):
                h.update(json.dumps(p[i : i + _HASH_PIECE], ensure_ascii=False)[1:-1].encode("utf-8"))
            h.update(b'"')
        else:
            h.update(json.dumps(p, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()

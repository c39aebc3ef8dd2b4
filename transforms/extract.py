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
from typing import TYPE_CHECKING, Any

import polars as pl

from transforms.clean import CleanArticle
from transforms.names import CANDIDATE
from transforms.registry.frames import (
    ACTION_FRAME,
    AMOUNT_FRAME,
    ARTICLE_FRAME,
    BATCH_FRAMES,
    ENTITY_FRAME,
    MAIN_EVENT_FRAME,
    MENTION_FRAME,
    QUOTE_FRAME,
    Frame,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

    from transforms.actions import ActionRecord
    from transforms.amounts import AmountRecord
    from transforms.entities import Cluster
    from transforms.geocode import Place
    from transforms.quotes import QuoteRecord


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


@dataclass(frozen=True)
class Frames:
    """One batch's rows for every extracted table."""

    articles: pl.DataFrame
    entities: pl.DataFrame  # one row per (entity, article) observation
    entity_mentions: pl.DataFrame
    actions: pl.DataFrame
    quotes: pl.DataFrame
    action_amounts: pl.DataFrame
    main_events: pl.DataFrame

    @property
    def row_counts(self) -> dict[str, int]:
        return {k: getattr(self, k).height for k in BATCH_FRAMES}


def _field(offset: int, body_offset: int) -> tuple[str, int]:
    return ("title", offset) if offset < body_offset else ("body", offset - body_offset)


@dataclass(frozen=True)
class RowMapping:
    """How one table's typed records become its frame's rows: every column is the record's
    attribute of that name unless the row's derived values give it (ids, the article,
    offsets into the field, values computed from a record field). So a column a record
    carries is one declaration in the registry plus the record field that produces it.
    `unstored` names the record fields no column takes as they are (they feed derived
    columns or warnings)."""

    frame: Frame
    unstored: frozenset[str] = frozenset()

    def row(self, record: object, derived: dict[str, object]) -> dict[str, object]:
        return {n: derived[n] if n in derived else getattr(record, n) for n in self.frame.names}


ARTICLE_ROWS = RowMapping(ARTICLE_FRAME, frozenset({"clean"}))
ENTITY_ROWS = RowMapping(ENTITY_FRAME)  # from transforms.entities.Cluster
MENTION_ROWS = RowMapping(MENTION_FRAME)  # from a cluster's mention (a spaCy Span)
ACTION_ROWS = RowMapping(ACTION_FRAME, frozenset({"event_time", "sentence_start_char"}))
QUOTE_ROWS = RowMapping(QUOTE_FRAME)
AMOUNT_ROWS = RowMapping(AMOUNT_FRAME, frozenset({"verb_start_char"}))
MAIN_EVENT_ROWS = RowMapping(MAIN_EVENT_FRAME, frozenset({"action_index"}))


def _offsets(start_char: int, end_char: int, body_offset: int) -> dict[str, object]:
    """field, start_char and end_char of doc offsets, in the field's text."""
    fld, start = _field(start_char, body_offset)
    return {"field": fld, "start_char": start, "end_char": start + (end_char - start_char)}


def action_row(article_id: str, a: ActionRecord, body_offset: int, occurrence: int) -> dict[str, object]:
    """The actions row of a record: `occurrence` counts records of the same verb and actor."""
    when = a.event_time
    return ACTION_ROWS.row(
        a,
        {
            "action_id": stable_id("act_", article_id, a.start_char, a.actor_text, occurrence),
            "article_id": article_id,
            "arguments": [{"prep": g.prep, "text": g.text, "entity_id": g.entity_id} for g in a.arguments],
            **_offsets(a.start_char, a.end_char, body_offset),
            "event_date": when.start if when else None,
            "event_period": when.label if when else None,
            "event_date_text": when.text if when else None,
        },
    )


def quote_row(article_id: str, q: QuoteRecord, body_offset: int) -> dict[str, object]:
    return QUOTE_ROWS.row(
        q,
        {
            "quote_id": stable_id("quo_", article_id, q.start_char, q.end_char, q.direct, q.speaker_text),
            "article_id": article_id,
            **_offsets(q.start_char, q.end_char, body_offset),
        },
    )


def amount_row(
    article_id: str, a: AmountRecord, body_offset: int, action_id: str | None, evidence: str
) -> dict[str, object]:
    offsets = _offsets(a.start_char, a.end_char, body_offset)
    return AMOUNT_ROWS.row(
        a,
        {
            "amount_id": stable_id("amt_", article_id, offsets["field"], offsets["start_char"], a.end_char),
            "article_id": article_id,
            "action_id": action_id,
            "evidence": evidence,
            **offsets,
        },
    )


def entity_row(article_id: str, c: Cluster, place: Place | None = None) -> dict[str, object]:
    """An entity's observation in one article; a place's codes as the article decides them."""
    return ENTITY_ROWS.row(
        c,
        {
            "article_id": article_id,
            "country_code": place.country if place else None,
            "subdivision_code": place.subdivision if place else None,
            "latitude": place.latitude if place else None,
            "longitude": place.longitude if place else None,
        },
    )


def mention_row(
    article_id: str,
    c: Cluster,
    m: Span,
    text: str,
    body_offset: int,
    sentence_index: int,
    entity: bool = True,
) -> dict[str, object]:
    """A mention's row; a name that is no entity (`entity` false: a nationality, an event)
    has no entity_id."""
    offsets = _offsets(m.start_char, m.end_char, body_offset)
    return MENTION_ROWS.row(
        m,
        {
            "mention_id": stable_id("men_", article_id, offsets["field"], offsets["start_char"], m.end_char),
            "article_id": article_id,
            "entity_id": c.entity_id if entity else None,
            "text": text[m.start_char : m.end_char],
            "label": c.label,
            "ner_label": None if m.label_ == CANDIDATE else m.label_,
            **offsets,
            "sentence_index": sentence_index,
        },
    )


def article_row(a: Article, extra_warnings: Iterable[str] = ()) -> dict[str, object]:
    return ARTICLE_ROWS.row(
        a,
        {
            "title": a.clean.title,
            "body": a.clean.body,
            "tickers": list(a.clean.tickers),
            "warnings": list(a.warnings) + list(a.clean.warnings) + list(extra_warnings),
            "cleaning_removed": a.clean.removed_json,
        },
    )


# key of `extract_rows`' result: warnings about the article that extraction found
WARNINGS = "article_warnings"


@dataclass(frozen=True)
class _Sentences:
    """A doc's sentences: the sentence index of each token, and the long sentences
    (start char -> length) whose actions' evidence is windowed."""

    index: list[int]
    long: dict[int, int]


def _sentences(doc: Doc, max_chars: int) -> _Sentences:
    sent_at = [0] * len(doc)  # token index -> sentence index (Span.sent walks the sentence)
    long: dict[int, int] = {}
    for si, sent in enumerate(doc.sents):
        sent_at[sent.start : sent.end] = [si] * len(sent)
        if (n := sent.end_char - sent.start_char) > max_chars:
            long[sent.start_char] = n
    return _Sentences(sent_at, long)


def _entity_rows(
    article: Article, clusters: list[Cluster], others: list[Cluster], sentences: _Sentences
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(entities, entity_mentions) rows: one observation per entity, one row per mention of
    an entity or of another name (no entity_id)."""
    from transforms.geocode import geocode_all

    aid, boff, text = article.article_id, article.clean.body_offset, article.clean.text
    places = geocode_all(c.name for c in clusters if c.label == "GPE")
    entities = [entity_row(aid, c, places.get(c.name) if c.label == "GPE" else None) for c in clusters]
    mentions = [
        mention_row(aid, c, m, text, boff, sentences.index[m.start], entity)
        for group, entity in ((clusters, True), (others, False))
        for c in group
        for m in c.mentions
    ]
    return entities, mentions


def _action_rows(article: Article, found: list[ActionRecord]) -> list[dict[str, object]]:
    seen: dict[tuple[int, str], int] = {}
    rows = []
    for a in found:
        key = (a.start_char, a.actor_text)
        seen[key] = seen.get(key, 0) + 1
        rows.append(action_row(article.article_id, a, article.clean.body_offset, seen[key]))
    return rows


def _quote_rows(article: Article, found: list[QuoteRecord]) -> list[dict[str, object]]:
    boff, title_end = article.clean.body_offset, len(article.clean.title)
    # a quotation mark pair across title and body is not a quote
    kept = [q for q in found if not (q.start_char < boff and q.end_char > title_end)]
    return [quote_row(article.article_id, q, boff) for q in kept]


def _amount_rows(
    article: Article,
    doc: Doc,
    found: list[AmountRecord],
    actions: list[ActionRecord],
    action_rows: list[dict[str, object]],
) -> list[dict[str, object]]:
    """Amounts with the action of their governing verb: an entity actor's first."""
    from transforms.actions import evidence

    by_verb: dict[int, str] = {}
    for a, row in sorted(zip(actions, action_rows, strict=True), key=lambda p: p[0].actor_entity_id is None):
        by_verb.setdefault(a.start_char, str(row["action_id"]))
    sents = list(doc.sents)
    rows = []
    for m in found:
        first = doc.char_span(m.start_char, m.end_char, alignment_mode="expand")
        token = first[0] if first is not None and len(first) else doc[0]
        action_id = by_verb.get(m.verb_start_char) if m.verb_start_char is not None else None
        rows.append(
            amount_row(
                article.article_id,
                m,
                article.clean.body_offset,
                action_id,
                evidence(doc, sents[m.sentence_index], token),
            )
        )
    return rows


def _main_event_rows(
    article: Article, doc: Doc, actions: list[ActionRecord], action_rows: list[dict[str, object]]
) -> list[dict[str, object]]:
    """The article's main event, when it has an action."""
    from transforms.main_event import main_event

    title_end = len(article.clean.title) if article.clean.title else 0
    found = main_event(doc, actions, title_end)
    if found is None:
        return []
    action_id = action_rows[found.action_index]["action_id"]
    return [MAIN_EVENT_ROWS.row(found, {"article_id": article.article_id, "action_id": action_id})]


def _windowed_warnings(found: list[ActionRecord], sentences: _Sentences, max_chars: int) -> list[str]:
    """A warning when actions' evidence is a window of a sentence over `max_chars`."""
    windowed = {a.sentence_start_char for a in found if a.sentence_start_char in sentences.long}
    if not windowed:
        return []
    longest = max(sentences.long[s] for s in windowed)
    return [
        f"{len(windowed):,} sentence(s) with actions longer than {max_chars:,} characters "
        f"(longest {longest:,}): their actions' evidence is the {max_chars:,} characters "
        "around the verb"
    ]


def extract_rows(article: Article, doc: Doc) -> dict[str, list[Any]]:
    """Rows of every table for one article, and (under WARNINGS) what it should be warned of."""
    # spaCy-side modules are imported here, not at the top: the run's main process builds
    # the copies' article frames and never needs spaCy (a run with nothing new never imports it)
    from transforms.actions import EVIDENCE_MAX_CHARS, analyse
    from transforms.amounts import find_amounts
    from transforms.entities import cluster_names

    clusters, others = cluster_names(doc, article.clean.tickers)
    sentences = _sentences(doc, EVIDENCE_MAX_CHARS)
    entities, mentions = _entity_rows(article, clusters, others, sentences)
    found, quote_records = analyse(doc, clusters, article.published_at)
    action_rows = _action_rows(article, found)
    return {
        "entities": entities,
        "entity_mentions": mentions,
        "actions": action_rows,
        "quotes": _quote_rows(article, quote_records),
        "action_amounts": _amount_rows(article, doc, find_amounts(doc), found, action_rows),
        "main_events": _main_event_rows(article, doc, found, action_rows),
        WARNINGS: _windowed_warnings(found, sentences, EVIDENCE_MAX_CHARS),
    }


def _batch_rows(pairs: Iterable[tuple[Article, Doc]]) -> dict[str, list[dict[str, Any]]]:
    """Rows of every table for a batch of (article, parsed doc) pairs."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in BATCH_FRAMES}
    for article, doc in pairs:
        found = extract_rows(article, doc)
        rows["articles"].append(article_row(article, found.pop(WARNINGS)))
        for k, v in found.items():
            rows[k].extend(v)
    return rows


def build_frames(pairs: Iterable[tuple[Article, Doc]]) -> Frames:
    """Frames for a batch of (article, parsed doc) pairs, built in bulk from their rows
    with the registry's schemas."""
    rows = _batch_rows(pairs)
    return Frames(**{name: pl.DataFrame(rows[name], schema=f.schema) for name, f in BATCH_FRAMES.items()})


def empty_frames() -> Frames:
    """A batch's frames with no rows (the registry's schemas)."""
    return Frames(**{name: pl.DataFrame(schema=f.schema) for name, f in BATCH_FRAMES.items()})


def article_frame(articles: Iterable[Article]) -> pl.DataFrame:
    """The articles frame of articles that are stored but not extracted (copies)."""
    return pl.DataFrame([article_row(a) for a in articles], schema=ARTICLE_FRAME.schema)


def concat_frames(parts: Iterable[Frames]) -> Frames:
    """The frames of several pieces of a batch, each table's rows in the pieces' order."""
    parts = list(parts)
    if not parts:
        return empty_frames()
    return Frames(
        **{name: pl.concat([getattr(p, name) for p in parts], rechunk=True) for name in BATCH_FRAMES}
    )


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

"""Tiny batches for the search index tests: articles with actions, loaded the way a run
loads them (Warehouse.load_batch), with empty frames for the other tables."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from transforms.registry.frames import BATCH_FRAMES
from warehouse.db import Warehouse


def _empty(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=BATCH_FRAMES[table].schema)


def article(aid: str, title: str, body: str, published: datetime | None = None, **over) -> dict:
    row = dict.fromkeys(BATCH_FRAMES["articles"].names)
    row |= {
        "article_id": aid,
        "external_id": aid,
        "source": "test",
        "title": title,
        "body": body,
        "published_at": published,
        "content_hash": f"h-{aid}-{hash(body)}",
    }
    return row | over


def action(aid: str, n: int, evidence: str, verb: str = "say") -> dict:
    row = dict.fromkeys(BATCH_FRAMES["actions"].names)
    row |= {
        "action_id": f"{aid}-act{n}",
        "article_id": aid,
        "sentence_index": n,
        "actor_text": "It",
        "actor_resolution": "direct",
        "verb": verb,
        "verb_text": verb,
        "negated": False,
        "evidence": evidence,
        "field": "body",
        "start_char": 0,
        "end_char": 1,
    }
    return row


def load(wh: Warehouse, articles: list[dict], actions: list[dict] = (), run_id: str = "run-1") -> None:  # type: ignore[assignment]
    """Load one batch of these articles and actions."""
    frames = {t: _empty(t) for t in BATCH_FRAMES}
    frames["articles"] = pl.DataFrame(articles, schema=BATCH_FRAMES["articles"].schema)
    frames["actions"] = pl.DataFrame(list(actions), schema=BATCH_FRAMES["actions"].schema)
    wh.load_batch(
        run_id,
        frames["articles"],
        frames["entities"],
        frames["entity_mentions"],
        frames["actions"],
        frames["quotes"],
        frames["action_amounts"],
        frames["main_events"],
        [],
    )

"""The batch frames extraction produces, derived from the table declarations.

A batch frame holds a table's columns that extraction fills (not those the warehouse sets
when loading, `loaded=True`), in the table's order, with the dtypes the declarations give,
plus any columns the frame carries for loading that the table does not store.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from transforms.registry.columns import Column, Table
from transforms.registry.extracted import (
    ACTION_AMOUNTS,
    ACTIONS,
    ARTICLES,
    ENTITIES,
    ENTITY_MENTIONS,
    MAIN_EVENTS,
    QUOTES,
)
from transforms.registry.operational import QUARANTINE


@dataclass(frozen=True)
class Frame:
    """The frame of `table` a batch carries. Computed from the declaration when asked (a few
    microseconds), so a declaration changed in place (a test's temporary column) shows."""

    table: Table
    extra: tuple[Column, ...] = ()  # carried for loading, not stored in the table
    # (column, the column it follows): a frame order that differs from the table's
    moved: tuple[tuple[str, str], ...] = ()

    @property
    def columns(self) -> tuple[Column, ...]:
        cols = [c for c in self.table.columns if not c.loaded] + list(self.extra)
        for name, after in self.moved:
            col = next(c for c in cols if c.name == name)
            cols.remove(col)
            cols.insert(next(i for i, c in enumerate(cols) if c.name == after) + 1, col)
        return tuple(cols)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {c.name: c.dtype for c in self.columns}


# cleaning_removed was added to the table last (migration 6) but sits beside the other
# cleaning results in the frame: the order of a rejected article's quarantine.raw
ARTICLE_FRAME = Frame(ARTICLES, moved=(("cleaning_removed", "warnings"),))
# one row per (entity, article) observation: loading merges them into entities
ENTITY_FRAME = Frame(
    ENTITIES,
    extra=(Column("article_id", "VARCHAR", "Article the entity was observed in.", "NOT NULL"),),
)
MENTION_FRAME = Frame(ENTITY_MENTIONS)
ACTION_FRAME = Frame(ACTIONS)
QUOTE_FRAME = Frame(QUOTES)
AMOUNT_FRAME = Frame(ACTION_AMOUNTS)
MAIN_EVENT_FRAME = Frame(MAIN_EVENTS)
QUARANTINE_FRAME = Frame(QUARANTINE)

# batch frame -> its declaration, in the order frames are validated and loaded
BATCH_FRAMES: dict[str, Frame] = {
    "articles": ARTICLE_FRAME,
    "entities": ENTITY_FRAME,
    "entity_mentions": MENTION_FRAME,
    "actions": ACTION_FRAME,
    "quotes": QUOTE_FRAME,
    "action_amounts": AMOUNT_FRAME,
    "main_events": MAIN_EVENT_FRAME,
}

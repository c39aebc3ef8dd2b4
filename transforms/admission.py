"""What a run decides about a read record before it cleans it: its article id, its
content hash, whether it is inside the run's date window, whether it replaces the stored
version, and its text for a quarantine row. Pure functions of the record's fields."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Protocol

from transforms.dates import parse_date
from transforms.extract import content_hash, stable_id


class Dated(Protocol):
    """Anything with a publication date as read (a record, a feed entry loaded before)."""

    @property
    def published_at(self) -> object: ...


class Record(Dated, Protocol):
    """A record as a source reads it (flows.sources.RawRecord)."""

    @property
    def source_path(self) -> str: ...
    @property
    def external_id(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def text(self) -> str | None: ...
    @property
    def source(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def metadata(self) -> str: ...  # a JSON object's text
    @property
    def warnings(self) -> tuple[str, ...]: ...


def article_key(rec: Record) -> str:
    """The article id of a record: the same (source, id) in every run."""
    return stable_id("art_", rec.source, rec.external_id)


def _metadata_value(metadata: str) -> object:
    """The record's metadata as the value its JSON text holds (so that content hashes are
    those of the decoded fields, as before metadata was kept serialised); the text itself
    should it not decode here."""
    if metadata == "{}":
        return {}
    try:
        return json.loads(metadata)
    except (ValueError, RecursionError):
        return metadata


def record_hash(rec: Record) -> str:
    """The hash of what the record says: a changed record is a new version."""
    return content_hash(
        rec.external_id,
        rec.source,
        rec.title,
        rec.text,
        rec.published_at,
        rec.url,
        _metadata_value(rec.metadata),
    )


def raw_json(rec: Record) -> str:
    """The record as one JSON object (for quarantine rows): its fields, then its metadata's."""
    known = json.dumps(
        {
            "id": rec.external_id,
            "source": rec.source,
            "title": rec.title,
            "text": rec.text,
            "published_at": rec.published_at,
            "url": rec.url,
        },
        default=str,
        ensure_ascii=False,
    )
    meta = rec.metadata.strip()
    if meta.startswith("{") and meta.endswith("}") and meta[1:-1].strip():
        return known[:-1] + ", " + meta[1:]  # spliced as text: deep metadata is never decoded
    return known


def in_range(item: Dated, since: date | None, until: date | None) -> bool:
    """Inside the run's --since/--until window (by published_at); no window: always."""
    if since is None and until is None:
        return True
    published, _ = parse_date(item.published_at)
    if published is None:
        return False
    day = published.date()
    return (since is None or day >= since) and (until is None or day <= until)


def newer(rec: Dated, content_hash: str, stored: tuple[str, datetime | None] | None) -> bool:
    """Load `rec` unless the stored version is the same, or is a later publication of the
    article (by published_at): nights may then run in any order. A changed article with the
    same (or no) date replaces the stored one: a correction."""
    if stored is None:
        return True
    if stored[0] == content_hash:
        return False
    new_pub = parse_date(rec.published_at)[0]
    return stored[1] is None or new_pub is None or new_pub >= stored[1]

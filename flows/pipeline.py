"""Batch steps of the pipeline as plain functions (the Prefect tasks wrap these).

Reading gives raw records; `prepare` turns them into cleaned `Article`s (or rejects
them); `extract` parses and extracts frames; validation and loading live in
`expectations/` and `warehouse/`.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field

from flows.sources import RawRecord
from transforms.clean import clean_article
from transforms.dates import parse_date
from transforms.extract import (
    Article,
    content_hash,
    stable_id,
)

__version__ = "0.1.0"


def code_version() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=__file__.rsplit("/", 2)[0],
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        sha = ""
    return f"newsetl {__version__}" + (f" ({sha})" if sha else "")


def article_key(rec: RawRecord) -> str:
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


def record_hash(rec: RawRecord) -> str:
    return content_hash(
        rec.external_id,
        rec.source,
        rec.title,
        rec.text,
        rec.published_at,
        rec.url,
        _metadata_value(rec.metadata),
    )


def raw_json(rec: RawRecord) -> str:
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


@dataclass
class Prepared:
    articles: list[Article] = field(default_factory=list)
    rejected: list[tuple[RawRecord, str]] = field(default_factory=list)  # (record, reason)


def prepare(records: list[tuple[RawRecord, str, str]], max_article_chars: int = 1_000_000) -> Prepared:
    """Clean and date records given as (record, article_id, content_hash). A record that
    cleaning fails on is rejected with the error; the others go on."""
    out = Prepared()
    for rec, aid, h in records:
        try:
            article = _prepare_one(rec, aid, h, max_article_chars)
        except Exception as exc:  # noqa: BLE001  (one record's failure is that record's)
            article = f"cleaning failed: {type(exc).__name__}: {exc}"
        if isinstance(article, str):
            out.rejected.append((rec, article))
        else:
            out.articles.append(article)
    return out


def _prepare_one(rec: RawRecord, aid: str, h: str, max_article_chars: int) -> Article | str:
    """The cleaned, dated article, or why the record has none."""
    if rec.text is None or not rec.text.strip():
        return "record has no text (missing, empty or only whitespace)"
    clean = clean_article(rec.title, rec.text, source=rec.source, url=rec.url)
    if not clean.body.strip():
        return "body is empty after cleaning (only markup or boilerplate)"
    published, warn = parse_date(rec.published_at)
    warnings = tuple(rec.warnings) + ((warn,) if warn else ())
    if len(clean.body) > max_article_chars:
        warnings += (
            f"body has {len(clean.body):,} characters; entities and actions were extracted from the "
            f"first {max_article_chars:,} (NEWSETL_MAX_ARTICLE_CHARS)",
        )
    return Article(
        article_id=aid,
        external_id=rec.external_id,
        source=rec.source,
        source_path=rec.source_path,
        url=rec.url,
        published_at=published,
        content_hash=h,
        metadata=rec.metadata,  # already a JSON object's text (flows.sources.RawRecord)
        clean=clean,
        warnings=warnings,
    )

"""Record -> article: clean and date the records a batch loads (the run's clean step)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from transforms.admission import Record
from transforms.clean import clean_article
from transforms.dates import parse_date
from transforms.extract import Article

R = TypeVar("R", bound=Record)


@dataclass
class Prepared(Generic[R]):
    articles: list[Article] = field(default_factory=list)
    rejected: list[tuple[R, str]] = field(default_factory=list)  # (record, reason)


def prepare(records: list[tuple[R, str, str]], max_article_chars: int = 1_000_000) -> Prepared[R]:
    """Clean and date records given as (record, article_id, content_hash). A record that
    cleaning fails on is rejected with the error; the others go on."""
    out: Prepared[R] = Prepared()
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


def _prepare_one(rec: Record, aid: str, h: str, max_article_chars: int) -> Article | str:
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

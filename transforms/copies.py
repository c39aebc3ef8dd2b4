"""A batch's duplicate decisions (the run's dedup step, without its warehouse reads).

Each article of the batch is decided against the index in read order: canonical (it
joins the index) or a copy of an earlier story (`duplicate_of`). A new version of an
article replaces the old one in the index, and the copies of the old one (earlier in
this batch, or from outside it: stored, or loaded earlier in this run) are decided
again: one that is no longer a copy becomes canonical, one that now copies another
article (or the new version at another similarity) gets its new `duplicate_of`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from transforms.clean import CleanArticle, Removal
from transforms.dedup import DuplicateIndex, Text, read
from transforms.extract import Article


@dataclass
class Decided:
    """The batch as decided: its articles by id (canonical and copies, in the batch's
    order), and the copies from outside it whose decision changed, each with the id of
    the batch article that made it change (they load with the batch)."""

    articles: dict[str, Article] = field(default_factory=dict)
    rechecked: list[tuple[Article, str]] = field(default_factory=list)

    @property
    def canonical(self) -> list[Article]:
        return [a for a in self.articles.values() if a.duplicate_of is None]

    @property
    def copies(self) -> list[Article]:
        return [a for a in self.articles.values() if a.duplicate_of is not None]


def decide_batch(
    idx: DuplicateIndex,
    batch: list[Article],
    texts: Mapping[str, Text],
    outside: Mapping[str, list[Article]],
) -> Decided:
    """Decide `batch` (its bodies read: `texts`, by article id) against `idx`, whose
    sources are seeded. `outside`: by canonical article id, its copies not in the batch."""
    for t in texts.values():  # the whole batch's paragraphs, before any is decided
        idx.observe(t)
    ids = [a.article_id for a in batch]
    outside_texts = {c.article_id: read(c.clean.body, c.source) for aid in ids for c in outside.get(aid, [])}
    idx.prepare(ids, [*texts.values(), *outside_texts.values()])  # the stored index, one look-up
    out = Decided()
    for a in batch:
        aid = a.article_id
        idx.remove(aid)  # its earlier version, if any: this one replaces it
        out.articles[aid] = decide(idx, a, texts[aid])
        # its copies, decided against the version this one replaces
        in_batch = [c for c in out.articles.values() if c.duplicate_of == aid and c.article_id != aid]
        for c in in_batch:
            out.articles[c.article_id] = decide(idx, c, texts[c.article_id])
        _recheck(idx, out, aid, outside.get(aid, []), outside_texts)
    idx.close_batch()
    return out


def _recheck(
    idx: DuplicateIndex, out: Decided, aid: str, copies: list[Article], texts: Mapping[str, Text]
) -> None:
    """Decide again the copies of `aid` from outside the batch (their bodies read: `texts`);
    keep those that changed."""
    for c in copies:
        if c.article_id in out.articles:
            continue
        again = decide(idx, c, texts[c.article_id])
        if same_decision(again, c):
            continue
        out.articles[c.article_id] = again
        out.rechecked.append((again, aid))


def decide(idx: DuplicateIndex, a: Article, t: Text) -> Article:
    """The article with its fingerprint and its decision: canonical (indexed) or a copy."""
    fp = idx.fingerprint(t)
    a = replace(a, body_hash=fp.body_hash, minhash=fp.signature)
    match = idx.find(a.article_id, fp, text=t)
    if match is None:
        idx.add(a.article_id, fp.body_hash, fp.signature, t)
        return replace(a, duplicate_of=None, duplicate_kind=None, duplicate_similarity=None)
    return replace(a, duplicate_of=match.of, duplicate_kind=match.kind, duplicate_similarity=match.similarity)


def same_decision(a: Article, b: Article) -> bool:
    return (a.duplicate_of, a.duplicate_kind, a.duplicate_similarity) == (
        b.duplicate_of,
        b.duplicate_kind,
        b.duplicate_similarity,
    )


def stored_article(row: Mapping[str, Any]) -> Article:
    """A stored article (a row of `articles`) as the Article it was loaded from, to decide
    and extract it again."""
    removed: tuple[Removal, ...] = ()
    if row.get("cleaning_removed"):
        removed = tuple(Removal(**d) for d in json.loads(row["cleaning_removed"]))
    clean = CleanArticle(
        title=row["title"] or "", body=row["body"], tickers=tuple(row["tickers"] or ()), removed=removed
    )
    return Article(
        article_id=row["article_id"],
        external_id=row["external_id"],
        source=row["source"],
        source_path=row["source_path"],
        url=row["url"],
        published_at=row["published_at"],
        content_hash=row["content_hash"],
        metadata=row["metadata"],
        clean=clean,
        warnings=tuple(row["warnings"] or ()),
        body_hash=row["body_hash"],
        minhash=row["minhash"],
        duplicate_of=row["duplicate_of"],
        duplicate_kind=row["duplicate_kind"],
        duplicate_similarity=row["duplicate_similarity"],
    )

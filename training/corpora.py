"""The data the recogniser learns from, read from ../shared (never copied into the
repository) and from training/data/ (newsetl's own annotations: ids and entity names).

- CoNLL-2003 (`../shared/corpora/conll2003/`): `train` to learn from, `dev` to stop on;
  `test` is never read here.
- News annotated by newsetl (`training/data/news_entities.jsonl`): 240 BBC business, tech,
  politics and Reuters-21578 articles drawn by `training/draw_sample.py` (never a gold
  article), their entities listed in the gold files' format (name, label, aliases) following
  ../shared/gold/GUIDELINES.md. The texts are read from ../shared by id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CONLL = SHARED / "corpora" / "conll2003"
CORPORA = {
    "bbc": SHARED / "corpora" / "bbc" / "bbc_articles.jsonl",
    "reuters": SHARED / "corpora" / "reuters21578" / "reuters_articles.jsonl",
}
GOLD_ARTICLES = SHARED / "gold" / "dev_articles.jsonl"
GOLD = SHARED / "gold" / "dev_gold.jsonl"
DATA = Path(__file__).resolve().parent / "data"
NEWS_ENTITIES = DATA / "news_entities.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def iter_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def gold_ids() -> set[str]:
    return {a["id"] for a in iter_jsonl(GOLD_ARTICLES)} if GOLD_ARTICLES.exists() else set()


def records_by_id(ids: set[str]) -> dict[str, dict]:
    """The corpus records (id, source, title, text, ...) with these ids, from BBC and Reuters."""
    out: dict[str, dict] = {}
    for path in CORPORA.values():
        for r in iter_jsonl(path):
            if r["id"] in ids:
                out[r["id"]] = r
    missing = ids - set(out)
    if missing:
        raise ValueError(f"{len(missing)} annotated ids are not in ../shared/corpora: {sorted(missing)[:5]}")
    return out


@dataclass(frozen=True)
class NewsArticle:
    """An annotated article as the pipeline parses it: the cleaned text (the headline's case
    restored), the tickers the cleaner took from angle brackets, the annotated entities."""

    id: str
    text: str
    tickers: tuple[str, ...]
    entities: list[dict] = field(compare=False)


def parse_text(record: dict) -> str:
    """What the pipeline parses for a record: cleaned, the headline's case restored."""
    return _clean(record).parse_text


def _clean(record: dict):
    from transforms.clean import clean_article

    return clean_article(record.get("title"), record.get("text"), source=record.get("source"))


def annotated_news() -> list[NewsArticle]:
    """Every annotated news article, in the file's order."""
    rows = read_jsonl(NEWS_ENTITIES)
    records = records_by_id({r["id"] for r in rows})
    out = []
    for r in rows:
        clean = _clean(records[r["id"]])
        out.append(NewsArticle(r["id"], clean.parse_text, clean.tickers, r["entities"]))
    return out


def conll_text(article: dict) -> str:
    """What the pipeline parses for a CoNLL document: title, blank line, body, with an
    all-caps headline's case restored (same length, so the gold offsets hold)."""
    from transforms.truecase import truecase, truecase_body

    title, body = article.get("title") or "", article.get("text") or ""
    return truecase(title, body) + "\n\n" + truecase_body(body)


def conll_split(split: str, limit: int | None = None) -> list[tuple[str, list[dict]]]:
    """(text, gold mentions) of a CoNLL split's documents; `test` is refused."""
    if split == "test":
        raise ValueError("CoNLL-2003 test is held out: training never reads it")
    articles = read_jsonl(CONLL / f"{split}_articles.jsonl")[:limit]
    gold = {g["id"]: g["mentions"] for g in read_jsonl(CONLL / f"{split}_gold.jsonl")}
    return [(conll_text(a), gold[a["id"]]) for a in articles]


# Reuters stories a sample draws from: long enough to hold entities, short enough to annotate.
REUTERS_CHARS = (600, 3500)


def draw_pools(excluded: set[str]) -> tuple[list[dict], list[dict]]:
    """The BBC articles (no copies) and the Reuters stories (600-3,500 characters, the first
    of identical bodies) a seeded sample may draw from, none of `excluded`, in corpus order."""
    import hashlib

    bbc = [a for a in iter_jsonl(CORPORA["bbc"]) if a["id"] not in excluded and not a.get("duplicate_of")]
    seen, reuters = set(), []
    for a in iter_jsonl(CORPORA["reuters"]):
        text = a.get("text") or ""
        digest = hashlib.md5(text.encode()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        if a["id"] not in excluded and REUTERS_CHARS[0] <= len(text) <= REUTERS_CHARS[1]:
            reuters.append(a)
    return bbc, reuters

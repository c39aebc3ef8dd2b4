"""The evidence of sample rows, re-read from ../shared/corpora (never stored in the
repository): the article's cleaned title and body as the pipeline stores them."""

from __future__ import annotations

from training import corpora


def field_texts(record: dict) -> dict[str, str]:
    """{'title', 'body'}: the record cleaned as the pipeline cleans it (articles.title/body)."""
    from transforms.clean import clean_article

    clean = clean_article(
        record.get("title"), record.get("text"), source=record.get("source"), url=record.get("url")
    )
    return {"title": clean.title, "body": clean.body}


def records(ids: set[str]) -> dict[str, dict]:
    """The corpus records with these ids (BBC and Reuters-21578 in ../shared/corpora)."""
    return corpora.records_by_id(ids)


def available() -> bool:
    return all(p.exists() for p in corpora.CORPORA.values())

"""`newsetl search`: full-text search (BM25) over article texts and action evidence,
read-only (warehouse/search.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from flows.cli.output import fail, print_json_rows, print_rows
from flows.cli.reading import reading, warehouse_path

if TYPE_CHECKING:
    from warehouse.search import Hits


def search(
    query: str = typer.Argument(..., help='Words to search for, e.g. "facial recognition".', metavar="QUERY"),
    since: datetime = typer.Option(
        None,
        "--since",
        metavar="DATE",
        formats=["%Y-%m-%d"],
        help="Only articles published on or after DATE.",
    ),
    limit: int = typer.Option(
        10, "--limit", "-n", metavar="N", help="How many articles and how many actions."
    ),
    warehouse: Path = typer.Option(None, "--warehouse", "-w", metavar="FILE", help="DuckDB file to search."),
    as_json: bool = typer.Option(
        False, "--json", help="Print one JSON object per hit (kind 'article' or 'action')."
    ),
) -> None:
    """Search article texts and action evidence (BM25): the best articles, then the best actions."""
    import duckdb

    from warehouse.search import NoSearchIndex
    from warehouse.search import search as run_search

    if not query.strip():
        fail('no query given: e.g. newsetl search "facial recognition"', 2)
    if limit < 1:
        fail("--limit must be at least 1", 2)
    wh = warehouse_path(warehouse)
    try:
        with reading():
            hits = run_search(wh, query, since.date() if since else None, limit)
    except NoSearchIndex as exc:
        fail(str(exc), 1)
    except duckdb.Error as exc:
        fail(f"search failed: {exc}", 1)
    if as_json:
        print_json_rows(["kind", *hits.article_columns], [("article", *r) for r in hits.articles])
        print_json_rows(["kind", *hits.action_columns], [("action", *r) for r in hits.actions])
        return
    print_rows(hits.article_columns, hits.articles, title=f"articles matching {query!r}")
    print_rows(hits.action_columns, hits.actions, title=f"actions matching {query!r}")
    if not hits.articles and not hits.actions:
        typer.echo(why_nothing(hits), err=True)


def why_nothing(hits: Hits) -> str:
    """Why a search found nothing: its words are stopwords or in no indexed text, or no
    text has them (together, after --since)."""
    parts = []
    if hits.stopwords:
        parts.append(f"stopwords, never indexed: {', '.join(hits.stopwords)}")
    if hits.unseen:
        parts.append(f"in no indexed text: {', '.join(hits.unseen)}")
    if not parts:
        return "no article or action matches (with --since, none published since then)"
    return "nothing found; " + "; ".join(parts)

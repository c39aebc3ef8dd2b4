"""The company reference table (seed data in transforms/data/companies.csv) and linking
of per-article entities to it by ticker, name and alias.

Linking never creates an entity: it only names, labels and enriches (ticker, exchange,
sector) what extraction found, so a common word that happens to be a company's name
("Target", "Visa") is linked only when the model or a rule already saw an organisation.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from transforms.names import name_key

COMPANIES_PATH = Path(__file__).parent / "data" / "companies.csv"


@dataclass(frozen=True)
class Company:
    ticker: str
    name: str
    exchange: str | None
    sector: str | None
    sub_industry: str | None
    aliases: tuple[str, ...]


@lru_cache(maxsize=1)
def companies() -> tuple[Company, ...]:
    with COMPANIES_PATH.open(encoding="utf-8", newline="") as fh:
        return tuple(
            Company(
                ticker=r["ticker"],
                name=r["name"],
                exchange=r["exchange"] or None,
                sector=r["sector"] or None,
                sub_industry=r["sub_industry"] or None,
                aliases=tuple(a for a in r["aliases"].split("|") if a),
            )
            for r in csv.DictReader(fh)
        )


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, Company], dict[str, Company]]:
    by_key: dict[str, Company] = {}
    by_ticker: dict[str, Company] = {}
    for c in companies():
        by_ticker.setdefault(c.ticker, c)
        for form in (c.name, *c.aliases):
            key = name_key(form, "ORG")
            if len(key) >= 2:
                by_key.setdefault(key, c)  # first listed wins (GOOGL before GOOG)
    return by_key, by_ticker


def by_ticker(symbol: str) -> Company | None:
    return _index()[1].get(symbol.upper())


def by_name(text: str) -> Company | None:
    return _index()[0].get(name_key(text, "ORG"))

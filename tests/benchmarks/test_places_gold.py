"""The places benchmark's arithmetic and the shipped gold's form (no ../shared)."""

from __future__ import annotations

import re

from benchmarks.places.score import is_right, read_gold, score


def test_right_needs_the_country_and_a_subdivision_code():
    texas = {"kind": "subdivision", "country": "US", "subdivision": "US-TX"}
    assert is_right(texas, "US", "US-TX") and not is_right(texas, "US", None)
    paris = {"kind": "city", "country": "FR", "subdivision": None}
    assert is_right(paris, "FR", "FR-IDF") and not is_right(paris, "US", "US-TX")
    asia = {"kind": "region", "country": None, "subdivision": None}
    assert is_right(asia, None, None) and not is_right(asia, "PH", None)


def test_score_codes_each_article_together():
    gold = [
        {"article": "a", "name": "Paris", "kind": "city", "country": "US", "subdivision": "US-TX"},
        {"article": "a", "name": "Texas", "kind": "subdivision", "country": "US", "subdivision": "US-TX"},
    ]
    seen = []

    def code(names):
        seen.append(names)
        return {"Paris": ("FR", None), "Texas": ("US", "US-TX")}

    right, total, errors = score(gold, code)
    assert (right, total, seen) == (1, 2, [["Paris", "Texas"]])
    assert errors[0][0]["name"] == "Paris"


def test_the_gold_is_well_formed():
    rows = read_gold()
    assert len(rows) == 89 and len({(r["article"], r["name"]) for r in rows}) == 89
    for r in rows:
        assert r["kind"] in {"country", "subdivision", "city", "region", "other"}
        assert r["country"] is None or re.fullmatch(r"[A-Z]{2}", r["country"])
        assert r["subdivision"] is None or re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", r["subdivision"])

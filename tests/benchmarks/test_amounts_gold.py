"""The amounts benchmark (benchmarks/amounts): the scoring arithmetic on in-memory rows and
the shipped gold's form (no ../shared, no model)."""

from __future__ import annotations

import re

from benchmarks.amounts.score import read_gold, score


def amount(start: int, end: int, value: float, unit: str, role: str = "level", article: str = "a") -> dict:
    return {"article": article, "field": "body", "start_char": start, "end_char": end, "value": value,
            "unit": unit, "role": role}  # fmt: skip


def test_overlap_matches_and_value_unit_role_count_apart():
    gold = [
        amount(0, 4, 6e9, "USD", "price"),
        amount(10, 16, 3.2e9, "GBP", "price"),
        amount(30, 33, 25, "percent"),
    ]
    predicted = [
        amount(1, 4, 6e9, "USD", "price"),  # right in every way
        amount(10, 15, 3.2e6, "GBP", "price"),  # the span, a wrong value
        amount(40, 44, 1, "people"),  # no gold amount there
    ]
    s = score(predicted, gold)
    assert s["span"] == {"precision": 0.667, "recall": 0.667, "f1": 0.667}
    assert s["value+unit"]["precision"] == 0.333 and s["value+unit+role"]["recall"] == 0.333
    assert score([], gold)["value+unit"]["f1"] == 0.0


def test_the_gold_is_well_formed():
    rows = read_gold()
    assert len(rows) >= 150 and len({r["article"] for r in rows}) >= 20
    assert {r["fold"] for r in rows} == {"tuned", "heldout"}
    units = {"percent", "percentage_point", "points", "people", "shares", "units", "sites", "tonnes", "barrels",
             "ounces", "bushels", "fraction", "other"}  # fmt: skip
    for r in rows:
        assert r["unit"] in units or re.fullmatch(r"[A-Z]{3}", r["unit"]), r
        assert r["role"] in {"price", "stake", "count", "change", "target", "level"}, r
        assert r["end_char"] - r["start_char"] == len(r["text"]) and len(r["text"]) < 60, r

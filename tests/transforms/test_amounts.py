"""Amounts (transforms/amounts.py): (text, expected) tables of what is read as an amount,
its value, unit and role, and what must not be read as one. Texts are written for these
tests in the style of BBC and Reuters (no corpus text is copied)."""

from __future__ import annotations

import pytest

from transforms.amounts import find_amounts, number_value


def amounts(nlp, text):
    return [(a.text, a.value, a.unit, a.unit_per) for a in find_amounts(nlp(text))]


def roles(nlp, text):
    return {a.text: a.role for a in find_amounts(nlp(text))}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # BBC: a dollar figure with its sterling translation: two amounts
        (
            "Microsoft agreed to buy the firm for $6bn (£3.2bn).",
            [("$6bn", 6e9, "USD", None), ("£3.2bn", 3.2e9, "GBP", None)],
        ),
        # Reuters spellings
        ("Net profit was 6.5 mln dlrs.", [("6.5 mln dlrs", 6.5e6, "USD", None)]),
        ("It earned 20 cts a share.", [("20 cts a share", 0.2, "USD", "share")]),
        ("Sales rose to 1.2 billion Canadian dlrs.", [("1.2 billion Canadian dlrs", 1.2e9, "CAD", None)]),
        ("The stake is worth 300 mln stg.", [("300 mln stg", 3e8, "GBP", None)]),
        ("The bank lifted its rate 25 pct.", [("25 pct", 25.0, "percent", None)]),
        ("Rates rose by 0.25 percentage point.", [("0.25 percentage point", 0.25, "percentage_point", None)]),
        ("The index fell 12.5 points.", [("12.5 points", 12.5, "points", None)]),
        ("Oil traded at $40 a barrel.", [("$40 a barrel", 40.0, "USD", "barrel")]),
        ("The shares closed at 50p.", [("50p", 0.5, "GBP", None)]),
        ("Revenue reached €475m.", [("€475m", 4.75e8, "EUR", None)]),
        ("It paid 2.5 billion yen.", [("2.5 billion yen", 2.5e9, "JPY", None)]),
        # counts need their unit noun
        ("Corvex cut 1,200 jobs.", [("1,200 jobs", 1200.0, "people", None)]),
        ("Corvex will cut 1,200 more jobs.", [("1,200 more jobs", 1200.0, "people", None)]),
        ("The bank shut two branches.", [("two branches", 2.0, "sites", None)]),
        ("It sold 800,000 units in Japan.", [("800,000 units", 8e5, "units", None)]),
        ("Output was 3 mln barrels.", [("3 mln barrels", 3e6, "barrels", None)]),
        ("It shed a third of its staff.", [("a third", 0.3333, "fraction", None)]),
        # a story's named dollar holds for its plain "dlrs" that follow
        (
            "Profit rose to 1.2 billion H.K. Dlrs. Costs were 124.9 mln dlrs.",
            [("1.2 billion H.K. Dlrs", 1.2e9, "HKD", None), ("124.9 mln dlrs", 1.249e8, "HKD", None)],
        ),
        # not amounts: years, ages, durations, model and version numbers, bare numbers
        ("In 2004 the 52-year-old chief spent two weeks in Paris.", []),
        ("Cathay took delivery of a Boeing 747 freighter; Nokia launched 3G handsets.", []),
        ("The two companies met three times; one of them left.", []),
        ("Mr Smith, 52, joined in 1987.", []),
    ],
)
def test_amounts(nlp, text, expected):
    assert amounts(nlp, text) == expected


def test_a_results_table_line_is_in_dollars(nlp):
    text = "Acme Corp <ACME> 1st qtr net\n\nShr 45 cts vs 34 cts\n\nNet 1,234,000 vs 987,000"
    found = amounts(nlp, text)
    assert ("45 cts", 0.45, "USD", "share") in found
    assert ("1,234,000", 1234000.0, "USD", None) in found
    assert ("987,000", 987000.0, "USD", None) in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Microsoft agreed to buy the firm for $6bn (£3.2bn).", {"$6bn": "price", "£3.2bn": "price"}),
        ("Corvex took a 25% stake in Acme.", {"25%": "stake"}),
        ("Corvex cut 1,200 jobs.", {"1,200 jobs": "count"}),
        ("Profits rose 12% to $5bn.", {"12%": "change", "$5bn": "level"}),
        ("Acme expects sales of $5bn next year.", {"$5bn": "target"}),
        ("The phone will cost $499.", {"$499": "price"}),
        ("Net profit was 6.5 mln dlrs.", {"6.5 mln dlrs": "level"}),
    ],
)
def test_roles(nlp, text, expected):
    assert roles(nlp, text) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234.5", 1234.5), ("27-7/8", 27.875), ("7/8", 0.875), ("eight", 8.0), ("abc", None)],
)
def test_number_value(text, value):
    assert number_value(text) == value

"""Place codes (transforms/geocode.py): (names of an article's places, expected codes)
tables; the article decides an ambiguous name; regions and non-places get no code."""

from __future__ import annotations

import pytest

from transforms.geocode import geocode, geocode_all


def codes(names):
    found = geocode_all(names)
    return {n: (p.kind, p.country, p.subdivision) if p else None for n in names for p in [found.get(n)]}


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["US", "Britain", "U.K.", "Soviet Union"], {"US": ("country", "US", None), "Britain": ("country", "GB", None),
                                                     "U.K.": ("country", "GB", None),
                                                     "Soviet Union": ("country", "RU", None)}),
        (["Texas", "Scotland", "Wales", "Calif."], {"Texas": ("subdivision", "US", "US-TX"),
                                                   "Scotland": ("subdivision", "GB", "GB-SCT"),
                                                   "Wales": ("subdivision", "GB", "GB-WLS"),
                                                   "Calif.": ("subdivision", "US", "US-CA")}),
        # the article decides: Paris beside Texas; Georgia beside Atlanta and Ohio
        (["Paris", "Texas"], {"Paris": ("city", "US", "US-TX"), "Texas": ("subdivision", "US", "US-TX")}),
        (["Paris", "France"], {"Paris": ("city", "FR", None), "France": ("country", "FR", None)}),
        (["Georgia", "Atlanta", "Ohio"], {"Georgia": ("subdivision", "US", "US-GA"),
                                          "Atlanta": ("city", "US", "US-GA"),
                                          "Ohio": ("subdivision", "US", "US-OH")}),
        (["Georgia", "Russia"], {"Georgia": ("country", "GE", None), "Russia": ("country", "RU", None)}),
        # a country's name stays the country beside a US city of that name
        (["Lebanon", "Washington"], {"Lebanon": ("country", "LB", None), "Washington": ("city", "US", "US-DC")}),
        # a far bigger city beats a small one of a country the article names
        (["Ottawa", "Canada", "Chicago"], {"Ottawa": ("city", "CA", None), "Canada": ("country", "CA", None),
                                           "Chicago": ("city", "US", "US-IL")}),
        # regions and names that are no place get no code
        (["Asia", "the Gulf", "Eurozone", "Frobnitzia"], {"Asia": None, "the Gulf": None, "Eurozone": None,
                                                         "Frobnitzia": None}),
    ],
)  # fmt: skip
def test_codes(names, expected):
    assert codes(names) == expected


def test_a_city_has_coordinates_a_country_none():
    minneapolis = geocode("Minneapolis")
    assert minneapolis is not None and minneapolis.subdivision == "US-MN"
    assert minneapolis.latitude == pytest.approx(44.98, abs=0.05)
    assert minneapolis.longitude == pytest.approx(-93.26, abs=0.05)
    spain = geocode("Spain")
    assert spain is not None and spain.latitude is None and spain.country == "ES"

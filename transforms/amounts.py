"""Amounts: money, percentages, points, counts and quantities in an article, with the
value as a number, its unit, its role and the verb it belongs to.

"$6bn (£3.2bn)" gives two amounts, USD 6e9 and GBP 3.2e9; "6.5 mln dlrs" USD 6.5e6; "20 cts
a share" USD 0.2 a share; "1,200 jobs" 1200 people; "25 pct" 25 percent; "a third of" the
fraction 0.3333. Money in another currency keeps its currency (ISO 4217; no conversion).
A number is an amount only with a currency, a percent or point word, a unit noun of
`patterns/amounts.json` ("1,200 jobs", "two plants", "3 mln barrels") or on a line of a
Reuters results table ("Net 1,234,000 vs 987,000": dollars); dates, ages, years and other
bare numbers are not.

The role says what the amount is to its clause: price (paid, charged or offered; a price
level), stake (a share of ownership), count (how many), change (the size of a rise or
fall), target (a goal, forecast or planned level), level (any other figure). The verb is
the nearest verb governing the amount in its sentence; transforms/extract.py joins it to
that verb's actions. The maintained parsers measured on the amounts gold got value and
unit right far less often (docs/quality.md): they read "bn" and "mln" as units of
measure, and miss Reuters spellings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from spacy.tokens import Doc, Span, Token

from transforms.action_types import classify
from transforms.lemmas import verb_lemma
from transforms.lexicons import load_json
from transforms.syntax import source_text

DATA = "amounts.json"
ROLES = ("price", "stake", "count", "change", "target", "level")
CURRENCY_UNITS = "ISO 4217 code"  # money's unit is its currency code

_DATE_LABELS = frozenset(["DATE", "TIME"])
_CHANGE_TYPES = frozenset(["CHANGE", "RAISE", "CUT_COSTS", "CUT_JOBS", "EXPAND"])
_CHANGE_LEMMAS = frozenset(["grow", "shrink", "contract", "slow", "increase", "decrease", "widen", "narrow"])
_CHANGE_NOUNS = frozenset(
    ["growth", "rise", "increase", "fall", "drop", "decline", "jump", "cut", "reduction", "decrease", "slump"]
)
COUNT_UNITS = frozenset(["people", "shares", "units", "sites"])  # quantities (tonnes, ...) are levels
_PRICE_TYPES = frozenset(["ACQUIRE", "BUY", "SELL", "DIVEST", "MERGE", "INVEST", "SETTLE", "GIVE", "AWARD"])
_TARGET_TYPES = frozenset(["FORECAST"])
_FUTURE_AUX = frozenset(["will", "would", "could", "may", "might", "shall", "'ll", "wo", "can", "should"])
_PRICE_NOUNS = frozenset(
    ["price", "fee", "cost", "offer", "bid", "value", "valuation", "tariff", "fare", "charge", "worth"]
)
_STAKE_NOUNS = frozenset(["stake", "holding", "ownership"])
_TARGET_NOUNS = frozenset(
    [
        "target",
        "forecast",
        "goal",
        "estimate",
        "projection",
        "guidance",
        "expectation",
        "aim",
        "ceiling",
        "quota",
    ]
)
_STAKE_VERBS = frozenset(
    ["hold", "own", "acquire", "buy", "sell", "take", "control", "raise", "reduce", "cut"]
)


@dataclass(frozen=True)
class AmountRecord:
    """One amount, with doc-level character offsets."""

    start_char: int
    end_char: int
    text: str  # as written
    value: float  # scale words and sub-units resolved ("6.5 mln" 6500000; "20 cts" 0.2)
    unit: str  # ISO 4217 code, or percent, percentage_point, points, people, shares, units, ...
    unit_per: str | None  # "share" of "20 cts a share"
    role: str  # price | stake | count | change | target | level
    sentence_index: int
    verb_start_char: int | None  # the governing verb's offset in the doc, if any


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return {k: v for k, v in load_json(DATA).items() if not k.startswith("_")}


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    d = _data()
    number = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:-\d+/\d+)?|\d+/\d+"
    spelled = _alternation(list(d["number_words"]))
    scales = _alternation([w for w in d["scales"] if len(w) > 1 or w == "m"])
    long_scales = _alternation([w for w in d["scales"] if len(w) > 2])
    currencies = _alternation(list(d["currency_words"]) + list(d["subunits"]))
    adjectives = _alternation(list(d["currency_adjectives"]))
    points = _alternation(list(d["point_words"]) + list(d["basis_points"]))
    rates = _alternation(d["rate_nouns"])
    return re.compile(
        rf"(?<![\w.$£€¥-])(?P<sym>{_alternation(list(d['currency_symbols']))})?\s?"
        rf"(?P<num>{number}|\b(?:{spelled})\b)"
        rf"(?:(?P<suf>{scales}|p)(?!\w)|(?!\w))"
        rf"(?:[ -](?P<scale>{long_scales})\b)?"
        rf"(?:\s(?:(?P<adj>{adjectives})\s)?(?P<cur>{currencies})\b)?"
        rf"(?:\s?(?P<pct>%)|\s(?P<pctw>pct|percent|per cent)\b|\s(?P<pts>{points})\b)?"
        rf"(?:\s(?:a|an|per)\s(?P<per>{rates})\b)?",
        re.IGNORECASE,
    )


@lru_cache(maxsize=1)
def _fraction_pattern() -> re.Pattern[str]:
    return re.compile(rf"\b(?P<frac>{_alternation(list(_data()['fractions']))})(?=\s+of\b)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _unit_of_noun() -> dict[str, str]:
    return {noun: unit for unit, nouns in _data()["unit_nouns"].items() for noun in nouns}


def number_value(text: str) -> float | None:
    """ "1,234.5" 1234.5; "27-7/8" 27.875; "7/8" 0.875; "eight" 8; else None."""
    low = text.lower().replace(",", "")
    words = _data()["number_words"]
    if low in words:
        return float(words[low])
    whole, _, frac = low.partition("-")
    try:
        if "/" in whole and not frac:
            num, den = whole.split("/")
            return int(num) / int(den)
        value = float(whole)
        if frac:
            num, den = frac.split("/")
            value += int(num) / int(den)
        return value
    except (ValueError, ZeroDivisionError):
        return None


def find_amounts(doc: Doc) -> list[AmountRecord]:
    """Every amount of the doc, in text order."""
    text = source_text(doc)
    sent_starts = [s.start_char for s in doc.sents]
    dollar = _story_dollar(text)
    out = list(_money_and_counts(doc, text, dollar)) + list(_fractions(doc, text))
    out.sort(key=lambda a: a.start_char)
    records: list[AmountRecord] = []
    taken_until = -1
    for a in out:
        if a.start_char < taken_until:
            continue  # overlapping matches: the first, longest one wins
        taken_until = a.end_char
        if records and _translates(text, records[-1], a):
            a = replace(a, role=records[-1].role)  # "$6bn (£3.2bn)": the same amount in pounds
        records.append(a)
    return [_with_sentence(r, sent_starts) for r in records]


def _translates(text: str, before: AmountRecord, amount: AmountRecord) -> bool:
    """The amount is the one before in another currency, in brackets: "$6bn (£3.2bn)"."""
    between = text[before.end_char : amount.start_char]
    return (
        _is_money(before.unit)
        and _is_money(amount.unit)
        and re.fullmatch(r"\s*[(\[]\s*", between) is not None
    )


def _with_sentence(a: AmountRecord, sent_starts: list[int]) -> AmountRecord:
    from bisect import bisect_right

    si = max(bisect_right(sent_starts, a.start_char) - 1, 0)
    return replace(a, sentence_index=si)


@lru_cache(maxsize=1)
def _named_dollar() -> re.Pattern[str]:
    d = _data()
    dollars = _alternation(["dlrs", "dlr", "dollars", "dollar"])
    return re.compile(rf"\b({_alternation(list(d['currency_adjectives']))})\s({dollars})\b", re.IGNORECASE)


def _story_dollar(text: str) -> tuple[int, str]:
    """Reuters names a story's dollar once ("1.23 billion H.K. Dlrs") and writes plain
    "dlrs" after it: (where that first named dollar is, its currency); else no such place."""
    m = _named_dollar().search(text)
    return (m.start(), _data()["currency_adjectives"][m.group(1).lower()]) if m else (len(text), "USD")


def _money_and_counts(doc: Doc, text: str, story_dollar: tuple[int, str]) -> Iterator[AmountRecord]:
    for m in _pattern().finditer(text):
        value = number_value(m.group("num"))
        if value is None:
            continue
        start, end = m.start(), m.end()
        dollar = story_dollar[1] if start >= story_dollar[0] else "USD"
        unit, value, per = _unit_and_value(m, value, dollar)
        counted = unit is None and not _after_name(doc, m)
        if counted:
            unit, end = _counted_unit(doc, text, m)
            if unit is not None and _is_date(doc, m):
                continue  # "in 2004 stores": a year, not a count
        if unit is None:
            unit = _results_table_unit(text, start)
        if (
            unit is not None
            and _is_money(unit)
            and per is None
            and _line_label(text, start) in ("shr", "shrs")
        ):
            per = "share"  # "Shr 45 cts vs 34 cts"
        if unit is None:
            continue
        if (
            m.group("suf")
            and m.group("suf").lower() != "p"
            and len(m.group("suf")) <= 3
            and not _is_money(unit)
        ):
            continue  # "7m" is metres unless it is money
        span = doc.char_span(start, end, alignment_mode="expand")
        role, verb = _role(span, unit, per) if span is not None else ("level", None)
        yield AmountRecord(start, end, text[start:end], _round(value), unit, per, role, 0, verb)


def _fractions(doc: Doc, text: str) -> Iterator[AmountRecord]:
    fractions = _data()["fractions"]
    for m in _fraction_pattern().finditer(text):
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is None:
            continue
        role, verb = _role(span, "fraction", None)
        value = float(fractions[m.group("frac").lower()])
        yield AmountRecord(m.start(), m.end(), m.group(0), value, "fraction", None, role, 0, verb)


def _round(value: float) -> float:
    return float(f"{value:.10g}")


def _is_money(unit: str) -> bool:
    return len(unit) == 3 and unit.isupper()


def _unit_and_value(m: re.Match[str], value: float, dollar: str) -> tuple[str | None, float, str | None]:
    """Currency, percent or points from the match itself; the value scaled."""
    d = _data()
    per = m.group("per").lower() if m.group("per") else None
    suffix = (m.group("suf") or "").lower()
    scale = (m.group("scale") or "").lower()
    if suffix and suffix != "p":
        value *= d["scales"][suffix]
    if scale:
        value *= d["scales"][scale]
    sym = m.group("sym")
    cur = (m.group("cur") or "").lower()
    adj = (m.group("adj") or "").lower()
    if m.group("pct") or m.group("pctw"):
        return "percent", value, per
    if m.group("pts"):
        words = m.group("pts").lower()
        if words in d["basis_points"]:
            return "percentage_point", value / 100, per
        return d["point_words"][words], value, per
    if suffix == "p" and not sym:
        return "GBP", value / 100, per
    if cur in d["subunits"]:
        code = d["currency_symbols"].get(sym) if sym else None
        code = code or d["subunit_currency"].get(cur) or (d["currency_adjectives"].get(adj) if adj else None)
        return code or dollar, value * d["subunits"][cur], per
    if cur:
        code = d["currency_adjectives"].get(adj) if adj else None
        if code is None:
            code = dollar if cur in ("dlrs", "dlr", "dollars", "dollar") else d["currency_words"][cur]
        return code, value, per
    if sym:
        return d["currency_symbols"][sym if sym in d["currency_symbols"] else sym.upper()], value, per
    return None, value, per


def _counted_unit(doc: Doc, text: str, m: re.Match[str]) -> tuple[str | None, int]:
    """The unit noun a bare number counts ("1,200 jobs", "1,200 new jobs", "two plants"):
    the number's head noun, else the noun right after it; and the end of the span."""
    span = doc.char_span(m.start("num"), m.end(), alignment_mode="expand")
    if span is None:
        return None, m.end()
    num = span[-1]
    units = _unit_of_noun()
    candidates: list[Token] = []
    if num.dep_ in ("nummod", "compound", "quantmod", "amod") and num.head.i > num.i:
        candidates.append(num.head)
    candidates.extend(t for t in doc[num.i + 1 : num.i + 4] if t.pos_ in ("NOUN", "PROPN"))
    for noun in candidates:
        between = doc[num.i + 1 : noun.i]
        blocked = ("VERB", "ADP", "CCONJ", "DET")
        if noun is not num.head and any(t.is_punct or t.pos_ in blocked for t in between):
            continue
        if any(t.pos_ in blocked or t.text in (",", ";", ".") for t in between):
            continue
        unit = units.get(noun.lower_) or units.get(noun.lemma_.lower())
        if unit is not None:
            return unit, noun.idx + len(noun.text)
    return None, m.end()


def _after_name(doc: Doc, m: re.Match[str]) -> bool:
    """A number right after a name is part of it: "Boeing 747 freighter", "Windows 95"."""
    span = doc.char_span(m.start("num"), m.end("num"), alignment_mode="expand")
    return span is not None and span.start > 0 and doc[span.start - 1].pos_ == "PROPN"


def _line_label(text: str, at: int) -> str:
    line_start = text.rfind("\n", 0, at) + 1
    first = text[line_start:at].split()
    return first[0].lower().rstrip(".:") if first else ""


def _results_table_unit(text: str, at: int) -> str | None:
    """Bare figures on a line of a Reuters results table are dollars (shares on "Avg
    shrs"): the line opens with one of `results_labels` and is short."""
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if len(line) > 120 or _line_label(text, at) not in _data()["results_labels"]:
        return None
    return (
        "shares" if re.search(r"\bshrs?\b", line[:12], re.IGNORECASE) and "avg" in line[:6].lower() else "USD"
    )


def _is_date(doc: Doc, m: re.Match[str]) -> bool:
    """A number the recogniser calls a date or time (a year before a noun)."""
    span = doc.char_span(m.start("num"), m.end("num"), alignment_mode="expand")
    return span is not None and any(t.ent_type_ in _DATE_LABELS for t in span)


def _governing_verb(tok: Token) -> Token | None:
    t = tok
    for _ in range(6):
        if t.head is t:
            return t if t.pos_ in ("VERB", "AUX") else None
        t = t.head
        if t.pos_ == "VERB":
            return t
    return None


def _role(span: Span, unit: str, per: str | None) -> tuple[str, int | None]:
    """The amount's role in its clause (the first that holds: stake, price, count, target,
    level after "to"/"from" of a change, change, level), and its governing verb's offset."""
    head = span.root
    verb = _governing_verb(head)
    verb_at = verb.idx if verb is not None else None
    nouns = {head.lemma_.lower()}
    for t in head.ancestors:
        if t is verb:
            break
        if t.pos_ in ("NOUN", "ADJ", "ADP"):
            nouns.add(t.lemma_.lower())
    prep = head.head.lower_ if head.dep_ == "pobj" else None
    lemma = verb_lemma(verb) if verb is not None else ""
    vtype = _verb_type(verb) if verb is not None else "OTHER"
    money = _is_money(unit)
    of_whole = any(c.dep_ == "prep" and c.lower_ == "of" for c in head.children) or prep == "of"
    if nouns & _STAKE_NOUNS or (unit in ("percent", "fraction") and of_whole and lemma in _STAKE_VERBS):
        return "stake", verb_at
    if _is_price(nouns, prep, lemma, vtype, money, per, head):
        return "price", verb_at
    if unit in COUNT_UNITS:
        return "count", verb_at
    if nouns & _TARGET_NOUNS or vtype in _TARGET_TYPES or (verb is not None and _future(verb)):
        return "target", verb_at
    change_verb = vtype in _CHANGE_TYPES or lemma in _CHANGE_LEMMAS
    if prep in ("to", "from") and (change_verb or nouns & _CHANGE_NOUNS):
        return "level", verb_at
    # money a verb raises or cuts is a sum, not a change, unless "by" says so ("raised six mln
    # dlrs through an offering"; "cut costs by $5m")
    by_size = head.dep_ in ("npadvmod", "advmod") or (head.dep_ == "dobj" and not money)
    if (change_verb and (by_size or prep == "by")) or nouns & _CHANGE_NOUNS:
        return "change", verb_at
    if head.head.lower_ in ("up", "down", "off"):
        return "change", verb_at
    return "level", verb_at


def _is_price(
    nouns: set[str], prep: str | None, lemma: str, vtype: str, money: bool, per: str | None, head: Token
) -> bool:
    """Paid, charged or offered; a price level: "a deal worth $4bn", "costs $499", "bought
    for $7.5bn", "trading at $40 a barrel", "offered 20 dlrs a share"."""
    if nouns & _PRICE_NOUNS or lemma in ("cost", "charge", "price", "value", "fetch"):
        return True
    if not money:
        return False
    if prep in ("for", "at") or (per is not None and per != "share"):
        return True
    offered = per == "share" and vtype in _PRICE_TYPES
    return offered or (vtype in _PRICE_TYPES and head.dep_ in ("dobj", "pobj") and prep in (None, "for"))


def _verb_type(verb: Token) -> str:
    obj = next((c.lemma_.lower() for c in verb.children if c.dep_ == "dobj"), None)
    prt = next((c.lower_ for c in verb.children if c.dep_ == "prt"), None)
    return classify(verb_lemma(verb), prt, obj)


def _future(verb: Token) -> bool:
    """A clause about the future: will, could, may ...; an infinitive of expect, aim, plan."""
    v = verb
    for _ in range(3):
        if any(c.dep_ == "aux" and c.lower_ in _FUTURE_AUX for c in v.children):
            return True
        if v.dep_ != "xcomp" or v.head is v:
            return False
        v = v.head
        if verb_lemma(v) in ("expect", "aim", "plan", "target", "forecast", "predict", "hope", "want"):
            return True
    return False

"""Normalise DATE expressions against the article's publication time.

`normalise(text, published_at, tense)` returns an `EventTime` (the first day of the
period, its granularity and an ISO-like label such as "2020-03", "2020-W24", "2020-Q3",
"2018" or "2020-06-11") or None when the expression cannot be pinned down. Relative
expressions ("in March", "on Friday", "earlier this week", "last year") need the
publication date; without it they give None. Nothing is ever guessed from the
publication date alone: no expression, no date.

A month, a month and day, or a quarter written without a year is the one nearest the
publication unless something points a way: the clause's tense (`future` True: the
coming one; False, a past-tense clause: the latest one), a deadline word in front ("by
March 10", "until April 3": forward, or at least the nearest under a past tense: "the
offer was extended until March 10"), a word pointing back ("back in March", "since
March"), "last"/"next", or a year ("March last year", "the fourth quarter of 1986"). A
quarter that has not begun is the coming one only when it is the next quarter or the
clause is future: "the fourth quarter" in an article of March 1987 is 1986-Q4.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from transforms.lexicons import month_numbers, ordered_words, weekday_numbers

MONTHS = month_numbers()  # "march", "mar" -> 3 (patterns/months.json)
WEEKDAYS = weekday_numbers()  # "monday" -> 0
# a day of the month written as a word: "three", "third", "twenty-one" -> 1..31 (months.json)
DAY_WORDS = {
    w: n
    for key in ("day_cardinals", "day_ordinals")
    for n, w in enumerate(ordered_words("months.json", key), 1)
}
DAY_ORDINALS = frozenset(ordered_words("months.json", "day_ordinals"))
DEADLINE_WORDS = frozenset(ordered_words("months.json", "deadline_words"))  # "by March 10"
BACK_WORDS = frozenset(ordered_words("months.json", "back_words"))  # "back in March"
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@dataclass(frozen=True)
class EventTime:
    start: date  # first day of the period
    granularity: str  # day | week | month | quarter | year
    label: str  # "2020-06-11", "2020-W24", "2020-03", "2020-Q3", "2018"
    text: str  # the expression as written


def _day(d: date, text: str) -> EventTime:
    return EventTime(d, "day", d.isoformat(), text)


def _month(y: int, m: int, text: str) -> EventTime:
    return EventTime(date(y, m, 1), "month", f"{y:04d}-{m:02d}", text)


def _week(d: date, text: str) -> EventTime:
    monday = d - timedelta(days=d.weekday())
    iso = monday.isocalendar()
    return EventTime(monday, "week", f"{iso[0]}-W{iso[1]:02d}", text)


def _quarter(y: int, q: int, text: str) -> EventTime:
    return EventTime(date(y, 3 * (q - 1) + 1, 1), "quarter", f"{y}-Q{q}", text)


def _year(y: int, text: str) -> EventTime:
    return EventTime(date(y, 1, 1), "year", str(y), text)


def normalise(
    text: str,
    published_at: datetime | date | None,
    future: bool | None = None,
    preposition: str | None = None,
) -> EventTime | None:
    """Pin a DATE expression to a period. `future`: True for a planned or future clause,
    False for a past-tense one, None when the tense says nothing (present tense, no
    clause). `preposition`: the word written just before the expression ("by" of "by
    March 10"), when the expression is cut from a sentence. None, too, when the period
    would fall outside the calendar (years 1 to 9999: "last year" in an article dated
    0001-01-01, "tomorrow" on 9999-12-31)."""
    try:
        return _normalise(text, published_at, future, preposition)
    except (OverflowError, ValueError):
        return None


_LEADING = re.compile(
    r"^(?:(?:as early as|as of|from|in|on|during|at|the|"
    + "|".join(sorted(map(re.escape, DEADLINE_WORDS | BACK_WORDS)))
    + r") )+"
)
_QUARTER = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th|q[1-4])\b(?:[- ]quarter)?")
_DAY_OFFSETS = {
    "today": 0,
    "this morning": 0,
    "this afternoon": 0,
    "tonight": 0,
    "this evening": 0,
    "yesterday": -1,
    "last night": -1,
    "tomorrow": 1,
}
_REL_YEAR = re.compile(r"\b(last|this|next) year\b")
_PERIOD = re.compile(r"(?:(?:earlier |later )?this|(last|next)) (week|month|year)")


def _direction(leading: list[str], future: bool | None) -> int:
    """Where a yearless period lies from the publication: 1 forward, -1 back, 0 the
    nearest. The tense, unless a word in front says otherwise: a word pointing back wins;
    a deadline points forward, or (under a past tense) to the nearest."""
    way = {True: 1, False: -1, None: 0}[future]
    if BACK_WORDS.intersection(leading):
        return -1
    if DEADLINE_WORDS.intersection(leading):
        return max(way, 0) if way < 0 else 1
    return way


def _normalise(
    text: str, published_at: datetime | date | None, future: bool | None, preposition: str | None = None
) -> EventTime | None:
    t = " ".join(text.lower().replace(",", " ").split())
    lead = _LEADING.match(t)
    leading = ([preposition.lower()] if preposition else []) + (lead[0].split() if lead else [])
    t = t[lead.end() :] if lead else t
    way = _direction(leading, future)
    pub = published_at.date() if isinstance(published_at, datetime) else published_at
    m = _ISO.search(t)
    if m:
        return _dated(int(m[1]), int(m[2]), int(m[3]), text)
    years = [int(y) for y in _YEAR.findall(t)]
    year = years[0] if years else None
    rel = _REL_YEAR.search(t)
    if year is None and rel and pub is not None:
        year = pub.year + {"last": -1, "next": 1}.get(rel[1], 0)  # "March last year"
    elif re.match(r"(last|next) ", t):
        way = -2 if t.startswith("last") else 2  # "last March", "next March": no grace
    words = t.split()
    at = next((i for i, w in enumerate(words) if w.rstrip(".") in MONTHS), None)
    if at is not None:
        month = MONTHS[words[at].rstrip(".")]
        return _in_month(month, _day_number(words, at), year, pub, way, text)
    q = _QUARTER.search(t)
    if "quarter" in t or (q and q.group(1).startswith("q")):
        return _in_quarter(q, year, pub, way, text)
    if year is not None and re.fullmatch(r"(the )?(year |fiscal |fiscal year )?\d{4}s?", t):
        return _year(year, text) if not t.endswith("s") else None  # "the 1990s": no one year
    if pub is None:
        return None
    return _relative_day(t, pub, text) or _weekday(t, pub, future, text) or _relative_period(t, pub, text)


def _dated(y: int, m: int, d: int, text: str) -> EventTime | None:
    try:
        return _day(date(y, m, d), text)
    except ValueError:
        return None


def _day_number(words: list[str], at: int) -> int | None:
    """The day of the month written beside the month name words[at]: "3", "3rd", "21st.",
    or in words, after the month ("April Three", "March twenty-first", "March twenty one",
    the last words or before a year) or as an ordinal before it ("the third of March")."""
    digits = (int(w.rstrip("stndrh.")) for w in words if re.fullmatch(r"\d{1,2}(st|nd|rd|th)?\.?", w))
    found = next(digits, None)
    if found is not None:
        return found
    after = [w.rstrip(".") for w in words[at + 1 :]]
    for n in (2, 1):  # "twenty one" before "twenty"
        rest = after[n:]
        if len(after) >= n and (not rest or (len(rest) == 1 and _YEAR.fullmatch(rest[0]))):
            day = DAY_WORDS.get("-".join(after[:n]))
            if day is not None:
                return day
    before = words[:at]
    if before and before[-1] == "of":
        before = before[:-1]
    for n in (2, 1):  # "twenty first of March", "third March"
        if len(before) >= n and "-".join(before[-n:]) in DAY_ORDINALS:
            return DAY_WORDS["-".join(before[-n:])]
    return None


# a day this soon after the publication is that day even under a past tense: news backshifts
# reported speech ("said the dividend was payable April 3"), and a past day a year ago
# would be written with its year
PAST_DAY_GRACE = timedelta(days=92)
# a period over this shortly before the publication is still the one a future clause means
# ("will delay the publication of May's figures" on June 19, "results for the fourth
# quarter will show a loss" on February 10)
FUTURE_GRACE = timedelta(days=45)


def _nearest(candidates: list[tuple[date, date]], pub: date, way: int) -> int:
    """The index of the period (first day, last day) to take, of the same period in
    consecutive years: the latest begun by the publication (way -1; for a day, by
    PAST_DAY_GRACE after it), the first not over by it (way 1; by FUTURE_GRACE before
    it), else the nearest to it (the earlier of two as near). Way -2 and 2 ("last
    March", "next March") have no grace."""
    if way < 0:
        day = candidates[0][0] == candidates[0][1]
        last = pub + PAST_DAY_GRACE if day and way == -1 else pub
        return max((i for i, (a, _) in enumerate(candidates) if a <= last), default=0)
    if way > 0:
        first = pub - FUTURE_GRACE if way == 1 else pub
        return min((i for i, (_, b) in enumerate(candidates) if b >= first), default=len(candidates) - 1)
    gaps = [(a - pub).days if a > pub else (pub - b).days if b < pub else 0 for a, b in candidates]
    return gaps.index(min(gaps))


def _in_month(
    month: int, dayn: int | None, year: int | None, pub: date | None, way: int, text: str
) -> EventTime | None:
    """A month, perhaps with a day or year ("March 3", "in March", "March 2019"): without a
    year, the month (or day) of the year before, of or after the publication's that lies
    in the clause's direction (`way`), else the nearest ("by March 10" in an article of
    1987-03-02 is 1987-03-10, not 1986-03-10)."""
    if dayn is not None and not 1 <= dayn <= 31:
        dayn = None
    if year is None:
        if pub is None:
            return None
        years = [pub.year - 1, pub.year, pub.year + 1]
        periods = []
        for y in years:
            first = date(y, month, 1)
            last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            day = first + timedelta(days=dayn - 1) if dayn is not None else None
            periods.append((day, day) if day is not None else (first, last))
        year = years[_nearest(periods, pub, way)]
    if dayn is not None:
        return _dated(year, month, dayn, text)
    return _month(year, month, text)


def _in_quarter(
    q: re.Match[str] | None, year: int | None, pub: date | None, way: int, text: str
) -> EventTime | None:
    """A quarter ("the first quarter", "Q3 2019") of the year written, else the latest
    begun by the publication: the current one or one of the three before it. The next
    quarter, too, when the tense says nothing (`way` 0), and for a future clause (`way`
    1) the current one or one of the three after it, or the one just ended when it ended
    by FUTURE_GRACE before the publication (its results are still to come: "first
    quarter results will show a loss" on April 8)."""
    if not q:
        return None
    qn = int(q.group(1)[1]) if q.group(1).startswith("q") else _ORD[q.group(1)]
    if year is None:
        if pub is None:
            return None
        now = pub.year * 4 + (pub.month - 1) // 3
        just_ended = pub - date(pub.year, pub.month - (pub.month - 1) % 3, 1) < FUTURE_GRACE
        first = {-2: now - 3, -1: now - 3, 0: now - 2, 1: now - just_ended, 2: now}[way]
        year = next(i for i in range(first, first + 4) if i % 4 == qn - 1) // 4
    return _quarter(year, qn, text)


def _relative_day(t: str, pub: date, text: str) -> EventTime | None:
    """A day named by its distance: "today", "yesterday", "last night", "tomorrow"."""
    offset = _DAY_OFFSETS.get(t)
    return _day(pub + timedelta(days=offset), text) if offset is not None else None


def _weekday(t: str, pub: date, future: bool | None, text: str) -> EventTime | None:
    """A weekday ("on Friday", "last Monday", "next Friday"): the nearest such day before the
    publication, or after it for a planned clause or "next"."""
    for name, idx in WEEKDAYS.items():
        if t in (name, f"last {name}", f"next {name}", f"this {name}"):
            if future or t.startswith("next"):
                fwd = (idx - pub.weekday()) % 7 or 7
                return _day(pub + timedelta(days=fwd), text)
            delta = (pub.weekday() - idx) % 7
            return _day(pub - timedelta(days=delta or (7 if t.startswith("last") else 0)), text)
    return None


def _relative_period(t: str, pub: date, text: str) -> EventTime | None:
    """A week, month or year by its distance: "(earlier) this week", "last month", "next year"."""
    m = _PERIOD.fullmatch(t)
    if m is None:
        return None
    step = {"last": -1, "next": 1}.get(m[1] or "", 0)
    unit = m[2]
    if unit == "week":
        return _week(pub + timedelta(days=7 * step), text)
    if unit == "month":
        if step < 0:
            pub = pub.replace(day=1) - timedelta(days=1)
        elif step > 0:
            pub = (pub.replace(day=28) + timedelta(days=4)).replace(day=1)
        return _month(pub.year, pub.month, text)
    return _year(pub.year + step, text)

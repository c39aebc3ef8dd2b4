"""Normalise DATE expressions against the article's publication time.

`normalise(text, published_at, tense)` returns an `EventTime` (the first day of the
period, its granularity and an ISO-like label such as "2020-03", "2020-W24", "2020-Q3",
"2018" or "2020-06-11") or None when the expression cannot be pinned down. Relative
expressions ("in March", "on Friday", "earlier this week", "last year") need the
publication date; without it they give None. Nothing is ever guessed from the
publication date alone: no expression, no date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from transforms.lexicons import month_numbers, weekday_numbers

MONTHS = month_numbers()  # "march", "mar" -> 3 (patterns/months.json)
WEEKDAYS = weekday_numbers()  # "monday" -> 0
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


def normalise(text: str, published_at: datetime | date | None, future: bool = False) -> EventTime | None:
    """Pin a DATE expression to a period; `future` says the clause is planned/future.
    None, too, when the period would fall outside the calendar (years 1 to 9999: "last
    year" in an article dated 0001-01-01, "tomorrow" on 9999-12-31)."""
    try:
        return _normalise(text, published_at, future)
    except (OverflowError, ValueError):
        return None


_LEADING = re.compile(r"^(back |as early as |as of |since |until |by |from |in |on |during |at |the )+")
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
_PERIOD = re.compile(r"(?:(?:earlier |later )?this|(last|next)) (week|month|year)")


def _normalise(text: str, published_at: datetime | date | None, future: bool) -> EventTime | None:
    t = _LEADING.sub("", " ".join(text.lower().replace(",", " ").split()))
    pub = published_at.date() if isinstance(published_at, datetime) else published_at
    m = _ISO.search(t)
    if m:
        return _dated(int(m[1]), int(m[2]), int(m[3]), text)
    years = [int(y) for y in _YEAR.findall(t)]
    year = years[0] if years else None
    words = t.split()
    month = next((MONTHS[w.rstrip(".")] for w in words if w.rstrip(".") in MONTHS), None)
    if month is not None:
        return _in_month(month, _day_number(words), year, pub, future, text)
    q = _QUARTER.search(t)
    if "quarter" in t or (q and q.group(1).startswith("q")):
        return _in_quarter(q, year, pub, text)
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


def _day_number(words: list[str]) -> int | None:
    """The day of the month written beside a month name: "3", "3rd", "21st."."""
    return next(
        (int(w.rstrip("stndrh.")) for w in words if re.fullmatch(r"\d{1,2}(st|nd|rd|th)?\.?", w)), None
    )


def _in_month(
    month: int, dayn: int | None, year: int | None, pub: date | None, future: bool, text: str
) -> EventTime | None:
    """A month, perhaps with a day or year ("March 3", "in March", "March 2019"): without a
    year, the March nearest the publication in the clause's direction."""
    if year is None:
        if pub is None:
            return None
        year = pub.year
        if not future and (month, dayn or 1) > (pub.month, pub.day):
            year -= 1  # "in March" in a June article, past tense: this March
        elif future and (month, dayn or 31) < (pub.month, pub.day):
            year += 1  # "in March" in a June article, future: next March
    if dayn is not None and 1 <= dayn <= 31:
        return _dated(year, month, dayn, text)
    return _month(year, month, text)


def _in_quarter(q: re.Match[str] | None, year: int | None, pub: date | None, text: str) -> EventTime | None:
    """A quarter ("the first quarter", "Q3 2019") of the year written, else of the publication."""
    if not q:
        return None
    qn = int(q.group(1)[1]) if q.group(1).startswith("q") else _ORD[q.group(1)]
    y = year or (pub.year if pub else None)
    return _quarter(y, qn, text) if y else None


def _relative_day(t: str, pub: date, text: str) -> EventTime | None:
    """A day named by its distance: "today", "yesterday", "last night", "tomorrow"."""
    offset = _DAY_OFFSETS.get(t)
    return _day(pub + timedelta(days=offset), text) if offset is not None else None


def _weekday(t: str, pub: date, future: bool, text: str) -> EventTime | None:
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

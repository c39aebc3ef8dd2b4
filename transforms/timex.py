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

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
WEEKDAYS = {
    d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
}
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


def _normalise(text: str, published_at: datetime | date | None, future: bool) -> EventTime | None:
    t = " ".join(text.lower().replace(",", " ").split())
    t = re.sub(r"^(back |as early as |as of |since |until |by |from |in |on |during |at |the )+", "", t)
    pub = published_at.date() if isinstance(published_at, datetime) else published_at
    m = _ISO.search(t)
    if m:
        try:
            return _day(date(int(m[1]), int(m[2]), int(m[3])), text)
        except ValueError:
            return None
    words = t.split()
    years = [int(y) for y in _YEAR.findall(t)]
    year = years[0] if years else None
    month = next((MONTHS[w.rstrip(".")] for w in words if w.rstrip(".") in MONTHS), None)
    dayn = next(
        (int(w.rstrip("stndrh.")) for w in words if re.fullmatch(r"\d{1,2}(st|nd|rd|th)?\.?", w)), None
    )
    if month is not None:
        if year is None:
            if pub is None:
                return None
            year = pub.year
            if not future and (month, dayn or 1) > (pub.month, pub.day):
                year -= 1  # "in March" in a June article, past tense: this March
            elif future and (month, dayn or 31) < (pub.month, pub.day):
                year += 1  # "in March" in a June article, future: next March
        if dayn is not None and 1 <= dayn <= 31:
            try:
                return _day(date(year, month, dayn), text)
            except ValueError:
                return None
        return _month(year, month, text)
    q = re.search(r"\b(first|second|third|fourth|1st|2nd|3rd|4th|q[1-4])\b(?:[- ]quarter)?", t)
    if "quarter" in t or (q and q.group(1).startswith("q")):
        if q:
            qn = int(q.group(1)[1]) if q.group(1).startswith("q") else _ORD[q.group(1)]
            y = year or (pub.year if pub else None)
            return _quarter(y, qn, text) if y else None
        return None
    if year is not None and re.fullmatch(r"(the )?(year |fiscal |fiscal year )?\d{4}s?", t):
        return _year(year, text) if not t.endswith("s") else None
    if pub is None:
        return None
    if t in ("today", "this morning", "this afternoon", "tonight", "this evening"):
        return _day(pub, text)
    if t in ("yesterday", "last night"):
        return _day(pub - timedelta(days=1), text)
    if t == "tomorrow":
        return _day(pub + timedelta(days=1), text)
    for name, idx in WEEKDAYS.items():
        if t in (name, f"last {name}", f"next {name}", f"this {name}"):
            delta = (pub.weekday() - idx) % 7
            if future or t.startswith("next"):
                fwd = (idx - pub.weekday()) % 7 or 7
                return _day(pub + timedelta(days=fwd), text)
            return _day(pub - timedelta(days=delta or (7 if t.startswith("last") else 0)), text)
    if re.fullmatch(r"(earlier |later )?this week", t):
        return _week(pub, text)
    if t == "last week":
        return _week(pub - timedelta(days=7), text)
    if t == "next week":
        return _week(pub + timedelta(days=7), text)
    if re.fullmatch(r"(earlier |later )?this month", t):
        return _month(pub.year, pub.month, text)
    if t == "last month":
        prev = pub.replace(day=1) - timedelta(days=1)
        return _month(prev.year, prev.month, text)
    if t == "next month":
        nxt = (pub.replace(day=28) + timedelta(days=4)).replace(day=1)
        return _month(nxt.year, nxt.month, text)
    if re.fullmatch(r"(earlier |later )?this year", t):
        return _year(pub.year, text)
    if t == "last year":
        return _year(pub.year - 1, text)
    if t == "next year":
        return _year(pub.year + 1, text)
    return None

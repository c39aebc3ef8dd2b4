"""Lenient date parsing for article timestamps (ISO 8601, RFC 822, Reuters).

Dates outside the sane range for a news article, before `EARLIEST` (1800-01-01) or more
than `FUTURE_TOLERANCE` (2 days) after the time of parsing (the run), are no date: the
article keeps `published_at` NULL and a warning, like an unparseable one. (Without the
bound, 0001-01-01 or 9999-12-31 overflow as soon as anything adds a day or a time zone.)
"""

from __future__ import annotations

import json
import re
import warnings
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path

from dateutil import parser as du_parser

from transforms.lexicons import month_numbers

# Reuters-21578: "26-FEB-1987 15:18:06.67" (some malformed: "31-MAR-1987 605:12:19",
# trailing "&#5;&#5;&#5;RM" control junk).
_REUTERS = re.compile(r"^\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,3}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?")
# Reuters writes a month in its three letters: "FEB" -> 2 (patterns/months.json)
_MONTHS = {form.upper(): n for form, n in month_numbers().items() if len(form) == 3}


EARLIEST = datetime(1800, 1, 1)
FUTURE_TOLERANCE = timedelta(days=2)


def _naive_utc(dt: datetime) -> datetime:
    """Store timestamps as naive UTC (DuckDB TIMESTAMP)."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


def parse_date(value: object, *, now: datetime | None = None) -> tuple[datetime | None, str | None]:
    """Parse a published date leniently.

    Returns (timestamp as naive UTC or None, warning or None). Never raises: an
    unparseable value, or a date before EARLIEST or more than FUTURE_TOLERANCE after
    `now` (naive UTC; default: the current time), gives (None, a warning) so the article
    is kept without a date.
    """
    try:
        got, warning = _parse(value)
    except OverflowError as exc:  # a time zone or field moved a date past year 1 or 9999
        return None, f"date {value!r} is out of range ({exc}); stored as NULL"
    if got is None:
        return None, warning
    latest = (now if now is not None else datetime.now(UTC).replace(tzinfo=None)) + FUTURE_TOLERANCE
    if not EARLIEST <= got <= latest:
        when = "before 1800-01-01" if got < EARLIEST else "more than 2 days in the future"
        return None, f"date {value!r} is out of range ({got.isoformat()} is {when}); stored as NULL"
    return got, warning


def _parse(value: object) -> tuple[datetime | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, datetime):
        return _naive_utc(value), None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _epoch(value)
    text = str(value).strip()
    if len(text) > 200:  # no date is written in more; dateutil is slow on long garbage
        return None, f"unparseable date {text[:60]!r}...: {len(text):,} characters"
    m = _REUTERS.match(text)
    if m:
        return _reuters(text, m)
    try:
        return _naive_utc(datetime.fromisoformat(text.replace("Z", "+00:00"))), None
    except ValueError:
        return _loose(text)


def _epoch(value: float) -> tuple[datetime | None, str | None]:
    try:
        return datetime.fromtimestamp(float(value), UTC).replace(tzinfo=None), None
    except (OverflowError, OSError, ValueError):
        return None, f"unparseable date {value!r}: epoch seconds out of range"


def _reuters(text: str, m: re.Match[str]) -> tuple[datetime | None, str | None]:
    """Reuters' "26-FEB-1987 15:18:06.67"; a malformed time of day ("605:12:19") keeps the day."""
    day, mon, year, hh, mm, ss, frac = m.groups()
    month = _MONTHS.get(mon.upper())
    try:
        if month is None:
            raise ValueError(f"unknown month {mon!r}")
        micro = int((frac or "0").ljust(6, "0")[:6])
        return datetime(int(year), month, int(day), int(hh), int(mm), int(ss), micro), None
    except ValueError as exc:
        try:
            return datetime(int(year), month or 0, int(day)), (
                f"date {text!r} has an invalid time ({exc}); kept the day only"
            )
        except ValueError:
            return None, f"unparseable date {text!r}: {exc}"


def _loose(text: str) -> tuple[datetime | None, str | None]:
    """RFC 822 with a zone it knows, else dateutil (then RFC 822 without a zone)."""
    email_date = None
    try:
        email_date = parsedate_to_datetime(text)
        if email_date.tzinfo is not None:
            return _naive_utc(email_date), None
        # no zone it knows ("-0000", or a looser text it half read: "10:00 am PDT"): dateutil
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return _dateutil(text)
    except (ValueError, OverflowError, TypeError) as exc:
        if email_date is not None:
            return email_date, None
        return None, f"unparseable date {text!r}: {exc}"


def _dateutil(text: str) -> tuple[datetime, str | None]:
    """dateutil's reading (a year required); an unknown time zone is taken as UTC, with a warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", du_parser.UnknownTimezoneWarning)
        dt = du_parser.parse(text, fuzzy=False, default=datetime(1900, 1, 1), tzinfos=_tzinfos())
    if dt.year == 1900 and "1900" not in text:
        raise ValueError("no year")
    unknown = [
        str(w.message).split()[1] for w in caught if issubclass(w.category, du_parser.UnknownTimezoneWarning)
    ]
    if unknown:
        return _naive_utc(dt), f"date {text!r}: time zone {unknown[0]} not understood; its time taken as UTC"
    return _naive_utc(dt), None


@lru_cache(maxsize=1)
def _tzinfos() -> dict[str, int]:
    """Abbreviation -> UTC offset in seconds (transforms/data/timezones.json)."""
    data = json.loads((Path(__file__).parent / "data" / "timezones.json").read_text(encoding="utf-8"))
    return {k: int(v * 3600) for k, v in data.items() if not k.startswith("_")}

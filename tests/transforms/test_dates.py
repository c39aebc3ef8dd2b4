from datetime import date, datetime

import pytest

from transforms.dates import parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-06-11", datetime(2020, 6, 11)),
        ("2020-06-11T10:00:00Z", datetime(2020, 6, 11, 10)),
        ("2020-06-11T12:00:00+02:00", datetime(2020, 6, 11, 10)),
        ("Thu, 11 Jun 2020 10:00:00 +0200", datetime(2020, 6, 11, 8)),
        ("26-FEB-1987 15:18:06.67", datetime(1987, 2, 26, 15, 18, 6, 670000)),
        ("27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM", datetime(1987, 3, 27, 0, 2, 59, 130000)),
        ("June 11, 2020", datetime(2020, 6, 11)),
        (None, None),
        ("", None),
    ],
)
def test_parses(value, expected):
    got, warning = parse_date(value)
    assert got == expected
    assert warning is None


@pytest.mark.parametrize("value", ["not a date", "2020-13-45", "yesterday-ish"])
def test_unparseable_gives_warning_not_error(value):
    got, warning = parse_date(value)
    assert got is None
    assert "unparseable date" in warning


def test_malformed_reuters_time_keeps_day():
    got, warning = parse_date("31-MAR-1987 605:12:19")
    assert got == datetime(1987, 3, 31)
    assert "invalid time" in warning


NOW = datetime(2026, 6, 15, 12, 0)


@pytest.mark.parametrize(
    ("value", "expected", "warning"),
    [
        ("0001-01-01", None, "is before 1800-01-01"),
        ("9999-12-31", None, "more than 2 days in the future"),
        ("9999-12-31T23:59:59Z", None, "more than 2 days in the future"),
        ("0001-01-01T00:00:00+01:00", None, "out of range (date value out of range)"),
        ("9999-12-31T23:59:59-05:00", None, "out of range"),
        ("Fri, 31 Dec 9999 23:59:59 -0500", None, "out of range"),
        ("01-JAN-0001 00:00:00", None, "is before 1800-01-01"),
        ("1799-12-31", None, "is before 1800-01-01"),
        ("1800-01-01", datetime(1800, 1, 1), None),
        ("2026-06-17T11:59:00", datetime(2026, 6, 17, 11, 59), None),  # within 2 days: clocks differ
        ("2026-06-18", None, "more than 2 days in the future"),
        (1e11, None, "more than 2 days in the future"),  # epoch seconds in year 5138
        (-1e13, None, "epoch seconds out of range"),
        (10**30, None, "epoch seconds out of range"),
        (float("nan"), None, "epoch seconds out of range"),
        (datetime(1, 1, 1), None, "is before 1800-01-01"),
        ("x" * 500, None, "500 characters"),
        ("99999999999999999999999", None, "unparseable date"),
    ],
)
def test_out_of_range_dates_are_none_with_a_warning(value, expected, warning):
    got, warn = parse_date(value, now=NOW)
    assert got == expected
    if warning is None:
        assert warn is None
    else:
        assert warning in warn and ("stored as NULL" in warn or "unparseable" in warn)


def test_future_bound_follows_the_clock():
    assert parse_date("2030-01-01", now=datetime(2029, 12, 31))[0] == datetime(2030, 1, 1)
    assert parse_date("2030-01-01", now=datetime(2020, 1, 1))[0] is None
    assert parse_date("2000-01-01")[0] == datetime(2000, 1, 1)  # default: now


@pytest.mark.parametrize(
    ("text", "published", "future", "label"),
    [
        ("yesterday", datetime(1, 1, 1), False, None),
        ("last year", date(1, 6, 1), False, None),
        ("last week", date(1, 1, 3), False, None),
        ("last month", date(1, 1, 20), False, None),
        ("in March", date(1, 1, 3), False, None),  # March of year 0
        ("tomorrow", datetime(9999, 12, 31), False, None),
        ("next year", date(9999, 3, 1), False, None),
        ("next week", date(9999, 12, 30), False, None),
        ("next month", date(9999, 12, 5), False, None),
        ("next Monday", date(9999, 12, 31), False, None),
        ("in March", date(9999, 12, 31), True, None),  # March of year 10000
        ("yesterday", datetime(9999, 12, 31), False, "9999-12-30"),
        ("tomorrow", datetime(1, 1, 1), False, "0001-01-02"),
        ("yesterday", datetime(2020, 6, 11, 9), False, "2020-06-10"),
        ("last year", date(2020, 6, 11), False, "2019"),
    ],
)
def test_timex_at_the_ends_of_the_calendar(text, published, future, label):
    from transforms.timex import normalise

    got = normalise(text, published, future)
    assert (got.label if got else None) == label


@pytest.mark.parametrize(
    ("value", "expected", "warning"),
    [
        # a zone abbreviation moves the time to UTC in every format, not only RFC 2822's
        ("Mon, 06 Dec 2004 10:00:00 PST", datetime(2004, 12, 6, 18), None),
        ("2004-12-06 10:00 PST", datetime(2004, 12, 6, 18), None),
        ("December 6, 2004 10:00 am PDT", datetime(2004, 12, 6, 17), None),
        ("2004-12-06 10:00 EST", datetime(2004, 12, 6, 15), None),
        ("2004-12-06 10:00 CET", datetime(2004, 12, 6, 9), None),
        ("6 Dec 2004 10:00 BST", datetime(2004, 12, 6, 9), None),
        ("Mon, 06 Dec 2004 10:00:00 -0000", datetime(2004, 12, 6, 10), None),  # RFC: zone unknown
        # a zone it cannot place: kept, taken as UTC, and said so (not silently)
        ("2004-12-06 10:00 IST", datetime(2004, 12, 6, 10), "time zone IST not understood"),
        ("Mon, 06 Dec 2004 10:00:00 XYZ", datetime(2004, 12, 6, 10), "time zone XYZ not understood"),
    ],
)
def test_time_zone_abbreviations(value, expected, warning):
    got, warned = parse_date(value)
    assert got == expected
    assert (warned is None) if warning is None else (warning in warned)

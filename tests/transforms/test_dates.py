from datetime import datetime

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

import random

import pytest

from transforms.intervals import overlaps, span_at

SPANS = [(0, 5, "a"), (10, 12, "b"), (12, 20, "c")]


@pytest.mark.parametrize(
    ("pos", "expected"),
    [
        (-1, None),
        (0, "a"),
        (4, "a"),
        (5, None),
        (9, None),
        (10, "b"),
        (11, "b"),
        (12, "c"),
        (19, "c"),
        (20, None),
    ],
)
def test_span_at(pos, expected):
    got = span_at(SPANS, pos)
    assert (got[2] if got else None) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (5, 10, False),
        (4, 5, True),
        (5, 11, True),
        (19, 30, True),
        (20, 30, False),
        (-5, 0, False),
        (0, 100, True),
    ],
)
def test_overlaps(start, end, expected):
    assert overlaps(SPANS, start, end) is expected


def test_same_answers_as_a_scan():
    rng = random.Random(7)
    for _ in range(200):
        cuts = sorted(rng.sample(range(200), 20))
        spans = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=True)]
        for pos in range(-2, 202):
            want = next(((a, b) for a, b in spans if a <= pos < b), None)
            assert span_at(spans, pos) == want
            end = pos + rng.randint(0, 15)
            assert overlaps(spans, pos, end) is any(a < end and pos < b for a, b in spans)
    assert span_at([], 3) is None and overlaps([], 0, 9) is False

"""How a batch is cut into pieces for the workers (transforms/pieces.py)."""

from types import SimpleNamespace

import pytest

from transforms.pieces import chunked, limited, useful_workers


def _sized(*sizes):
    return [SimpleNamespace(n=n, clean=SimpleNamespace(text="x" * n, body_offset=0)) for n in sizes]


@pytest.mark.parametrize(
    ("sizes", "n_process", "cap", "pieces"),
    [
        # ordinary articles: pieces by count, as many as the workers can share
        ([2_000] * 8, 2, None, [[2_000] * 2] * 4),
        # a 1.3 MB article and a giant sentence are pieces of their own, not one straggler
        (
            [1_300_000, 600_000] + [2_000] * 6,
            2,
            None,
            [[1_300_000], [600_000], [2_000] * 2, [2_000] * 2, [2_000] * 2],
        ),
        # the cap on what is extracted of an article is what it weighs
        ([1_300_000, 600_000, 600_000], 1, None, [[1_300_000], [600_000, 600_000]]),
        ([1_300_000, 600_000, 600_000], 1, 100_000, [[1_300_000], [600_000], [600_000]]),
    ],
)
def test_pieces_are_balanced_by_characters(sizes, n_process, cap, pieces):
    got = chunked(_sized(*sizes), n_process, 32, cap)
    assert [[a.n for a in p] for p in got] == pieces


@pytest.mark.parametrize(
    ("sizes", "n_process", "workers"),
    [([2_000] * 8, 4, 1), ([60_000] * 4, 4, 3), ([1_000_000], 2, 2), ([], 2, 1)],
)
def test_a_batch_starts_only_the_workers_it_keeps_busy(sizes, n_process, workers):
    assert useful_workers(_sized(*sizes), n_process) == workers


@pytest.mark.parametrize(
    ("text", "limit", "cut"),
    [
        ("short", 10, "short"),
        ("one two\n\nthree four", 14, "one two"),  # at the paragraph break
        ("one two three four", 12, "one two"),  # else at a space
        ("abcdefghij", 4, "abcd"),  # else where the limit falls
        ("aaaaaaaaaa\n\nb ccccccccc", 22, "aaaaaaaaaa\n\nb"),  # a break too early: the last space
    ],
)
def test_limited_cuts_at_a_break(text, limit, cut):
    assert limited(text, limit) == cut

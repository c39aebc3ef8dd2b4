"""Duplicate detection on text: exact copies, near-duplicates, different stories."""

import json

import pytest

from tests.conftest import shared_path
from transforms.dedup import DuplicateIndex, body_hash, signature

STORY = (
    "Brightwell Foods has recalled its Sunny Oats cereal after traces of peanuts were found in two "
    "batches, the company said on Friday. The recall covers boxes sold in Norlund and Veloria between "
    "March 1 and March 12. Brightwell said it was cooperating fully with the food safety agency and did "
    "not expect the recall to affect its annual results. Shares in the company fell 2% in early trading. "
    "Customers who bought the cereal can return it to any store for a full refund, the company added. "
    "The agency said no illnesses had been reported so far and that the affected batches had been traced "
    "to a single supplier of oat flakes in the south of the country. Brightwell, which makes breakfast "
    "cereals and snack bars, employs about 4,000 people and sells its products in twelve countries. It "
    "has suspended deliveries from the supplier while an independent laboratory checks its other lines."
)
EDITED = STORY.replace(
    "Shares in the company fell 2% in early trading.", "Its shares slipped 2.1% by midday."
)
OTHER = (
    "Corvex Energy will cut 1,200 jobs after quarterly profit fell 38%, the group said on Thursday. The "
    "company also lowered its forecast for the full year, blaming weak demand for industrial batteries "
    "and higher costs at its plant in eastern Norlund. Unions said they would fight the cuts."
)


def index_with(*pairs):
    idx = DuplicateIndex()
    for aid, text in pairs:
        idx.add(aid, body_hash(text), signature(text))
    return idx


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (STORY, "exact"),
        ("  " + STORY.upper().replace(".", " . ") + "\n", "exact"),  # case, spacing, punctuation
        (EDITED, "near"),
        (OTHER, None),
        ("Brightwell Foods recalled cereal.", None),  # too short for a signature, not a copy
    ],
)
def test_copies_are_found_and_different_stories_are_not(text, kind):
    idx = index_with(("a1", STORY))
    m = idx.find("b1", body_hash(text), signature(text))
    assert (m.kind if m else None) == kind
    if m:
        assert m.of == "a1" and 0.7 <= m.similarity <= 1.0


def test_an_article_is_never_its_own_duplicate():
    idx = index_with(("a1", STORY))
    assert idx.find("a1", body_hash(EDITED), signature(EDITED)) is None


def test_bbc_exact_copies_are_found():
    path = shared_path("corpora", "bbc", "bbc_articles.jsonl")
    from transforms.clean import clean_article

    idx = DuplicateIndex()
    exact = near = 0
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            body = clean_article(r.get("title"), r.get("text")).body
            h, s = body_hash(body), signature(body)
            m = idx.find(r["id"], h, s)
            if m is None:
                idx.add(r["id"], h, s)
            elif m.kind == "exact":
                exact += 1
            else:
                near += 1
    assert exact >= 98  # the corpus's 98 known exact copies (same title and text), and more bodies
    assert near >= 1

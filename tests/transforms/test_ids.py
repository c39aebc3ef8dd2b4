"""Golden ids: the stored ids as produced today, pinned, so that an accidental change of
the id scheme (the hash, its length, its prefix, the parts it hashes or their order, the
name key) fails here rather than silently orphaning every row of an existing warehouse.

An intended change of scheme changes these values on purpose (and needs a migration)."""

from datetime import datetime

import pytest

from transforms.clean import clean_article
from transforms.extract import Article, extract_rows, stable_id
from transforms.names import entity_id, name_key


@pytest.mark.parametrize(
    ("name", "label", "key", "eid"),
    [
        ("Amazon", "ORG", "amazon", "ent_e0d92a452aa0ef8e"),
        ("Amazon", "PERSON", "amazon", "ent_77b7d94e1762c4e3"),  # the label is part of the id
        ("Amazon.com Inc.", "ORG", "amazoncom", "ent_0863a644290077ac"),
        ("the Bank of England", "ORG", "bankofengland", "ent_20c396d0b1dc8515"),
        ("Mr Cory Doctorow", "PERSON", "corydoctorow", "ent_98a1ef0bc4f31ba8"),
        ("Société Générale", "ORG", "societegenerale", "ent_1b90eaba5467094d"),
        ("New York", "GPE", "newyork", "ent_3541d2218d2d8b28"),
        ("PlayStation Portable", "PRODUCT", "playstationportable", "ent_2ca9d13d29279ed7"),
    ],
)
def test_entity_id_of_a_name(name, label, key, eid):
    assert name_key(name, label) == key
    assert entity_id(label, key) == eid


def test_entity_id_of_a_linked_company():
    """A company linked to the reference is keyed by its ticker (warehouse/db.py derives
    the same id from the reference table)."""
    assert entity_id("ORG", "ticker:AMZN") == "ent_2f0a15f10f1de582"


@pytest.mark.parametrize(
    ("prefix", "parts", "expected"),
    [
        ("art_", ("news", "a-1"), "art_95eb17aace827c01"),  # article: source, external id
        ("art_", ("x", None), "art_9197433595edbcb7"),  # None hashes as ""
        ("men_", ("art_1", "body", 10, 16), "men_78777facdd8ccfd7"),
        ("act_", ("art_1", 42, "Amazon", 1), "act_864bf398625693f5"),
        ("quo_", ("art_1", 3, 40, True, None), "quo_533a96d0a251ea1d"),
    ],
)
def test_stable_id(prefix, parts, expected):
    assert stable_id(prefix, *parts) == expected


TITLE = "Amazon pauses sales"
BODY = (
    'Amazon (NASDAQ:AMZN) stopped sales on Monday. "We hope this helps," wrote Amazon.\n\n'
    "IBM said it would leave the business."
)


@pytest.fixture(scope="module")
def rows(nlp):
    clean = clean_article(TITLE, BODY)
    article = Article(
        article_id=stable_id("art_", "news", "a-1"),
        external_id="a-1",
        source="news",
        source_path="news/a.jsonl",
        url=None,
        published_at=datetime(2020, 6, 11),
        content_hash="h",
        metadata="{}",
        clean=clean,
    )
    return extract_rows(article, nlp(clean.text))


AMAZON, IBM = "ent_2f0a15f10f1de582", "ent_e9daeeac16bd7387"


def test_extracted_entity_ids(rows):
    assert [(e["entity_id"], e["name"], e["ticker"]) for e in rows["entities"]] == [
        (AMAZON, "Amazon", "AMZN"),
        (IBM, "IBM", "IBM"),
    ]


def test_extracted_mention_ids(rows):
    """A mention's id hashes its article, field and offsets."""
    assert [
        (m["mention_id"], m["entity_id"], m["field"], m["start_char"]) for m in rows["entity_mentions"]
    ] == [
        ("men_e5560a56086ce336", AMAZON, "title", 0),
        ("men_85214a202c074bac", AMAZON, "body", 0),
        ("men_623c057c59784602", AMAZON, "body", 74),
        ("men_79bacee6249de5be", IBM, "body", 83),
    ]


def test_extracted_action_ids(rows):
    """An action's id hashes its article, the verb's offset in the whole text, the actor's
    text and its count among equal (offset, actor) pairs; its event key the event."""
    assert [(a["action_id"], a["verb"], a["event_key"]) for a in rows["actions"]] == [
        ("act_f0c5ade0020e8e07", "pause", "evt_03fb5e259f19301d"),
        ("act_97a7c7718c6185fd", "stop", "evt_8f0c14ca8be1de1d"),
        ("act_56ee524a9ea1f00d", "hope", "evt_e769c5e955fa2716"),  # OPINION
        ("act_a9e5f8e521fc0f33", "help", None),  # no entity actor: no event key
        ("act_bf1f9581a638f9ac", "write", "evt_1a246e9faeb59d95"),
        ("act_457787d9b31b3a04", "say", "evt_4b1500dbdacbe69b"),
        ("act_4c6dbf9ea146986b", "leave", "evt_1e3f15ee3ad71766"),
    ]


def test_extracted_quote_ids(rows):
    assert [(q["quote_id"], q["speaker_text"]) for q in rows["quotes"]] == [
        ("quo_ddbba667ee1b3965", "Amazon"),
        ("quo_f84631e1a1df2fe4", "IBM"),
    ]

import pytest
import spacy
from spacy.tokens import Span

from transforms.entities import acronym, cluster_entities, entity_id, name_key


@pytest.mark.parametrize(
    ("a", "b", "label"),
    [
        ("Time Warner", "TimeWarner", "ORG"),
        ("Manhattan National Corp", "Manhattan National", "ORG"),
        ("Sedio N.V.", "Sedio", "ORG"),
        ("the Bank of England", "Bank of England", "ORG"),
        ("Amazon's", "Amazon", "ORG"),
        ("Mr Doctorow", "Doctorow", "PERSON"),
        ("Judge Kleinberg", "Kleinberg", "PERSON"),
    ],
)
def test_name_key_ignores_spelling_suffixes_and_titles(a, b, label):
    assert name_key(a, label) == name_key(b, label)


def test_acronym():
    assert acronym("Securities and Exchange Commission") == "SEC"


def test_entity_id_is_stable():
    assert entity_id("ORG", "amazon") == entity_id("ORG", "amazon")
    assert entity_id("ORG", "amazon") != entity_id("PERSON", "amazon")


def _doc(text, spans):
    """A blank-model doc with entities given as (token_start, token_end, label)."""
    nlp = spacy.blank("en")
    doc = nlp(text)
    doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in spans]
    return doc


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        # short form of a company
        (
            "Allegis Corp sold hotels . Allegis said more .",
            [(0, 2, "ORG"), (5, 6, "ORG")],
            {"Allegis Corp": 2},
        ),
        # surname after full name, with honorific
        (
            "Cory Doctorow spoke . Mr Doctorow added .",
            [(0, 2, "PERSON"), (5, 6, "PERSON")],
            {"Cory Doctorow": 2},
        ),
        # acronym
        (
            "The Securities and Exchange Commission sued . The SEC said .",
            [(1, 5, "ORG"), (8, 9, "ORG")],
            {"Securities and Exchange Commission": 2},
        ),
        # spelling variant
        ("Time Warner rose . TimeWarner said .", [(0, 2, "ORG"), (4, 5, "ORG")], {"Time Warner": 2}),
        # different companies stay apart
        ("Orvane rose . Kestrel fell .", [(0, 1, "ORG"), (3, 4, "ORG")], {"Orvane": 1, "Kestrel": 1}),
        # a place named like the start of an organisation is not merged into it
        (
            "Norlund Consumer Council said . Branches in Norlund closed .",
            [(0, 3, "ORG"), (7, 8, "GPE")],
            {"Norlund Consumer Council": 1, "Norlund": 1},
        ),
    ],
)
def test_clusters(text, spans, expected):
    clusters = cluster_entities(_doc(text, spans))
    assert {c.name: len(c.mentions) for c in clusters} == expected


def test_parenthesised_abbreviation_becomes_alias(nlp):
    doc = nlp(
        "The Brazilian Institute for Geography and Statistics (IBGE) said output fell. "
        "IBGE said growth was weak."
    )
    clusters = cluster_entities(doc)
    ibge = [c for c in clusters if "IBGE" in c.aliases or c.name == "IBGE"]
    assert len(ibge) == 1 and ibge[0].ticker is None


def test_ticker_attaches_to_company(nlp):
    doc = nlp("Amazon (NASDAQ:AMZN) said on Monday it would stop.")
    (amazon,) = [c for c in cluster_entities(doc) if c.name == "Amazon"]
    assert (amazon.ticker, amazon.exchange) == ("AMZN", "NASDAQ")
    assert "NASDAQ:AMZN" in amazon.aliases

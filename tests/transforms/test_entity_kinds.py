"""The entity-kind classifier's parts without the model: the place gazetteer, the name
features, the legal forms, and the classifier's arithmetic on a hand-made model."""

from __future__ import annotations

import math

import pytest

from transforms.entity_features import Lexicons, has_legal_form, name_features
from transforms.entity_kinds import KindModel
from transforms.names import legal_forms, name_key
from transforms.places import BIG_CITY, COUNTRY, SUBDIVISION, TOWN, place_kinds, subdivision_names


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("France", COUNTRY),
        ("Russia", COUNTRY),
        ("United Kingdom", COUNTRY),
        ("Derbyshire", SUBDIVISION),
        ("Nottinghamshire", SUBDIVISION),
        ("Texas", SUBDIVISION),
        ("Belo Horizonte", BIG_CITY),
        ("Horsham", TOWN),
        ("são paulo", BIG_CITY),  # case and accents folded
        # ISO 3166-2 names with their local names and codes in brackets
        ("Wales", SUBDIVISION),
        ("Cymru", SUBDIVISION),
        ("Vale of Glamorgan", SUBDIVISION),
        ("Guyane", SUBDIVISION),
        # other names of big cities (Reuters-21578 is from 1987)
        ("Bombay", BIG_CITY),
        ("Peking", BIG_CITY),
        ("Leningrad", BIG_CITY),
        ("Chittagong", BIG_CITY),
    ],
)
def test_places_come_from_the_gazetteer(name, kind):
    assert kind in place_kinds(name)


def test_bracketed_subdivision_names_are_split():
    assert subdivision_names("Wales [Cymru GB-CYM]") == ["Wales", "Cymru"]
    assert subdivision_names("Lugo [Lugo]") == ["Lugo"]
    assert place_kinds("Wales [Cymru GB-CYM]") == frozenset()


@pytest.mark.parametrize("name", ["Jarvis", "Verizon", "Yukos", "Broadband", "Munich Re"])
def test_names_that_are_no_places(name):
    assert place_kinds(name) == frozenset()


@pytest.mark.parametrize(
    ("name", "legal"),
    [
        ("Boeing Co", True),
        ("Krupp Stahl AG", True),
        ("Sedio N.V.", True),
        ("Morgan Stanley and Co", True),
        ("AOL UK", False),  # names.json: 'uk' is no legal form at the end of a news name
        ("Inc", False),  # a legal form alone is no company's name
        ("Time Warner", False),
    ],
)
def test_legal_forms_come_from_cleanco(name, legal):
    assert has_legal_form(name) is legal


def test_a_key_folds_the_legal_forms():
    assert name_key("Samuel Montagu and Co Ltd", "ORG") == name_key("Samuel Montagu", "ORG")
    assert name_key("Honda Motor Co., Ltd.", "ORG") == "hondamotor"
    assert name_key("AOL UK", "ORG") != name_key("AOL", "ORG")
    assert ("gmbh", "&", "co", "kg") in legal_forms()


LEX = Lexicons(word_case={"budget": "lower", "electronic": "lower"}, given_names=frozenset({"tony"}))


def test_name_features_say_what_the_name_is():
    f = name_features("Derbyshire", LEX)
    assert {"words=1", "first=derbyshire", "place=subdivision", "case=name"} <= set(f)
    f = name_features("Budget", LEX)
    assert "case=lower" in f and not any(k.startswith("place=") for k in f)
    assert "legal_form" in name_features("Comdata Network Inc", LEX)
    assert {"case_first=lower", "case_last=name"} <= set(name_features("Electronic Arts", LEX))
    assert "given_name" in name_features("Tony Blair", LEX)
    assert "given_name" not in name_features("Electronic Arts", LEX)


def test_the_classifier_is_a_softmax_over_weighted_features():
    model = KindModel(
        labels=("ORG", "NONE"),
        bias=(0.0, 1.0),
        weights={"legal_form": (3.0, 0.0), "case=lower": (0.0, 2.0)},
        lexicons=Lexicons(),
    )
    s = model.scores({"legal_form": 1.0})
    assert s["ORG"] == pytest.approx(math.exp(3) / (math.exp(3) + math.exp(1)))
    assert model.predict({"legal_form": 1.0}) == "ORG"
    assert model.predict({"case=lower": 1.0, "unknown feature": 1.0}) == "NONE"
    assert sum(model.scores({}).values()) == pytest.approx(1.0)


def test_ordinary_words_come_from_the_shipped_table_or_are_none(monkeypatch):
    """The word-case table tells ordinary words from names ("Post" of "Postbank" is one);
    without a shipped classifier there is no table, and abbreviation folding falls back to
    letters alone."""
    from transforms import entity_kinds
    from transforms.names import abbreviates

    words = entity_kinds.ordinary_words()
    if entity_kinds.load_model() is not None:
        assert "bank" in words and "utd" not in words
    assert not abbreviates("Post", "Postbank", words or {"bank": "mixed"})
    monkeypatch.setattr(entity_kinds, "load_model", lambda *a, **k: None)
    assert entity_kinds.ordinary_words() == {}
    assert abbreviates("Post", "Postbank", entity_kinds.ordinary_words())

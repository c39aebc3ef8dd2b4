"""`newsetl_entity_rules` rule by rule on a blank pipeline (no model: fast): each row gives
a text, the entities the model would have found and the few token attributes a rule
reads (part of speech, tag, lemma), and the exact entities after the rules. Every rule
has a row where it fires and one where it must not. The rules that read the dependency
parse are tested on the model in test_entity_rules_parsed.py."""

import pytest
import spacy

import transforms.nlp  # noqa: F401  (registers the components and Doc._.tickers)
from transforms.entity_rules import RULE_LABELS_KEY

BLANK = spacy.blank("en")
RULES = BLANK.add_pipe("newsetl_entity_rules")


def doc_of(text, ents=(), pos=None, tags=None, lemmas=None):
    """A blank-pipeline doc of `text` with the entities `ents` ((text, label), found left
    to right) and, for the tokens named, their part of speech, tag and lemma. A sentence
    starts after '.', '!', '?' and at a line break."""
    doc = BLANK.make_doc(text)
    for t in doc:
        prev = doc[t.i - 1] if t.i else None
        t.is_sent_start = prev is None or prev.text in (".", "!", "?") or "\n" in prev.text_with_ws
        for attr, values in (("pos_", pos), ("tag_", tags), ("lemma_", lemmas)):
            if values and t.text in values:
                setattr(t, attr, values[t.text])
    spans, at = [], 0
    for sub, label in ents:
        start = text.index(sub, at)
        at = start + len(sub)
        spans.append(doc.char_span(start, at, label=label))
    doc.ents = spans
    return doc


def rules(text, ents=(), **attrs):
    doc = RULES(doc_of(text, ents, **attrs))
    return [(e.text, e.label_) for e in doc.ents]


def row(rule, text, given, expected, **attrs):
    return pytest.param(text, given, attrs, expected, id=rule)


def known_error(rule, text, given, expected, reason, **attrs):
    return pytest.param(
        text, given, attrs, expected, id=rule, marks=pytest.mark.xfail(strict=True, reason=reason)
    )


NN, NNP, POS = {"tags": {"Attendance": "NN"}}, {"tags": {"KDP": "NNP", "GDP": "NNP"}}, {"'s": "POS"}
PROPN = {"EOS": "PROPN", "300D": "PROPN"}

ROWS = [
    # boundaries: a name does not end in lower-case words or a bare number ...
    row(
        "trim: lower-case words",
        "Interfax news agency said.",
        [("Interfax news agency", "ORG")],
        [("Interfax", "ORG")],
    ),
    row("trim: a bare number", "Durham 114 all out.", [("Durham 114", "ORG")], [("Durham", "ORG")]),
    row(
        "trim: not a product's number", "Halo 2 sold well.", [("Halo 2", "PRODUCT")], [("Halo 2", "PRODUCT")]
    ),
    row("trim: not a one-word name", "The Acme fell.", [("Acme", "ORG")], [("Acme", "ORG")]),
    known_error(
        "trim: a score after a name",
        "Chelsea 2-1 won.",
        [("Chelsea 2-1", "ORG")],
        [("Chelsea", "ORG")],
        "only the last number is trimmed: 'Chelsea 2-'",
    ),
    # ... a spaced dash separates two names (each then goes through the other rules) ...
    row(
        "split: spaced dash",
        "Romania - Cosmin Contra scored.",
        [("Romania - Cosmin Contra", "PERSON")],
        [("Romania", "GPE"), ("Cosmin Contra", "PERSON")],
    ),
    row(
        "split: not an unspaced hyphen",
        "Half-Life sold.",
        [("Half-Life", "PRODUCT")],
        [("Half-Life", "PRODUCT")],
    ),
    known_error(
        "split: not a date",
        "LONDON, March 2 - Shares fell.",
        [("March 2 - Shares", "DATE")],
        [("LONDON", "GPE"), ("March 2", "DATE")],
        "a date is split at the dash too, and its tail 'Shares' stays a DATE",
    ),
    # ... and a lone common noun opening a line is not a name
    row("line-start noun: dropped", "Attendance was high.", [("Attendance", "ORG")], [], **NN),
    row(
        "line-start noun: not a proper noun",
        "Attendance was high.",
        [("Attendance", "ORG")],
        [("Attendance", "ORG")],
        tags={"Attendance": "NNP"},
    ),
    row(
        "line-start noun: not inside a line",
        "Crowds cheered Attendance.",
        [("Attendance", "ORG")],
        [("Attendance", "ORG")],
        **NN,
    ),
    # newswire datelines name a place
    row("dateline: ISO date", "BELGRADE 1996-08-30\n\nTalks resumed.", [], [("BELGRADE", "GPE")]),
    row("dateline: month and day", "LONDON, March 2 - Shares fell.", [], [("LONDON", "GPE")]),
    row(
        "dateline: wins over the model's label",
        "BELGRADE 1996-08-30\n\nTalks resumed.",
        [("BELGRADE", "ORG")],
        [("BELGRADE", "GPE")],
    ),
    row("dateline: not without a date", "BELGRADE said talks resumed.", [], []),
    # a list of places is split at its commas
    row(
        "place list: split",
        "Flights to Recife, Salvador resumed.",
        [("Recife, Salvador", "GPE")],
        [("Recife", "GPE"), ("Salvador", "GPE")],
    ),
    row(
        "place list: not with a lower-case part",
        "To Recife, and Salvador.",
        [("Recife, and Salvador", "GPE")],
        [("Recife, and Salvador", "GPE")],
    ),
    row(
        "place list: not an organisation",
        "Smith, Barney sold.",
        [("Smith, Barney", "ORG")],
        [("Smith, Barney", "ORG")],
    ),
    # a name after an honorific is a person
    row("honorific: Mr", "Mr Trotter spoke.", [("Trotter", "ORG")], [("Trotter", "PERSON")]),
    row("honorific: Mr.", "Mr. Trotter spoke.", [("Trotter", "GPE")], [("Trotter", "PERSON")]),
    row("honorific: not without one", "Trotter spoke.", [("Trotter", "ORG")], [("Trotter", "ORG")]),
    # a person-like owner of a numbered product is its maker
    row(
        "owner: of a numbered product",
        "Canon's EOS 300D sold.",
        [("Canon", "PERSON")],
        [("Canon", "ORG"), ("EOS 300D", "PRODUCT")],
        pos=PROPN,
        tags=POS,
    ),
    row(
        "owner: not of a thing without a number",
        "Canon's EOS camera sold.",
        [("Canon", "PERSON")],
        [("Canon", "PERSON")],
        pos=PROPN,
        tags=POS,
    ),
    # an 'entity' starting with a lower-case verb or noun is dropped
    row(
        "junk: lower-case verb",
        "Our distributes micro-computer fell.",
        [("distributes micro-computer", "ORG")],
        [],
        pos={"distributes": "VERB"},
    ),
    row(
        "junk: not a determiner",
        "Shares of the Acme fell.",
        [("the Acme", "ORG")],
        [("the Acme", "ORG")],
        pos={"the": "DET"},
    ),
    # names of awards and cups are events
    row(
        "event: prize",
        "He won the Turner Prize.",
        [("Turner Prize", "WORK_OF_ART")],
        [("Turner Prize", "EVENT")],
    ),
    row("event: cup", "He won the World Cup.", [("World Cup", "ORG")], [("World Cup", "EVENT")]),
    row("event: not a place", "He visited Cup.", [("Cup", "GPE")], [("Cup", "GPE")]),
    # a country's name is a place
    row("country: relabelled", "Talks with France ended.", [("France", "ORG")], [("France", "GPE")]),
    row(
        "country: not an unknown name",
        "Talks with Frankia ended.",
        [("Frankia", "ORG")],
        [("Frankia", "ORG")],
    ),
    # 'the city of X': X is a place
    row(
        "place noun: city of",
        "The Kurdish city of Arbil fell.",
        [("Arbil", "PERSON")],
        [("Arbil", "GPE")],
        lemmas={"city": "city"},
    ),
    row(
        "place noun: not a mayor of",
        "The mayor of Arbil fell.",
        [("Arbil", "PERSON")],
        [("Arbil", "PERSON")],
        lemmas={"mayor": "mayor"},
    ),
    # a multi-word name found once is found everywhere
    row(
        "propagate: a repeat",
        "Doom 3 sold. Fans like Doom 3 a lot.",
        [("Doom 3", "PRODUCT")],
        [("Doom 3", "PRODUCT"), ("Doom 3", "PRODUCT")],
    ),
    row(
        "propagate: not a one-word name",
        "Doom sold. Fans like Doom a lot.",
        [("Doom", "PRODUCT")],
        [("Doom", "PRODUCT")],
    ),
    # the surname of a person named in the article is that person
    row(
        "surname: propagated",
        "Alexander Lebed spoke. Lebed said no.",
        [("Alexander Lebed", "PERSON")],
        [("Alexander Lebed", "PERSON"), ("Lebed", "PERSON")],
        pos={"Lebed": "PROPN"},
    ),
    row(
        "surname: not a verb",
        "Alexander Lebed spoke. Lebed said no.",
        [("Alexander Lebed", "PERSON")],
        [("Alexander Lebed", "PERSON")],
        pos={"Lebed": "VERB"},
    ),
    row(
        "surname: not from a one-word name",
        "Lebed spoke. Then Lebed left.",
        [("Lebed", "PERSON")],
        [("Lebed", "PERSON")],
        pos={"Lebed": "PROPN"},
    ),
    # a stand-alone acronym in running text is an organisation
    row("acronym: organisation", "The KDP said it would fight.", [], [("KDP", "ORG")], **NNP),
    row("acronym: not a common abbreviation", "The GDP fell.", [], [], **NNP),
    row("acronym: not in a line in capitals", "THE KDP SAID IT WOULD FIGHT.", [], [], **NNP),
    row("acronym: not a common noun", "The KDP said it would fight.", [], [], tags={"KDP": "NN"}),
    # a results line names two teams; countries stay places
    row("result line: teams", "Lotte 6 Hyundai 2", [], [("Lotte", "ORG"), ("Hyundai", "ORG")]),
    row("result line: countries", "France 2 Italy 1", [], [("France", "GPE"), ("Italy", "GPE")]),
    row("result line: not a sentence", "Lotte won 6 games.", [], []),
    # whole company names (transforms/company_spans.py): a legal-form name takes the
    # capitalised words before it, and the name before "and" unless that is a company itself
    row(
        "company: words before a legal-form name",
        "Shares of Michigan General Corp rose.",
        [("Michigan", "GPE"), ("General Corp", "ORG")],
        [("Michigan General Corp", "ORG")],
    ),
    row(
        "company: a name around 'and'",
        "The underwriter is Alex Brown and Sons Inc of Baltimore.",
        [("Alex Brown", "PERSON"), ("Sons Inc", "ORG"), ("Baltimore", "GPE")],
        [("Alex Brown and Sons Inc", "ORG"), ("Baltimore", "GPE")],
    ),
    row(
        "company: two places around 'and'",
        "Hongkong and Shanghai Banking Corp raised its rate.",
        [("Hongkong", "GPE"), ("Shanghai Banking Corp", "ORG")],
        [("Hongkong and Shanghai Banking Corp", "ORG")],
    ),
    row(
        "company: not the first word of a sentence",
        "Yesterday General Corp said so.",
        [("General Corp", "ORG")],
        [("General Corp", "ORG")],
    ),
    row(
        "company: two companies, the first with a legal form",
        "Lac Minerals Ltd and Cambior Inc will build it.",
        [("Lac Minerals Ltd", "ORG"), ("Cambior Inc", "ORG")],
        [("Lac Minerals Ltd", "ORG"), ("Cambior Inc", "ORG")],
    ),
    row(
        "company: two companies, one named alone",
        "Dome and Cambior Inc will build it. Dome said so.",
        [("Dome", "ORG"), ("Cambior Inc", "ORG"), ("Dome", "ORG")],
        [("Dome", "ORG"), ("Cambior Inc", "ORG"), ("Dome", "ORG")],
    ),
    row(
        "company: a country and a company",
        "Talks between Canada and Pearson Plc ended.",
        [("Canada", "GPE"), ("Pearson Plc", "ORG")],
        [("Canada", "GPE"), ("Pearson Plc", "ORG")],
    ),
    row(
        "company: the tail of a longer name",
        "First National Bank of Minneapolis and Salomon Inc led it.",
        [("First National Bank of Minneapolis", "ORG"), ("Salomon Inc", "ORG")],
        [("First National Bank of Minneapolis", "ORG"), ("Salomon Inc", "ORG")],
    ),
    row(
        "joined names: a hyphen between two names the article uses apart",
        "Reagan welcomed the Reagan-Gorbachev summit. Gorbachev agreed.",
        [("Reagan", "PERSON"), ("Reagan-Gorbachev", "PERSON"), ("Gorbachev", "PERSON")],
        [("Reagan", "PERSON"), ("Reagan", "PERSON"), ("Gorbachev", "PERSON"), ("Gorbachev", "PERSON")],
    ),
    row(
        "joined names: a hyphenated name is one",
        "Robert Kilroy-Silk left. Kilroy said so.",
        [("Robert Kilroy-Silk", "PERSON"), ("Kilroy", "PERSON")],
        [("Robert Kilroy-Silk", "PERSON"), ("Kilroy", "PERSON")],
    ),
    row(
        "joined names: a hyphenated name is one, its parts used in other names",
        "Kilroy-Silk left. Kilroy said so. Robert Kilroy Silk agreed.",
        [("Kilroy-Silk", "PERSON"), ("Kilroy", "PERSON"), ("Robert Kilroy Silk", "PERSON")],
        [("Kilroy-Silk", "PERSON"), ("Kilroy", "PERSON"), ("Robert Kilroy Silk", "PERSON")],
    ),
    row(
        "joined names: a firm named after two people is one",
        "Thomas and Betts sued. Thomas and Betts Corp said so.",
        [("Thomas and Betts", "PERSON"), ("Thomas and Betts Corp", "ORG")],
        [("Thomas and Betts", "PERSON"), ("Thomas and Betts Corp", "ORG")],
    ),
    row(
        "joined names: a company's hyphen, one part never alone",
        "Hewlett-Packard cut prices. Hewlett said so.",
        [("Hewlett-Packard", "ORG"), ("Hewlett", "PERSON")],
        [("Hewlett-Packard", "ORG"), ("Hewlett", "PERSON")],
    ),
    row(
        "joined names: an honorific after 'and'",
        "Mr Smith and Mrs Jones met.",
        [("Mr Smith and Mrs Jones", "PERSON")],
        [("Mr Smith", "PERSON"), ("Mrs Jones", "PERSON")],
    ),
    row(
        "joined names: a couple's name is one",
        "Bill and Melinda Gates gave $1bn.",
        [("Bill and Melinda Gates", "PERSON")],
        [("Bill and Melinda Gates", "PERSON")],
    ),
    row(
        "joined names: a firm with a comma is one",
        "Kidder, Peabody and Co said so. Kidder and Peabody agreed.",
        [("Kidder, Peabody and Co", "ORG"), ("Kidder", "ORG"), ("Peabody", "ORG")],
        [("Kidder, Peabody and Co", "ORG"), ("Kidder", "ORG"), ("Peabody", "ORG")],
    ),
    row(
        "company: a rating is no name",
        "It was rated Aa-3 and Standard and Poor's Corp agreed.",
        [("Standard and Poor's Corp", "ORG")],
        [("Standard and Poor's Corp", "ORG")],
    ),
]


@pytest.mark.parametrize(("text", "given", "attrs", "expected"), ROWS)
def test_rule(text, given, attrs, expected):
    assert rules(text, given, **attrs) == expected


def test_rule_labels_are_recorded_for_the_clustering():
    """Labels the rules set, by character span, so clustering lets them outvote the model;
    a label the model gave and no rule touched is not recorded."""
    doc = RULES(
        doc_of(
            "Mr Trotter met Frankia. Doom 3 sold. Fans like Doom 3.",
            [("Trotter", "ORG"), ("Frankia", "ORG"), ("Doom 3", "PRODUCT")],
        )
    )
    assert sorted(map(tuple, doc.user_data[RULE_LABELS_KEY])) == [(3, 10, "PERSON"), (47, 53, "PRODUCT")]

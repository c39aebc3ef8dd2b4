"""The entity errors issue 16 quotes from unseen BBC and Reuters articles, as rows: a text,
entities (name, label) the article's entities must include, and entities they must not
include. Run on the whole pipeline (the shipped recogniser, the rules, the entity-kind
classifier). Known errors are strict xfails naming the error."""

from __future__ import annotations

import pytest

from transforms.entities import cluster_entities


def row(name, text, expected, absent=()):
    return pytest.param(text, expected, absent, id=name)


def known_error(name, text, expected, absent, reason):
    return pytest.param(text, expected, absent, id=name, marks=pytest.mark.xfail(strict=True, reason=reason))


ROWS = [
    row(
        "company, not a person, in every mention",
        "Yukos has said it will appeal. The Russian oil giant faces a $27bn tax bill. "
        "Yukos shares fell 5% in Moscow, and Yukos said it could not pay.",
        [("Yukos", "ORG"), ("Moscow", "GPE")],
        [("Yukos", "PERSON")],
    ),
    row(
        "reinsurer, not a person",
        "Munich Re said claims from the tsunami would cost it about 100m euros. "
        "Swiss Re gave a similar estimate.",
        [("Munich Re", "ORG"), ("Swiss Re", "ORG")],
        [("Munich Re", "PERSON")],
    ),
    row(
        "telecoms firm, not a place",
        "BT said it would cut prices for its broadband customers. BT has 5.5 million broadband lines.",
        [("BT", "ORG")],
        [("BT", "GPE")],
    ),
    row(
        "football club, not a person",
        "Manchester United said the club had received no offer. Shares in Manchester United rose 3%.",
        [("Manchester United", "ORG")],
        [("Manchester United", "PERSON")],
    ),
    row(
        "company named after a place",
        "Michigan General Corp said it had agreed to sell its trucking unit for 12 mln dlrs.",
        [("Michigan General Corp", "ORG")],
        [("Michigan", "GPE"), ("General Corp", "ORG")],
    ),
    row(
        "company name with 'and'",
        "The offering is being underwritten by Alex. Brown and Sons Inc, the company said.",
        [("Alex. Brown and Sons Inc", "ORG")],
        [("Sons Inc", "ORG"), ("Alex. Brown", "PERSON")],
    ),
    row(
        "company name with a place and 'and'",
        "Hongkong and Shanghai Banking Corp said it would raise its prime rate to 6.5 pct.",
        [("Hongkong and Shanghai Banking Corp", "ORG")],
        [("Shanghai Banking Corp", "ORG")],
    ),
    row(
        "company name with two places and 'and', the recogniser's places",
        "Australia and New Zealand Banking Group Ltd said it will make a one-for-two bonus issue.",
        [("Australia and New Zealand Banking Group Ltd", "ORG")],
        [("Australia", "GPE"), ("New Zealand", "GPE"), ("Banking Group Ltd", "ORG")],
    ),
    row(
        "a subsidiary named 'X of <place> Inc'",
        "Shamrock Holdings of California Inc, a Disney family company, said it submitted the bid.",
        [("Shamrock Holdings of California Inc", "ORG")],
        [("California Inc", "ORG"), ("Shamrock Holdings", "PERSON")],
    ),
    row(
        "a company name joined by a slash and a hyphen",
        "M/A-Com Inc said it would sell its microwave unit.",
        [("M/A-Com Inc", "ORG")],
        [("Com Inc", "ORG")],
    ),
    row(
        "a name the recogniser left out, after another company's name",
        "Reuters Holdings PLC said its Reuters Information Services Inc unit will join the venture.",
        [("Reuters Holdings PLC", "ORG"), ("Reuters Information Services Inc", "ORG")],
        [("Holdings PLC", "ORG"), ("Information Services Inc", "ORG")],
    ),
    row(
        "a word that is also a legal form makes no company",
        "Dell said that Dell PC sales rose. Oil Prices Rise As Opec Cuts Output.",
        [("Dell", "ORG")],
        [("Dell PC", "ORG"), ("Oil Prices Rise As", "ORG")],
    ),
    row(
        "a person's title opens no company's name",
        "John Smith, President of Texas Co, said the deal was done.",
        [("Texas Co", "ORG")],
        [("President of Texas Co", "ORG")],
    ),
    row(
        "legal forms alone are no company",
        "The shares go through Gordon Capital Corp, Loewen Ondaatje McCutcheon and Co Ltd and Merrill Lynch Canada Inc.",
        [("Gordon Capital Corp", "ORG")],
        [("Co Ltd", "ORG")],
    ),
    row(
        "two companies stay two",
        "Lac Minerals Ltd and Cambior Inc said they would develop the mine together. Cambior said costs would fall.",
        [("Lac Minerals Ltd", "ORG"), ("Cambior Inc", "ORG")],
        [("Lac Minerals Ltd and Cambior Inc", "ORG")],
    ),
    row(
        "the whole legal name",
        "International Business Machines Corp said its first-quarter earnings rose 15 pct.",
        [("IBM", "ORG")],
        [("Business Machines Corp", "ORG")],
    ),
    row(
        "a whole name before 'said'",
        "Comdata Network Inc said it agreed to be acquired for 14.50 dlrs a share.",
        [("Comdata Network Inc", "ORG")],
        [("Inc", "ORG")],
    ),
    row(
        "a car with a model number is a product",
        "General Motors is recalling its Pontiac G6 cars to fix the ignition. The Pontiac G6 went on sale in 2004.",
        [("General Motors", "ORG"), ("Pontiac G6", "PRODUCT")],
        [("Pontiac G6", "ORG")],
    ),
    known_error(
        "a car named by make and model is a product",
        "General Motors is recalling its Pontiac G6 and Chevrolet Cobalt cars to fix the ignition.",
        [("Chevrolet Cobalt", "PRODUCT")],
        [("Chevrolet", "ORG")],
        "the recogniser stops at the make ('Chevrolet' ORG) and no rule joins a make to its model",
    ),
    row(
        "a music player is a product",
        "Apple said it sold 4.5 million iPods in the quarter, and the iPod mini was its best seller.",
        [("Apple", "ORG"), ("iPods", "PRODUCT"), ("iPod mini", "PRODUCT")],
        [("iPods", "ORG"), ("iPod mini", "ORG")],
    ),
    row(
        "nationalities are not entities",
        "The officials said Iranian forces had fired a missile at a Russian tanker.",
        [],
        [
            ("Iranian", "ORG"),
            ("Iranian", "NORP"),
            ("Russian", "ORG"),
            ("Russian", "GPE"),
            ("Russian", "NORP"),
        ],
    ),
    known_error(
        "a nationality read as a place",
        "Kuwaiti officials said the tanker, owned by a Kuwaiti firm, was hit.",
        [],
        [("Kuwaiti", "GPE")],
        "the recogniser calls 'Kuwaiti' a place, and nothing the classifier reads marks it as a nationality",
    ),
    row(
        "common words opening a sentence are not entities",
        "Tsunami aid has reached Sri Lanka. Broadband take-up rose in the UK last year. "
        "SET prices were unchanged, the exchange said.",
        [("Sri Lanka", "GPE"), ("UK", "GPE")],
        [("Tsunami", "GPE"), ("Tsunami", "ORG"), ("Broadband", "GPE"), ("Broadband", "ORG"), ("SET", "ORG")],
    ),
]


@pytest.mark.parametrize(("text", "expected", "absent"), ROWS)
def test_unseen_entity_errors(nlp, text, expected, absent):
    found = {(c.name, c.label) for c in cluster_entities(nlp(text))}
    assert set(expected) <= found
    assert not found & set(absent)


def test_a_ticker_attaches_to_the_whole_name(nlp):
    from transforms.clean import clean_article

    clean = clean_article(
        "", "The offering is underwritten by Alex. Brown and Sons Inc <ABSB>, the bank said."
    )
    clusters = cluster_entities(nlp(clean.parse_text), clean.tickers)
    assert [(c.name, c.ticker) for c in clusters if c.ticker] == [("Alex. Brown and Sons Inc", "ABSB")]

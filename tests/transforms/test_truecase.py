"""Case restoration (transforms/truecase.py): one (text, expected) row or more per rule,
each with a row where the rule must not fire. Pure functions, no model."""

import pytest

from transforms.truecase import body_forms, is_all_caps, truecase, truecase_body

BODY = (
    "Altex Industries Inc said it had agreed to acquire Integrated Management. "
    "The acquisition of Integrated would cost Altex 5 mln dlrs. The unit was set up in 1980."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ALTEX <AII> SETS ACQUISITION", True),
        ("ALTEX INDUSTRIES INc", True),  # over 90% of the letters in capitals
        ("IBM", True),  # three letters are enough
        ("AB", False),  # too few letters to tell
        ("12 34 AB", False),
        ("ALTEX Industries", False),
        ("Altex sets acquisition", False),
    ],
)
def test_is_all_caps(text, expected):
    assert is_all_caps(text) is expected


@pytest.mark.parametrize(
    ("body", "word", "form"),
    [
        # the usual form of a word inside sentences
        ("Shares fell. Then Altex said shares rose.", "altex", "Altex"),
        # a capital at a sentence start is no evidence when the word is seen elsewhere
        ("Shares fell. Then Altex said shares rose.", "shares", "shares"),
        # ... but is the form of a word seen only there
        ("Shares fell sharply.", "shares", "Shares"),
        # a function word seen only at sentence starts is lower case
        ("The deal was done. The Fed agreed.", "the", "the"),
        ("The deal was done. The Fed agreed.", "fed", "Fed"),
        # an all-capital word at a sentence start counts as written
        ("IBM said so. Then IBM left.", "ibm", "IBM"),
        # the most frequent form wins
        ("The ALTEX bid and the Altex unit, as Altex said.", "altex", "Altex"),
    ],
)
def test_body_forms(body, word, form):
    assert body_forms(body)[word] == form


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # a word the body shows takes the body's form
        ("ALTEX <AII> SETS ACQUISITION", "Altex <AII> sets acquisition"),
        ("ACQUISITION SET BY ALTEX", "acquisition set by Altex"),
        # a short word the body shows is lower-cased like the body, not kept as an acronym
        ("THE UNIT IS SET", "the unit is set"),
        # a short word the body does not show is most likely an acronym or ticker: kept
        ("GM UNIT SOLD", "GM unit sold"),
        # a function word is lower case; a longer word the body does not show too
        ("ALTEX TO SELL UNIT", "Altex to sell unit"),
        # a title not in capitals is left as it is
        ("Altex sets acquisition", "Altex sets acquisition"),
        ("ALTEX Industries sets acquisition", "ALTEX Industries sets acquisition"),
        pytest.param(
            "U.S. TO BUY ALTEX",
            "U.S. to buy Altex",
            marks=pytest.mark.xfail(
                strict=True,
                reason="dots count as letters: 'U.S.' is a long unknown word and lower-cased; "
                "'BUY', short and not in the body, is kept as an acronym",
            ),
        ),
    ],
)
def test_truecase(title, expected):
    got = truecase(title, BODY)
    assert got == expected
    assert len(got) == len(title)  # offsets into the restored title are offsets into the stored one


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a line in capitals takes the body's usual forms of its words
        (
            "Scores on Sunday in Milwaukee and Boston, in Milwaukee.\n\nMILWAUKEE 60 70 .462\nBOSTON 55 75 .423",
            "Scores on Sunday in Milwaukee and Boston, in Milwaukee.\n\nMilwaukee 60 70 .462\nBoston 55 75 .423",
        ),
        # lines not in capitals are left alone, even with the same words
        ("Milwaukee won.\nThe MILWAUKEE fans cheered.", "Milwaukee won.\nThe MILWAUKEE fans cheered."),
        ("No capitals here.\nAt All.", "No capitals here.\nAt All."),
        pytest.param(
            "Results in Boston.\n\nMILWAUKEE 60 70 .462",
            "Results in Boston.\n\nMilwaukee 60 70 .462",
            marks=pytest.mark.xfail(
                strict=True,
                reason="the capital lines count among the body's forms, so a word seen only there "
                "keeps its capitals instead of being title-cased as documented",
            ),
        ),
    ],
)
def test_truecase_body(body, expected):
    got = truecase_body(body)
    assert got == expected
    assert len(got) == len(body)

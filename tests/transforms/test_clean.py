import json

import pytest

from transforms.boilerplate import is_caption, rules_for
from transforms.clean import angle_brackets, clean_article, paragraphs, strip_markup

WRAPPED = (
    "Showers continued throughout the week in\n"
    "the Bahia cocoa zone, alleviating the drought since early\n"
    "January and improving prospects for the coming temporao,\n"
    "Comissaria Smith said in its weekly review.\n"
    "    The dry period means the temporao will be late this year.\n"
    " REUTER"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<Sedio N.V.> said", ("Sedio N.V. said", [])),
        ("GENERAL MOTORS <GM> SAYS", ("GENERAL MOTORS (GM) SAYS", ["GM"])),
        ("<B and R International Inc.> bought", ("B and R International Inc. bought", [])),
    ],
)
def test_angle_brackets(text, expected):
    assert angle_brackets(text) == (expected[0], expected[1])


def test_unwraps_hard_wrapped_reuters_body_and_drops_signature():
    c = clean_article("COCOA REVIEW", WRAPPED)
    paras = c.body.split("\n\n")
    assert paras[0].startswith("Showers continued throughout the week in the Bahia cocoa zone,")
    assert "\n" not in paras[0]
    assert paras[1] == "The dry period means the temporao will be late this year."
    assert "REUTER" not in c.body


def test_keeps_unwrapped_lines():
    # one sentence a line (CoNLL style) is not hard-wrapped text
    assert paragraphs(
        "LONDON 1996-08-30\nWest Indian all-rounder Phil Simmons took four for 38 on Friday."
    ) == ["LONDON 1996-08-30\nWest Indian all-rounder Phil Simmons took four for 38 on Friday."]


FOOL = rules_for("fool")  # a publisher that inlines stock-photo captions


@pytest.mark.parametrize(
    ("para", "caption"),
    [
        # labelled credits are captions for every publisher
        ("Image source: Getty Images.", True),
        ("Photo credit: Jane Doe/Reuters", True),
        ("AP Photo/Evan Vucci", True),
        ("(Getty Images)", True),
        # real sentences that an earlier caption rule deleted (bbc-tech-363, reuters-3414, ...)
        (
            "The latest handheld gaming gadget, Sony's PlayStation Portable, goes on sale in the US on Thursday.",
            False,
        ),
        ("The department began releasing quarterly figures in June 1986.", False),
        ("The company went public during 1986.", False),
        ("The orders bring Lufthansa's purchases of Airbus A-300s and A-310s to a total of 34.", False),
        ("The plan envisages giving incentives to importers not to import Japanese goods.", False),
        ("Getty Images said on Tuesday it would cut 200 jobs.", False),
        ("A spokesman said the company was reviewing its options.", False),
        ("Amazon is joining IBM in taking a stand.", False),
        # a verbless stock-photo caption is one only for a publisher that inlines them
        ("A camera using facial recognition tech to scan a face.", False),
    ],
)
def test_is_caption(para, caption):
    assert is_caption(para) is caption


@pytest.mark.parametrize(
    ("para", "caption"),
    [
        ("A camera using facial recognition tech to scan a face.", True),
        ("A man holding a smartphone.", True),
        ("Image source: Getty Images.", True),
        (
            "The latest handheld gaming gadget, Sony's PlayStation Portable, goes on sale in the US on Thursday.",
            False,
        ),
        ("The department began releasing quarterly figures in June 1986.", False),
        ("The Commodity Futures Trading Commission approved the rule change in February.", False),
        ("The bomb exploded during rehearsals for a weekend graduation.", False),
        ("The text also envisaged setting a deadline for the body to complete its work.", False),
        (
            "A contract covering more than 500 writers, editors and other personnel expired early March two.",
            False,
        ),
    ],
)
def test_is_caption_for_a_publisher_with_stock_photo_captions(para, caption):
    assert is_caption(para, FOOL) is caption


PS = "The latest handheld gaming gadget, Sony's PlayStation Portable, goes on sale in the US on Thursday."
DEPT = "The department began releasing quarterly figures in June 1986."
FOOL_DISCLAIMER = (
    "This article represents the opinion of the writer, who may disagree with the official position."
)
FOOL_CAPTION = "A camera using facial recognition tech to scan a face."
LEAD = "Acme said it would buy Beta.\n\n"
TAIL = "\n\nThe deal closes in March.\n\nBeta rose 5%."


@pytest.mark.parametrize(
    ("text", "source", "url", "expected"),
    [
        # real sentences survive wherever they stand
        (LEAD + PS + TAIL, "bbc", None, None),
        ("Acme said it would buy Beta.\n\n" + DEPT + "\n\nBeta rose 5%.", "reuters", None, None),
        # a labelled credit goes for every source
        (LEAD + "Image source: Getty Images." + TAIL, "bbc", None, LEAD + TAIL[2:]),
        # the Motley Fool's disclaimer and stock-photo caption go only for the Motley Fool
        (LEAD + FOOL_CAPTION + TAIL + "\n\n" + FOOL_DISCLAIMER, "fool", None, LEAD + TAIL[2:]),
        (
            LEAD + FOOL_CAPTION + TAIL + "\n\n" + FOOL_DISCLAIMER,
            None,
            "https://www.fool.com/investing/x/",
            LEAD + TAIL[2:],
        ),
        (LEAD + FOOL_CAPTION + TAIL + "\n\n" + FOOL_DISCLAIMER, "bbc", None, None),
        (LEAD + FOOL_CAPTION + TAIL + "\n\n" + FOOL_DISCLAIMER, None, "https://notfool.com/x", None),
        (LEAD + FOOL_CAPTION + TAIL + "\n\n" + FOOL_DISCLAIMER, None, None, None),
        # generic trailing boilerplate, and a real sentence that only starts like it
        (
            LEAD + TAIL[2:] + "\n\nReporting by Jane Doe; Editing by John Smith",
            "reuters",
            None,
            LEAD + TAIL[2:],
        ),
        (LEAD + TAIL[2:] + "\n\nReporting by the BBC has revealed new losses.", "bbc", None, None),
        (LEAD + TAIL[2:] + "\n\nCopyright infringement is a growing problem.", "bbc", None, None),
        (
            LEAD + TAIL[2:] + "\n\nCopyright 2020 Acme Corp. All rights reserved.",
            "bbc",
            None,
            LEAD + TAIL[2:],
        ),
    ],
)
def test_what_cleaning_keeps(text, source, url, expected):
    """`expected` None: nothing is removed."""
    c = clean_article("Acme buys Beta", text, source=source, url=url)
    assert c.body == (text if expected is None else expected)
    assert (c.removed == ()) is (expected is None)


@pytest.mark.parametrize(
    ("text", "source", "expected"),
    [
        ("One.\n\nTwo.\n\nThree.", "bbc", []),
        ("One.\n\nImage source: Getty Images.\n\nTwo.\n\nThree.", "bbc", [("photo-credit", 1, 27)]),
        (
            "One.\n\n" + FOOL_CAPTION + "\n\nTwo.\n\nThree.\n\n" + FOOL_DISCLAIMER + "\n\nWe're motley!",
            "fool",
            [
                ("stock-photo-caption", 1, len(FOOL_CAPTION)),
                ("fool-disclaimer", 2, len(FOOL_DISCLAIMER) + 15),
            ],
        ),
        ("One.\n\nTwo.\n\nThree.\n\nREUTER", "reuters", [("signature", 1, 6)]),
        ("<p>One.</p>\n\n<p>Two.</p>", "bbc", [("markup:body", 0, 14)]),
    ],
)
def test_removals_are_recorded(text, source, expected):
    c = clean_article("T", text, source=source)
    assert [(r.rule, r.paragraphs, r.chars) for r in c.removed] == expected
    assert [(r["rule"], r["paragraphs"], r["chars"]) for r in json.loads(c.removed_json)] == expected
    assert all(len(r.text) <= 200 for r in c.removed)


def test_recorded_text_is_the_start_of_what_was_removed():
    long_disclaimer = FOOL_DISCLAIMER + " " + "x" * 400
    c = clean_article("T", "One.\n\nTwo.\n\nThree.\n\n" + long_disclaimer, source="The Motley Fool")
    (r,) = c.removed
    assert r.rule == "fool-disclaimer" and r.chars == len(long_disclaimer)
    assert r.text == long_disclaimer[:200]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Use std::vector<int> here.", "Use std::vector<int> here."),
        ("If a < b > c then stop.", "If a < b > c then stop."),
        ("Use List<String> and Map<K, V> here.", "Use List<String> and Map<K, V> here."),
        ("So a<b>c holds.", "So a<b>c holds."),
        ("Escaped &lt;int&gt; stays.", "Escaped <int> stays."),
        ("Real <b>bold</b> markup.", "Real bold markup."),
        ('A <a href="x">link</a>.', "A link ."),
        # Reuters conventions
        ("<Sedio N.V.> said", "Sedio N.V. said"),
        ("INTERGROUP<NII> TO OFFER", "INTERGROUP(NII) TO OFFER"),
        ("J Sainsbury Plc<SNB.L> said", "J Sainsbury Plc(SNB.L) said"),
        ("Hotels Ltd <SHLH.HK>'s stock soared.", "Hotels Ltd (SHLH.HK)'s stock soared."),
        # Reuters' padded and lower-case forms (reuters-10236, -15421, -19717, -18997)
        ("<TECHNOLOGY MARKETING INC > SETS CONTRACT", "TECHNOLOGY MARKETING INC SETS CONTRACT"),
        ("arm of Sears Plc < SEHL.L>, and", "arm of Sears Plc (SEHL.L), and"),
        ("HIT CONSOLIDATED-BATHURST <cb.to> MILLS", "HIT CONSOLIDATED-BATHURST (CB.TO) MILLS"),
        ("WEARHOUSE <(MWW.TO> 1ST QTR LOSS", "WEARHOUSE (MWW.TO) 1ST QTR LOSS"),
        # ... and what must stay text
        ("If x < y then y > x.", "If x < y then y > x."),
        ("Use Map< K > here.", "Use Map< K > here."),
        ("A <lowercase word> stays.", "A <lowercase word> stays."),
    ],
)
def test_angle_brackets_in_text_survive(text, expected):
    assert clean_article("", text).body == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("std::vector<int>", ("std::vector<int>", False)),
        ("a < b > c", ("a < b > c", False)),
        ("a<b>c", ("a<b>c", False)),
        ("<br>x", (" x", True)),
        ("<p>x", (" x", True)),
    ],
)
def test_strip_markup_removes_only_real_tags(text, expected):
    assert strip_markup(text) == expected


def test_unicode_and_whitespace_normalised():
    c = clean_article("Caf\u00e9\u00a0news", "Ac\u200bme\u00a0 rose\t\t5%.\r\nMore  text.")
    assert c.title == "Café news"
    assert c.body == "Acme rose 5%.\nMore text."


def test_script_and_markup_removed_with_warning():
    c = clean_article("T", "<p>Good &amp; plenty.</p><script>alert('x')</script> End.")
    assert "alert" not in c.body and "<" not in c.body
    assert c.body == "Good & plenty. End."
    assert c.warnings


def test_offsets_of_text_property():
    c = clean_article("Title here", "Body text.")
    assert c.text[c.body_offset :] == c.body
    assert c.text[: len(c.title)] == c.title

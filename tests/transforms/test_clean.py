import pytest

from transforms.clean import angle_brackets, clean_article, is_caption, paragraphs

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


@pytest.mark.parametrize(
    ("para", "caption"),
    [
        ("A camera using facial recognition tech to scan a face.", True),
        ("Image source: Getty Images.", True),
        ("A spokesman said the company was reviewing its options.", False),
        ("Amazon is joining IBM in taking a stand.", False),
    ],
)
def test_is_caption(para, caption):
    assert is_caption(para) is caption


def test_drops_disclaimer_and_caption_keeps_the_rest():
    body = (
        "Acme said it would buy Beta.\n\nA camera using facial recognition tech to scan a face.\n\n"
        "The deal closes in March.\n\nThis article represents the opinion of the writer, who may disagree."
    )
    c = clean_article("Acme buys Beta", body)
    assert c.body == "Acme said it would buy Beta.\n\nThe deal closes in March."
    assert len(c.dropped) == 2


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

import spacy
from spacy.tokens import Span

from transforms.clean import clean_article
from transforms.components import entity_fixes
from transforms.nlp import parse_texts


def test_no_entity_spans_the_title_body_boundary(nlp):
    c = clean_article(
        "Amazon places one-year moratorium on police use of Rekognition",
        "Amazon (NASDAQ:AMZN) has made the decision to temporarily stop providing its technology.",
    )
    doc = nlp(c.text)
    for ent in doc.ents:
        assert "\n" not in ent.text, ent.text
    first_body = next(s for s in doc.sents if s.start_char >= c.body_offset)
    assert first_body.start_char == c.body_offset


def test_entity_fixes_splits_at_paragraph_break_on_blank_model():
    nlp = spacy.blank("en")
    doc = nlp("use of Rekognition\n\nAmazon said")
    doc.ents = [Span(doc, 2, 5, label="ORG")]  # "Rekognition \n\n Amazon"
    doc = entity_fixes(doc)
    assert [e.text for e in doc.ents] == ["Rekognition", "Amazon"]


def test_tickers_recorded_and_not_entities(nlp):
    doc = nlp("Amazon (NASDAQ:AMZN) and IBM (NYSE: IBM) rose, as did Microsoft (Nasdaq: MSFT).")
    found = {(t["symbol"], t["exchange"]) for t in doc._.tickers}
    assert found == {("AMZN", "NASDAQ"), ("IBM", "NYSE"), ("MSFT", "NASDAQ")}
    assert not any(e.text in ("NASDAQ", "NYSE", "Nasdaq", "AMZN") for e in doc.ents)
    owners = {doc[t["entity_start"]].text for t in doc._.tickers if t["entity_start"] is not None}
    assert owners == {"Amazon", "IBM", "Microsoft"}


def test_ticker_component_on_blank_pipeline():
    nlp = spacy.blank("en")
    doc = nlp("Halberd Bank Plc (LSE:HBK) will not reopen branches.")
    doc.ents = [Span(doc, 0, 5, label="ORG")]  # NER over-reach: "Halberd Bank Plc (LSE"
    doc = nlp.add_pipe("newsetl_tickers")(doc)
    assert [e.text for e in doc.ents] == ["Halberd Bank Plc"]
    assert doc._.tickers[0]["symbol"] == "HBK" and doc._.tickers[0]["entity_start"] == 0


def test_long_texts_are_parsed_in_segments_with_original_offsets(nlp):
    text = "Acme Corp said it would buy Beta Inc.\n\nIBM (NYSE:IBM) agreed.\n\n" * 40
    (doc,) = parse_texts(nlp, [text], max_segment_chars=1_000)
    assert doc.text == text
    assert sum(1 for e in doc.ents if e.text == "Acme Corp") == 40
    assert len(doc._.tickers) == 40
    for t in doc._.tickers:
        assert text[t["start_char"] : t["end_char"]] == "(NYSE:IBM)"

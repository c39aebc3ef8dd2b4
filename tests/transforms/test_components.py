"""newsetl's components carry their data: a pipeline written with `nlp.to_disk` loads with
`spacy.load` to the same entities, tickers and actions, and a component's word lists or
table can be replaced through its config."""

import spacy
from spacy.tokens import Span

import transforms.nlp  # noqa: F401  (registers the components and the tokenizer)
from transforms.actions import extract_actions
from transforms.entities import cluster_entities
from transforms.tokenizer import GuardedTokenizer

SENTENCES = [
    "Amazon (NASDAQ:AMZN) said it will buy Whole Foods for $13.7bn.\n\nMr Trotter resigned on Friday.",
    "Sony's new Clie PEG UX50 goes on sale in Japan. Microsoft (Nasdaq: MSFT) released Halo 2.",
    "The International Center for Missing and Exploited Children praised Thorn, the organization.",
    "LONDON, March 2 - Arsenal beat Chelsea and Lyon drew with Monaco, said Julio Hegedus, chief economist.",
]


def _entities(nlp, text):
    doc = nlp(text)
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents], list(doc._.tickers)


def _actions(nlp, text):
    doc = nlp(text)
    return [(a.verb, a.actor_text, a.action_type) for a in extract_actions(doc, cluster_entities(doc))]


def test_a_saved_pipeline_loads_to_the_same_results(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == nlp.pipe_names
    assert isinstance(loaded.tokenizer, GuardedTokenizer)
    assert loaded.get_pipe("newsetl_entity_rules").cues == nlp.get_pipe("newsetl_entity_rules").cues
    assert loaded.get_pipe("newsetl_tickers").exchanges == nlp.get_pipe("newsetl_tickers").exchanges
    for text in SENTENCES:
        assert _entities(loaded, text) == _entities(nlp, text)
        assert _actions(loaded, text) == _actions(nlp, text)
    assert any(_actions(nlp, text) for text in SENTENCES)  # the comparison compared something


def test_a_saved_component_keeps_replaced_word_lists(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("newsetl_entity_rules", config={"cues": {"honorifics": ["herr"]}})
    nlp.add_pipe("newsetl_tickers", config={"exchanges": {"WSE": "Warsaw"}})
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    assert loaded.get_pipe("newsetl_entity_rules").cues["honorifics"] == frozenset({"herr"})
    assert loaded.get_pipe("newsetl_tickers").exchanges == {"WSE": "Warsaw"}


def _ruled(nlp, text, start, end, label):
    doc = nlp.make_doc(text)
    doc.ents = [Span(doc, start, end, label=label)]
    return [(e.text, e.label_) for e in nlp.get_pipe("newsetl_entity_rules")(doc).ents]


def test_an_injected_honorific_list_changes_the_label():
    text = "Herr Trotter resigned"
    default = spacy.blank("en")
    default.add_pipe("newsetl_entity_rules")
    injected = spacy.blank("en")
    injected.add_pipe("newsetl_entity_rules", config={"cues": {"honorifics": ["herr"]}})
    assert _ruled(default, text, 1, 2, "ORG") == [("Trotter", "ORG")]
    assert _ruled(injected, text, 1, 2, "ORG") == [("Trotter", "PERSON")]


def test_an_injected_acronym_list_keeps_a_word_from_being_an_organisation():
    def orgs(nlp):
        doc = nlp.make_doc("Prices rose, KDP said.")
        for t in doc:
            t.tag_ = "NNP" if t.text == "KDP" else "NN"
            t.is_sent_start = t.i == 0
        return [e.text for e in nlp.get_pipe("newsetl_entity_rules")(doc).ents]

    default = spacy.blank("en")
    default.add_pipe("newsetl_entity_rules")
    injected = spacy.blank("en")
    injected.add_pipe("newsetl_entity_rules", config={"cues": {"common_acronyms": ["KDP"]}})
    assert orgs(default) == ["KDP"]
    assert orgs(injected) == []


def test_an_unknown_word_list_is_an_error():
    nlp = spacy.blank("en")
    try:
        nlp.add_pipe("newsetl_entity_rules", config={"cues": {"honorific": ["herr"]}})
    except ValueError as exc:
        assert "honorific" in str(exc) and "honorifics" in str(exc)
    else:
        raise AssertionError("an unknown list was accepted")


def test_an_injected_exchange_table_finds_other_tickers():
    text = "Orlen (WSE: PKN) rose."
    default = spacy.blank("en")
    default.add_pipe("newsetl_tickers")
    injected = spacy.blank("en")
    injected.add_pipe("newsetl_tickers", config={"exchanges": {"WSE": "Warsaw"}})
    assert [t["symbol"] for t in default(text)._.tickers] == []
    assert [(t["symbol"], t["exchange"]) for t in injected(text)._.tickers] == [("PKN", "Warsaw")]

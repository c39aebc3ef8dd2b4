"""An action's evidence: its sentence, or a bounded stretch of an over-long one."""

import pytest
import spacy

from transforms.actions import EVIDENCE_MAX_CHARS, evidence

NLP = spacy.blank("en")


def _evidence(text: str, verb: str) -> str:
    doc = NLP(text)
    tok = next(t for t in doc if t.text == verb)
    return evidence(doc, doc[0 : len(doc)], tok)


@pytest.mark.parametrize(
    ("text", "verb", "expected"),
    [
        ("Acme bought Beta for $2bn. ", "bought", "Acme bought Beta for $2bn."),
        ("word " * 150 + "Acme bought Beta.", "bought", ("word " * 150 + "Acme bought Beta.").strip()),
    ],
)
def test_an_ordinary_sentence_is_the_evidence(text, verb, expected):
    assert _evidence(text, verb) == expected


@pytest.mark.parametrize("where", [0, 500, 4_000, 9_990])
def test_an_over_long_sentence_gives_whole_words_around_the_verb(where):
    words = [f"w{i}" for i in range(10_000)]
    words[where] = "bought"
    text = " ".join(words)
    got = _evidence(text, "bought")
    assert len(got) <= EVIDENCE_MAX_CHARS
    assert len(got) > EVIDENCE_MAX_CHARS * 0.9  # nearly all of the window is used
    assert "bought" in got.split()
    assert got in text  # a stretch of the text as written
    assert all(w in words or w == "bought" for w in got.split())  # no word cut in two

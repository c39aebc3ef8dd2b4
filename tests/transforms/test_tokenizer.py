import pytest
import spacy

from transforms.tokenizer import LONG_CHUNK, PIECE, GuardedTokenizer


@pytest.fixture(scope="module")
def tok():
    return GuardedTokenizer(spacy.blank("en").tokenizer)


@pytest.mark.parametrize(
    "text",
    [
        "Acme Corp (ACME) said on Monday it would cut 300 jobs.",
        "A long URL https://example.com/" + "a/" * 20 + " stays whole.",
        "x" * (LONG_CHUNK - 1) + " is below the limit.",
    ],
)
def test_ordinary_text_is_spacys_own(tok, text):
    assert [t.text for t in tok(text)] == [t.text for t in tok.tokenizer(text)]


@pytest.mark.parametrize(
    ("text", "longest"),
    [
        ('"' * 20_000 + " Acme said sales rose.", PIECE),
        ("(" * 10_000 + "Acme said." + ")" * 10_000, PIECE),
        (".,;:!?-" * 50_000, PIECE),
        ("y" * 300_000, PIECE),
        ("Газпром" * 100 + "\u00a0\n\n" + "三菱商事" * 200 + "  tail", PIECE),
    ],
)
def test_long_chunks_are_split_and_the_text_kept(tok, text, longest):
    doc = tok(text)
    assert doc.text == text  # offsets of every token are those of the text
    assert max(len(t) for t in doc) <= longest


def test_text_around_a_long_chunk_is_tokenized_as_before(tok):
    head, tail = "Acme Corp said on Monday: ", " Beta Inc (BETA) rose 5%."
    doc = tok(head + "=" * 1_000 + tail)
    words = [t.text for t in doc]
    assert words[:6] == [t.text for t in tok.tokenizer(head)][:6]
    assert words[-7:] == [t.text for t in tok.tokenizer(tail)][-7:]

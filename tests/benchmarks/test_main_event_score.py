"""The main-event benchmark's matching (benchmarks/main_event/score.py), in memory."""

from __future__ import annotations

from benchmarks.main_event.score import agrees, headline_actions, score

GOLD = {
    "a": {"actions": [{"actor": "Delta", "verb": "cut", "alt_verbs": [], "evidence": "Delta cuts fares"}]},
    "b": {
        "actions": [{"actor": "Acme", "verb": "buy", "alt_verbs": ["agree"], "evidence": "Acme buys Beta"}]
    },
    "c": {"actions": [{"actor": "Acme", "verb": "say", "alt_verbs": [], "evidence": "Acme said it grew."}]},
}


def test_headline_actions_are_those_the_title_states():
    assert len(headline_actions(GOLD["a"], "Delta cuts fares")) == 1
    assert headline_actions(GOLD["c"], "Acme grows") == []


def test_doer_and_verb_must_agree():
    heads = GOLD["b"]["actions"]
    assert agrees("Acme Corp", "agree", heads) and agrees("the acme", "buy", heads)
    assert (
        not agrees("Beta", "buy", heads)
        and not agrees("Acme", "sell", heads)
        and not agrees(None, "buy", heads)
    )


def test_score_counts_only_articles_whose_headline_states_an_action():
    events = {"a": ("Delta cuts fares", "Delta Air Lines", "cut"), "b": ("Acme buys Beta", "Beta", "buy"),
              "c": ("Acme grows", "Acme", "grow")}  # fmt: skip
    right, scored, misses = score(events, GOLD)
    assert (right, scored) == (1, 2) and misses[0][0] == "b"

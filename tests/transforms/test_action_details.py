"""Modality, time, type, quotes and event keys: (text, expected) tables."""

from datetime import date, datetime

import pytest

from transforms.action_types import classify, taxonomy
from transforms.actions import analyse
from transforms.entities import cluster_entities
from transforms.timex import normalise

PUB = datetime(2020, 6, 11)


def run(nlp, text, published=PUB):
    doc = nlp(text)
    clusters = cluster_entities(doc)
    names = {c.entity_id: c.name for c in clusters}
    actions, quotes = analyse(doc, clusters, published)
    return names, actions, quotes


def find(nlp, text, verb, published=PUB):
    names, actions, _ = run(nlp, text, published)
    rows = [a for a in actions if a.verb == verb and a.actor_entity_id]
    assert rows, f"no entity action {verb!r} in {[(a.actor_text, a.verb) for a in actions]}"
    return names, rows[0]


@pytest.mark.parametrize(
    ("text", "verb", "modality"),
    [
        ("Acme Corp bought Beta Inc.", "buy", "asserted"),
        ("Acme Corp will buy Beta Inc next year.", "buy", "planned"),
        ("Acme Corp plans to buy Beta Inc.", "buy", "planned"),
        ("Acme Corp agreed to acquire Beta Inc.", "acquire", "planned"),
        ("Acme Corp may sell its stake in Beta Inc.", "sell", "possible"),
        ("Acme Corp could close the plant.", "close", "possible"),
        ("If regulators approve, Acme Corp will buy Beta Inc.", "buy", "conditional"),
        ("Analysts said Acme Corp would cut 500 jobs.", "cut", "reported"),
        ("Acme Corp said it would cut 500 jobs.", "cut", "planned"),
    ],
)
def test_modality(nlp, text, verb, modality):
    _, a = find(nlp, text, verb)
    assert a.modality == modality


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("in March", PUB, ("2020-03", "month")),
        ("Back in March", PUB, ("2020-03", "month")),
        ("in 2018", PUB, ("2018", "year")),
        ("earlier this week", PUB, ("2020-W24", "week")),
        ("on Friday", PUB, ("2020-06-05", "day")),
        ("yesterday", PUB, ("2020-06-10", "day")),
        ("the third quarter", PUB, ("2020-Q3", "quarter")),
        ("June 11, 2020", None, ("2020-06-11", "day")),
        ("26 February 1987", None, ("1987-02-26", "day")),
    ],
)
def test_timex(text, published, expected):
    t = normalise(text, published)
    assert (t.label, t.granularity) == expected


@pytest.mark.parametrize(
    ("text", "with_publication_date"),
    [
        ("recent days", None),  # vague: no date either way
        ("two weeks", None),  # a duration, not a date
        ("the 1990s", None),  # a decade is not an event date
        ("in March", "2020-03"),  # a month without a year needs the publication date
    ],
)
def test_timex_never_invents(text, with_publication_date):
    assert normalise(text, None) is None  # no publication date: nothing relative resolves
    got = normalise(text, PUB)
    assert (got.label if got else None) == with_publication_date


def test_event_date_from_the_clause(nlp):
    _, a = find(nlp, "Back in March, Microsoft said it was divesting its stake in a start-up.", "divest")
    assert a.event_time.label == "2020-03"
    _, a = find(nlp, "In a letter earlier this week, IBM announced it is leaving the business.", "announce")
    assert a.event_time.label == "2020-W24"
    _, a = find(nlp, "Amazon placed a one-year moratorium on police use of Rekognition.", "place")
    assert a.event_time is None  # "one-year" is a duration, and no date is invented


@pytest.mark.parametrize(
    ("lemma", "particle", "obj", "expected"),
    [
        ("acquire", None, None, "ACQUIRE"),
        ("get", "out", None, "EXIT"),
        ("place", None, "moratorium", "HALT"),
        ("cut", None, "job", "CUT_JOBS"),
        ("cut", None, "price", "CUT_COSTS"),
        ("divest", None, "stake", "DIVEST"),
        ("make", None, "investment", "INVEST"),
        ("say", None, None, "STATEMENT"),
        ("sue", None, None, "SUE"),
        ("frobnicate", None, None, "OTHER"),
    ],
)
def test_action_types(lemma, particle, obj, expected):
    assert classify(lemma, particle, obj) == expected
    assert expected in taxonomy()


def test_action_type_in_context(nlp):
    _, a = find(nlp, "IBM announced it is getting out of the facial recognition business.", "get")
    assert a.action_type == "EXIT" and "business" in a.target_text


def test_direct_quote_with_speaker_after(nlp):
    names, _, quotes = run(nlp, '"We hope this moratorium gives Congress time," wrote Amazon.')
    (q,) = [q for q in quotes if q.direct]
    assert names[q.speaker_entity_id] == "Amazon" and q.cue_verb == "write"
    assert q.content == "We hope this moratorium gives Congress time,"


def test_direct_quote_with_speaker_before_and_continuation(nlp):
    names, _, quotes = run(
        nlp, 'Acme Corp said: "We are leaving the market." "It was a hard decision."\n\nOther news.'
    )
    direct = [q for q in quotes if q.direct]
    assert len(direct) == 2
    assert all(names.get(q.speaker_entity_id) == "Acme Corp" for q in direct)


def test_indirect_quote(nlp):
    names, _, quotes = run(nlp, "IBM announced it is getting out of the facial recognition business.")
    (q,) = [q for q in quotes if not q.direct]
    assert names[q.speaker_entity_id] == "IBM" and q.cue_verb == "announce"
    assert q.content.startswith("it is getting out")


def test_scare_quotes_are_not_quotes(nlp):
    _, _, quotes = run(nlp, 'The firm praised its "brave" design.')
    assert not [q for q in quotes if q.direct]


def test_event_key_groups_reports(nlp):
    _, a1 = find(nlp, "Microsoft bought Nuance Communications on Monday.", "buy", datetime(2021, 3, 10))
    _, a2 = find(nlp, "On Monday, Microsoft bought Nuance Communications.", "buy", datetime(2021, 3, 10))
    _, a3 = find(nlp, "Microsoft bought Nuance Communications on Monday.", "buy", datetime(2021, 4, 10))
    assert a1.event_key == a2.event_key != a3.event_key
    assert a1.event_time.start == date(2021, 3, 8)


def test_plural_pronoun_resolves_to_coordinated_subject(nlp):
    names, actions, _ = run(nlp, "AEGON N.V. and Life Investors Inc said they had purchased 451,000 shares.")
    actors = {names[a.actor_entity_id] for a in actions if a.verb == "purchase" and a.actor_entity_id}
    assert actors == {"AEGON N.V.", "Life Investors Inc"}

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


def entity_actions(nlp, text, published=PUB):
    """{(actor name, verb): the action} of every action with an entity actor."""
    names, actions, _ = run(nlp, text, published)
    found = [((names[a.actor_entity_id], a.verb), a) for a in actions if a.actor_entity_id]
    assert len(dict(found)) == len(found), f"one actor and verb twice: {[k for k, _ in found]}"
    return dict(found)


def xfail(*values, reason):
    return pytest.param(*values, marks=pytest.mark.xfail(strict=True, reason=reason))


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Acme Corp bought Beta Inc.", {("Acme Corp", "buy"): "asserted"}),
        ("Acme Corp will buy Beta Inc next year.", {("Acme Corp", "buy"): "planned"}),
        (
            "Acme Corp plans to buy Beta Inc.",
            {("Acme Corp", "plan"): "asserted", ("Acme Corp", "buy"): "planned"},
        ),
        (
            "Acme Corp agreed to acquire Beta Inc.",
            {("Acme Corp", "agree"): "asserted", ("Acme Corp", "acquire"): "planned"},
        ),
        ("Acme Corp may sell its stake in Beta Inc.", {("Acme Corp", "sell"): "possible"}),
        ("Acme Corp could close the plant.", {("Acme Corp", "close"): "possible"}),
        # "regulators approve" has no entity actor: not in the set
        ("If regulators approve, Acme Corp will buy Beta Inc.", {("Acme Corp", "buy"): "conditional"}),
        ("Analysts said Acme Corp would cut 500 jobs.", {("Acme Corp", "cut"): "reported"}),
        (
            "Acme Corp said it would cut 500 jobs.",
            {("Acme Corp", "say"): "asserted", ("Acme Corp", "cut"): "planned"},
        ),
        xfail(
            "AEGON N.V. and Life Investors Inc said they had purchased 451,000 shares.",
            {
                ("AEGON N.V.", "say"): "asserted",
                ("Life Investors Inc", "say"): "asserted",
                ("AEGON N.V.", "purchase"): "asserted",
                ("Life Investors Inc", "purchase"): "asserted",
            },
            reason="the first of two conjoined speakers gets no 'say', so its own purchase is 'reported'",
        ),
    ],
)
def test_modality(nlp, text, modality):
    """The modality of every entity action of the text, and no other entity action."""
    assert {k: a.modality for k, a in entity_actions(nlp, text).items()} == modality


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


@pytest.mark.parametrize(
    ("text", "periods"),
    [
        (
            "Back in March, Microsoft said it was divesting its stake in a start-up.",
            {("Microsoft", "say"): "2020-03", ("Microsoft", "divest"): "2020-03"},
        ),
        (
            "In a letter earlier this week, IBM announced it is leaving the business.",
            {("IBM", "announce"): "2020-W24", ("IBM", "leave"): "2020-W24"},
        ),
        # "one-year" is a duration, and no date is invented
        ("Amazon placed a one-year moratorium on police use of Rekognition.", {("Amazon", "place"): None}),
        ("Acme Corp will buy Beta Inc next year.", {("Acme Corp", "buy"): "2021"}),
    ],
)
def test_event_date_from_the_clause(nlp, text, periods):
    got = entity_actions(nlp, text)
    assert {k: a.event_time.label if a.event_time else None for k, a in got.items()} == periods


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


@pytest.mark.parametrize(
    ("text", "types"),
    [
        (
            "IBM announced it is getting out of the facial recognition business.",
            {("IBM", "announce"): "STATEMENT", ("IBM", "get"): "EXIT"},
        ),
        (
            "Acme Corp said it would cut 500 jobs.",
            {("Acme Corp", "say"): "STATEMENT", ("Acme Corp", "cut"): "CUT_JOBS"},
        ),
        ("Acme Corp may sell its stake in Beta Inc.", {("Acme Corp", "sell"): "DIVEST"}),
        ("Amazon placed a moratorium.", {("Amazon", "place"): "HALT"}),
    ],
)
def test_action_type_in_context(nlp, text, types):
    assert {k: a.action_type for k, a in entity_actions(nlp, text).items()} == types


def quotes_of(nlp, text):
    names, _, quotes = run(nlp, text)
    return [(names.get(q.speaker_entity_id), q.cue_verb, q.direct, q.content) for q in quotes]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '"We hope this moratorium gives Congress time," wrote Amazon.',
            [("Amazon", "write", True, "We hope this moratorium gives Congress time,")],
        ),
        (
            'Acme Corp said: "We are leaving the market." "It was a hard decision."\n\nOther news.',
            [
                ("Acme Corp", "say", True, "We are leaving the market."),
                ("Acme Corp", "say", True, "It was a hard decision."),
            ],
        ),
        (
            "IBM announced it is getting out of the facial recognition business.",
            [("IBM", "announce", False, "it is getting out of the facial recognition business")],
        ),
        ('Mr Trotter said: "It was a hard decision."', [("Trotter", "say", True, "It was a hard decision.")]),
        # a speaker who is no entity keeps a null speaker id
        (
            "Analysts said Acme Corp would cut 500 jobs.",
            [(None, "say", False, "Acme Corp would cut 500 jobs")],
        ),
        # what is NOT a quote: scare quotes, a verb of saying without content
        ('The firm praised its "brave" design.', []),
        ("The company declined to comment.", []),
    ],
)
def test_quotes(nlp, text, expected):
    """Every quote of the text (speaker, cue verb, direct, content), in order, and no other."""
    assert quotes_of(nlp, text) == expected


def test_event_key_groups_reports(nlp):
    def only(text, published):
        (action,) = entity_actions(nlp, text, published).values()
        return action

    a1 = only("Microsoft bought Nuance Communications on Monday.", datetime(2021, 3, 10))
    a2 = only("On Monday, Microsoft bought Nuance Communications.", datetime(2021, 3, 10))
    a3 = only("Microsoft bought Nuance Communications on Monday.", datetime(2021, 4, 10))
    assert a1.event_key == a2.event_key != a3.event_key
    assert a1.event_time.start == date(2021, 3, 8)


def test_plural_pronoun_resolves_to_coordinated_subject(nlp):
    got = entity_actions(nlp, "AEGON N.V. and Life Investors Inc said they had purchased 451,000 shares.")
    assert {actor for actor, verb in got if verb == "purchase"} == {"AEGON N.V.", "Life Investors Inc"}

"""(text, expected actions) tables: each construction and each resolution rule.

Every table states the exact set of entity actions a text gives (what is extracted and
nothing else), so over-extraction fails as surely as a miss; rows whose expected set is
empty say what must NOT become an entity action (pronouns and descriptions without an
antecedent, nationalities, products, the entity inside a subject's phrase). A row that
today's code gets wrong is a strict xfail naming the error, never a pinned wrong result.
"""

import pytest

from transforms.actions import extract_actions
from transforms.entities import cluster_entities


def actions(nlp, text):
    doc = nlp(text)
    clusters = cluster_entities(doc)
    names = {c.entity_id: c.name for c in clusters}
    return [
        (names[a.actor_entity_id], a.verb, a.negated, a.actor_resolution, a.target_text)
        for a in extract_actions(doc, clusters)
        if a.actor_entity_id
    ]


def pairs(rows):
    return {(actor, verb) for actor, verb, *_ in rows}


def xfail(text, expected, reason):
    return pytest.param(text, expected, marks=pytest.mark.xfail(strict=True, reason=reason))


CONSTRUCTIONS = {
    # id: (text, the exact set of (entity actor, verb))
    "subject": ("Microsoft bought a stake in Acme.", {("Microsoft", "buy")}),
    "passive agent": ("The plan was dropped by Microsoft on Monday.", {("Microsoft", "drop")}),
    "light verb + control chain": (
        "Amazon has made the decision to temporarily stop providing its technology to police.",
        {("Amazon", "make"), ("Amazon", "stop"), ("Amazon", "provide")},
    ),
    "control": (
        "Altex Industries agreed to acquire Integrated Management.",
        {("Altex Industries", "agree"), ("Altex Industries", "acquire")},
    ),
    "conjoined subjects": (
        "Toyota and Honda are discussing a joint venture.",
        {("Toyota", "discuss"), ("Honda", "discuss")},
    ),
    "conjoined verbs": (
        "Microsoft said it was divesting its stake and vowed to no longer make minority investments.",
        {("Microsoft", "say"), ("Microsoft", "divest"), ("Microsoft", "vow"), ("Microsoft", "make")},
    ),
    "relative clause": (
        "Amazon will help groups such as Marinus Analytics, which provides technology to fight trafficking.",
        {("Amazon", "help"), ("Marinus Analytics", "provide"), ("Marinus Analytics", "fight")},
    ),
    "pronoun it": (
        "IBM sent a letter to Congress. It announced it is getting out of the business.",
        {("IBM", "send"), ("IBM", "announce"), ("IBM", "get")},
    ),
    "pronoun he": (
        "Paul Trotter runs the magazine. He said the award was deserved.",
        {("Paul Trotter", "run"), ("Paul Trotter", "say")},
    ),
    "description": (
        "Amazon (NASDAQ:AMZN) stopped sales. In a statement, the tech stock said it is placing a moratorium.",
        {("Amazon", "stop"), ("Amazon", "say"), ("Amazon", "place")},
    ),
    "reporting verb": ('"We hope this helps," wrote Amazon.', {("Amazon", "hope"), ("Amazon", "write")}),
    "we in a quote is its speaker": (
        'Congress appears ready to act. "We stand ready to help," wrote Amazon.',
        # "ready to help": the adjective's infinitive has the subject's doer
        {("Congress", "appear"), ("Amazon", "stand"), ("Amazon", "help"), ("Amazon", "write")},
    ),
    "gerund in a prepositional phrase": (
        "Amazon is joining IBM and other tech stocks in taking a stand against the technology.",
        {("Amazon", "join"), ("Amazon", "take")},
    ),
    "passive control in a relative clause": (
        "Delta Air Lines, which lost $646m, was forced to cut 6,900 jobs worldwide.",
        {("Delta Air Lines", "lose"), ("Delta Air Lines", "cut")},
    ),
    "reported clause: the reporter is not the entity": (
        "Analysts said Acme Corp would cut jobs.",
        {("Acme Corp", "cut")},
    ),
    "a company suffix is one actor": (
        "Microsoft Inc said it would buy Acme.",
        {("Microsoft", "say"), ("Microsoft", "buy")},
    ),
    # what must NOT become an entity action
    "pronoun without antecedent": ("It announced it is leaving the business.", set()),
    "he without antecedent": ("He said the award was deserved.", set()),
    "description without antecedent": ("The company said profits rose.", set()),
    "nationality is no actor": ("French officials said the deal was off.", set()),
    "nationality noun is no actor": ("The Americans bought the company.", set()),
    "product is no actor": ("Sony's PlayStation sold well in Japan.", set()),
    "entity inside the subject's phrase": ("Shares in Acme Corp fell sharply.", set()),
    "entity after 'at' in the subject": ("Profits at Microsoft jumped.", set()),
    "entity after 'of' in the subject": ("The chief executive of Halberd Bank resigned.", set()),
    "passive subject is not the doer": ("Microsoft was sued by regulators.", set()),
}


@pytest.mark.parametrize(("text", "expected"), list(CONSTRUCTIONS.values()), ids=list(CONSTRUCTIONS))
def test_constructions(nlp, text, expected):
    got = pairs(actions(nlp, text))
    assert got == expected, f"missing {expected - got}, extra {got - expected}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        xfail(
            "Other US carriers, including United Airlines, have sought bankruptcy protection.",
            {("United Airlines", "seek")},
            "a doer named inside 'including X' is not the subject 'carriers': no entity action",
        ),
    ],
)
def test_known_failures(nlp, text, expected):
    assert pairs(actions(nlp, text)) == expected


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("Amazon didn't give a reason.", {"give": True}),
        ("Microsoft vowed to no longer make minority investments.", {"vow": False, "make": True}),
        ("Halberd Bank will not reopen the branches.", {"reopen": True}),
        ("Corvex Energy never intended to sell the unit.", {"intend": True, "sell": False}),
        ("Amazon placed a moratorium.", {"place": False}),
    ],
)
def test_negation(nlp, text, negated):
    """Each entity action's verb and whether it is negated: exactly these."""
    assert {verb: neg for _, verb, neg, _, _ in actions(nlp, text)} == negated


@pytest.mark.parametrize(
    ("text", "targets"),
    [
        (
            "Amazon placed a one-year moratorium on police use of its software.",
            {"place": "a one-year moratorium on police use of its software"},
        ),
        (
            "IBM announced it is getting out of the facial recognition business.",
            {
                "announce": "it is getting out of the facial recognition business",
                "get": "the facial recognition business",
            },
        ),
        (
            "Microsoft said it was divesting its stake.",
            {"say": "it was divesting its stake", "divest": "its stake"},
        ),
        (
            "Corvex Energy never intended to sell the unit.",
            {"intend": "to sell the unit", "sell": "the unit"},
        ),
        ("Paul Trotter resigned.", {"resign": None}),
        # a passive with a by-agent: its subject is the target, never the date
        ("The plan was dropped by Microsoft on Monday.", {"drop": "The plan"}),
    ],
)
def test_targets(nlp, text, targets):
    """Each entity action's verb and its target text: exactly these."""
    assert {verb: target for _, verb, _, _, target in actions(nlp, text)} == targets


@pytest.mark.parametrize(
    ("text", "how"),
    [
        (
            "Acme Corp cut jobs. The company said it would close a plant.",
            {("cut", "direct"), ("say", "description"), ("close", "pronoun")},
        ),
        (
            "Altex Industries agreed to acquire Integrated Management.",
            {("agree", "direct"), ("acquire", "control")},
        ),
    ],
)
def test_resolution_kinds(nlp, text, how):
    assert {(verb, res) for _, verb, _, res, _ in actions(nlp, text)} == how


def test_non_entity_subjects_have_no_entity():
    import spacy

    # on a blank pipeline there is no parse: no doer can be found, nothing is invented
    nlp = spacy.blank("en")
    doc = nlp("Profits jumped.")
    assert list(extract_actions(doc, [])) == []


def test_actions_without_an_entity_keep_their_text(nlp):
    """A doer that is no entity still gives an action, with a null entity id."""
    doc = nlp("Profits at Microsoft jumped.")
    got = [(a.actor_text, a.verb, a.actor_entity_id) for a in extract_actions(doc, cluster_entities(doc))]
    assert got == [("Profits", "jump", None)]

"""Modality, time, type, quotes and event keys: (text, expected) tables."""

from datetime import date, datetime

import pytest

from transforms.action_types import classify, taxonomy
from transforms.actions import analyse
from transforms.entities import cluster_entities
from transforms.timex import normalise

PUB = datetime(2020, 6, 11)
REUTERS = datetime(1987, 3, 2)  # a Reuters article of Monday 1987-03-02


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
        # a month or day without a year: the one nearest the publication, not 51 weeks earlier
        ("by March 10", REUTERS, ("1987-03-10", "day")),
        ("March 10", REUTERS, ("1987-03-10", "day")),
        ("in December", REUTERS, ("1986-12", "month")),
        ("Back in March", REUTERS, ("1987-03", "month")),
        ("since April", REUTERS, ("1986-04", "month")),
        ("March last year", REUTERS, ("1986-03", "month")),
        ("April next year", REUTERS, ("1988-04", "month")),
        # Reuters spells the day: cardinals and ordinals, after the month or before it
        ("April Three", REUTERS, ("1987-04-03", "day")),
        ("May One", REUTERS, ("1987-05-01", "day")),
        ("March Twenty", REUTERS, ("1987-03-20", "day")),
        ("March third", REUTERS, ("1987-03-03", "day")),
        ("March twenty-first", REUTERS, ("1987-03-21", "day")),
        ("the third of March", REUTERS, ("1987-03-03", "day")),
        ("July One, 1987", None, ("1987-07-01", "day")),
        # a quarter: the latest begun (or the next one), not a future one
        ("fourth quarter", REUTERS, ("1986-Q4", "quarter")),
        ("the first quarter", REUTERS, ("1987-Q1", "quarter")),
        ("the second quarter", REUTERS, ("1987-Q2", "quarter")),
        ("the fourth quarter of last year", REUTERS, ("1986-Q4", "quarter")),
        ("the fourth quarter of 1987", REUTERS, ("1987-Q4", "quarter")),
    ],
)
def test_timex(text, published, expected):
    t = normalise(text, published)
    assert (t.label, t.granularity) == expected


@pytest.mark.parametrize(
    ("text", "future", "expected"),
    [
        # the clause's tense: True planned or future, False past tense
        ("in March", True, "1987-03"),
        ("in December", True, "1987-12"),
        ("in April", False, "1986-04"),
        ("in March", False, "1987-03"),
        ("April 10", False, "1987-04-10"),  # a day soon after: backshifted reported speech
        ("December 10", False, "1986-12-10"),
        ("by March 10", False, "1987-03-10"),  # "extended until March 10": a deadline, the nearest
        ("by January 10", True, "1988-01-10"),
        ("the fourth quarter", True, "1987-Q4"),
        ("the fourth quarter", False, "1986-Q4"),
        ("the first quarter", False, "1987-Q1"),
        ("the second quarter", False, "1986-Q2"),
    ],
)
def test_timex_in_a_tense(text, future, expected):
    assert normalise(text, REUTERS, future).label == expected


def test_timex_deadline_preposition_from_the_sentence():
    """The word before the expression, cut from its sentence, points it like a leading word."""
    assert normalise("January 10", REUTERS, None, "until").label == "1988-01-10"
    assert normalise("January 10", REUTERS, None, "on").label == "1987-01-10"


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
    ("text", "periods"),
    [
        # a deadline a few days after the publication is that day, not 51 weeks earlier
        (
            "Acme Corp said it extended its offer for Beta Inc by March 10.",
            {("Acme Corp", "say"): None, ("Acme Corp", "extend"): "1987-03-10"},
        ),
        (
            "Acme Corp said it had extended its offer for Beta Inc until January 10.",
            {("Acme Corp", "say"): None, ("Acme Corp", "extend"): "1987-01-10"},
        ),
        ("Acme Corp will buy Beta Inc by January 10.", {("Acme Corp", "buy"): "1988-01-10"}),
        ("Acme Corp declared a dividend payable April Three.", {("Acme Corp", "declare"): "1987-04-03"}),
        ("Acme Corp posted a loss in the fourth quarter.", {("Acme Corp", "post"): "1986-Q4"}),
        ("Acme Corp posted a loss in the first quarter.", {("Acme Corp", "post"): "1987-Q1"}),
    ],
)
def test_event_date_in_a_dated_article(nlp, text, periods):
    got = entity_actions(nlp, text, datetime(1987, 3, 2))
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


def quotes_of(nlp, text, speaker_text=False):
    """(speaker entity's name, cue verb, direct, content) of every quote, with the speaker
    as written first when `speaker_text`; every quote's offsets slice exactly its content,
    which has no surrounding whitespace."""
    names, _, quotes = run(nlp, text)
    for q in quotes:
        assert text[q.start_char : q.end_char] == q.content == q.content.strip(), q
    rows = [(names.get(q.speaker_entity_id), q.cue_verb, q.direct, q.content) for q in quotes]
    return [(q.speaker_text, *r) for q, r in zip(quotes, rows, strict=True)] if speaker_text else rows


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
                ("Acme Corp", None, True, "It was a hard decision."),  # continued: no cue of its own
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
        # offsets: no whitespace inside the marks in content or offsets
        (
            "Acme Corp said: “ We are leaving the market. ”",
            [("Acme Corp", "say", True, "We are leaving the market.")],
        ),
        # a quote left open before the next one (paragraphs joined): two quotes, not the
        # text between them as a quote of ' "'
        (
            'Mr Trotter said: "We are leaving the market. "It was a hard decision," he added.',
            [
                ("Trotter", "say", True, "We are leaving the market."),
                ("Trotter", "add", True, "It was a hard decision,"),
            ],
        ),
        # a quote running on into the next paragraph continues its speaker
        (
            'Mr Trotter said: "We are leaving the market.\n\n"It was a hard decision."\n\nOther news.',
            [
                ("Trotter", "say", True, "We are leaving the market."),
                ("Trotter", None, True, "It was a hard decision."),
            ],
        ),
        # an uncued quote opening the paragraph after a quote and its attribution goes on
        (
            '"We are leaving," Mr Trotter told the BBC.\n\n"It was a hard decision."',
            [
                ("Trotter", "tell", True, "We are leaving,"),
                ("Trotter", None, True, "It was a hard decision."),
            ],
        ),
        # ... not after a paragraph of narrative: a quote with no known speaker
        (
            '"We are leaving," Mr Trotter told the BBC. The firm employs 300 people in the town and has '
            'traded there since 1950, records show.\n\n"It was a hard decision."',
            [("Trotter", "tell", True, "We are leaving,"), (None, None, True, "It was a hard decision.")],
        ),
        # the same words twice: one row per occurrence
        (
            "Acme Corp said it would cut 500 jobs.\n\nIn a statement, Acme Corp said it would cut 500 jobs.",
            [
                ("Acme Corp", "say", False, "it would cut 500 jobs"),
                ("Acme Corp", "say", False, "it would cut 500 jobs"),
            ],
        ),
        (
            '"We will cut 500 jobs," Acme Corp said.\n\n"We will cut 500 jobs," said Acme Corp on Monday.',
            [
                ("Acme Corp", "say", True, "We will cut 500 jobs,"),
                ("Acme Corp", "say", True, "We will cut 500 jobs,"),
            ],
        ),
        # words in quotation marks inside a reported clause: the direct row only
        ('Acme Corp said "profits will rise" next year.', [("Acme Corp", "say", True, "profits will rise")]),
        # a report inside a report is part of it, not a second row for the same words
        (
            "Analysts said Acme Corp warned that profits would fall.",
            [(None, "say", False, "Acme Corp warned that profits would fall")],
        ),
        # ... but a report conjoined after a reported clause is a quote of its own
        (
            "The Tories say the Lib Dems would raise taxes and Labour says the sums do not add up.",
            [
                ("Tories", "say", False, "the Lib Dems would raise taxes"),
                ("Labour", "say", False, "the sums do not add up"),
            ],
        ),
        # a cue after a quote ending its sentence that has words of its own is theirs
        (
            'The minister spoke on Monday. "We are not so sure." David Page said: "His forecast is wrong."',
            [("David Page", "say", True, "His forecast is wrong.")],
        ),
        # speakers by title or role: the name, not the title or the organisation
        (
            '"The economy will grow," said managing director Rodrigo Rato.',
            [("Rodrigo Rato", "say", True, "The economy will grow,")],
        ),
        (
            "The United Nations' emergency relief coordinator, Jan Egeland, said the response was too slow.",
            [("Jan Egeland", "say", False, "the response was too slow")],
        ),
        ('"He was a good boy," his mother, Giselle, said.', [("Giselle", "say", True, "He was a good boy,")]),
        (
            '"We tried," Jane Smith, the chief executive of Acme Corp, told Reuters. "It was too late."',
            [("Jane Smith", "tell", True, "We tried,"), ("Jane Smith", None, True, "It was too late.")],
        ),
        # "was quoted as saying": the passive subject, resolved like "the company"
        (
            'Oxfam warned of famine. "We need food now," the aid agency was quoted as saying.',
            [("Oxfam", "say", True, "We need food now,")],
        ),
        # "point out" reports; "point to" does not: scare quotes near it are no quote
        (
            "John Browne pointed out that Acme Corp was doing well.",
            [("John Browne", "point", False, "that Acme Corp was doing well")],
        ),
        ('The sites list links, called "trackers", which point to the files.', []),
        # an apostrophe typed as a quotation mark (Reuters' 'it"s') opens or closes nothing
        (
            'Acme Corp said "it"s a good deal for us" on Monday.',
            [("Acme Corp", "say", True, 'it"s a good deal for us')],
        ),
        # NOT a speaker: a name further on in the role noun's clause
        (
            'The Oscar-nominated actor, whose films include Star Wars: The Phantom Menace, said: "It is too important."',
            [(None, "say", True, "It is too important.")],
        ),
    ],
)
def test_quotes(nlp, text, expected):
    """Every quote of the text (speaker, cue verb, direct, content), in order, and no other."""
    assert quotes_of(nlp, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # conjoined speakers: one row for one quote, no entity when they are two
        (
            "Apple and Motorola announced they would work together.",
            [("Apple and Motorola", None, "announce", False, "they would work together")],
        ),
        (
            "The aid agency was quoted as saying that thousands were at risk.",
            [("The aid agency", None, "say", False, "that thousands were at risk")],
        ),
        (
            'Oxfam warned of famine. "We need food now," the aid agency was quoted as saying.',
            [("the aid agency", "Oxfam", "say", True, "We need food now,")],
        ),
        (
            "His mother, Giselle, said he was a good boy.",
            [("Giselle", "Giselle", "say", False, "he was a good boy")],
        ),
    ],
)
def test_quote_speaker_text(nlp, text, expected):
    """(speaker as written, entity, cue verb, direct, content) of every quote."""
    assert quotes_of(nlp, text, speaker_text=True) == expected


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

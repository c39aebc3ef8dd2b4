"""An article's main event (transforms/main_event.py): (headline, body, expected) tables of
which action is the main one, and its why and how."""

from __future__ import annotations

import pytest

from transforms.actions import analyse
from transforms.clean import clean_article
from transforms.entities import cluster_entities
from transforms.main_event import main_event


def event(nlp, title, body):
    c = clean_article(title, body)
    doc = nlp(c.parse_text)
    doc.user_data["newsetl_source_text"] = c.text
    clusters = cluster_entities(doc)
    names = {x.entity_id: x.name for x in clusters}
    actions, _ = analyse(doc, clusters)
    found = main_event(doc, actions, len(c.title) if c.title else 0)
    if found is None:
        return None
    a = actions[found.action_index]
    return (
        names.get(a.actor_entity_id, a.actor_text),
        a.verb,
        found.from_title,
        found.why_text,
        found.how_text,
    )


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        # the headline's action, its highest verb
        (
            "Delta cuts fares in survival plan",
            "Delta Air Lines is to cut fares by up to 50%. It hopes to win back customers.",
            ("Delta Air Lines", "cut", True, None, None),
        ),
        # no action in the headline: the lead's; a reported act of an entity is the event
        (
            "Plant closure",
            "Acme Corp said on Monday it would close its Ohio plant in order to cut costs.",
            ("Acme Corp", "close", False, "in order to cut costs", None),
        ),
        # why: a because clause; how: by + verb, through + noun
        (
            "",
            "Corvex Energy cut 1,200 jobs because profits fell. It saved money by closing plants.",
            ("Corvex Energy", "cut", False, "because profits fell", None),
        ),
        (
            "",
            "Orange added five million customers in 2004 through aggressive pricing.",
            ("Orange", "add", False, None, "through aggressive pricing"),
        ),
    ],
)
def test_main_event(nlp, title, body, expected):
    assert event(nlp, title, body) == expected


def test_an_article_without_actions_has_no_main_event(nlp):
    assert event(nlp, "Markets", "Shares were mixed on a quiet day.") is None


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Acme Corp opened a plant in Ohio.", "Ohio"),
        ("Acme Corp cut 500 jobs at its plant in Texas.", "Texas"),
        ("Acme Corp said profits rose.", None),
        ("Acme Corp sued Beta Inc in a federal court.", None),
    ],
)
def test_the_place_of_an_action(nlp, text, place):
    doc = nlp(text)
    clusters = cluster_entities(doc)
    names = {x.entity_id: x.name for x in clusters}
    actions, _ = analyse(doc, clusters)
    first = next(a for a in actions if a.actor_entity_id is not None)
    assert names.get(first.place_entity_id) == place

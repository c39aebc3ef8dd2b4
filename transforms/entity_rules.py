"""`newsetl_entity_rules`: fixes for what the small NER model gets wrong, as a registered
spaCy component that runs after NER. Every rule uses evidence in the sentence (the parse,
a possessive, a model number, an appositive, a coordination), never a list of names:

1. Lists of places: "Recife, Salvador" is split at commas; in a coordination of three or
   more entities, a minority labelled PERSON/ORG among places becomes GPE (and so on).
2. Institution names split at "and": "International Center for Missing" + "and" +
   "Exploited Children" -> one ORG, when the parse puts both inside one prepositional
   object ("for [Missing and Exploited Children]").
3. Products: a proper-noun run after a possessive ("Sony's Clie PEG UX50", "its
   Rekognition software", "Delta's new SimpliFares"), one ending in a model or version
   number ("Halo 2", "Media Player 10") or one followed by a product noun that carries a
   number ("the RA-104 media server") is a PRODUCT.
4. Appositives: "Thorn, the ... organization" -> ORG; "Julio Hegedus, chief economist"
   -> PERSON; "The technology, OMAP-Vox," -> PRODUCT.
5. Two names read as one are split: "Mr Smith and Mrs Jones" (an honorific after "and"),
   names joined by a hyphen that the article also uses as names of their own ("the
   Reagan-Gorbachev summit").
6. Whole company names: a name ending in a legal form takes the capitalised words before
   it and, unless that is a company of its own, the name before "and" ("Michigan General
   Corp", "Alex. Brown and Sons Inc"): transforms/company_spans.py.

Labels set by rules are recorded in `doc.user_data["newsetl_rule_labels"]` so that the
per-article entity clustering lets rule evidence outvote the model's label.

The component is a factory: its word lists (patterns/cues.json, honorifics from
patterns/names.json) are its data, written by `nlp.to_disk` and read back by `spacy.load`;
`nlp.add_pipe("newsetl_entity_rules", config={"cues": {"honorifics": ["mr"]}})` replaces
any of them. The rules themselves: transforms/label_rules.py, transforms/product_rules.py,
transforms/company_spans.py. The label each entity ends with is decided per article after
the rules, from their labels among other evidence (transforms/entity_kinds.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from transforms import label_rules as lr
from transforms import product_rules as pr
from transforms.company_spans import company_spans
from transforms.lexicons import word_lists, words
from transforms.rule_edits import RULE_LABELS_KEY, Cues, Edits

__all__ = ["RULE_LABELS_KEY", "EntityRules", "default_cues"]

CUES_FILE = "cues.json"  # in the component's folder of a pipeline written to disk

Rule = Callable[[Doc, Edits, Cues], None]
# Passes in order; each pass's edits are applied before the next pass reads the entities.
_PASSES: tuple[tuple[Rule, ...], ...] = (
    (
        lr.dateline,
        lr.split_place_lists,
        lr.split_joined_names,
        lr.join_institutions,
        pr.products,
        company_spans,
    ),
    (lr.coordination_labels, pr.appositives, pr.owners_and_honorifics, lr.events_and_junk),
    (lr.countries_and_teams, lr.place_nouns),
    (lr.propagate, lr.propagate_surnames, lr.acronyms, lr.result_lines),
)


def default_cues() -> dict[str, frozenset[str]]:
    """The lists the rules read, from transforms/patterns/."""
    c = word_lists("cues.json")
    return {
        "product_nouns": c["product_nouns"],
        "org_nouns": c["org_nouns"] | c["org_nouns_appositive_only"],
        "person_roles": c["person_roles"],
        "honorifics": words("names.json", "honorifics"),
        "event_heads": c["event_heads"],
        "countries": c["countries"],
        "contest_verbs": c["contest_verbs"],
        "place_nouns": c["place_nouns"],
        "common_acronyms": c["common_acronyms"],
    }


def _with_overrides(
    base: dict[str, frozenset[str]], overrides: dict[str, list[str]]
) -> dict[str, frozenset[str]]:
    unknown = sorted(set(overrides) - set(base))
    if unknown:
        raise ValueError(f"newsetl_entity_rules: unknown word lists {unknown}; known: {sorted(base)}")
    return {**base, **{k: frozenset(v) for k, v in overrides.items()}}


class EntityRules:
    """The `newsetl_entity_rules` component: the rules above over the lists in `cues`."""

    def __init__(self, name: str, cues: dict[str, list[str]] | None = None):
        self.name = name
        self.cues = _with_overrides(default_cues(), cues or {})

    def __call__(self, doc: Doc) -> Doc:
        lr.trim_and_split(doc)
        for rules in _PASSES:
            ed = Edits(doc)
            for rule in rules:
                rule(doc, ed, self.cues)
            ed.apply()
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        data = {k: sorted(v) for k, v in sorted(self.cues.items())}
        (folder / CUES_FILE).write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> EntityRules:
        data = json.loads((Path(path) / CUES_FILE).read_text(encoding="utf-8"))
        self.cues = {k: frozenset(v) for k, v in data.items()}
        return self


@Language.factory("newsetl_entity_rules", default_config={"cues": {}})
def make_entity_rules(nlp: Language, name: str, cues: dict[str, list[str]]) -> EntityRules:
    """`cues`: word lists replacing the defaults of the same name (see `default_cues`)."""
    return EntityRules(name, cues)

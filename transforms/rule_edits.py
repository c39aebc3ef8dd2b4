"""What the entity rules (transforms/entity_rules.py) share: the edits a pass collects and
applies at once, the labels that are no names, and the key under which a Doc records the
labels rules set."""

from __future__ import annotations

from collections.abc import Mapping

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from transforms.lexicons import month_numbers

# doc.user_data[RULE_LABELS_KEY]: [start_char, end_char, label] of every label a rule set,
# so that entity clustering lets rule evidence outvote the model's label
RULE_LABELS_KEY = "newsetl_rule_labels"
NON_NAME_LABELS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"})
MONTHS = frozenset(month_numbers())  # every written form of a month (patterns/months.json)

# The word lists the rules read, by name (patterns/cues.json, patterns/names.json)
Cues = Mapping[str, frozenset[str]]


def has_digit(doc: Doc, s: int, e: int) -> bool:
    return any(any(c.isdigit() for c in doc[k].text) for k in range(s, e))


class Edits:
    """New entities, relabellings and entities to drop that one pass of rules finds,
    applied together."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.new: list[Span] = []
        self.relabel: dict[tuple[int, int], str] = {}
        self.drop: set[tuple[int, int]] = set()  # (start, end) of entities that are no names

    def add(self, start: int, end: int, label: str) -> None:
        if end > start:
            self.new.append(Span(self.doc, start, end, label=label))

    def apply(self) -> None:
        doc = self.doc
        ents = [  # a pattern's id stays on its span (entities.cluster_names reads it)
            Span(doc, e.start, e.end, label=self.relabel.get((e.start, e.end), e.label_), span_id=e.id)
            for e in doc.ents
        ]
        # new spans win over the model's overlapping entities (tokens they cover, not pairs)
        taken = {i for n in self.new for i in range(n.start, n.end)}
        merged = filter_spans(self.new + [e for e in ents if taken.isdisjoint(range(e.start, e.end))])
        doc.ents = sorted(merged, key=lambda s: s.start)
        rule = doc.user_data.setdefault(RULE_LABELS_KEY, [])
        rule.extend([[s.start_char, s.end_char, s.label_] for s in self.new])
        rule.extend(
            [[doc[a].idx, doc[b - 1].idx + len(doc[b - 1]), lab] for (a, b), lab in self.relabel.items()]
        )
        if self.drop:
            doc.ents = [e for e in doc.ents if (e.start, e.end) not in self.drop]

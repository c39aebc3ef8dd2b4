"""What an article says about one of its entities, as named features for the entity-kind
classifier (transforms/entity_kinds.py): one name, one label per article, decided from
every mention at once.

Features of a cluster (all mentions of one name in one article):

- votes: the share of its mentions the recogniser and the rules gave each label, and the
  label the vote chose; linked to the company reference; a ticker;
- the name's form: words, first and last word, shape, digits, a corporate suffix (cleanco's
  legal forms), place kinds from the gazetteer (transforms/places.py);
- how the words around each mention use it: the words before and after ("shares in X",
  "X said", "Mr X", "in X"), its syntactic role and head ("nsubj:say", "pobj:in"),
  appositions and compounds ("engineering group Jarvis", "The mill, Krivorizhstal");
- the article: mentions, in the headline only, at the start of a sentence only, the name
  written in lower case elsewhere in the article;
- learned lexicons (`Lexicons`): whether the news corpora usually write a word in lower
  case ("Budget", "Broadband" at the start of a sentence are common words; "Electronic" in
  "Electronic Arts" makes a poor first name), and whether the first word is a given name
  of people the training data names.

Pure: a Doc's spans in, a dict of feature name -> value out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from transforms.names import _SUFFIX_RE
from transforms.places import place_kinds

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span


class Cluster(Protocol):
    """What the features read of a cluster (transforms.entities.Cluster)."""

    @property
    def label(self) -> str: ...

    @property
    def mentions(self) -> Sequence[Span]: ...

    @property
    def ticker(self) -> str | None: ...

    @property
    def company(self) -> Any: ...

    @property
    def name(self) -> str: ...


KIND = {
    "ORG": "ORG",
    "PERSON": "PERSON",
    "GPE": "GPE",
    "LOC": "GPE",
    "FAC": "GPE",
    "PRODUCT": "PRODUCT",
    "NORP": "NORP",
}
_ROLES = frozenset(
    {"nsubj", "nsubjpass", "dobj", "pobj", "poss", "appos", "compound", "conj", "attr", "npadvmod"}
)


def kind(label: str) -> str:
    return KIND.get(label, "OTHER")


def has_legal_form(name: str) -> bool:
    """'Boeing Co', 'Krupp Stahl AG', 'Sedio N.V.': the name ends in a legal form."""
    return len(name.split()) >= 2 and _SUFFIX_RE.search(name) is not None


def _shape(word: str) -> str:
    s = re.sub(r"[A-Z]", "X", word)
    s = re.sub(r"[a-z]", "x", s)
    s = re.sub(r"[0-9]", "d", s)
    return re.sub(r"(.)\1+", r"\1", s)


@dataclass(frozen=True)
class Lexicons:
    """What the learned data says of single words: how the news corpora write them
    (`word_case`: "lower", "mixed"; other words read as names) and the given names of the
    people the training data names (`given_names`, lower case)."""

    word_case: Mapping[str, str] = field(default_factory=dict)
    given_names: frozenset[str] = frozenset()


def name_features(name: str, lex: Lexicons) -> dict[str, float]:
    words = name.split()
    word_case = lex.word_case
    f: dict[str, float] = {
        f"words={min(len(words), 4)}": 1.0,
        f"first={words[0].lower()}": 1.0,
        f"last={words[-1].lower()}": 1.0,
        f"shape={' '.join(_shape(w) for w in words[:3])}": 1.0,
    }
    if has_legal_form(name):
        f["legal_form"] = 1.0
    for k in place_kinds(name):
        f[f"place={k}"] = 1.0
    if len(words) == 1:
        f[f"case={word_case.get(words[0].lower(), 'name')}"] = 1.0
        f[f"suffix={words[0][-3:].lower()}"] = 1.0  # "-ian", "-ese": nationalities
    else:
        f[f"case_first={word_case.get(words[0].lower(), 'name')}"] = 1.0
        f[f"case_last={word_case.get(words[-1].lower(), 'name')}"] = 1.0
    if words[0].lower() in lex.given_names:
        f["given_name" if len(words) > 1 else "given_name_alone"] = 1.0
    return f


def _word(doc: Doc, i: int) -> str:
    if i < 0 or i >= len(doc):
        return "<edge>"
    t = doc[i]
    if "\n" in t.text or t.is_space:
        return "<para>"
    return t.lower_ if not t.like_num else "<num>"


def _sent_start(m: Span) -> bool:
    """Does the mention open its sentence (False when the doc has no sentences)?"""
    return m.doc.has_annotation("SENT_START") and m.doc[m.start].is_sent_start is True


def mention_features(m: Span) -> set[str]:
    doc = m.doc
    f = {
        f"l1={_word(doc, m.start - 1)}",
        f"l2={_word(doc, m.start - 2)} {_word(doc, m.start - 1)}",
        f"r1={_word(doc, m.end)}",
        f"r2={_word(doc, m.end)} {_word(doc, m.end + 1)}",
    }
    root = m.root
    if root.dep_ in _ROLES:
        head = root.head
        f.add(f"dep={root.dep_}")
        f.add(f"head={root.dep_}:{head.lemma_.lower()}")
        if root.dep_ == "pobj" and head.head is not head:
            f.add(f"prep={head.lower_}:{head.head.lemma_.lower()}")
    for child in root.children:
        if child.dep_ in ("appos", "compound", "amod") and not (m.start <= child.i < m.end):
            f.add(f"mod={child.dep_}:{child.lemma_.lower()}")
    if root.dep_ == "appos":
        f.add(f"appos_of={root.head.lemma_.lower()}")
    if _sent_start(m):
        f.add("sent_start")
    return f


class Article:
    """What every cluster of one article reads: the labels rules set (by character span),
    the words written in lower case, where the body starts."""

    def __init__(self, doc: Doc, rules: Mapping[tuple[int, int], str]):
        self.rules = rules
        self.lower_words = {t.text for t in doc if t.is_lower}
        sep = doc.text.find("\n\n")
        self.body_start = sep + 2 if sep != -1 else 0


def cluster_features(c: Cluster, article: Article, lex: Lexicons) -> dict[str, float]:
    """The features of one cluster (see the module's docstring)."""
    rules = article.rules
    mentions = c.mentions
    n = len(mentions)
    f: dict[str, float] = {f"vote={kind(c.label)}": 1.0, f"mentions={min(n, 4)}": 1.0}
    for m in mentions:
        key = f"ner={kind(m.label_)}"
        f[key] = f.get(key, 0.0) + 1.0 / n
        rule = rules.get((m.start_char, m.end_char))
        if rule is not None:
            key = f"rule={kind(rule)}"
            f[key] = f.get(key, 0.0) + 1.0 / n
    if c.company is not None:
        f["linked"] = 1.0
    if c.ticker:
        f["ticker"] = 1.0
    f.update(name_features(c.name, lex))
    context: set[str] = set()
    for m in mentions:
        context |= mention_features(m)
    if all(m.start_char < article.body_start for m in mentions):
        context.add("headline_only")
    if all(_sent_start(m) for m in mentions):
        context.add("always_sent_start")
    if len(c.name.split()) == 1 and c.name.lower() in article.lower_words:
        context.add("lower_in_article")
    f.update(dict.fromkeys(context, 1.0))
    return f

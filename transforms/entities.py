"""Entity mentions and per-article canonical entities from a parsed `Doc`.

Pure functions: a `Doc` in, typed records out. Within one article, variant spellings
and short forms of one thing ("Time Warner"/"TimeWarner", "Mr Trotter"/"Paul
Trotter", "Allegis"/"Allegis Corp", "SEC"/"Securities and Exchange Commission") are
merged into one cluster; across articles a cluster's `entity_id` is a hash of its
label and canonical key, so the same name gets the same id in every run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from transforms.lexicons import words
from transforms.names import (  # noqa: F401  (acronym, name_key re-exported: the names API lives here too)
    _SUFFIX_RE,
    ACTOR_LABELS,
    ENTITY_LABELS,
    _words,
    acronym,
    display_name,
    entity_id,
    name_key,
)
from transforms.reference import Company
from transforms.rule_edits import RULE_LABELS_KEY

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

Merge = Callable[[str, str], None]  # fold the cluster of the first key into that of the second


@dataclass
class Cluster:
    """One real-world entity within one article."""

    label: str
    mentions: list[Span] = field(default_factory=list)
    ticker: str | None = None
    exchange: str | None = None
    extra_aliases: set[str] = field(default_factory=set)
    company: Company | None = None  # when linked to the reference table
    _frozen: tuple[str, str, str] | None = None  # name, key, id: computed once clustering is done
    # (mentions' bounds, label, name) while clustering
    _name_memo: tuple[tuple[tuple[int, int], ...], str, str] | None = None

    def freeze(self) -> None:
        """Clustering is done: compute name, key and id once (they are read per action)."""
        self._frozen = None
        self._frozen = (self.name, self.key, self.entity_id)

    @property
    def sector(self) -> str | None:
        return self.company.sector if self.company is not None else None

    @property
    def name(self) -> str:
        """The reference name of a linked company, else the fullest form the article uses."""
        if self._frozen is not None:
            return self._frozen[0]
        if self.company is not None:
            return self.company.name
        # clustering reads the name often; Span.text is costly: recompute only on change
        bounds = tuple((m.start, m.end) for m in self.mentions)
        if self._name_memo is not None and self._name_memo[:2] == (bounds, self.label):
            return self._name_memo[2]
        forms = [display_name(m.text, self.label) for m in self.mentions]
        name = max(forms, key=lambda f: (len(f.split()), len(f), -forms.index(f)))
        self._name_memo = (bounds, self.label, name)
        return name

    @property
    def key(self) -> str:
        """Canonical key: a linked company's ticker, else the name key."""
        if self._frozen is not None:
            return self._frozen[1]
        if self.company is not None:
            return "ticker:" + self.company.ticker
        return name_key(self.name, self.label)

    @property
    def entity_id(self) -> str:
        if self._frozen is not None:
            return self._frozen[2]
        return entity_id(self.label, self.key)

    @property
    def aliases(self) -> list[str]:
        name = self.name
        forms = {display_name(m.text, self.label) for m in self.mentions} | self.extra_aliases
        if self.company is not None:
            forms.add(self.company.ticker)
        if self.ticker:
            forms.add(self.ticker)
            if self.exchange:
                forms.add(f"{self.exchange}:{self.ticker}")
        return sorted(f for f in forms if f != name)


def _label_vote(spans: list[Span], rules: dict[tuple[int, int], str]) -> str:
    """The cluster's label: rule evidence (transforms.entity_rules: `rules`, the labels the
    rules gave, by character span) outvotes the model."""
    counts: Counter[str] = Counter()
    for s in spans:
        counts[s.label_] += 3 if rules.get((s.start_char, s.end_char)) == s.label_ else 1
    priority = {"ORG": 4, "PERSON": 3, "GPE": 2, "PRODUCT": 1}
    return max(counts, key=lambda lab: (counts[lab], priority.get(lab, 0)))


def cluster_entities(doc: Doc, known_tickers: tuple[str, ...] = ()) -> list[Cluster]:
    """Group the doc's entity mentions into per-article entities.

    `known_tickers` are symbols the cleaner took from angle brackets (`<MLC>`): a bare
    "(MLC)" after a name is then a ticker; otherwise it is an abbreviation alias.
    """
    clusters = _clusters_by_key(doc)

    def merge(short: str, long: str) -> None:
        """Fold `short` into `long`; the fuller form's label wins."""
        gone = clusters.pop(short)
        clusters[long].mentions.extend(gone.mentions)
        clusters[long].extra_aliases |= gone.extra_aliases

    _label_full_person_names(clusters)
    _label_countries(clusters)
    _fold_short_forms(clusters, merge)
    _attach_tickers(clusters, doc._.tickers, known_tickers, merge)
    for c in clusters.values():
        c.mentions.sort(key=lambda s: s.start)
    _link(clusters)
    for c in clusters.values():
        c.freeze()
    return sorted(clusters.values(), key=lambda c: c.mentions[0].start)


def _clusters_by_key(doc: Doc) -> dict[str, Cluster]:
    """One cluster per name key (any label), labelled by vote."""
    spans = [e for e in doc.ents if e.label_ in ENTITY_LABELS and name_key(e.text, e.label_)]
    groups: dict[str, list[Span]] = {}
    for s in spans:
        groups.setdefault(name_key(s.text, "ORG" if s.label_ == "ORG" else s.label_), []).append(s)
    rules = {(a, b): lab for a, b, lab in doc.user_data.get(RULE_LABELS_KEY, [])}
    return {k: Cluster(_label_vote(v, rules), list(v)) for k, v in groups.items()}


def _label_full_person_names(clusters: dict[str, Cluster]) -> None:
    """A person's full name: "Donovan Bailey" tagged ORG while "Bailey" is a PERSON elsewhere."""
    single_persons = {
        _words(c.name)[0].lower()
        for c in clusters.values()
        if c.label == "PERSON" and len(_words(c.name)) == 1
    }
    for c in clusters.values():
        w = _words(c.name)
        if (
            c.label in ("ORG", "GPE", "NORP")
            and 2 <= len(w) <= 3
            and w[-1].lower() in single_persons
            and not _SUFFIX_RE.search(c.name)
        ):
            c.label = "PERSON"


def _label_countries(clusters: dict[str, Cluster]) -> None:
    """A country's name, alone, is the country (patterns/cues.json)."""
    countries = words("cues.json", "countries")
    for c in clusters.values():
        if c.name in countries and c.label in ("ORG", "PERSON", "NORP", "FAC", "LOC"):
            c.label = "GPE"


def _attach_tickers(
    clusters: dict[str, Cluster], tickers: list[dict[str, Any]], known_tickers: tuple[str, ...], merge: Merge
) -> None:
    """Tickers and parenthesised abbreviations attach to the entity they follow."""
    by_start = {m.start: k for k, c in clusters.items() for m in c.mentions}
    for t in tickers:
        owner_key = by_start.get(t["entity_start"]) if t["entity_start"] is not None else None
        if owner_key is None or owner_key not in clusters:
            continue
        owner = clusters[owner_key]
        is_ticker = t["exchange"] is not None or t["symbol"] in known_tickers
        if is_ticker and owner.ticker is None:
            owner.ticker, owner.exchange = t["symbol"], t["exchange"]
        # "(IBGE)" after a name introduces an alias: merge the mentions that use it
        alias_key = name_key(t["symbol"], owner.label)
        if alias_key in clusters and alias_key != owner_key:
            merge(alias_key, owner_key)
        if not is_ticker:
            owner.extra_aliases.add(t["symbol"])


def _index_keys(name: str) -> set[str]:
    """The lower-cased words a shorter form must begin with to fold into `c` (see
    `_folds_into`): its first and last word, the first word without a company suffix, and
    its acronym. Only clusters sharing one of these are compared, so folding costs what
    the article's names share, not the square of its names."""
    words = _words(name)
    if not words:
        return set()
    core = _words(_SUFFIX_RE.sub("", name)) or words
    return {words[0].lower(), words[-1].lower(), core[0].lower(), acronym(name).lower()}


def _folds_into(c: Cluster, words: tuple[str, ...], lc: Cluster, lname: str) -> bool:
    """Is `c` (whose name has `words`) a shorter form of the longer `lc` (named `lname`)?"""
    lwords = _words(lname)
    if lc.label == "PERSON" and c.label in ("PERSON", "ORG", "GPE") and len(words) == 1:
        # "Trotter" / "Mr Trotter" -> "Paul Trotter"; "Wang" -> "Wang Donghai"
        return words[0].lower() in (lwords[-1].lower(), lwords[0].lower())
    if (
        lc.label == "PRODUCT"
        and len(words) < len(lwords)
        and c.label in ("PRODUCT", "PERSON", "ORG", "WORK_OF_ART")
    ):
        # "Doom" -> "Doom 3", "Vaio" -> "Vaio W1"
        return [w.lower() for w in lwords[: len(words)]] == [w.lower() for w in words]
    if lc.label == "ORG" and c.label in ("ORG", "PERSON", "PRODUCT"):
        lcore = _words(_SUFFIX_RE.sub("", lname)) or lwords
        if [w.lower() for w in lcore[: len(words)]] == [w.lower() for w in words] and (
            len(words) < len(lcore) or c.label == "ORG"
        ):
            return True  # "Allegis" -> "Allegis Corp", "Delta" -> "Delta Air Lines"
        # "SEC" -> "Securities and Exchange Commission"
        return len(words) == 1 and words[0].isupper() and len(words[0]) >= 2 and acronym(lname) == words[0]
    return False


def _fold_short_forms(clusters: dict[str, Cluster], merge: Merge) -> None:
    """Fold each name, longest first, into the one longer name it is a short form of
    ("Trotter" -> "Paul Trotter", "Allegis" -> "Allegis Corp", "SEC" -> "Securities and
    Exchange Commission"); a short form that fits several longer names stays apart."""
    index: dict[str, set[str]] = {}
    names: dict[str, str] = {}  # a name is costly to compute: once, and again on a merge

    def add(key: str) -> None:
        names[key] = clusters[key].name
        for word in _index_keys(names[key]):
            index.setdefault(word, set()).add(key)

    for k in clusters:
        add(k)
    for k in sorted(clusters, key=lambda k: len(names[k]), reverse=True):
        if k not in clusters:
            continue
        c = clusters[k]
        words = _words(names[k])
        if not words:
            continue
        candidates = [
            lk
            for lk in index.get(words[0].lower(), ())
            if lk != k
            and lk in clusters
            and len(names[lk]) > len(names[k])
            and _folds_into(c, words, clusters[lk], names[lk])
        ]
        if len(candidates) == 1:
            merge(k, candidates[0])
            add(candidates[0])  # its name may have changed with the mentions it took


def _link(clusters: dict[str, Cluster]) -> None:
    """Link clusters to the company reference: by the ticker the text gave, else by any of
    the names the article used. Clusters linked to one company merge."""
    from transforms import reference

    linked: dict[str, str] = {}
    for key in list(clusters):
        c = clusters.get(key)
        if c is None:
            continue
        company = reference.by_ticker(c.ticker) if c.ticker else None
        if company is None and c.label in ("ORG", "PRODUCT", "PERSON", "GPE"):
            forms = [c.name] + [display_name(m.text, c.label) for m in c.mentions]
            for f in forms:
                company = reference.by_name(f)
                if company is not None:
                    # a non-ORG label is only overridden by a full, multi-word company name
                    if c.label != "ORG" and (
                        len(f.split()) < 2 or name_key(f, "ORG") != name_key(company.name, "ORG")
                    ):
                        company = None
                    break
        if company is None:
            continue
        c.company = company
        c.label = "ORG"
        if c.ticker is None:
            c.ticker, c.exchange = company.ticker, company.exchange
        elif c.exchange is None:
            c.exchange = company.exchange
        if company.ticker in linked and linked[company.ticker] in clusters:
            into = clusters[linked[company.ticker]]
            gone = clusters.pop(key)
            into.mentions.extend(gone.mentions)
            into.extra_aliases |= gone.extra_aliases
            into.mentions.sort(key=lambda s: s.start)
        else:
            linked[company.ticker] = key

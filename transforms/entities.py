"""Entity mentions and per-article canonical entities from a parsed `Doc`.

Pure functions: a `Doc` in, typed records out. Within one article, variant spellings
and short forms of one thing ("Time Warner"/"TimeWarner", "Mr Trotter"/"Paul
Trotter", "Allegis"/"Allegis Corp", "SEC"/"Securities and Exchange Commission") are
merged into one cluster; across articles a cluster's `entity_id` is a hash of its
label and canonical key, so the same name gets the same id in every run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from transforms.entity_kinds import KindModel, decide_kinds, load_model, ordinary_words
from transforms.lexicons import words
from transforms.names import (  # noqa: F401  (acronym, name_key re-exported: the names API lives here too)
    _SUFFIX_RE,
    ACTOR_LABELS,
    CANDIDATE,
    ENTITY_KINDS,
    ENTITY_LABELS,
    OTHER_NAME_LABELS,
    PLACE_LABELS,
    _words,
    abbreviates,
    acronym,
    acronyms,
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
    rules gave, by character span) outvotes the model; proper-noun runs no entity covered
    (CANDIDATE) vote only when nothing else does."""
    counts: Counter[str] = Counter()
    named = [s for s in spans if s.label_ != CANDIDATE] or spans
    for s in named:
        counts[s.label_] += 3 if rules.get((s.start_char, s.end_char)) == s.label_ else 1
    priority = {"ORG": 4, "PERSON": 3, "GPE": 2, "PRODUCT": 1}
    return max(counts, key=lambda lab: (counts[lab], priority.get(lab, 0)))


def cluster_entities(
    doc: Doc, known_tickers: tuple[str, ...] = (), kinds: KindModel | Literal["shipped"] | None = "shipped"
) -> list[Cluster]:
    """The doc's entities: its mentions grouped into per-article entities of the four
    kinds (ORG, PERSON, GPE, PRODUCT). See `cluster_names`."""
    return cluster_names(doc, known_tickers, kinds)[0]


def cluster_names(
    doc: Doc, known_tickers: tuple[str, ...] = (), kinds: KindModel | Literal["shipped"] | None = "shipped"
) -> tuple[list[Cluster], list[Cluster]]:
    """The doc's names, grouped per article: (entities, other names).

    Entities are of the four kinds of the gold guidelines (ORG, PERSON, GPE: any named
    place, PRODUCT). Other names are nationalities, events, laws, works and languages
    (OTHER_NAME_LABELS): kept as mentions without an entity. Anything else is left out.

    `known_tickers` are symbols the cleaner took from angle brackets (`<MLC>`): a bare
    "(MLC)" after a name is then a ticker; otherwise it is an abbreviation alias.
    `kinds`: the entity-kind classifier that gives each cluster its label
    (transforms/entity_kinds.py; "shipped": the one in transforms/model/, if any; None:
    the label the mentions vote for). A name an entity pattern with an id matched keeps the
    label its mentions vote for: patterns are the data engineer's word.
    """
    clusters, rules = candidate_clusters(doc, known_tickers)
    model = load_model() if kinds == "shipped" else kinds
    decided = decide_kinds(clusters, doc, rules, model) if model is not None else {}
    for key, c in clusters.items():
        if any(
            m.ent_id_ for m in c.mentions
        ):  # a pattern named it (patterns/entity_patterns.jsonl): it holds
            decided.pop(key, None)
    entities, others = [], []
    for key, c in clusters.items():
        label = decided.get(key, c.label)
        if label in PLACE_LABELS:
            label = "GPE"
        if label in ENTITY_KINDS:
            c.label = label
            entities.append(c)
        elif c.label in OTHER_NAME_LABELS:
            others.append(c)  # no entity, by the classifier or the vote: its own kind of name
    for c in entities + others:
        c.freeze()
    return sorted(entities, key=lambda c: c.mentions[0].start), sorted(
        others, key=lambda c: c.mentions[0].start
    )


def candidate_clusters(
    doc: Doc, known_tickers: tuple[str, ...] = ()
) -> tuple[dict[str, Cluster], dict[tuple[int, int], str]]:
    """Every name of the doc as a cluster of its mentions, labelled by vote, short forms
    folded into long ones, tickers attached, companies linked; and the labels the rules set
    (by character span). What the entity-kind classifier decides on."""
    rules = _rule_labels(doc)
    clusters = _clusters_by_key(doc, rules)

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
    return clusters, rules


def _rule_labels(doc: Doc) -> dict[tuple[int, int], str]:
    """The labels the entity rules set, by character span."""
    return {(a, b): lab for a, b, lab in doc.user_data.get(RULE_LABELS_KEY, [])}


def _proper_noun_runs(doc: Doc) -> list[Span]:
    """Runs of proper nouns (tag NNP/NNPS, a capital letter in each) that no entity and no
    ticker ("(NASDAQ:AMZN)", "(IBGE)") covers: names the recogniser missed ("Citigroup senior economist ..."). They are candidates
    only: the entity-kind classifier decides whether each is an entity and of what kind;
    without it they are left out."""
    from spacy.tokens import Span

    runs: list[Span] = []
    start = None
    in_ticker = {i for x in doc._.tickers for i in range(x["start_char"], x["end_char"])}
    for t in doc:
        ok = (
            t.tag_ in ("NNP", "NNPS")
            and t.idx not in in_ticker
            and not t.ent_type_
            and any(ch.isupper() for ch in t.text)
            and "\n" not in t.text
            and (start is None or "\n" not in doc[t.i - 1].whitespace_)
        )
        if ok and start is None:
            start = t.i
        elif not ok and start is not None:
            runs.append(Span(doc, start, t.i, label=CANDIDATE))
            start = t.i if ok else None
    if start is not None:
        runs.append(Span(doc, start, len(doc), label=CANDIDATE))
    return runs


def _clusters_by_key(doc: Doc, rules: dict[tuple[int, int], str]) -> dict[str, Cluster]:
    """One cluster per name key (any label), labelled by vote; the proper-noun runs no
    entity covers join the cluster of their key, or make their own (labelled CANDIDATE)."""
    spans = [e for e in doc.ents if e.label_ in ENTITY_LABELS and name_key(e.text, e.label_)]
    spans += [r for r in _proper_noun_runs(doc) if name_key(r.text, CANDIDATE)]
    groups: dict[str, list[Span]] = {}
    for s in spans:
        groups.setdefault(name_key(s.text, "ORG" if s.label_ == "ORG" else s.label_), []).append(s)
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
    # the name a ticker follows may have grown since the ticker was found ("Sons Inc (ABSB)"
    # became "Alex. Brown and Sons Inc"): its owner is the mention covering that token
    by_token = {i: k for k, c in clusters.items() for m in c.mentions for i in range(m.start, m.end)}
    for t in tickers:
        owner_key = by_token.get(t["entity_start"]) if t["entity_start"] is not None else None
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
    keys = {words[0].lower(), words[-1].lower(), core[0].lower(), _initials(core), _head(core).lower()}
    return keys | {a.lower() for a in acronyms(name)}


def _plural(word: str) -> str:
    """The plural a name's word takes ("Tory" -> "Tories", "Democrat" -> "Democrats")."""
    return word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"


def _initials(words: Sequence[str]) -> str:
    """The key an abbreviated name shares with its full form ('Man Utd', 'Manchester United')."""
    return "^" + "".join(w[0].lower() for w in words)


def _head(words: Sequence[str]) -> str:
    """The head word of a name: the one before its "of" ("Reserve Bank of Australia": Bank),
    else its last."""
    low = [w.lower() for w in words]
    return words[low.index("of", 1) - 1] if "of" in low[1:] else words[-1]


def _folds_into(c: Cluster, words: tuple[str, ...], lc: Cluster, lname: str) -> bool:
    """Is `c` (whose name has `words`) a shorter form of the longer `lc` (named `lname`)?"""
    lwords = _words(lname)
    if lc.label == "PERSON" and c.label in ("PERSON", "ORG", "GPE") and len(words) == 1:
        # "Trotter" / "Mr Trotter" -> "Paul Trotter"; "Wang" -> "Wang Donghai"; but "Mr
        # Howard" is not Howard Flight when the article writes "Mr Flight"
        last = lwords[-1].lower()
        family_last = _after_surname_honorific(c) and _titled_surname(c.mentions[0].doc, last)
        ends = [last] if family_last or len(last) < 2 else [last, lwords[0].lower()]  # not "Blair's"
        return words[0].lower() in ends
    if lc.label == "PERSON" and c.label == "PERSON" and 1 < len(words) < len(lwords):
        # "De Keersmaeker" -> "Paul de Keersmaeker": the surname's words
        return _lower(lwords[-len(words) :]) == _lower(words)
    if (
        lc.label == "PRODUCT"
        and len(words) < len(lwords)
        and c.label in ("PRODUCT", "PERSON", "ORG", "WORK_OF_ART")
    ):
        # "Doom" -> "Doom 3", "Vaio" -> "Vaio W1"; but a company is not its product's short
        # form: "Yahoo" stays apart from "Yahoo Messenger", "Airbus" from "Airbus A380" (a
        # name the recogniser called an organisation folds only into itself with a number:
        # "Doom" ORG, "Doom 3")
        extra = (_words(_SUFFIX_RE.sub("", lname)) or lwords)[len(words) :]  # "Corp" is no product
        if c.label == "ORG" and not all(w.isdigit() for w in extra):
            return False
        return [w.lower() for w in lwords[: len(words)]] == [w.lower() for w in words]
    if lc.label == "ORG" and c.label in ("ORG", "PERSON", "PRODUCT"):
        lcore = _words(_SUFFIX_RE.sub("", lname)) or lwords
        if c.label == "ORG" and any(_model_code(w) for w in lcore[len(words) :]):
            return False  # "Airbus" is not "Airbus A300s": the maker and its model
        if [w.lower() for w in lcore[: len(words)]] == [w.lower() for w in words] and (
            len(words) < len(lcore) or c.label == "ORG"
        ):
            return True  # "Allegis" -> "Allegis Corp", "Delta" -> "Delta Air Lines"
        if (
            c.label == "ORG"
            and len(words) == 1
            and len(lcore) > 1
            and words[0].lower() == _head(lcore).lower()
        ):
            # "the Amsterdam Bourse ... the Bourse", "The EC Commission ... The Commission",
            # "the Reserve Bank of Australia ... the Bank": the full name first, and not a
            # joint name ("AT&T/Philips": not Philips)
            return "/" not in lname and lc.mentions[0].start < c.mentions[0].start
        if (
            c.label == "ORG"
            and len(words) == 1 == len(lcore)
            and _plural(words[0].lower()) == lcore[0].lower()
        ):
            return True  # "Tory" -> "Tories"
        if c.label == "ORG" and 1 < len(words) == len(lcore) and words != lcore:
            # "Lib Dems" -> "Liberal Democrats", "Man Utd" -> "Manchester United"
            ordinary = ordinary_words()
            return all(abbreviates(w, lw, ordinary) for w, lw in zip(words, lcore, strict=True))
        # "SEC" -> "Securities and Exchange Commission", "UKIP" -> "UK Independence Party"
        return len(words) == 1 and words[0].isupper() and len(words[0]) >= 2 and words[0] in acronyms(lname)
    return False


_SURNAME_HONORIFICS = words("names.json", "surname_honorifics")


def _after_surname_honorific(c: Cluster) -> bool:
    """Is a mention of `c` written after "Mr", "Mrs", "Dr" ... (in it or just before it)?"""
    for m in c.mentions:
        first = m.doc[m.start - 1] if m.start > 0 else None
        for t in (m[0], first):
            if t is not None and t.lower_.rstrip(".") in _SURNAME_HONORIFICS:
                return True
    return False


def _titled_surname(doc: Doc, word: str) -> bool:
    """Does the article write `word` after "Mr", "Mrs", "Dr" ... ("Mr Flight": the family
    name of Howard Flight, so "Mr Howard" is someone else; "Wang Donghai ... Mr Wang" has
    no "Mr Donghai")?"""
    return any(
        t.lower_ == word and t.i > 0 and doc[t.i - 1].lower_.rstrip(".") in _SURNAME_HONORIFICS for t in doc
    )


def _model_code(word: str) -> bool:
    """A product's model code: letters and digits in one word ("A380", "W1", "A300s")."""
    return any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word)


def _lower(words: Sequence[str]) -> list[str]:
    return [w.lower() for w in words]


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
        keys = (words[0].lower(), words[-1].lower(), _initials(words))
        candidates = [
            lk
            for lk in set().union(*(index.get(key, set()) for key in keys))
            if lk != k
            and lk in clusters
            and len(names[lk]) > len(names[k])
            and _folds_into(c, words, clusters[lk], names[lk])
        ]
        if len(candidates) == 1:
            merge(k, candidates[0])
            add(candidates[0])  # its name may have changed with the mentions it took


def _names_agree(c: Cluster, company: Company) -> bool:
    """Does the article's name for a ticker's company begin as the reference company's
    name or an alias does? A symbol changes hands over the years: 1987's "Chrysler Corp
    <C>" is not today's Citigroup (C)."""
    mine = {name_key(f, "ORG") for f in [c.name, *(m.text for m in c.mentions)]} - {""}
    theirs = {name_key(f, "ORG") for f in (company.name, *company.aliases)} - {""}
    return any(a.startswith(b) or b.startswith(a) for a in mine for b in theirs)


def _company_of(c: Cluster) -> tuple[Company | None, bool]:
    """The reference company a cluster names, and whether only a short alias of one word
    names it ("United", "Delta": linked only when the article also names the company in
    full or by its ticker). By the ticker the text gave, else by the longest of the names
    the article used (legal forms folded: transforms.names.name_key)."""
    from transforms import reference

    if c.ticker:
        company = reference.by_ticker(c.ticker)
        if company is not None and _names_agree(c, company):
            return company, False
    if c.label not in ("ORG", "PRODUCT", "PERSON", "GPE"):
        return None, False
    forms = sorted({c.name} | {display_name(m.text, c.label) for m in c.mentions}, key=lambda f: (-len(f), f))
    for f in forms:
        company = reference.by_name(f)
        if company is None:
            continue
        full = name_key(f, "ORG") == name_key(company.name, "ORG")
        if c.label != "ORG" and (len(f.split()) < 2 or not full):
            return None, False  # a non-ORG label is only overridden by a full, multi-word company name
        return company, not full and len(f.split()) == 1
    return None, False


def _link(clusters: dict[str, Cluster]) -> None:
    """Link clusters to the company reference (see _company_of). Clusters linked to one
    company merge; one named only by a short alias links when another cluster of the
    article names the company in full."""
    found = {key: _company_of(c) for key, c in clusters.items()}
    anchored = {company.ticker for company, weak in found.values() if company is not None and not weak}
    linked: dict[str, str] = {}
    for key, (company, weak) in found.items():
        if company is None or (weak and company.ticker not in anchored):
            continue
        c = clusters[key]
        c.company = company
        c.label = "ORG"
        if c.ticker is None:
            c.ticker, c.exchange = company.ticker, company.exchange
        elif c.exchange is None:
            c.exchange = company.exchange
        if company.ticker in linked:
            into = clusters[linked[company.ticker]]
            gone = clusters.pop(key)
            into.mentions.extend(gone.mentions)
            into.extra_aliases |= gone.extra_aliases
            into.mentions.sort(key=lambda s: s.start)
        else:
            linked[company.ticker] = key

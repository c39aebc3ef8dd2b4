"""Shared parse helpers for actions and quotes: who a clause's doer is, and which entity
a subject, pronoun or description refers to.

The doer of a verb is, in order: the grammatical subject; the `by`-agent of a passive;
the understood subject of a control or light-verb chain ("made the decision to stop
providing", "agreed to acquire"); the subject shared by conjoined verbs; the noun a
relative clause modifies ("Marinus Analytics, which provides"). Pronouns ("it", "they",
"he") and descriptions ("the company", "the tech stock") resolve to the most salient
preceding entity of a compatible kind (same sentence first, subjects first, then
recency, within a few sentences; else the headline's first entity); "we", "our", "I"
inside a direct quote resolve to the quote's speaker.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from transforms.entities import Cluster
from transforms.intervals import span_at
from transforms.lexicons import load_json, words

# Descriptions that refer back to an entity: "the company", "the government" (patterns/cues.json)
ORG_DESCRIPTIONS = words("cues.json", "org_nouns") | words("cues.json", "org_nouns_description_only")
GPE_DESCRIPTIONS = words("cues.json", "gpe_descriptions")
DEMONYMS: dict[str, str] = load_json("places.json")["demonyms"]  # "russian" -> "RU"
PERSON_ROLES = words("cues.json", "person_roles")
TITLE_MODIFIERS = words("cues.json", "title_modifiers")  # "Deputy Mayor X" is not "the mayor"
PERSON_PRONOUNS = frozenset(["he", "him", "his", "she", "her", "i", "me", "my"])
# First-person pronouns: inside a direct quote they are the quote's speaker.
SPEAKER_PRONOUNS = frozenset(["we", "us", "our", "i", "me", "my"])
PLURAL_PRONOUNS = frozenset(["they", "them", "their"])
ORG_PRONOUNS = frozenset(["it", "its", "they", "them", "their", "we", "us", "our"])
# Nouns after a light verb whose clause is the real action: "made the decision to stop".
LIGHT_NOUNS = words("clauses.json", "light_nouns")  # patterns/clauses.json
SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
PASSIVE_SUBJECT_DEPS = frozenset({"nsubjpass", "csubjpass"})
OBJECT_DEPS = ("dobj", "dative", "attr", "oprd")
# How many sentences back a pronoun or description may look for its antecedent.
WINDOW = 3


@dataclass
class Doer:
    token: Token
    resolution: str


@dataclass
class Context:
    doc: Doc
    token_cluster: dict[int, Cluster]
    sent_index: dict[int, int]  # token index -> sentence index
    # (token, sentence, entity, role: 2 subject, 1 subject of a reported clause, 0 other,
    # -1 in a prepositional phrase)
    salience: list[tuple[int, int, Cluster, int]] = field(default_factory=list)
    salience_starts: list[int] = field(default_factory=list)
    groups: list[tuple[int, int, list[Cluster]]] = field(default_factory=list)
    remembered: set[int] = field(default_factory=set)
    # direct quotes in text order: (start_char, end_char incl. marks, speaker cluster or None)
    quote_speakers: list[tuple[int, int, Cluster | None]] = field(default_factory=list)
    # every text in quotation marks (a quote or not: a title, scare quotes), marks included
    marked: list[tuple[int, int]] = field(default_factory=list)
    quoted: set[int] = field(default_factory=set)  # remembered pronouns inside quotation marks
    sex: dict[int, str] = field(default_factory=dict)  # id(person cluster) -> "he" | "she"
    token_mention: dict[int, Span] = field(default_factory=dict)  # token index -> its mention
    descriptors: dict[int, set[str]] = field(default_factory=dict)  # id(cluster) -> description lemmas
    coordinated: set[int] = field(default_factory=set)  # mentions (start token) in a subject "X and Y"


def build_context(doc: Doc, clusters: list[Cluster]) -> Context:
    token_cluster: dict[int, Cluster] = {}
    token_mention: dict[int, Span] = {}
    for c in clusters:
        for m in c.mentions:
            for i in range(m.start, m.end):
                token_cluster[i] = c
                token_mention[i] = m
    sent_index = {}
    for si, sent in enumerate(doc.sents):
        for t in sent:
            sent_index[t.i] = si
    ctx = Context(doc, token_cluster, sent_index, token_mention=token_mention)
    for c in clusters:
        for m in c.mentions:
            ctx.salience.append((m.start, sent_index[m.start], c, mention_role(m)))
    ctx.sex.update(_sexes(doc, clusters))
    ctx.salience.sort(key=lambda x: x[0])
    ctx.salience_starts = [x[0] for x in ctx.salience]
    # subjects that coordinate two or more entities ("X and Y said they ...")
    for t in doc:
        if t.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS:
            members = [token_cluster[x.i] for x in _coordinated(t) if x.i in token_cluster]
            members = list({id(m): m for m in members}.values())
            if len(members) >= 2:
                ctx.groups.append((t.i, sent_index[t.i], members))
                ctx.coordinated.update(_same_kind_members(token_cluster, token_mention, _coordinated(t)))
    return ctx


_NAME_PATH_DEPS = frozenset(["compound", "nmod", "conj", "cc", "amod", "det", "punct", "poss", "case"])


def _same_kind_members(
    token_cluster: dict[int, Cluster], token_mention: dict[int, Span], tokens: list[Token]
) -> set[int]:
    """The mentions (start tokens) of a coordination's members that share their kind with
    another member: "Japan, South Korea and Singapore", not "SLBA chairman - and Commercial
    Bank managing director - AL Gooneratne"."""
    kinds: dict[str, set[int]] = {}
    for x in tokens:
        if x.i in token_mention:
            kinds.setdefault(token_cluster[x.i].label, set()).add(token_mention[x.i].start)
    return {start for starts in kinds.values() if len(starts) >= 2 for start in starts}


def _coordinated(head: Token) -> list[Token]:
    """Tokens of a subject phrase reachable through name and coordination links only (not
    through appositives, prepositions or clauses): 'X and Y', however the parser bracketed it."""
    out = [head]
    stack = [head]
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.dep_ in _NAME_PATH_DEPS:
                out.append(c)
                stack.append(c)
    return out if any(x.lower_ in ("and", "&") for x in out) else [head]


_MALE = words("names.json", "male_honorifics")
_FEMALE = words("names.json", "female_honorifics")


def _sexes(doc: Doc, clusters: list[Cluster]) -> dict[int, str]:
    """id(person) -> "he" | "she", for the people a honorific says it of."""
    found = {id(c): _honorific_sex(doc, c) for c in clusters if c.label == "PERSON"}
    return {k: v for k, v in found.items() if v is not None}


def _honorific_sex(doc: Doc, person: Cluster) -> str | None:
    """ "he" or "she" when a mention of the person has a honorific that says ("Mr Trotter",
    "Mrs Kelly"), and none says otherwise."""
    found = set()
    for m in person.mentions:
        for t in (doc[m.start], doc[m.start - 1] if m.start > 0 else None):
            word = t.lower_.rstrip(".") if t is not None else ""
            if word in _MALE:
                found.add("he")
            elif word in _FEMALE:
                found.add("she")
    return found.pop() if len(found) == 1 else None


def mention_role(m: Span) -> int:
    """A mention's role for salience: its tokens' best `subject_role`, or -1 when it stands
    in a prepositional phrase (its root a pobj)."""
    role = max(subject_role(t) for t in m)
    root = m.root
    while root.dep_ == "conj" and root.head.i != root.i:
        root = root.head  # "in the Scottish Parliament or the Northern Ireland Assembly"
    return -1 if role == 0 and root.dep_ == "pobj" else role


def subject_role(tok: Token) -> int:
    """2: a subject, but not of a reported clause; 1: the subject of a reported clause
    ("Deutsche Bank claimed Yukos had ...": Yukos), which a later "it" prefers less than
    the reporter; 0: not a subject."""
    if tok.dep_ not in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS:
        return 0
    verb = tok.head
    for _ in range(8):
        if verb.dep_ == "ccomp":
            return 1
        if verb.head.i == verb.i:
            break
        verb = verb.head
    return 2


def _remember(ctx: Context, tok: Token, cluster: Cluster) -> None:
    """A resolved pronoun or description in subject position is itself salient. Inside
    quotation marks "he" or "it" is salient only to the words inside them: it is someone the
    speaker talks about, and the "he" of the quote's own "he says" must still find the
    speaker (the speaker's own "I" keeps the speaker salient)."""
    if tok.i in ctx.remembered or tok.dep_ not in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS:
        return
    if tok.lower_ not in SPEAKER_PRONOUNS and span_at(ctx.marked, tok.idx) is not None:
        ctx.quoted.add(tok.i)
    ctx.remembered.add(tok.i)
    pos = bisect_left(ctx.salience_starts, tok.i)
    ctx.salience.insert(pos, (tok.i, ctx.sent_index[tok.i], cluster, subject_role(tok)))
    ctx.salience_starts.insert(pos, tok.i)


def plural_group(ctx: Context, tok: Token) -> list[Cluster] | None:
    """For "they"/"the companies": the most recent coordinated subject within the window."""
    si = ctx.sent_index[tok.i]
    best = None
    for ti, s, members in ctx.groups:
        if ti < tok.i and si - s <= WINDOW:
            best = members
    return best


def resolve_all(ctx: Context, tok: Token) -> list[tuple[Cluster | None, str]]:
    """Like `resolve`, but a plural pronoun or description referring to a coordinated
    subject ("AEGON and Life Investors said they ...") gives every member."""
    low = tok.lower_
    plural_desc = (
        tok.pos_ == "NOUN" and tok.tag_ == "NNS" and tok.lemma_.lower() in ORG_DESCRIPTIONS | GPE_DESCRIPTIONS
    )
    plural = low in PLURAL_PRONOUNS or (
        plural_desc and any(c.lower_ in ("the", "both", "two") for c in tok.children)
    )
    in_quote = span_at(ctx.quote_speakers, tok.idx) is not None
    group = plural_group(ctx, tok) if plural and not in_quote else None
    if group and plural_desc:  # "the two countries": the group's places, not its people
        kind = "GPE" if tok.lemma_.lower() in GPE_DESCRIPTIONS else "ORG"
        group = [c for c in group if c.label == kind]
    if group:
        how = "pronoun" if low in PLURAL_PRONOUNS else "description"
        return [(c, how) for c in group]
    return [resolve(ctx, tok)]


def antecedent(
    ctx: Context,
    tok: Token,
    labels: frozenset[str],
    exclude: tuple[Cluster | None, ...] = (),
    sex: str | None = None,
) -> Cluster | None:
    """The most salient entity of `labels` before `tok` (other than `exclude`): subjects
    first, then recency."""
    si = ctx.sent_index[tok.i]
    pronoun_it = tok.pos_ == "PRON" and "PERSON" not in labels
    distance = _distance_from(ctx, tok)
    best: tuple[tuple[int, int, int, int], Cluster] | None = None
    # walk back from the pronoun; stop once past the window (linear in the window only)
    for idx in range(bisect_left(ctx.salience_starts, tok.i) - 1, -1, -1):
        ti, s, c, role = ctx.salience[idx]
        if si - s > WINDOW:
            break
        extra = distance(ti, role)
        if c.label not in labels or any(c is x for x in exclude) or extra is None:
            continue
        if sex is not None and ctx.sex.get(id(c), sex) != sex:
            continue  # "she shared the driving with Trevor ... He designed": not her
        # same sentence beats earlier ones; subjects beat other positions, and in an earlier
        # sentence the reporter's subject beats the reported clause's ("Deutsche
        # Bank claimed Yukos had ... It had wanted": the bank); an organisation beats a place
        # ("it" is more often the company than the city); later beats earlier
        rank = role if s != si else min(role, 1)
        # for "it", a name inside a prepositional phrase ("extended to all parties with
        # members in the House of Commons ... or Northern Ireland Assembly"; "Using technology
        # from Lucent, it will offer") is a sentence further away than it stands (not for
        # "he": "We're positive about Hal and hope he'll be raring to go")
        away = si - s + extra + (1 if role < 0 and pronoun_it else 0)
        score = (-away, rank, int(c.label == "ORG"), ti)
        if best is None or score > best[0]:
            best = (score, c)
    if best is None and si <= WINDOW + 1:
        # the title's first entity is what the article is about
        for ti, s, c, role in ctx.salience:
            if s > 0 or ti >= tok.i:
                break
            if c.label in labels and not any(c is x for x in exclude) and distance(ti, role) is not None:
                return c
    return best[1] if best else None


def _distance_from(ctx: Context, tok: Token) -> Callable[[int, int], int | None]:
    """How much further than it stands a salient mention (by token and role) is from `tok`,
    or None when `tok` cannot stand for it: outside quotation marks, a pronoun remembered
    inside them is hidden; for a pronoun outside them, so is a name inside them ('"Shylock
    and Fagin are ...," he told': the speaker before them; '"... the EU accounts ..." It
    said': the audit office that reports, not the EU); for the subject of a trailing
    report, what it reports
    but the reported clause's subject is hidden ("... 40 pct owned by Nippon, it said");
    for "it", a member of a coordinated subject with another of its kind is hidden. A
    description names its kind: a name in a quote is as near as it stands."""
    inside = span_at(ctx.marked, tok.idx) is not None
    pronoun = tok.pos_ == "PRON"
    lo, hi = _reported_before(tok) if pronoun else (0, 0)
    it = tok.lower_ in _IT_PRONOUNS

    def distance(ti: int, role: int) -> int | None:
        if (it and ti in ctx.coordinated) or (lo <= ti < hi and role < 1):
            return None
        if inside:
            return 0
        if ti in ctx.quoted:
            return None
        if pronoun and ti not in ctx.remembered and span_at(ctx.marked, ctx.doc[ti].idx) is not None:
            return None
        return 0

    return distance


REPORTING_VERBS = words("clauses.json", "reporting_verbs")  # say, tell, announce, ...
_REPORTING_NOUNS = words("clauses.json", "reporting_nouns")
_IT_PRONOUNS = frozenset(["it"])  # "he" after "Blair and Brown met": left to salience


def _reported_before(tok: Token) -> tuple[int, int]:
    """The token range of the clause a subject's verb reports when that clause comes first
    ("The plant will be owned by Nippon, it said"), else an empty range."""
    verb = tok.head
    if tok.dep_ not in SUBJECT_DEPS or verb.lemma_.lower() not in REPORTING_VERBS:
        return 0, 0
    for c in verb.children:
        if c.dep_ == "ccomp" and c.i < tok.i:
            return c.left_edge.i, c.right_edge.i + 1
    trailing = verb.left_edge.i > 0 and tok.doc[verb.left_edge.i - 1].text in (",", '"', "'", "”")
    if verb.dep_ in ("parataxis", "ccomp") and verb.head.i < tok.i and trailing:
        # ", it said" after its clause; not "complained that it told them nothing"
        return verb.head.left_edge.i, verb.left_edge.i
    return 0, 0


# How far back a description ("the company", "the Russian oil giant") may look: further
# than a pronoun, since a description names its kind.
DESCRIPTION_WINDOW = WINDOW


def described(ctx: Context, tok: Token, labels: frozenset[str]) -> Cluster | None:
    """The entity a description refers to: the one the article described with the same
    words ("Russian oil giant Yukos" ... "the embattled Russian oil giant"; "Qantas, the
    Australian carrier" ... "the carrier"), else the one mentioned most so far (what the
    article is about), else the nearest; within DESCRIPTION_WINDOW sentences or the title."""
    si = ctx.sent_index[tok.i]
    words = {tok.lemma_.lower()} | {
        c.lemma_.lower()
        for c in tok.children
        if c.dep_ in ("amod", "compound") and c.pos_ in ("ADJ", "NOUN", "PROPN")
    }
    count: dict[int, int] = {}
    last: dict[int, int] = {}
    clusters: dict[int, Cluster] = {}
    for ti, s, c, _ in ctx.salience:
        if ti >= tok.i:
            break
        if c.label not in labels or (si - s > DESCRIPTION_WINDOW and (s > 0 or si > DESCRIPTION_WINDOW + 1)):
            continue
        key = id(c)
        clusters[key] = c
        count[key] = count.get(key, 0) + 1
        last[key] = ti
    if not clusters:
        return None
    coordinated = _coordinated_subject(ctx, tok)

    def score(key: int) -> tuple[int, int, int, int]:
        return (
            len(words & (descriptors(ctx, clusters[key]) | _name_head(clusters[key]))),
            int(clusters[key] is coordinated),
            count[key],
            last[key],
        )

    return clusters[max(clusters, key=score)]


def _coordinated_subject(ctx: Context, tok: Token) -> Cluster | None:
    """For a description subject of a clause joined to an earlier one ("CNPC was offered
    20% ... but the company opted for"; "Reports said CNPC had been offered ..., but the
    company opted"): that clause's named subject."""
    verb = tok.head
    if tok.dep_ not in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS or verb.dep_ != "conj":
        return None
    first = verb.head
    # its subject, else (after "Reports said") the reported clause's
    for clause in (first, *(c for c in first.children if c.dep_ == "ccomp" and c.i < tok.i)):
        for c in clause.children:
            if c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS and c.i in ctx.token_cluster:
                return ctx.token_cluster[c.i]
    return None


def _name_head(cluster: Cluster) -> set[str]:
    """The last word of an entity's name, when it is a kind noun ("Kent-Moore Group": group,
    "Korea First Bank": bank): "the group", "the bank" describe it."""
    last = cluster.name.split()[-1].lower() if cluster.name.split() else ""
    return {last} if last in ORG_DESCRIPTIONS | GPE_DESCRIPTIONS else set()


def unnamed_first_mention(ctx: Context, tok: Token) -> Token | None:
    """The earlier, indefinite mention of a definite description's noun when it names no
    entity: "A cross-party group of MPs called for reform. The group said ...": "a ...
    group" (None when the nearest earlier mention of the noun is an entity's description:
    "Acme, a Dutch group", "Acme is an engineering group", "the Acme group")."""
    lemma = tok.lemma_.lower()
    si = ctx.sent_index[tok.i]
    for t in reversed(ctx.doc[: tok.i]):
        if si - ctx.sent_index[t.i] > DESCRIPTION_WINDOW:
            return None
        if t.pos_ != "NOUN" or t.lemma_.lower() != lemma or t.i in ctx.token_cluster:
            continue
        if t.i in ctx.remembered or _describes_entity(ctx, t):
            return None
        dets = {c.lower_ for c in t.children if c.dep_ == "det"}
        if dets & {"a", "an"}:
            return t
        if not dets & {"the", "this"}:
            return None
        # an earlier "the group" that named no one: the chain goes on from there ("A group
        # of MPs ... The cross-party group has unveiled ... The group says")
        si = ctx.sent_index[t.i]
    return None


def _describes_entity(ctx: Context, noun: Token) -> bool:
    """The noun is linked to a name: an appositive of it or to it, a name compound or
    possessive on it ("the Acme group", "Acme's unit"), or the attribute of a named subject."""
    if noun.dep_ == "appos" and noun.head.i in ctx.token_cluster:
        return True
    if any(
        c.i in ctx.token_cluster for c in noun.children if c.dep_ in ("appos", "compound", "poss", "nmod")
    ):
        return True
    if noun.dep_ == "attr":
        return any(c.i in ctx.token_cluster for c in noun.head.children if c.dep_ in SUBJECT_DEPS)
    return False


def descriptors(ctx: Context, cluster: Cluster) -> set[str]:
    """Lemmas the article uses to describe an entity: the title or kind nouns and their
    modifiers next to a mention ("oil giant Yukos", "Qantas, the Australian carrier",
    "the official news agency IRNA", "Yukos is a Russian oil firm")."""
    key = id(cluster)
    memo = ctx.descriptors.get(key)
    if memo is not None:
        return memo
    out: set[str] = set()
    for m in cluster.mentions:
        root = m.root
        nouns = [c for c in root.children if c.dep_ == "appos"]
        if root.dep_ in ("appos", "compound") and root.head.pos_ == "NOUN":
            nouns.append(root.head)
        if root.dep_ in SUBJECT_DEPS:
            nouns.extend(c for c in root.head.children if c.dep_ == "attr" and c.pos_ == "NOUN")
        nouns.extend(
            t
            for t in m.doc[max(m.start - 4, 0) : m.start]
            if t.pos_ == "NOUN" and t.head.i in range(m.start, m.end)
        )
        for n in nouns:
            out.add(n.lemma_.lower())
            out.update(
                c.lemma_.lower()
                for c in n.children
                if c.dep_ in ("amod", "compound") and c.i not in range(m.start, m.end)
            )
    ctx.descriptors[key] = out
    return out


def resolve(ctx: Context, tok: Token) -> tuple[Cluster | None, str]:
    """Entity a subject token refers to, and how it was found."""
    cluster, how = _resolve(ctx, tok)
    if cluster is not None and how != "direct":
        _remember(ctx, tok, cluster)
    return cluster, how


_ORGS_AND_PLACES = frozenset({"ORG", "GPE"})
# what "it" may stand for: a product is a candidate too, and then no entity does it
_IT_ANTECEDENTS = _ORGS_AND_PLACES | {"PRODUCT"}


def _resolve(ctx: Context, tok: Token) -> tuple[Cluster | None, str]:
    if tok.i in ctx.token_cluster:
        return ctx.token_cluster[tok.i], "direct"
    if tok.pos_ == "PRON" or tok.tag_ in ("PRP", "PRP$"):
        return _pronoun(ctx, tok), "pronoun"
    if tok.pos_ == "NOUN" and any(c.dep_ == "det" and c.lower_ in ("the", "this") for c in tok.children):
        return _description(ctx, tok)
    return None, "direct"


def _pronoun(ctx: Context, tok: Token) -> Cluster | None:
    """The entity a pronoun stands for, if any."""
    low = tok.lower_
    if low in SPEAKER_PRONOUNS:
        quote = span_at(ctx.quote_speakers, tok.idx)
        if quote is not None:
            return _speaker_pronoun(ctx, low, quote[2])
        if low in ORG_PRONOUNS or span_at(ctx.marked, tok.idx) is None:
            # "we" with no speaker; "I" outside quotation marks: the writer's (a column,
            # readers' comments: "I think he is right. John, London")
            return None
    if low in PERSON_PRONOUNS:
        # "He played much better than me," Agassi added: a quote's "he" is not its speaker
        quote = span_at(ctx.quote_speakers, tok.idx) if low not in SPEAKER_PRONOUNS else None
        ahead = _cataphoric_subject(ctx, tok, frozenset({"PERSON"}))
        if ahead is None and unnamed_person_before(ctx, tok) is not None:
            return None  # "One foreign banker speculated that ... But he said": the banker
        return ahead or antecedent(
            ctx, tok, frozenset({"PERSON"}), exclude=(quote[2],) if quote else (), sex=_PRONOUN_SEX.get(low)
        )
    if low == "it" and expletive(tok):
        return None  # "It was vital to act", "it may appear that": no one
    if low not in ORG_PRONOUNS or thing_antecedent(tok) is not None:
        return None  # "it" is the bill, "they" the analysts: no entity
    if low in PLURAL_PRONOUNS:
        return _governing_org(ctx, tok)
    if _unnamed_governing_subject(ctx, tok):
        return None  # "The group says it can win": the unnamed group of MPs
    ahead = _cataphoric_subject(ctx, tok, _ORGS_AND_PLACES)
    if ahead is not None:
        return ahead  # "If it joins, Turkey may have to accept": Turkey
    # a product says and plans nothing: "The PSP goes on sale ... It said it expected"
    labels = _ORGS_AND_PLACES if tok.head.lemma_.lower() in _SPEAKER_ACTS else _IT_ANTECEDENTS
    found = _reporting_description(ctx, tok) or antecedent(ctx, tok, labels, exclude=_quoting(ctx, tok))
    # "Halo 2 sold 2.4 million copies. It also won ...": the product, no organisation
    return None if found is not None and found.label == "PRODUCT" else found


_PRONOUN_SEX = {"he": "he", "him": "he", "his": "he", "she": "she", "her": "she"}


def _quoting(ctx: Context, tok: Token) -> tuple[Cluster | None, ...]:
    """Who cannot be the "it" inside a quote: its speaker and the speaker's organisation,
    who call themselves "we" ('"If it exports that oil, it will be marketing a stolen
    product," the Yukos spokesman said': not Yukos)."""
    quote = span_at(ctx.quote_speakers, tok.idx)
    if quote is None or quote[2] is None:
        return ()
    speaker = quote[2]
    return (speaker, affiliation(ctx, speaker)) if speaker.label == "PERSON" else (speaker,)


_FRONTED_MARKS = frozenset(
    ["if", "when", "once", "after", "before", "as", "although", "though", "while", "unless"]
)


def _cataphoric_subject(ctx: Context, tok: Token, labels: frozenset[str]) -> Cluster | None:
    """A pronoun subject of a clause fronted before its main clause stands for the main
    clause's named subject ("If it joins, Turkey may have to accept"; "When he arrived,
    Mr Blair said")."""
    clause = tok.head
    if tok.dep_ not in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS or clause.dep_ != "advcl":
        return None
    main = clause.head
    if main.i < clause.i or not any(c.dep_ == "mark" and c.lower_ in _FRONTED_MARKS for c in clause.children):
        return None
    for c in main.children:
        if c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS and c.i > clause.i:
            named = ctx.token_cluster.get(c.i)
            return named if named is not None and named.label in labels else None
    return None


def _unnamed_governing_subject(ctx: Context, tok: Token) -> bool:
    """Is the subject of the clause governing `tok` a description that names no entity
    ("A group of MPs ... The group says it can win": "it" is that group)?"""
    verb = tok.head
    for _ in range(8):
        if verb.dep_ not in _CLAUSE_DEPS or verb.head.i == verb.i:
            return False
        verb = verb.head
        subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS and c.i < tok.i]
        if subjects:
            s = subjects[0]
            return (
                s.pos_ == "NOUN"
                and s.lemma_.lower() in ORG_DESCRIPTIONS
                and s.i not in ctx.token_cluster
                and unnamed_first_mention(ctx, s) is not None
            )
    return False


EXTRAPOSITION_ADJECTIVES = words("clauses.json", "extraposition_adjectives")
EXTRAPOSITION_VERBS = words("clauses.json", "extraposition_verbs")
_RAISING_ADJECTIVES = words("clauses.json", "likely_words")  # "it is likely to": a real "it"
_COPULAS = frozenset(["be", "become", "remain", "seem", "prove"])


def expletive(tok: Token) -> bool:
    """An empty "it" whose clause is the real subject: "It was vital to act", "it is too
    early to say", "It is up to governments to decide", "It was clear that", "It may appear
    that", "it occurred to the men to check". Not "it was able to cut" (a real subject)."""
    verb = tok.head
    if tok.dep_ != "nsubj" or verb.pos_ not in ("VERB", "AUX"):
        return False
    lemma = verb.lemma_.lower()
    kids = list(verb.children)
    that_clause = any(c.dep_ == "ccomp" and c.i > tok.i for c in kids)
    if lemma in EXTRAPOSITION_VERBS:  # "it seems to have lost" has a real "it"; "occurred to X to" not
        to_someone = any(c.dep_ == "prep" and c.lower_ == "to" for c in kids)
        return that_clause or (
            to_someone and any(c.dep_ in ("xcomp", "advcl") and _to_infinitive(c) for c in kids)
        )
    if lemma not in _COPULAS:
        return False
    for c in kids:
        if c.dep_ == "prep" and c.lower_ == "up" and any(g.lower_ == "to" for g in c.children):
            return True  # "it is up to governments to decide"
        if c.dep_ not in ("acomp", "attr") or c.lemma_.lower() not in EXTRAPOSITION_ADJECTIVES:
            continue
        clause = [
            g
            for g in (*kids, *c.children)
            if g.dep_ in ("xcomp", "ccomp", "relcl", "acl", "advcl") and g.i > c.i  # advcl: "for us to act"
        ]
        if any(g.dep_ == "ccomp" for g in clause):
            return True
        if c.lemma_.lower() not in _RAISING_ADJECTIVES and any(_to_infinitive(g) for g in clause):
            return True
    return False


def _to_infinitive(verb: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _governing_org(ctx: Context, tok: Token) -> Cluster | None:
    """One organisation as "they" (coordinated names and "the companies" are plural groups,
    `resolve_all`): only the named subject of the clause that governs the pronoun's
    ("Manchester United said they would fight"). Any other "they" near a name is mostly
    people or things the article has not named ("Viewers ... what they see", "hi-tech firms,
    saying they needed"), and a country is "it": no entity."""
    verb = tok.head
    if tok.dep_ not in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS or verb.dep_ not in _GOVERNED_CLAUSES:
        return None
    gov = verb.head
    for subj in (c for c in gov.children if c.dep_ in SUBJECT_DEPS and c.i < tok.i):
        cluster = ctx.token_cluster.get(subj.i)
        if cluster is not None and cluster.label == "ORG":
            return cluster
    return None


def _reporting_description(ctx: Context, tok: Token) -> Cluster | None:
    """ "it" in the clause a description reports: "The company said it also received a
    letter from the FSLIC": what "the company" describes (a name there is found by
    `antecedent` already; a description is no mention)."""
    verb = tok.head
    if tok.dep_ not in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS or verb.dep_ != "ccomp":
        return None
    for subj in (c for c in verb.head.children if c.dep_ in SUBJECT_DEPS and c.i < tok.i):
        definite = any(c.dep_ == "det" and c.lower_ in ("the", "this") for c in subj.children)
        if subj.pos_ == "NOUN" and definite and subj.lemma_.lower() in ORG_DESCRIPTIONS:
            found, _ = _description(ctx, subj)
            return found if found is not None and found.label == "ORG" else None
        if subj.pos_ == "NOUN" and subj.lemma_.lower() in PERSON_ROLES:
            return _role_organisation(ctx, subj)  # "A spokesman for Fox said it had not seen"
    return None


def _role_organisation(ctx: Context, role: Token) -> Cluster | None:
    """The organisation named in an unnamed person's role phrase ("a spokesman for Fox",
    "Fox's spokesman", "an Acme official"), nearest first."""
    stack = [c for c in role.children if c.dep_ in _DESCRIBING_DEPS]
    found: list[tuple[int, Cluster]] = []
    while stack:
        t = stack.pop()
        c = ctx.token_cluster.get(t.i)
        if c is not None and c.label == "ORG":
            found.append((abs(t.i - role.i), c))
        stack.extend(x for x in t.children if x.dep_ in _DESCRIBING_DEPS)
    return min(found, key=lambda x: x[0])[1] if found else None


# A clause whose subject may be "they" for its governing clause's subject.
_GOVERNED_CLAUSES = frozenset(["ccomp", "advcl", "conj", "xcomp"])


def _description(ctx: Context, tok: Token) -> tuple[Cluster | None, str]:
    """A definite description: "the company" (an organisation), "the country" (a place)."""
    if any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in tok.children):
        return None, "direct"
    if tok.dep_ == "appos" and tok.head.i in ctx.token_cluster:
        return ctx.token_cluster[tok.head.i], "description"  # "Rosneft, the company that bought"
    if tok.lemma_.lower() in ORG_DESCRIPTIONS:
        if unnamed_first_mention(ctx, tok) is not None:
            return None, "description"  # "a cross-party group of MPs ... the group"
        if tok.tag_ in ("NNS", "NNPS"):
            return None, "description"  # "the companies" with no "X and Y" before: no one of them
        return described(ctx, tok, frozenset({"ORG"})), "description"
    if tok.lemma_.lower() in PERSON_ROLES:
        return _titled_person(ctx, tok), "description"  # "the prime minister": Prime Minister Tony Blair
    if tok.lemma_.lower() in GPE_DESCRIPTIONS:
        if tok.tag_ in ("NNS", "NNPS"):
            return None, "description"  # "the countries" with no "X and Y" before: no one of them
        nation = _nationality(tok)
        if nation is not None:
            return _country(ctx, nation), "description"  # "the Russian government": Russia, or no one
        return antecedent(ctx, tok, frozenset({"GPE"})), "description"
    if tok.tag_ == "NN" and unnamed_first_mention(ctx, tok) is None:
        named = _named_by_last_word(ctx, tok)
        if named is not None:
            return named, "description"  # "the Electoral Commission ... the commission"
    return None, "direct"


def _named_by_last_word(ctx: Context, tok: Token) -> Cluster | None:
    """The one organisation named before (within DESCRIPTION_WINDOW sentences or the
    title) whose name ends in the description's noun: "the commission" for the Electoral
    Commission, "the assembly" for the Welsh Assembly."""
    lemma = tok.lemma_.lower()
    si = ctx.sent_index[tok.i]
    found: dict[int, Cluster] = {}
    for ti, s, c, _ in ctx.salience:
        if ti >= tok.i:
            break
        if c.label != "ORG" or (si - s > DESCRIPTION_WINDOW and s > 0):
            continue
        words = c.name.split()
        if len(words) > 1 and words[-1].lower() in (lemma, tok.lower_):
            found[id(c)] = c
    return next(iter(found.values())) if len(found) == 1 else None


def unnamed_person_before(ctx: Context, tok: Token) -> Token | None:
    """The nearest subject before a "he"/"she" (in its sentence or the one before) when it
    is a person named by no name ("One foreign banker speculated ... he said", "A Hitachi
    spokesman said ... he said"): the pronoun is that person, no entity."""
    sent = tok.sent
    start = ctx.doc[sent.start - 1].sent.start if sent.start > 0 else sent.start
    inside = span_at(ctx.marked, tok.idx)
    for t in reversed(ctx.doc[start : tok.i]):
        if t.dep_ not in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS or span_at(ctx.marked, t.idx) != inside:
            continue  # not a subject, or one inside a quote the pronoun is not in
        if subject_role(t) == 1 and _never_he(ctx, t):
            continue  # "A UKIP spokesman said Labour and the Conservatives had spent ...": not "he"
        if t.i in ctx.token_cluster or t.pos_ in ("PRON", "PROPN"):
            return None  # a name or a pronoun: the entity rules decide
        if t.pos_ == "NOUN" and t.tag_ == "NN" and t.lemma_.lower() in PERSON_ROLES:
            # someone not yet named: "a spokesman", "one foreign banker", "another analyst"
            unnamed = {c.lower_ for c in t.children if c.dep_ in ("det", "nummod")} & _INDEFINITE
            return t if unnamed and named_in_apposition(t) is t else None
    return None


_INDEFINITE = frozenset(["a", "an", "one", "another"])


def _never_he(ctx: Context, t: Token) -> bool:
    """A subject "he" or "she" cannot stand for: an organisation or place, several names,
    "it" or "they"."""
    cluster = ctx.token_cluster.get(t.i)
    if cluster is not None and cluster.label != "PERSON":
        return True
    return (
        t.lower_ in ("it", "they") or t.tag_ in ("NNS", "NNPS") or any(c.dep_ == "conj" for c in t.children)
    )


def _titled_person(ctx: Context, tok: Token) -> Cluster | None:
    """The one person the article gave this title ("Prime Minister Tony Blair" ... "the prime
    minister"; "Gordon Brown, the chancellor" ... "the chancellor"), before the description;
    none when the title has an "of" or possessive of its own ("the chief executive of
    Acme") or two people had it."""
    if any(c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ == "of") for c in tok.children):
        return None
    words = {tok.lemma_.lower()} | {
        c.lemma_.lower()
        for c in tok.children
        if c.dep_ in ("amod", "compound") and c.pos_ in ("ADJ", "NOUN", "PROPN")
    }
    found: dict[int, Cluster] = {}
    for c in {id(c): c for c in ctx.token_cluster.values() if c.label == "PERSON"}.values():
        for m in c.mentions:
            if m.start >= tok.i:
                continue
            title = {
                t.lemma_.lower() for t in ctx.doc[_title_start(ctx.doc, m.start, len(words) + 1) : m.end]
            }
            appos = {t.lemma_.lower() for a in m.root.children if a.dep_ == "appos" for t in a.subtree}
            if any(words <= ws and not (ws - words) & TITLE_MODIFIERS for ws in (title, appos)):
                found[id(c)] = c
    return next(iter(found.values())) if len(found) == 1 else None


def _title_start(doc: Doc, start: int, most: int) -> int:
    """Where the title words before a name at `start` begin: at most `most` words back, and
    only words of its noun phrase ("Prime Minister Tony Blair"; not "A spokesman said Mr
    Betts-Green")."""
    i = start
    while i > max(start - most, 0) and doc[i - 1].pos_ in ("NOUN", "PROPN", "ADJ", "DET"):
        i -= 1
    return i


def _nationality(noun: Token) -> str | None:
    """The country code of a nationality adjective on a description ("the Russian
    government": RU; "the South Korean bank": KR)."""
    mods = [c for c in noun.children if c.dep_ in ("amod", "compound") and c.i < noun.i]
    for m in mods:
        words = " ".join(t.lower_ for t in noun.doc[m.left_edge.i : m.i + 1])
        for key in (words, m.lower_):
            if key in DEMONYMS:
                return DEMONYMS[key]
    return None


def _country(ctx: Context, code: str) -> Cluster | None:
    """The article's place entity that is the country `code` (not a city in it)."""
    from transforms.geocode import geocode

    for _, _, c, _ in ctx.salience:
        if c.label != "GPE":
            continue
        place = geocode(c.name)
        if place is not None and place.kind == "country" and place.country == code:
            return c
    return None


def _speaker_pronoun(ctx: Context, low: str, speaker: Cluster | None) -> Cluster | None:
    """A first-person pronoun inside a quote: "I" is the speaker; "we", "us", "our" are the
    speaker's organisation (the speaker itself when it is one; a person's organisation
    when the article says it: "Serge Troeber ... at Swiss Re", "Google's Jonathan
    Rosenberg"); no entity when the quote has no known speaker or the person none."""
    if speaker is None:
        return None
    if low in ("we", "us", "our"):
        return speaker if speaker.label in ("ORG", "GPE") else affiliation(ctx, speaker)
    return speaker if speaker.label == "PERSON" else None


# Dependencies linking a person's name to the words that describe them: an appositive
# ("X, chief economist at Y"), a compound title ("Y chairman X"), a prepositional phrase
# ("X of Y"), a possessive ("Y's X").
_DESCRIBING_DEPS = frozenset(["appos", "compound", "prep", "poss", "nmod", "amod", "pobj", "npadvmod"])


def affiliation(ctx: Context, person: Cluster) -> Cluster | None:
    """The organisation a person's mentions describe them by ("Ryanair chairman David
    Bonderman", "Dr Doug Williams of BT", "Jonathan Rosenberg, Google's vice president",
    "Google's vice president, Jonathan Rosenberg"), nearest first; else None."""
    for m in person.mentions:
        root = m.root
        # the person's own phrase, and the title noun it is the appositive of
        heads = [root] + ([root.head] if root.dep_ == "appos" and root.head.pos_ in ("NOUN", "PROPN") else [])
        found: list[tuple[int, Cluster]] = []
        for h in heads:
            stack = [c for c in h.children if c.dep_ in _DESCRIBING_DEPS]
            while stack:
                t = stack.pop()
                c = ctx.token_cluster.get(t.i)
                if c is not None and c is not person and c.label == "ORG":
                    found.append((abs(t.i - root.i), c))
                stack.extend(x for x in t.children if x.dep_ in _DESCRIBING_DEPS | {"conj", "cc"})
        if found:
            return min(found, key=lambda x: x[0])[1]
    return None


# Clause links to walk up from a pronoun's clause to the clauses governing it.
_CLAUSE_DEPS = frozenset(["advcl", "ccomp", "conj", "xcomp", "relcl", "acl", "pcomp", "parataxis"])


def thing_antecedent(tok: Token) -> Token | None:
    """The noun "it" or "they" stands for when that is a thing or people without a name:
    the subject (else the object) of the nearest clause governing the pronoun's, when it
    agrees in number ("Politicians rejected the bill and now it must go": the bill;
    "Analysts said they expect": the analysts), or, for the subject of a main clause, the
    previous sentence's definite subject ("The dollar fell ... it was trading at").
    None when that noun is a name, a pronoun, a description of an organisation ("the
    company") or no such noun is found; the entity rules decide then."""
    plural = tok.lower_ in PLURAL_PRONOUNS
    verb = tok.head
    for _ in range(8):
        if verb.dep_ not in _CLAUSE_DEPS or verb.head is verb:
            break
        verb = verb.head if verb.head.pos_ in ("VERB", "AUX") else verb.head.head
        if verb.pos_ not in ("VERB", "AUX"):
            break
        for deps in (SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS, frozenset({"dobj"})):
            for c in (c for c in verb.children if c.dep_ in deps and c.i < tok.i):
                # the noun, else a noun its preposition governs ("opponents of the bill")
                inner = [g for p in c.children if p.dep_ == "prep" for g in p.children if g.dep_ == "pobj"]
                for n in [c, *inner]:
                    if n.pos_ == "PRON" and n.lower_ in (PLURAL_PRONOUNS if plural else ("it",)):
                        return thing_antecedent(n)  # "if it is to": the "it" before it
                    verdict = _agrees(n, plural)
                    if verdict is not None:
                        return n if verdict else None
    decided, fronted = _fronted_clause_subject(tok, plural)
    if decided:
        return fronted
    if tok.dep_ in SUBJECT_DEPS and tok.head.dep_ == "ROOT" and tok.sent.start > 0:
        return _previous_subject(tok, plural)
    return None


def _fronted_clause_subject(tok: Token, plural: bool) -> tuple[bool, Token | None]:
    """For the subject of a clause opened by a subordinate clause ("If the takeover is
    successful, it would weaken ...", "When the shares fell, they ..."): (True, that
    clause's subject) when it is a thing of the pronoun's number; (True, None) when it is a
    name or a description the entity rules resolve ("When Acme reported, it ..."); (False,
    None) when there is no such clause or subject."""
    if tok.dep_ not in SUBJECT_DEPS:
        return False, None
    for clause in tok.head.children:
        if clause.dep_ != "advcl" or clause.i > tok.i or not any(c.dep_ == "mark" for c in clause.children):
            continue
        for subj in (c for c in clause.children if c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS):
            verdict = _agrees(subj, plural)
            if verdict is not None:
                return True, subj if verdict else None
    return False, None


def _previous_subject(tok: Token, plural: bool = False) -> Token | None:
    """For "it" or "they" as a main subject: the previous sentence's main subject (then,
    for "..., traders said", the reported clause's), when it is a definite singular thing
    ("The dollar fell ... It was trading at"), or unnamed people or things for "they"
    ("Many people in Britain opposed the war. They see ...")."""
    root = tok.doc[tok.sent.start - 1].sent.root
    clauses = [root] + [c for c in root.children if c.dep_ == "ccomp"]
    for subj in (c for v in clauses for c in v.children if c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS):
        verdict = _agrees(subj, plural)
        if verdict is None:
            continue
        definite = plural or any(
            d.lower_ in ("the", "this", "that") for d in subj.children if d.dep_ == "det"
        )
        return subj if verdict and definite else None
    if any(c.dep_ == "expl" for c in root.children):
        # "There was controversy over another poster. It showed ...": what there was
        for pivot in (c for c in root.children if c.dep_ == "attr"):
            if pivot.lemma_.lower() in _REPORTING_NOUNS or any(
                c.dep_ in ("acl", "ccomp") for c in pivot.children
            ):
                return None  # "There was speculation that Acme would bid. It declined": the rules decide
            return pivot if _agrees(pivot, plural) else None
    return None


_NAME_TYPES = frozenset(["ORG", "PERSON", "GPE", "LOC", "FAC", "NORP", "PRODUCT"])


def _agrees(noun: Token, plural: bool) -> bool | None:
    """For a candidate antecedent: True when it is a common noun of the pronoun's number
    (a thing or unnamed people); False when it is the kind an entity rule resolves (a name,
    a pronoun, a description of an organisation or place) -- stop, and leave it to them;
    None when it does not agree in number (keep looking)."""
    if noun.pos_ in ("PROPN", "PRON") or noun.ent_type_ in _NAME_TYPES:
        return False
    if noun.pos_ != "NOUN":
        return None
    if noun.lemma_.lower() in ORG_DESCRIPTIONS | GPE_DESCRIPTIONS:
        return False
    if noun.lemma_.lower() in PERSON_ROLES and not plural:
        return None  # "the chairman said it would": "it" is not the chairman
    is_plural = noun.tag_ in ("NNS", "NNPS") or any(c.dep_ == "conj" for c in noun.children)
    if is_plural != plural:
        return None
    return True


def with_conjuncts(tok: Token) -> list[Token]:
    out = [tok]
    for c in tok.children:
        if c.dep_ == "conj" and c.pos_ in ("PROPN", "NOUN", "PRON"):
            out.extend(with_conjuncts(c))
    return out


def find_doers(verb: Token, depth: int = 0) -> list[Doer]:
    """The tokens that did `verb`, following the parse (see module doc)."""
    if depth > 6:
        return []
    subj = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
    if subj:
        return _subject_doers(verb, subj[0])
    if _passive(verb):
        # a passive's doer is its by-agent or no one, never a subject it would inherit from
        # another clause: "Before being driven by police, Begg said" (the police drive him)
        return agent_doers(verb)
    if verb.head is verb:
        return []
    return _governor_doers(verb, depth)


def _passive(verb: Token) -> bool:
    return any(
        c.dep_ in PASSIVE_SUBJECT_DEPS or c.dep_ == "auxpass" for c in verb.children
    ) or _stranded_passive(verb)


def _patient_doers(verb: Token, depth: int) -> list[Doer]:
    """Who undergoes a passive verb, as the controller of what hangs on it: its passive
    subject, else the subject it shares with the clause it joins ("He is in charge ... and
    is credited with improving sales": he improved them)."""
    passive = [c for c in verb.children if c.dep_ in PASSIVE_SUBJECT_DEPS]
    if passive:
        return _control(with_conjuncts(passive[0]))
    if verb.head is verb:
        return []
    return _control([d.token for d in _governor_doers(verb, depth + 1)])


def _stranded_passive(verb: Token) -> bool:
    """A passive participle with its `by` phrase but cut off from its auxiliaries by the parse
    ("have been re-valued upwards by at least one band", the "re-" split off): its doer is
    the agent's, never the governing verb's."""
    return (
        verb.tag_ == "VBN"
        and verb.dep_ in ("xcomp", "ccomp", "conj")
        and any(c.dep_ == "agent" for c in verb.children)
    )


def _direct(tokens: list[Token]) -> list[Doer]:
    return [Doer(t, "direct") for t in tokens]


def _control(tokens: list[Token]) -> list[Doer]:
    return [Doer(t, "control") for t in tokens]


def _subject_doers(verb: Token, s: Token) -> list[Doer]:
    """The grammatical subject; of a relative clause ("which provides"), the noun it modifies."""
    if s.tag_ in ("WDT", "WP") and verb.dep_ == "relcl":
        return _direct(_relative_referents(verb, s))
    if s.dep_ == "csubj" or s.lower_ in ("there",):
        return []
    return _direct(with_conjuncts(named_in_apposition(s)))


def _relative_referents(verb: Token, rel: Token) -> list[Token]:
    """What a relative clause's "which"/"who" stands for: the noun it modifies with its
    conjuncts ("Acme and Beta, which make"), but only the last when the clause follows it
    with a singular verb ("Hitachi and Matsushita, which makes Panasonic products"); the
    noun of the phrase the names stand in when "which" follows a person ("a proposal from
    Mr Glazer, which looks set") or a singular verb follows names there ("technology from
    Lucent, Nortel and Motorola that provides")."""
    nouns = with_conjuncts(verb.head)
    last = nouns[-1]
    singular = verb.tag_ == "VBZ" or any(
        c.dep_ in ("aux", "auxpass") and c.lower_ in ("is", "has", "was", "does") for c in verb.children
    )
    holder = _phrase_noun(verb.head)
    if holder is not None and (
        (rel.lower_ == "which" and verb.head.ent_type_ == "PERSON") or (len(nouns) > 1 and singular)
    ):
        return [holder]  # "which" is never a person
    if len(nouns) > 1 and singular and last.i < verb.i:
        return [last]
    return nouns


def _phrase_noun(name: Token) -> Token | None:
    """The common noun whose prepositional phrase a name stands in ("a proposal from Mr
    Glazer": proposal), if any."""
    prep = name.head
    if name.dep_ != "pobj" or name.pos_ != "PROPN" or prep.dep_ != "prep" or prep.head.pos_ != "NOUN":
        return None
    return prep.head


def named_in_apposition(tok: Token) -> Token:
    """A role noun's appositive name is the doer: "His mother, Giselle, said", "The UN's
    relief coordinator, Jan Egeland, said", "said chief economist Rodrigo Rato" (the name
    parsed as the title's appositive), "One of the men, David Redvers, said" (after the
    noun's own "of" phrase) give the name; a name further on ("the actor, whose films
    include ... Phantom Menace,") does not."""
    if tok.pos_ != "NOUN" and not (tok.pos_ == "NUM" and tok.lower_ == "one"):
        return tok
    own = {t.i for c in tok.children if c.dep_ == "prep" and c.lower_ == "of" for t in c.subtree}
    for c in tok.children:
        # the name right after the noun (or its "of" phrase), or after its comma
        gap = [t for t in tok.doc[tok.i + 1 : c.left_edge.i] if t.i not in own]
        if c.dep_ == "appos" and c.pos_ == "PROPN" and all(t.text == "," for t in gap) and len(gap) <= 1:
            return c
    return tok


def agent_doers(verb: Token) -> list[Doer]:
    """A passive's `by`-agent ("was bought by Acme"), if it has one."""
    for agent in (c for c in verb.children if c.dep_ == "agent"):
        objs = [c for c in agent.children if c.dep_ == "pobj"]
        if objs:
            return _direct(with_conjuncts(objs[0]))
    return []


def _governor_doers(verb: Token, depth: int) -> list[Doer]:
    """A verb without a subject of its own: the doer of the verb or noun governing it."""
    head, dep = verb.head, verb.dep_
    if dep == "conj" and verb.tag_ == "VBN" and head.tag_ == "VBG" and not _has_aux(verb):
        # a passive participle beside an active one: "a eurobond paying 8 pct and priced at
        # 100" (nobody named prices it), "starring Jude Law and directed by David O Russell"
        return agent_doers(verb)
    if speaker_conjunct(verb):
        return find_doers(head.head, depth + 1)  # "warned that ... and vowed": the warners vowed
    if dep == "conj" and head.pos_ in ("VERB", "AUX"):
        return find_doers(head, depth + 1)
    if dep == "xcomp" and head.pos_ in ("VERB", "AUX"):
        return _controller_doers(head, depth, verb)
    if dep == "xcomp" and head.pos_ == "ADJ" and head.dep_ == "acomp":
        return _control([d.token for d in find_doers(head.head, depth + 1)])  # "is likely to cut"
    if dep in ("advcl", "pcomp") and verb.tag_ in ("VBG", "VB", "VBN"):
        return _clause_doers(verb, depth)
    if dep in ("acl", "relcl") and verb.tag_ in ("VBG", "VB"):
        return _noun_clause_doers(verb, depth)
    return []


def _has_aux(verb: Token) -> bool:
    return any(c.dep_ in ("aux", "auxpass") for c in verb.children)


def _controller_doers(head: Token, depth: int, infinitive: Token) -> list[Doer]:
    """The controller of an infinitive: in "allow groups to access" the object does the
    access; in "called for the board to hold" the noun after "for" holds; in "Delta was
    forced to cut" the passive subject does the cutting; else the doer of the governing
    verb."""
    objs = [c for c in head.children if c.dep_ in ("dobj",)]
    if objs:
        return _control(with_conjuncts(objs[0]))
    subject = _for_subject(head, infinitive)
    if subject is not None:
        return _control(with_conjuncts(subject))
    if _passive(head):  # "Delta was forced to cut": Delta cuts
        return _patient_doers(head, depth)
    return _control([d.token for d in find_doers(head, depth + 1)])


def _for_subject(head: Token, infinitive: Token) -> Token | None:
    """The subject of a for-infinitive: "called for Deutsche Boerse to hold" (the noun right
    before the infinitive's "to", after a "for" on the governing verb)."""
    to = next((c for c in infinitive.children if c.dep_ == "aux" and c.lower_ == "to"), None)
    if to is None:
        return None
    for prep in head.children:
        if prep.dep_ == "prep" and prep.lower_ == "for":
            nouns = [c for c in prep.children if c.dep_ == "pobj"]
            if nouns and nouns[0].right_edge.i + 1 == to.i:
                return nouns[0]
    return None


PREVENTING_VERBS = words("clauses.json", "preventing_verbs")
AMOUNT_LABELS = frozenset(["PERCENT", "MONEY", "CARDINAL", "QUANTITY"])  # an amount, not a name
_SANCTIONING_VERBS = words("clauses.json", "sanctioning_verbs")


def _accused_object(gov: Token, prep: Token) -> Token | None:
    """The person or body a verb holds to account for a deed, or keeps from one: "accused
    Oliver Letwin of plotting", "blamed Microsoft for delaying", "thanked them for
    supporting": the direct object, named or a personal pronoun, does the gerund after
    "of"/"for"; after a verb of sanction ("suspended the association for refusing") or of
    prevention ("prevent joint ventures from bringing") any object does."""
    low, lemma = prep.lower_, gov.lemma_.lower()
    if low not in ("of", "for", "from") or (low == "from" and lemma not in PREVENTING_VERBS):
        return None
    objs = [c for c in gov.children if c.dep_ == "dobj" and c.i < prep.i]
    if not objs:
        return None
    obj = named_in_apposition(objs[0])
    if low == "from" or (lemma in _SANCTIONING_VERBS and obj.ent_type_ not in AMOUNT_LABELS):
        return obj
    if obj.pos_ == "PROPN" or obj.lower_ in ("him", "her", "them", "us", "me", "it"):
        return obj
    return None


def _clause_doers(verb: Token, depth: int) -> list[Doer]:
    """An adverbial or prepositional clause ("by cutting", "after buying") shares the
    doer of the verb it modifies; a passive participle clause ("asked by ...") has none."""
    head, dep = verb.head, verb.dep_
    gov = head.head if dep == "pcomp" and head.pos_ == "ADP" else head
    if gov.pos_ not in ("VERB", "AUX") or gov is verb:
        return []
    if dep == "advcl" and verb.tag_ == "VBN":
        return []  # "asked by ...": passive participle clause
    if dep == "pcomp" and verb.tag_ == "VBG" and head.pos_ == "ADP":
        accused = _accused_object(gov, head)
        if accused is not None:
            return _control(with_conjuncts(accused))
    if _passive(gov) and (
        dep == "pcomp" or (verb.tag_ == "VBG" and not any(c.dep_ == "agent" for c in gov.children))
    ):
        # a passive's gerund is done by who undergoes it: "the agency was quoted as saying"
        # (the agency says), "is credited with improving sales"; but a participle beside a
        # by-agent is the agent's ("has been developed by Intel, working closely with"), a
        # purpose infinitive the doer's ("the unit was sold to raise cash"), a bare verb no
        # one's ("Picture the scene - Wales are camped")
        patients = _patient_doers(gov, depth)
        if not any(c.dep_ == "agent" for c in gov.children) or any(_may_act(d.token) for d in patients):
            return patients  # "The merger was approved by the Commission after examining": the Commission
    return _control([d.token for d in find_doers(gov, depth + 1)])


def _may_act(tok: Token) -> bool:
    """A name, a pronoun, or a noun for people or an organisation: one who may do things."""
    low = tok.lemma_.lower()
    return tok.pos_ in ("PROPN", "PRON") or low in PERSON_ROLES or low in ORG_DESCRIPTIONS


def _noun_clause_doers(verb: Token, depth: int) -> list[Doer]:
    """A clause on a noun: "made the decision to stop" has the doer of the light verb; "a
    company providing" has the noun the participle modifies."""
    noun = verb.head
    if noun.lemma_.lower() in LIGHT_NOUNS and noun.dep_ in ("dobj", "nsubj", "pobj"):
        gov = noun.head if noun.dep_ != "pobj" else noun.head.head
        if gov.pos_ in ("VERB", "AUX"):
            return _control([d.token for d in find_doers(gov, depth + 1)])
        return []
    if verb.tag_ == "VBG":
        return _control(with_conjuncts(noun))
    return []


def source_text(doc: Doc) -> str:
    """The text as stored. The parser may have seen a case-restored headline of the same
    length (transforms.truecase); every text field is sliced from the stored text."""
    text = doc.user_data.get("newsetl_source_text")
    if text is None:
        # Doc.text is rebuilt from the tokens on every access: keep it
        text = doc.user_data["newsetl_source_text"] = doc.text
    return text


def chars(doc: Doc, start: int, end: int) -> str:
    return source_text(doc)[start:end]


def span_text(tokens: list[Token]) -> str:
    doc = tokens[0].doc
    start = min(t.i for t in tokens)
    end = max(t.i for t in tokens) + 1
    span = doc[start:end]
    return chars(doc, span.start_char, span.end_char).strip(" \n,;:")


def phrase(tok: Token) -> list[Token]:
    """A token's words: its subtree, less a speaker's own act the parser hung on it
    ("warned that the deficit was running above target and vowed sharp decisions")."""
    cut = [c for c in tok.children if speaker_conjunct(c)] + _stray_subject(tok)
    if not cut:
        return [t for t in tok.subtree if not t.is_space]
    left = min(c.left_edge.i for c in cut)
    # the conjunct with its "and" before it
    start = left - 1 if left > tok.left_edge.i and tok.doc[left - 1].dep_ == "cc" else left
    return [t for t in tok.subtree if not t.is_space and t.i < start]


def _stray_subject(obj: Token) -> list[Token]:
    """The subject of a that-less clause the parser joined to the object before it: "told
    the foreign ministers of Brunei ... and Thailand the U.S. would cut": "the U.S." is the
    clause's, not one of those told (a conjunct with no "and" or comma before it, right
    before a clause of the verb that has no subject)."""
    if obj.dep_ not in ("dobj", "dative"):
        return []
    last = next((c for c in reversed(list(obj.children)) if c.dep_ == "conj"), None)
    if last is None or last.right_edge.i != obj.right_edge.i or last.left_edge.i == 0:
        return []
    before = obj.doc[last.left_edge.i - 1]
    clause = next((c for c in obj.head.children if c.dep_ == "ccomp" and c.i > last.i), None)
    if (
        before.dep_ == "cc"
        or before.is_punct
        or clause is None
        or clause.left_edge.i != last.right_edge.i + 1
    ):
        return []
    return [] if any(c.dep_ in SUBJECT_DEPS for c in clause.children) else [last]


_SPEAKER_ACTS = (
    words("clauses.json", "reporting_verbs")
    | words("clauses.json", "plan_verbs")
    | words("clauses.json", "proposal_verbs")
)


def speaker_conjunct(verb: Token) -> bool:
    """A verb of saying or committing conjoined by the parser to the clause its subject
    reports rather than to the reporting verb: in "warned that the deficit was running above
    target and vowed sharp decisions" "vowed" is the warners' act, not the deficit's."""
    head = verb.head
    if verb.dep_ != "conj" or head.dep_ != "ccomp" or verb.lemma_.lower() not in _SPEAKER_ACTS:
        return False
    if any(c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS for c in verb.children):
        return False
    # the reported clause's subject is a thing, which vows and warns nothing ("We studied
    # the question and asked the banks": we asked)
    subjects = [c for c in head.children if c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS]
    if not subjects or any(
        s.pos_ != "NOUN" or s.ent_type_ or s.lemma_.lower() in PERSON_ROLES for s in subjects
    ):
        return False
    reporter = head.head
    return reporter.lemma_.lower() in _SPEAKER_ACTS and verb.tag_ == reporter.tag_


def entity_of(ctx: Context, tok: Token) -> str | None:
    c = ctx.token_cluster.get(tok.i)
    if c is None:
        # the phrase's head may be a common noun with the entity inside ("shares of IBM")
        return None
    return c.entity_id


def actor_text(ctx: Context, tok: Token) -> str:
    m = ctx.token_mention.get(tok.i)
    if m is not None:
        return chars(ctx.doc, m.start_char, m.end_char)
    if tok.pos_ == "PRON":
        return chars(ctx.doc, tok.idx, tok.idx + len(tok.text))
    left = [t for t in tok.lefts if t.dep_ in ("det", "compound", "amod", "poss", "nmod")]
    toks = [t for x in left for t in x.subtree] + [tok]
    return span_text(toks)

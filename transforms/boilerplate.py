"""Boilerplate paragraphs: the removal rules (data: patterns/boilerplate.json), photo
captions and credit lines, and trailing boilerplate; what each rule removed (`Removal`,
stored as `articles.cleaning_removed`). Used by transforms/clean.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from transforms.lexicons import load_json

# Paragraph removal rules are data (patterns/boilerplate.json): generic ones for every
# article, a publisher's only for its own articles (source name or URL host).
RULES_FILE = "boilerplate.json"  # in transforms/patterns/
REMOVED_TEXT_CHARS = 200  # how much of a removed passage `Removal.text` keeps

# A stand-alone stock-photo caption, for publishers that inline them: a determiner, one to
# three words, a participle and no finite verb ("A camera using facial recognition tech to
# scan a face."). Only ever applied to a publisher declared with stock_photo_captions.
_CAPTION = re.compile(r"^(?:An?|The)\s+((?:[\w'-]+\s+){1,3})(\w{2,}ing)\s+[^\"“”,;:()\d]*\.?$")
_NOT_PARTICIPLE = frozenset(
    "during bring string spring thing nothing something anything everything morning evening "
    "ceiling king ring sing wing sting swing meeting wedding pudding building".split()
)
_FINITE_CUES = re.compile(
    r"\b(?:is|are|was|were|be|been|am|has|have|had|will|would|shall|should|may|might|must|"
    r"can|could|did|does|do|said|says|say|"
    r"began|went|came|drew|took|gave|made|got|found|told|saw|knew|thought|brought|bought|"
    r"sold|held|left|kept|met|ran|rose|fell|grew|won|lost|paid|sent|spent|stood|felt|led|"
    r"became|struck|wrote|spoke|broke|chose|drove|flew|hid|rode|rang|sang|sank|shook|shot|"
    r"slid|stole|swore|tore|threw|woke|wore|forms|goes|\w+ed)\b",
    re.I,
)


@dataclass(frozen=True)
class Removal:
    """One thing cleaning removed: the rule, how many paragraphs and characters, and the
    start of the removed text."""

    rule: str
    paragraphs: int
    chars: int
    text: str

    def as_dict(self) -> dict[str, str | int]:
        return {"rule": self.rule, "paragraphs": self.paragraphs, "chars": self.chars, "text": self.text}


@dataclass(frozen=True)
class _Rule:
    rule: str
    pattern: re.Pattern[str]
    max_words: int | None

    def matches(self, para: str) -> bool:
        return bool(self.pattern.match(para)) and (
            self.max_words is None or len(para.split()) <= self.max_words
        )


@dataclass(frozen=True)
class RuleSet:
    """The removal rules that apply to one article."""

    trailing: tuple[_Rule, ...]
    paragraph: tuple[_Rule, ...]
    stock_photo_captions: bool = False
    publisher: str | None = None


def _rules(entries: list[dict[str, Any]]) -> tuple[_Rule, ...]:
    return tuple(
        _Rule(
            e["rule"],
            re.compile(e["pattern"], 0 if e.get("case_sensitive") else re.I),
            e.get("max_words"),
        )
        for e in entries
    )


@lru_cache(maxsize=1)
def _rule_data() -> tuple[RuleSet, tuple[tuple[frozenset[str], tuple[str, ...], RuleSet], ...]]:
    data = load_json(RULES_FILE)
    generic = RuleSet(_rules(data["generic"]["trailing"]), _rules(data["generic"]["paragraph"]))
    publishers = tuple(
        (
            frozenset(s.casefold() for s in p.get("sources", ())),
            tuple(h.casefold() for h in p.get("hosts", ())),
            RuleSet(
                _rules(p.get("trailing", [])),
                _rules(p.get("paragraph", [])),
                bool(p.get("stock_photo_captions")),
                p["publisher"],
            ),
        )
        for p in data["publishers"]
    )
    return generic, publishers


def _host(url: str | None) -> str:
    try:
        return (urlsplit(url).hostname or "").casefold() if url else ""
    except ValueError:
        return ""


def rules_for(source: str | None = None, url: str | None = None) -> RuleSet:
    """The generic rules plus those of the publisher the article's source name or URL host
    names (none when neither is known)."""
    generic, publishers = _rule_data()
    name = (source or "").strip().casefold()
    host = _host(url)
    for sources, hosts, rs in publishers:
        if (name and name in sources) or any(host == h or host.endswith("." + h) for h in hosts if host):
            return RuleSet(
                generic.trailing + rs.trailing,
                generic.paragraph + rs.paragraph,
                rs.stock_photo_captions,
                rs.publisher,
            )
    return generic


def is_verbless_caption(para: str) -> bool:
    """A stock-photo caption: one short verbless phrase, a determiner and a participle
    ("A camera using facial recognition tech to scan a face."). Not proof on its own (it is
    applied only to publishers that inline such captions, see patterns/boilerplate.json)."""
    m = _CAPTION.match(para)
    return (
        m is not None
        and "\n" not in para
        and len(para.split()) <= 15
        and para.count(".") <= 1
        and m.group(2).lower() not in _NOT_PARTICIPLE
        and not _FINITE_CUES.search(para)
    )


def is_caption(para: str, rules: RuleSet | None = None) -> bool:
    """A stand-alone photo credit or caption line under `rules` (the generic rules when
    None: labelled credits such as "Image source: Getty Images." only)."""
    rules = rules or rules_for()
    return any(r.matches(para) for r in rules.paragraph) or (
        rules.stock_photo_captions and is_verbless_caption(para)
    )


def _removal(rule: str, removed: list[str]) -> Removal:
    text = "\n\n".join(removed)
    return Removal(rule, len(removed), len(text), text[:REMOVED_TEXT_CHARS])


def drop_boilerplate(
    paras: list[str], rules: RuleSet | None = None
) -> tuple[list[str], list[str], list[Removal]]:
    """Drop captions and credit lines anywhere and trailing boilerplate (from its first
    paragraph on); returns the kept and dropped paragraphs and what each rule removed."""
    rules = rules or rules_for()
    kept: list[str] = []
    dropped: list[str] = []
    removals: list[Removal] = []
    cut, cut_rule = len(paras), ""
    for i, p in enumerate(paras):
        if i >= max(1, (2 * len(paras)) // 3):
            hit = next((r for r in rules.trailing if r.matches(p)), None)
            if hit:
                cut, cut_rule = i, hit.rule
                break
    for p in paras[:cut]:
        rule = None
        if len(paras) > 1:
            rule = next((r.rule for r in rules.paragraph if r.matches(p)), None)
            if rule is None and rules.stock_photo_captions and is_verbless_caption(p):
                rule = "stock-photo-caption"
        if rule:
            dropped.append(p)
            removals.append(_removal(rule, [p]))
        else:
            kept.append(p)
    if cut < len(paras):
        dropped.extend(paras[cut:])
        removals.append(_removal(cut_rule, paras[cut:]))
    return kept, dropped, removals

"""Text cleaning: pure functions from raw article text to the stored, cleaned text.

Every character offset stored in the warehouse refers to the strings returned here
(`CleanArticle.title` and `CleanArticle.body`), so cleaning happens exactly once,
before parsing, and the parser sees `title + TITLE_SEPARATOR + body`.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass, field

from transforms.boilerplate import REMOVED_TEXT_CHARS, Removal, drop_boilerplate, rules_for
from transforms.lexicons import words
from transforms.truecase import truecase, truecase_body

__all__ = [
    "TITLE_SEPARATOR",
    "CleanArticle",
    "Removal",
    "angle_brackets",
    "clean_article",
    "paragraphs",
    "strip_markup",
]

TITLE_SEPARATOR = "\n\n"

# Reuters-style angle-bracket tokens: <MLC> is a ticker, <Sedio N.V.> a company name. The
# inner text starts with a capital or a digit and has no space at either end (`a < b > c`
# is kept); glued to a word only in all-caps Reuters headlines (`INTERGROUP<NII> TO`), so
# `std::vector<int>` and `List<String>` are kept as written.
_ANGLE = re.compile(r"<([A-Z0-9][^<>\n]{0,78}[^<>\s]|[A-Z0-9])>")
# Reuters' sloppier forms: padded on one side (`<TECHNOLOGY MARKETING INC >`, `< SEHL.L>`), a
# lower-case exchange ticker (`<cb.to>`), a stray parenthesis (`<(MWW.TO>`). Taken only when
# the inside is an all-caps name or an exchange ticker, so `a < b > c` stays text.
_PADDED_ANGLE = re.compile(r"<(\s?\(?[A-Za-z0-9][^<>\n]{0,78}?\s?)>")
_LOWER_EXCHANGE_TICKER = re.compile(r"^[a-z][a-z0-9]{0,5}\.[a-z]{1,2}$")  # cb.to
_WORD_BEFORE = re.compile(r"([\w'’.&-]*\w)\Z")
_EXCHANGE_TICKER = re.compile(r"^[A-Z][A-Z0-9]{0,5}\.[A-Z]{1,2}\.?$")  # SNB.L, ASAT.T
_WORD_AFTER = re.compile(r"^(\w[\w.&-]*)")
_TICKER = re.compile(r"^[A-Z][A-Z0-9]{0,5}(?:\.[A-Z]{1,2})?$")  # MLC, BP.L, CAPH.HK, PGLO.AS
# Characters that are whitespace to a reader but not to `str.split` or spaCy.
_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MULTI_SPACE = re.compile(r" {2,}")
_HTML_TAG = re.compile(r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>", re.I | re.S)
_ANY_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*)?(/?)>")
_HTML_TAGS = words("markup.json", "html_tags")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")

# Tags a text may hold without its closing tag (patterns/markup.json)
_UNCLOSED_TAGS = words("markup.json", "unclosed_tags")


@dataclass(frozen=True)
class CleanArticle:
    """An article's cleaned title and body, plus what cleaning noticed."""

    title: str
    body: str
    tickers: tuple[str, ...] = ()
    dropped: tuple[str, ...] = field(default=())  # paragraphs removed as boilerplate/captions
    warnings: tuple[str, ...] = ()
    removed: tuple[Removal, ...] = ()  # what cleaning removed, by rule (articles.cleaning_removed)

    @property
    def removed_json(self) -> str:
        """`removed` as a JSON list of {rule, paragraphs, chars, text} (`[]` when nothing)."""
        return json.dumps([r.as_dict() for r in self.removed], ensure_ascii=False)

    @property
    def text(self) -> str:
        """The string the parser sees: title, separator, body."""
        return self.title + TITLE_SEPARATOR + self.body if self.title else self.body

    @property
    def parse_text(self) -> str:
        """What the parser reads: `text` with an all-caps headline's case restored
        (same length, so offsets are shared)."""
        body = truecase_body(self.body)
        if not self.title:
            return body
        return truecase(self.title, self.body) + TITLE_SEPARATOR + body

    @property
    def body_offset(self) -> int:
        """Where the body starts inside `text`."""
        return len(self.title) + len(TITLE_SEPARATOR) if self.title else 0


def normalise_unicode(text: str) -> str:
    """NFKC, real spaces for exotic ones, no zero-width or control characters, LF newlines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFKC", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text)
    return _CONTROL.sub("", text)


def _is_html_tag(m: re.Match[str], text: str) -> bool:
    """`<p>`, `</div>`, `<a href=...>`, `<b>..</b>` are markup; `<B and R Inc.>`, `<IBM>`
    and the `<b>` of `a<b>c` (no `</b>` follows) are not."""
    closing, name, attrs, selfclose = m.groups()
    low = name.lower()
    if low not in _HTML_TAGS:
        return False
    if closing or selfclose or (attrs and "=" in attrs):
        return True
    if not name.islower() or attrs:
        return False
    return low in _UNCLOSED_TAGS or re.search(rf"<\s*/\s*{low}\s*>", text[m.end() :], re.I) is not None


def _strip_markup(text: str) -> tuple[str, bool, list[str]]:
    """`strip_markup`, plus the removed script/style blocks and tags."""
    had = False
    removed: list[str] = []
    if "<" in text:

        def block(m: re.Match[str]) -> str:
            removed.append(m.group(0))
            return " "

        def tag(m: re.Match[str]) -> str:
            if _is_html_tag(m, unscripted):
                removed.append(m.group(0))
                return " "
            return m.group(0)

        unscripted = _HTML_TAG.sub(block, text)
        new = _ANY_TAG.sub(tag, unscripted)
        had = new != text
        text = new
    if "&" in text:
        new = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
        new = _CONTROL.sub("", new)
        had = had or new != text
        text = new
    return text, had, removed


def strip_markup(text: str) -> tuple[str, bool]:
    """Remove <script>/<style> blocks, HTML tags and entities; report whether any were found.
    Only real tags go: `std::vector<int>`, `a < b > c` and `a<b>c` are text."""
    text, had, _ = _strip_markup(text)
    return text, had


def angle_brackets(text: str) -> tuple[str, list[str]]:
    """`<Sedio N.V.>` -> `Sedio N.V.`; `<MLC>` -> `(MLC)`, remembered as a ticker. Brackets
    that are not the Reuters convention (`vector<int>`, `a < b > c`, `List<String>`) stay."""
    tickers: list[str] = []

    def caps(word: str) -> bool:
        return any(ch.isalpha() for ch in word) and not any(ch.islower() for ch in word)

    def repl(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        before = _WORD_BEFORE.search(text[max(0, m.start() - 80) : m.start()])
        after = _WORD_AFTER.match(text[m.end() : m.end() + 80])
        if (before or after) and not (
            _EXCHANGE_TICKER.match(inner)
            or (caps(inner) and (not before or caps(before.group(1))) and (not after or caps(after.group(1))))
        ):
            return m.group(0)  # glued to a word: code or maths, not a Reuters name
        if _TICKER.match(inner):
            tickers.append(inner)
            return f"({inner})"
        return inner

    def padded(m: re.Match[str]) -> str:
        raw = m.group(1)
        inner = raw.strip().lstrip("(")
        if raw.startswith(" ") and raw.endswith(" "):  # `a < b > c`
            return m.group(0)
        if _LOWER_EXCHANGE_TICKER.match(inner):
            inner = inner.upper()
        elif not (caps(inner) or _EXCHANGE_TICKER.match(inner)):
            return m.group(0)
        before = _WORD_BEFORE.search(text[max(0, m.start() - 80) : m.start()])
        after = _WORD_AFTER.match(text[m.end() : m.end() + 80])
        if (before and not caps(before.group(1))) or (after and not caps(after.group(1))):
            return m.group(0)  # glued to a lower-case word: `Map<K, V>` is code
        if _TICKER.match(inner) or _EXCHANGE_TICKER.match(inner):
            tickers.append(inner)
            return f"({inner})"
        return inner

    text = _ANGLE.sub(repl, text)
    return _PADDED_ANGLE.sub(padded, text), tickers


def _looks_wrapped(lines: list[str]) -> bool:
    """A block is hard-wrapped when most of its line breaks fall mid-sentence and no line
    is longer than a wrapping width (one sentence a line, or a table, is not wrapped)."""
    body = [ln.rstrip() for ln in lines[:-1] if ln.strip()]
    if not body or max(len(ln) for ln in lines) > 95:
        return False
    mid_sentence = sum(1 for ln in body if not ln.endswith((".", "!", "?", ":", '"', "'", ")")))
    lengths = sorted(len(ln) for ln in body)
    return mid_sentence / len(body) >= 0.5 and lengths[len(lengths) // 2] >= 35


def paragraphs(text: str) -> list[str]:
    """Split into paragraphs; unwrap hard-wrapped lines (Reuters wraps at ~70 columns).

    Blank lines separate paragraphs. Inside a hard-wrapped block an indented line starts
    a new paragraph (Reuters house style) and other line breaks become spaces. Blocks
    that are not wrapped keep their line breaks (datelines, tables, one sentence a line).
    """
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.split("\n")
        if _looks_wrapped(lines):
            current: list[str] = []
            for ln in lines:
                if ln.startswith((" ", "\t")) and current:
                    out.append(" ".join(current))
                    current = []
                if ln.strip():
                    current.append(ln.strip())
            if current:
                out.append(" ".join(current))
        else:
            para = "\n".join(ln.strip() for ln in lines if ln.strip())
            if para:
                out.append(para)
    return [_MULTI_SPACE.sub(" ", p).strip() for p in out if p.strip()]


def clean_article(
    title: str | None, body: str | None, source: str | None = None, url: str | None = None
) -> CleanArticle:
    """Clean one article. Pure: the same input always gives the same output. `source` and
    `url` choose the publisher's rules (patterns/boilerplate.json) besides the generic ones."""
    warnings: list[str] = []
    removals: list[Removal] = []
    raw_title = normalise_unicode(title or "")
    raw_title, title_markup, title_tags = _strip_markup(raw_title)
    raw_title, title_tickers = angle_brackets(raw_title)
    text = normalise_unicode(body or "")
    text, body_markup, body_tags = _strip_markup(text)
    if title_markup or body_markup:
        warnings.append("markup removed (HTML tags, scripts or entities in a text field)")
    for field_name, tags in (("title", title_tags), ("body", body_tags)):
        if tags:
            joined = " ".join(tags)
            removals.append(
                Removal(f"markup:{field_name}", 0, sum(map(len, tags)), joined[:REMOVED_TEXT_CHARS])
            )
    text, body_tickers = angle_brackets(text)
    paras, dropped, para_removals = drop_boilerplate(paragraphs(text), rules_for(source, url))
    removals.extend(para_removals)
    clean_t = _MULTI_SPACE.sub(" ", " ".join(raw_title.split())).strip()
    tickers = tuple(dict.fromkeys(title_tickers + body_tickers))
    return CleanArticle(
        title=clean_t,
        body="\n\n".join(paras),
        tickers=tickers,
        dropped=tuple(dropped),
        warnings=tuple(warnings),
        removed=tuple(removals),
    )

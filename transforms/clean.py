"""Text cleaning: pure functions from raw article text to the stored, cleaned text.

Every character offset stored in the warehouse refers to the strings returned here
(`CleanArticle.title` and `CleanArticle.body`), so cleaning happens exactly once,
before parsing, and the parser sees `title + TITLE_SEPARATOR + body`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from transforms.truecase import truecase, truecase_body

TITLE_SEPARATOR = "\n\n"

# Reuters-style angle-bracket tokens: <MLC> is a ticker, <Sedio N.V.> a company name.
_ANGLE = re.compile(r"<([^<>\n]{1,80})>")
_TICKER = re.compile(r"^[A-Z][A-Z0-9]{0,5}(?:\.[A-Z])?$")
# Characters that are whitespace to a reader but not to `str.split` or spaCy.
_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MULTI_SPACE = re.compile(r" {2,}")
_HTML_TAG = re.compile(r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>", re.I | re.S)
_ANY_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*)?(/?)>")
_HTML_TAGS = frozenset(
    [
        "a",
        "abbr",
        "article",
        "aside",
        "audio",
        "b",
        "blockquote",
        "body",
        "br",
        "button",
        "center",
        "cite",
        "code",
        "div",
        "em",
        "embed",
        "figcaption",
        "figure",
        "font",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hr",
        "html",
        "i",
        "iframe",
        "img",
        "input",
        "label",
        "li",
        "link",
        "main",
        "meta",
        "nav",
        "noscript",
        "object",
        "ol",
        "option",
        "p",
        "picture",
        "pre",
        "q",
        "s",
        "section",
        "select",
        "small",
        "source",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "svg",
        "table",
        "tbody",
        "td",
        "textarea",
        "th",
        "thead",
        "time",
        "title",
        "tr",
        "u",
        "ul",
        "video",
    ]
)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")

# Trailing boilerplate: a paragraph matching any of these, and everything after it, is
# dropped when it sits in the last third of the article.
BOILERPLATE_PATTERNS = [
    r"^this article represents the opinion of the writer",
    r"^the motley fool (?:has|owns|recommends)",
    r"^(?:disclosure|disclaimer)\s*:",
    r"^(?:copyright|\(c\)|©)\s",
    r"^all rights reserved",
    r"^(?:click here|sign up|subscribe) (?:to|for)",
    r"^(?:reporting|writing|editing) by ",
    r"^reuter\s*$",
    r"^reuters\s*$",
]
_BOILERPLATE = re.compile("|".join(BOILERPLATE_PATTERNS), re.I)
# Stand-alone photo captions: credit lines, or a short verbless noun phrase such as
# "A camera using facial recognition tech to scan a face."
_CREDIT = re.compile(
    r"^(?:image|photo|picture|video)(?:\s+(?:source|credit|caption))?\s*:|^(?:getty images|ap photo)",
    re.I,
)
_CAPTION = re.compile(r"^(?:An?|The)\s+(?:[\w'-]+\s+){1,3}\w+ing\s[^\"“”]*\.?$")
_FINITE_CUES = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|said|says|can|could|did|does)\b", re.I
)


@dataclass(frozen=True)
class CleanArticle:
    """An article's cleaned title and body, plus what cleaning noticed."""

    title: str
    body: str
    tickers: tuple[str, ...] = ()
    dropped: tuple[str, ...] = field(default=())  # paragraphs removed as boilerplate/captions
    warnings: tuple[str, ...] = ()

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


def _is_html_tag(m: re.Match[str]) -> bool:
    """`<p>`, `</div>`, `<a href=...>` are markup; `<B and R Inc.>` and `<IBM>` are not."""
    closing, name, attrs, selfclose = m.groups()
    if name.lower() not in _HTML_TAGS:
        return False
    return bool(closing or selfclose or (attrs and "=" in attrs) or (name.islower() and not attrs))


def strip_markup(text: str) -> tuple[str, bool]:
    """Remove <script>/<style> blocks, HTML tags and entities; report whether any were found."""
    had = False
    if "<" in text:
        new = _HTML_TAG.sub(" ", text)
        new = _ANY_TAG.sub(lambda m: " " if _is_html_tag(m) else m.group(0), new)
        had = new != text
        text = new
    if "&" in text:
        new = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
        new = _CONTROL.sub("", new)
        had = had or new != text
        text = new
    return text, had


def angle_brackets(text: str) -> tuple[str, list[str]]:
    """`<Sedio N.V.>` -> `Sedio N.V.`; `<MLC>` -> `(MLC)`, remembered as a ticker."""
    tickers: list[str] = []

    def repl(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        if _TICKER.match(inner):
            tickers.append(inner)
            return f"({inner})"
        return inner

    return _ANGLE.sub(repl, text), tickers


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


def is_caption(para: str) -> bool:
    """A stand-alone photo caption or credit line."""
    if _CREDIT.match(para):
        return True
    words = para.split()
    return (
        "\n" not in para
        and len(words) <= 20
        and bool(_CAPTION.match(para))
        and not _FINITE_CUES.search(para)
        and para.count(".") <= 1
    )


def drop_boilerplate(paras: list[str]) -> tuple[list[str], list[str]]:
    """Drop captions anywhere and trailing boilerplate (from its first paragraph on)."""
    kept: list[str] = []
    dropped: list[str] = []
    cut = len(paras)
    for i, p in enumerate(paras):
        if i >= max(1, (2 * len(paras)) // 3) and _BOILERPLATE.match(p):
            cut = i
            break
    for i, p in enumerate(paras):
        if i >= cut or (len(paras) > 1 and is_caption(p)):
            dropped.append(p)
        else:
            kept.append(p)
    return kept, dropped


def clean_article(title: str | None, body: str | None) -> CleanArticle:
    """Clean one article. Pure: the same input always gives the same output."""
    warnings: list[str] = []
    raw_title = normalise_unicode(title or "")
    raw_title, title_markup = strip_markup(raw_title)
    raw_title, title_tickers = angle_brackets(raw_title)
    text = normalise_unicode(body or "")
    text, body_markup = strip_markup(text)
    if title_markup or body_markup:
        warnings.append("markup removed (HTML tags, scripts or entities in a text field)")
    text, body_tickers = angle_brackets(text)
    paras, dropped = drop_boilerplate(paragraphs(text))
    clean_t = _MULTI_SPACE.sub(" ", " ".join(raw_title.split())).strip()
    tickers = tuple(dict.fromkeys(title_tickers + body_tickers))
    return CleanArticle(
        title=clean_t,
        body="\n\n".join(paras),
        tickers=tickers,
        dropped=tuple(dropped),
        warnings=tuple(warnings),
    )

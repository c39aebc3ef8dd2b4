"""Web formats to article fields: HTML pages (trafilatura) and RSS/Atom feeds (feedparser).

Pure: bytes or text in, records out; fetching lives in flows/sources/fetching.py. Scripts, styles,
navigation, ads and comments never reach the body (trafilatura's main-text extraction,
comments off); title, date, author, canonical URL and site name are kept.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

MIN_PAGE_WORDS = 5  # fewer words of main text: not an article page
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
)


@dataclass(frozen=True)
class Page:
    """The article a web page carries."""

    title: str | None
    text: str
    published: str | None  # as the page states it (ISO date from trafilatura/htmldate)
    author: str | None
    url: str | None  # canonical URL when the page declares one
    sitename: str | None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One feed entry: where the article is, and what the feed says about it.

    `id` is unique within the feed for entries that differ (see `entry_ids`); `guid` is the
    feed's own id (RSS guid / Atom id) when it has one. `content` is the entry's full text
    (content:encoded, Atom content) and `summary` its description, both as plain text."""

    id: str
    link: str | None
    title: str | None
    published: str | None
    author: str | None
    categories: tuple[str, ...]
    summary: str | None
    content: str | None = None
    guid: str | None = None


@dataclass(frozen=True)
class Feed:
    title: str | None
    link: str | None
    version: str  # feedparser's name of the format: rss20, rss10, rss091u, atom10, ...
    entries: list[Entry] = field(default_factory=list)


def looks_like_html(content_type: str | None, body: bytes) -> bool:
    ct = (content_type or "").split(";")[0].strip().lower()
    if ct in HTML_TYPES:
        return True
    if ct:
        return False
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


def parse_page(html: str | bytes, url: str | None = None) -> Page | None:
    """The main text and metadata of an article page; None when it has no main text."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        # dates from the page's markup only (meta tags, structured data, <time>): a guess from
        # free text ("Copyright 2026") is worse than the feed's date or none
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    assert not isinstance(doc, dict)  # a dict only when asked for with as_dict=True
    text = (doc.text or "") if doc is not None else ""
    if doc is None or len(text.split()) < MIN_PAGE_WORDS:
        return None  # no main text (a navigation-only or empty page)
    title = (doc.title or "").strip() or None
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if title and lines and lines[0] == title:
        lines = lines[1:]  # trafilatura repeats the headline as the first line
    cats = tuple(c.strip() for c in (doc.categories or []) if c and c.strip())
    return Page(
        title=title,
        text="\n\n".join(lines),  # one paragraph per extracted block
        published=doc.date or None,
        author=(doc.author or "").strip() or None,
        url=doc.url or None,
        sitename=(doc.sitename or "").strip() or None,
        categories=cats,
    )


def _text(value: object) -> str | None:
    s = re.sub(r"\s+", " ", str(value)).strip() if value else ""
    return s or None


_BLOCKS = frozenset(
    "p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre tr table section article "
    "header footer figure figcaption hr".split()
)
_SKIP = frozenset(("script", "style", "noscript", "template"))


class _TextOf(HTMLParser):
    """Plain text of an HTML fragment: one paragraph per block element, entities decoded,
    scripts and styles dropped (text between tags is kept as written, `<int>` included
    when the feed escaped it as `&lt;int&gt;`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.skipping = 0

    def _break(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        if text:
            self.paragraphs.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCKS:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)


def html_text(value: str | None, content_type: str = "text/html") -> str | None:
    """The plain text of a feed's HTML (or plain) text construct; paragraphs joined by a
    blank line; None when nothing is left."""
    if not value:
        return None
    if "html" not in (content_type or "text/html"):
        paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", value)]
    else:
        parser = _TextOf()
        parser.feed(value)
        parser.close()
        parser._break()
        paragraphs = parser.paragraphs
    text = "\n\n".join(p for p in paragraphs if p)
    return text or None


def _content(e: Mapping[str, Any]) -> str | None:
    """The longest of an entry's content elements (content:encoded, Atom content), as text."""
    found = [html_text(c.get("value"), c.get("type") or "text/html") for c in e.get("content") or []]
    texts = [t for t in found if t]
    return max(texts, key=len) if texts else None


def fingerprint(*parts: object) -> str:
    """A short stable hash of an entry's parts (ids for entries the feed doesn't key)."""
    h = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:16]


def entry_ids(keys: list[tuple[str | None, str]]) -> list[str]:
    """One id per entry from (feed key, content fingerprint) pairs, where the feed key is the
    entry's guid, else its link, else None:

    - the key itself the first time it appears, and for exact repeats of that entry;
    - `key#fingerprint` for a later entry that repeats the key with different content (both
      stay distinguishable, and the first keeps its key);
    - `urn:newsetl:entry:fingerprint` for an entry with neither guid nor link (stable: the
      same entry gets the same id in every run)."""
    first_print: dict[str, str] = {}
    ids = []
    for key, fp in keys:
        if key is None:
            ids.append(f"urn:newsetl:entry:{fp}")
        elif first_print.setdefault(key, fp) == fp:
            ids.append(key)
        else:
            ids.append(f"{key}#{fp}")
    return ids


def parse_feed(content: bytes, headers: dict[str, str] | None = None) -> Feed:
    """An RSS 0.9x/1.0/2.0 or Atom feed; raises ValueError when it is not a feed. `headers`:
    the HTTP response's headers (Content-Type for the encoding, Content-Location for the
    base URL relative links resolve against), as feedparser expects them."""
    import feedparser

    parsed = feedparser.parse(content, response_headers={k.lower(): v for k, v in (headers or {}).items()})
    if not parsed.get("version") and not parsed.entries:
        err = parsed.get("bozo_exception")
        raise ValueError(f"not an RSS or Atom feed{f': {err}' if err else ''}")
    drafts: list[dict[str, Any]] = []
    for e in parsed.entries:
        link = str(e.get("link") or "").strip() or None
        guid = str(e.get("id") or "").strip() or None
        detail = e.get("summary_detail") or {}
        drafts.append(
            {
                "link": link,
                "guid": guid,
                "title": _text(e.get("title")),
                "published": e.get("published") or e.get("updated") or e.get("dc_date") or None,
                # the name of "desk@example.com (News Desk)", else the field as written
                "author": _text((e.get("author_detail") or {}).get("name")) or _text(e.get("author")),
                "categories": tuple(t.get("term") for t in e.get("tags", []) if t.get("term")),
                "summary": html_text(e.get("summary"), detail.get("type") or "text/html"),
                "content": _content(e),
            }
        )
    keys: list[tuple[str | None, str]] = [
        (d["guid"] or d["link"], fingerprint(d["link"], d["title"], d["content"] or d["summary"]))
        for d in drafts
    ]
    entries = [Entry(id=eid, **d) for eid, d in zip(entry_ids(keys), drafts, strict=True)]
    return Feed(
        title=_text(parsed.feed.get("title")),
        link=parsed.feed.get("link") or None,
        version=parsed.get("version") or "unknown",
        entries=entries,
    )


_TIME = re.compile(r"\d{1,2}:\d{2}")


def has_time(value: object) -> bool:
    """Whether a stated date carries a time of day (more precise than a bare date)."""
    return bool(value) and bool(_TIME.search(str(value)))


def merged_date(page: str | None, feed: str | None) -> str | None:
    """The page's date when it is at least as precise as the feed's; a page's bare date
    never replaces the feed's full timestamp."""
    if not page or (feed and has_time(feed) and not has_time(page)):
        return feed or page
    return page

"""Web formats to article fields: HTML pages (trafilatura) and RSS/Atom feeds (feedparser).

Pure: bytes or text in, records out; fetching lives in flows/fetching.py. Scripts, styles,
navigation, ads and comments never reach the body (trafilatura's main-text extraction,
comments off); title, date, author, canonical URL and site name are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
    """One feed entry: where the article is, and what the feed says about it."""

    id: str
    link: str | None
    title: str | None
    published: str | None
    author: str | None
    categories: tuple[str, ...]
    summary: str | None


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
    if doc is None or len((doc.text or "").split()) < MIN_PAGE_WORDS:
        return None  # no main text (a navigation-only or empty page)
    title = (doc.title or "").strip() or None
    lines = [ln.strip() for ln in doc.text.splitlines() if ln.strip()]
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


def parse_feed(content: bytes) -> Feed:
    """An RSS 0.9x/1.0/2.0 or Atom feed; raises ValueError when it is not a feed."""
    import feedparser

    parsed = feedparser.parse(content)
    if not parsed.get("version") and not parsed.entries:
        err = parsed.get("bozo_exception")
        raise ValueError(f"not an RSS or Atom feed{f': {err}' if err else ''}")
    entries = []
    for e in parsed.entries:
        link = e.get("link") or None
        eid = e.get("id") or link
        if not eid:
            continue  # an entry with neither id nor link can't be followed or keyed
        entries.append(
            Entry(
                id=str(eid),
                link=link,
                title=_text(e.get("title")),
                published=e.get("published") or e.get("updated") or e.get("dc_date") or None,
                author=_text(e.get("author")),
                categories=tuple(t.get("term") for t in e.get("tags", []) if t.get("term")),
                summary=_text(re.sub(r"<[^>]+>", " ", e.get("summary") or "")),
            )
        )
    return Feed(
        title=_text(parsed.feed.get("title")),
        link=parsed.feed.get("link") or None,
        version=parsed.get("version") or "unknown",
        entries=entries,
    )

"""The feed source (kind `feed`): an RSS/Atom feed by URL or file.

One conditional GET for the feed (an unchanged feed is answered 304 and costs nothing
more); entries already in the warehouse are not fetched again (`AlreadyLoaded`); each new
entry's link is fetched and its page parsed (the page's title, date, author and categories
win, the feed's fill what the page lacks). An entry without a usable page is loaded from
its own text (content:encoded / Atom content, else its summary when it has no link at
all), else quarantined: every entry feedparser returns is an item. Pages are fetched
concurrently across hosts (flows/sources/pump.py) and handed to the run as they arrive.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

from flows.sources.fetching import FetchError, Response
from flows.sources.locations import is_url
from flows.sources.pump import Pump
from flows.sources.records import ChunkRef, Item, RawRecord, Rejected
from flows.sources.webstate import FEED_ACCEPT, PAGE_ACCEPT, AlreadyLoaded, UrlSource, WebState, page_of
from transforms.web import MIN_PAGE_WORDS, Entry, merged_date, parse_feed


def _absolute(link: str | None, base: str | None) -> str | None:
    if not link:
        return None
    return urljoin(base, link) if base else link


class FeedSource(UrlSource):
    kind = "feed"

    def __init__(self, location: str, *, state: WebState, name: str | None = None):
        super().__init__(location, state=state, name=name)
        self._pump: Pump | None = None

    def read(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        if ref.offset:  # a continuation: the pages that arrived since the last read
            return self._more([], ref)
        self.stop()  # a retried first read starts over
        where = self.location
        if is_url(where):
            resp = self._fetch(where, FEED_ACCEPT)
            if resp is None:
                return [], None  # unchanged since the last run: one request, nothing to do
            if isinstance(resp, Rejected):
                return [resp], None
            return self.start(resp, ref)
        try:
            content = Path(where).read_bytes()
        except OSError as exc:
            return [Rejected(where, None, "read", f"feed file could not be read: {exc}")], None
        return self._more(self.items(content, None), ref)

    def stop(self) -> None:
        if self._pump is not None:
            self._pump.stop()
            self._pump = None

    def start(self, resp: Response, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        """The first read of a fetched feed: its immediate items, and a continuation while
        its pages are being fetched."""
        headers = dict(resp.headers)
        headers["content-location"] = urljoin(resp.url, headers.get("content-location", ""))
        return self._more(self.items(resp.content, resp.url, headers), ref)

    def _more(self, first: list[Item], ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        pump = self._pump
        if pump is None:
            return first, None
        items = first + pump.take(wait_first=not first)
        if pump.finished:
            self._pump = None
            return items, None
        return items, ChunkRef(ref.path, ref.root, ref.kind, ref.offset + max(1, len(items)))

    def namespace(self) -> str:
        """The `source` of the feed's articles, which keys their ids: the configured name,
        else the feed's own URL (or absolute path): never shared by two feeds."""
        if self.name:
            return self.name
        return self.location if is_url(self.location) else str(Path(self.location).resolve())

    def items(
        self, content: bytes, base: str | None, headers: dict[str, str] | None = None
    ) -> list[Item | AlreadyLoaded]:
        """Items for the feed's entries that need no page: loaded from their own text,
        quarantined, or already loaded (one `AlreadyLoaded` per occurrence, in feed order);
        the new entries' pages are fetched on a background pump (`_more`)."""
        where = self.location
        try:
            feed = parse_feed(content, headers)
        except ValueError as exc:
            return [Rejected(where, None, "parse", str(exc), content[:20000].decode("utf-8", "replace"))]
        source = self.namespace()
        fetchable: dict[str, tuple[str, list[Entry]]] = {}  # id -> (page URL, occurrences)
        links = [_absolute(e.link, base) for e in feed.entries]
        for e, link in zip(feed.entries, links, strict=True):
            if link and is_url(link):
                fetchable.setdefault(e.id, (link, []))[1].append(e)
        known = self.state.known(source, list(fetchable)) if fetchable else set()
        out: list[Item | AlreadyLoaded] = []
        for e, link in zip(feed.entries, links, strict=True):
            if not (link and is_url(link)):
                out.append(self._without_page(e, source, feed.title, link))
            elif e.id in known:
                stored = known.get(e.id) if isinstance(known, dict) else e.published
                out.append(AlreadyLoaded(where, e.id, source, stored))
        jobs = [job for eid, job in fetchable.items() if eid not in known]
        if jobs:
            self._pump = Pump(
                self.state.fetcher,
                jobs,
                make=lambda e, link: self._entry(e, source, feed.title, link),
                broken=lambda e, link, why: Rejected(where, e.id, "fetch", f"{link}: {why}"),
            )
        return out

    def _meta(self, e: Entry, feed_title: str | None, link: str | None) -> dict:
        return {
            "feed": self.location,
            **({"feed_title": feed_title} if feed_title else {}),
            **({"feed_guid": e.guid} if e.guid and e.guid != e.id else {}),
            **({"feed_entry_link": link} if link else {}),
        }

    def _without_page(self, e: Entry, source: str, feed_title: str | None, link: str | None) -> Item:
        """An entry with no page to fetch: its own text is the article."""
        if not e.link:
            why = "feed entry has no link"
        elif not urlsplit(link or "").scheme:
            why = f"feed entry link {e.link!r} is relative and the feed has no URL to resolve it against"
        else:
            why = f"feed entry link {link!r} is not an http(s) URL"
        url = link if link and urlsplit(link).scheme else None
        return self._from_feed(
            e, source, self._meta(e, feed_title, link), url, why, "fetch", page_failed=False
        )

    def _from_feed(
        self, e: Entry, source: str, meta: dict, url: str | None, why: str, stage: str, *, page_failed: bool
    ) -> Item:
        """The entry loaded from its own text: its full content, or (when no page failed:
        none was there to fetch, or it had no main text) its summary; else why not."""
        where = self.location
        text, kind = e.content, "content"
        if not text and not page_failed:
            text, kind = e.summary, "summary"
        if text and len(text.split()) >= MIN_PAGE_WORDS:
            meta = {**meta, "body_from": f"feed {kind}"}
            warnings = (f"{why}; the body is the feed entry's {kind}",) if page_failed else ()
            return RawRecord(where, e.id, e.title, text, e.published, source, url, meta, warnings)
        if text:
            own = f"its own text ({len(text.split())} words) is too short to be the article"
        else:
            own = "it has no text of its own" if not e.summary else "its summary is no full text"
        return Rejected(where, e.id, stage, f"{why}; {own}")

    def _entry(self, e: Entry, source: str, feed_title: str | None, link: str) -> Item:
        """An entry with a page: fetched and parsed; the page's values win."""
        where = self.location
        meta = self._meta(e, feed_title, link)
        try:
            resp = self.state.fetcher.get(link, accept=PAGE_ACCEPT)
        except FetchError as exc:
            return self._from_feed(e, source, meta, link, str(exc), "fetch", page_failed=True)
        page = page_of(resp, where, e.id)
        if isinstance(page, Rejected):
            return self._from_feed(e, source, meta, resp.url, page.reason, page.stage, page_failed=True)
        if page is None:
            why = f"{link}: no article text found on the page"
            return self._from_feed(e, source, meta, resp.url, why, "parse", page_failed=False)
        author = page.author or e.author
        categories = page.categories or e.categories
        if author:
            meta["author"] = author
        if categories:
            meta["categories"] = list(categories)
        if page.sitename:
            meta["sitename"] = page.sitename
        return RawRecord(
            where,
            e.id,
            page.title or e.title,  # the page wins; the feed fills what the page lacks
            page.text,
            merged_date(page.published, e.published),
            source,
            page.url or resp.url,
            meta,
        )

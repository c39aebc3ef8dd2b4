"""Web sources: RSS/Atom feeds and article pages, fetched over HTTP (flows/sources/fetching.py) and
parsed by transforms/web.py.

- `FeedSource` (kind `feed`): a feed by URL or file. One conditional GET for the feed (an
  unchanged feed is answered 304 and costs nothing more); entries already in the
  warehouse are not fetched again; each new entry's link is fetched and its page parsed
  (the page's title, date, author and categories win, the feed's fill what the page
  lacks). An entry without a usable page is loaded from its own text (content:encoded /
  Atom content, else its summary when it has no link at all), else quarantined; an entry
  already loaded is an `AlreadyLoaded` item (counted seen and skipped, its page not
  fetched): every entry feedparser returns is an item. Pages are fetched concurrently
  across hosts and handed to the run as they arrive (each `read` returns what has come in,
  and a continuation `ChunkRef` while pages are still under way).
- `PageSource` (kind `page`): one article URL (conditional GET as well). A folder of saved
  `.html` files is a plain folder source (flows/sources/files.py).

Every failure (HTTP status, timeout, oversized or non-HTML response, unparseable feed or
page) is a `Rejected` item, so a quarantine row with the URL, the status or error and the
stage; the run goes on.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from flows.sources.fetching import Fetcher, FetchError, Response
from flows.sources.locations import is_url
from flows.sources.records import ChunkRef, Item, RawRecord, Rejected
from transforms.web import (
    FEED_TYPES,
    MIN_PAGE_WORDS,
    Entry,
    Page,
    looks_like_html,
    merged_date,
    parse_feed,
    parse_page,
)

FEED_ACCEPT = ", ".join((*FEED_TYPES, "*/*;q=0.5"))
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True)
class AlreadyLoaded:
    """A feed entry whose article is already in the warehouse (same source and entry id):
    its page is not fetched again, and the run counts it as seen and skipped as unchanged.
    `published_at`: the stored article's (for the run's --since/--until window)."""

    source_path: str
    external_id: str
    source: str
    published_at: object = None


@dataclass
class WebState:
    """What web sources need from the warehouse, and what they learn for it.

    `validators`: url -> (etag, last_modified) of the last successful fetch (conditional GET);
    `known(source, external_ids)`: the ids already loaded (their pages are not fetched), a
    set, or a mapping id -> stored published_at (Warehouse.loaded_entries);
    `fetched`: url -> {etag, last_modified, status}, written to `fetch_state` at the end of
    a successful run (so a failed run never makes the next one skip an entry)."""

    fetcher: Fetcher
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    known: Callable[[str, list[str]], set[str] | dict[str, object]] = lambda source, ids: set()
    fetched: dict[str, dict] = field(default_factory=dict)

    def remember(self, url: str, resp) -> None:
        prev = self.validators.get(url, (None, None))
        if resp.not_modified:
            etag, lm = prev
        else:
            etag, lm = resp.headers.get("etag"), resp.headers.get("last-modified")
        self.fetched[url] = {"etag": etag, "last_modified": lm, "status": resp.status}


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower().removeprefix("www.") or "web"


class _UrlSource:
    """One location, one read task; subclasses say what the response is."""

    kind = "web"
    # items come as pages arrive over the network: the run closes a batch after
    # `batch_seconds` too (a file source's batches close by count only, so the same files
    # always make the same batches)
    streams = True

    def __init__(self, location: str, *, state: WebState, name: str | None = None):
        self.location = str(location)
        self.state = state
        self.name = name

    def estimate(self) -> int:
        return 1

    def chunks(self) -> list[ChunkRef]:
        return [ChunkRef(self.location, self.location, self.kind)]

    def _fetch(self, url: str, accept: str) -> Response | Rejected | None:
        """Conditional GET of `url`: the response, a Rejected, or None when unchanged (304)."""
        etag, lm = self.state.validators.get(url, (None, None))
        try:
            resp = self.state.fetcher.get(url, etag=etag, last_modified=lm, accept=accept)
        except FetchError as exc:
            return Rejected(self.location, None, "fetch", str(exc))
        self.state.remember(url, resp)
        return None if resp.not_modified else resp


def _page(resp: Response, where: str, key: str | None) -> Page | Rejected | None:
    """The article of an HTML response; Rejected when it is not HTML or can't be parsed;
    None when it has no main text."""
    if not looks_like_html(resp.content_type, resp.content):
        return Rejected(
            where, key, "fetch", f"{resp.url}: not an HTML page (content-type {resp.content_type or 'none'})"
        )
    try:
        return parse_page(resp.content, resp.url)
    except Exception as exc:  # noqa: BLE001  (lxml/trafilatura on malformed input)
        return Rejected(where, key, "parse", f"{resp.url}: HTML could not be parsed: {exc}")


READ_MAX_ITEMS = 200  # items one read hands to the run at most
READ_GATHER_SECONDS = 0.5  # after the first item, how long a read collects more


class _Pump:
    """Entry items made on a background thread (pages fetched by `Fetcher.iter_many`),
    handed over as they arrive. Every job yields its items exactly once: when making one
    fails unexpectedly, or the pump itself breaks, the job's entries are quarantined."""

    _DONE = object()

    def __init__(self, fetcher: Fetcher, jobs: list[tuple[str, list[Entry]]], make, broken):
        self.jobs = jobs
        self.make = make  # (entry, link) -> Item
        self.broken = broken  # (entry, link, reason) -> Rejected
        self.q: queue.Queue = queue.Queue()
        self.finished = False
        self.stopped = False
        self.thread = threading.Thread(target=self._run, args=(fetcher,), daemon=True, name="newsetl-feed")
        self.thread.start()

    def stop(self) -> None:
        """Fetch nothing more (a read started over); what is under way finishes."""
        self.stopped = True

    def _job(self, i: int) -> Item:
        link, entries = self.jobs[i]
        if self.stopped:
            return self.broken(entries[0], link, "not fetched: the feed's read was started over")
        try:
            return self.make(entries[0], link)
        except Exception as exc:  # noqa: BLE001  (one entry's bug must not lose the others)
            return self.broken(entries[0], link, f"unexpected error: {type(exc).__name__}: {exc}")

    def _run(self, fetcher: Fetcher) -> None:
        done: set[int] = set()
        try:
            for i, item in fetcher.iter_many([link for link, _ in self.jobs], self._job):
                done.add(i)
                for _ in self.jobs[i][1]:  # an exact repeat of an entry gets the same item
                    self.q.put(item)
        except BaseException as exc:  # noqa: BLE001  (accounted for below, then re-raised)
            for i, (link, entries) in enumerate(self.jobs):
                if i not in done:
                    for e in entries:
                        self.q.put(
                            self.broken(e, link, f"page fetching stopped: {type(exc).__name__}: {exc}")
                        )
            if not isinstance(exc, Exception):
                raise
        finally:
            self.q.put(self._DONE)

    def take(self, wait_first: bool) -> list[Item]:
        """What has arrived: blocks for the first item when `wait_first`, then collects for
        up to READ_GATHER_SECONDS (at most READ_MAX_ITEMS)."""
        items: list[Item] = []
        until = None if wait_first else time.monotonic() + READ_GATHER_SECONDS
        while not self.finished and len(items) < READ_MAX_ITEMS:
            if until is None:
                timeout = 1.0  # waiting for the first item (a page is bounded by the deadline)
            else:
                timeout = until - time.monotonic()
                if timeout <= 0:
                    break
            try:
                x = self.q.get(timeout=timeout)
            except queue.Empty:
                continue
            if x is self._DONE:
                self.finished = True
                break
            items.append(x)
            if until is None:
                until = time.monotonic() + READ_GATHER_SECONDS
        return items


def _absolute(link: str | None, base: str | None) -> str | None:
    if not link:
        return None
    return urljoin(base, link) if base else link


class FeedSource(_UrlSource):
    kind = "feed"

    def __init__(self, location: str, *, state: WebState, name: str | None = None):
        super().__init__(location, state=state, name=name)
        self._pump: _Pump | None = None

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
            self._pump = _Pump(
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
        page = _page(resp, where, e.id)
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


class PageSource(_UrlSource):
    kind = "page"

    def read(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        resp = self._fetch(self.location, PAGE_ACCEPT)
        if resp is None:
            return [], None
        return [resp if isinstance(resp, Rejected) else self.item(resp)], None

    def item(self, resp: Response) -> Item:
        url = self.location  # the configured URL keys the article (canonical URLs may change)
        page = _page(resp, url, url)
        if isinstance(page, Rejected):
            return page
        if page is None:
            return Rejected(url, url, "parse", f"{url}: no article text found on the page")
        meta = {k: v for k, v in (("author", page.author), ("sitename", page.sitename)) if v}
        source = self.name or page.sitename or _host(resp.url)
        return RawRecord(url, url, page.title, page.text, page.published, source, page.url or resp.url, meta)


class WebSource(_UrlSource):
    """A URL given without a kind: a feed or a page, told apart by the response."""

    def __init__(self, location: str, *, state: WebState, name: str | None = None):
        super().__init__(location, state=state, name=name)
        self._feed: FeedSource | None = None

    def read(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        if ref.offset and self._feed is not None:
            return self._feed.read(ref)  # a feed's pages still arriving
        if self._feed is not None:
            self._feed.stop()  # a retried first read starts over
        resp = self._fetch(self.location, f"{FEED_ACCEPT}, text/html")
        if resp is None:
            return [], None
        if isinstance(resp, Rejected):
            return [resp], None
        if looks_like_html(resp.content_type, resp.content):
            return [PageSource(self.location, state=self.state, name=self.name).item(resp)], None
        self._feed = FeedSource(self.location, state=self.state, name=self.name)
        return self._feed.start(resp, ref)


def web_source(
    location: str, *, kind: str | None, state: WebState | None = None, name: str | None = None, **options
):
    """The web source for a location: `kind` 'feed' or 'page', or None for a URL told by
    its response."""
    if options:
        raise ValueError(f"unknown options for a {kind or 'web'} source: {', '.join(sorted(options))}")
    state = state or WebState(Fetcher())
    if kind == "feed":
        return FeedSource(location, state=state, name=name)
    if kind == "page":
        return PageSource(location, state=state, name=name)
    return WebSource(location, state=state, name=name)

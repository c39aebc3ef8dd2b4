"""HTTP for feeds and pages, done properly (httpx).

- connect and read timeouts, and a total deadline per URL (all attempts, waits and reads
  together: a server that drips a byte a second costs at most the deadline); a size cap
  per response (Content-Length checked first, then the streamed bytes counted, so a lying
  or missing header cannot blow memory);
- a per-host concurrency limit and a minimum delay between requests to the same host;
  many URLs fetched at once across hosts (`iter_many`), results as they finish;
- retries with exponential backoff on 5xx, 429 and timeouts / connection errors, never on
  what cannot succeed (other 4xx, a scheme other than http(s), a relative URL, an unknown
  host, a certificate error); `Retry-After` honoured up to a cap (longer: given up with the
  reason); redirects followed up to a cap;
- conditional GET: pass the validators of the last response (ETag, Last-Modified) and a
  304 comes back as `Response.not_modified`;
- a descriptive User-Agent.

Every failure raises `FetchError` with a readable reason and the status when there was
one; sources turn it into a quarantine row.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from flows.settings import USER_AGENT, Settings
from flows.sources.deadline import Clock, bounded_by, with_deadlines

_FIELDS = Settings.model_fields


def _default(name: str):
    """The default of the matching NEWSETL_HTTP_* setting (one place for each default)."""
    return _FIELDS[f"http_{name}"].default


@dataclass(frozen=True)
class HttpOptions:
    connect_timeout: float = _default("connect_timeout")
    read_timeout: float = _default("read_timeout")
    max_bytes: int = _default("max_bytes")
    per_host: int = _default("per_host")
    host_delay: float = _default("host_delay")
    retries: int = _default("retries")
    backoff: float = _default("backoff")
    deadline: float = _default("deadline")
    retry_after_cap: float = _default("retry_after_cap")
    user_agent: str = USER_AGENT
    max_redirects: int = 5
    workers: int = 16  # pages fetched at once, over all hosts (at most per_host each)

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpOptions:
        return cls(**{f: getattr(settings, f"http_{f}") for f in _FIELDS_OF_SETTINGS})


_FIELDS_OF_SETTINGS = [f for f in HttpOptions.__dataclass_fields__ if f"http_{f}" in _FIELDS]


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _permanent(exc: httpx.TransportError) -> str | None:
    """Why a connection error cannot succeed on a retry (an unknown host, a certificate
    error), else None (refused, reset, a DNS server that did not answer: worth a retry)."""
    for e in _causes(exc):
        if isinstance(e, socket.gaierror) and e.errno in (
            socket.EAI_NONAME,
            getattr(socket, "EAI_NODATA", -5),
        ):
            return f"unknown host ({e.strerror or e})"
        if isinstance(e, ssl.SSLCertVerificationError):
            return f"TLS certificate not accepted ({e.verify_message or e})"
    return None


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), else None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class FetchError(Exception):
    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


@dataclass
class Response:
    url: str  # final URL, after redirects
    status: int
    headers: dict[str, str]
    content: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class _Host:
    slots: threading.Semaphore
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: float = 0.0


class Fetcher:
    """A pooled HTTP client with per-host politeness; safe to use from several threads."""

    def __init__(self, options: HttpOptions | None = None, transport: httpx.BaseTransport | None = None):
        self.options = o = options or HttpOptions()
        # a transport only when a test gives one: httpx ignores the environment's proxies
        # (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) whenever a transport is passed
        self.client = httpx.Client(
            timeout=httpx.Timeout(o.read_timeout, connect=o.connect_timeout),
            follow_redirects=True,
            max_redirects=o.max_redirects,
            headers={"User-Agent": o.user_agent, "Accept-Encoding": "gzip, deflate"},
            **({} if transport is None else {"transport": transport}),
        )
        with_deadlines(self.client._transport)
        for mounted in self.client._mounts.values():  # proxies from the environment
            if mounted is not None:
                with_deadlines(mounted)
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _host(self, url: str) -> _Host:
        key = urlsplit(url).netloc.lower()
        with self._hosts_lock:
            h = self._hosts.get(key)
            if h is None:
                h = self._hosts[key] = _Host(threading.Semaphore(self.options.per_host))
            return h

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> Response:
        """GET with retries, within the total deadline; raises FetchError."""
        o = self.options
        _only_http(url)
        headers = _request_headers(etag, last_modified, accept)
        clock = Clock(o.deadline)
        last_error, status, later = "no attempt made", None, None
        attempts, at_deadline = 0, False
        for attempt in range(o.retries + 1):
            if attempt:
                wait_s = o.backoff * 2 ** (attempt - 1)
                if later is not None:
                    if later > o.retry_after_cap:
                        raise FetchError(
                            url,
                            f"{last_error} with Retry-After {later:.0f} s, more than the "
                            f"{o.retry_after_cap:g} s cap; given up (after {_n(attempts)})",
                            status,
                        )
                    wait_s = max(wait_s, later)
                    last_error = f"{last_error} (Retry-After {later:g} s)"
                if clock.left() <= wait_s:
                    at_deadline = True  # the next attempt could not start before the deadline
                    break
                time.sleep(wait_s)
            attempts += 1
            try:
                return self._once(url, headers, clock)
            except _Retry as r:
                last_error, status, later = r.reason, r.status, r.retry_after
                if clock.passed():
                    at_deadline = True
                    break
        if at_deadline:
            raise FetchError(
                url,
                f"{last_error}; stopped at the {o.deadline:g} s total deadline (after {_n(attempts)})",
                status,
            )
        raise FetchError(url, f"{last_error} (after {_n(attempts)})", status)

    def _once(self, url: str, headers: dict[str, str], clock: Clock) -> Response:
        o = self.options
        host = self._host(url)
        with host.slots:
            with host.lock:
                wait_s = host.last + o.host_delay - time.monotonic()
                if wait_s > 0:
                    time.sleep(wait_s)
                host.last = time.monotonic()
            clock.start()  # the deadline counts from the first attempt's start, not the queue
            with bounded_by(clock):
                return self._request(url, headers)

    def _request(self, url: str, headers: dict[str, str]) -> Response:
        o = self.options
        try:
            with self.client.stream("GET", url, headers=headers) as r:
                if r.status_code >= 500 or r.status_code == 429:
                    raise _Retry(
                        f"HTTP {r.status_code}", r.status_code, retry_after(r.headers.get("retry-after"))
                    )
                if r.status_code >= 400:
                    raise FetchError(url, f"HTTP {r.status_code}", r.status_code)
                declared = r.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > o.max_bytes:
                    raise FetchError(
                        url,
                        f"response of {int(declared):,} bytes exceeds the {o.max_bytes:,}-byte cap",
                        r.status_code,
                    )
                body = bytearray()
                for chunk in r.iter_bytes():
                    body += chunk
                    if len(body) > o.max_bytes:
                        raise FetchError(
                            url,
                            f"response exceeds the {o.max_bytes:,}-byte cap (stopped reading)",
                            r.status_code,
                        )
                return Response(
                    url=str(r.url),
                    status=r.status_code,
                    headers={k.lower(): v for k, v in r.headers.items()},
                    content=bytes(body),
                )
        except httpx.TooManyRedirects as exc:
            raise FetchError(url, f"more than {o.max_redirects} redirects") from exc
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(url, f"not fetched: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise _Retry(f"timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            why = _permanent(exc)
            if why:
                raise FetchError(url, f"connection failed: {why}; not retried") from exc
            raise _Retry(f"connection failed ({type(exc).__name__}: {exc})") from exc
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"invalid URL: {exc}") from exc

    def iter_many(self, urls: Iterable[str], call: Callable[[int], object]) -> Iterator[tuple[int, object]]:
        """call(i) for each URL urls[i] on a thread pool, yielding (i, result) as each finishes.

        Hosts are served in turn, each with at most `per_host` calls under way and
        `workers` in all, so one slow or busy host never holds the others' URLs back
        (a plain pool would fill every thread with the first host's URLs). `call` should
        not raise; if it does, the exception propagates when its result comes up."""
        urls = list(urls)
        queues: dict[str, deque[int]] = {}
        for i, u in enumerate(urls):
            queues.setdefault(urlsplit(u).netloc.lower(), deque()).append(i)
        if not urls:
            return
        active = dict.fromkeys(queues, 0)
        turn = deque(queues)
        per_host, workers = self.options.per_host, min(self.options.workers, len(urls))
        with ThreadPoolExecutor(workers, thread_name_prefix="newsetl-http") as ex:
            running: dict = {}
            while running or turn:
                progressed = True
                while progressed and turn and len(running) < workers:
                    progressed = False
                    for _ in range(len(turn)):  # one pass over the hosts, round-robin
                        if len(running) >= workers or not turn:
                            break
                        h = turn[0]
                        if active[h] >= per_host:
                            turn.rotate(-1)
                            continue
                        i = queues[h].popleft()
                        active[h] += 1
                        running[ex.submit(call, i)] = (i, h)
                        progressed = True
                        if queues[h]:
                            turn.rotate(-1)
                        else:
                            turn.popleft()
                if not running:
                    continue
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    i, h = running.pop(fut)
                    active[h] -= 1
                    yield i, fut.result()

    def get_many(self, urls: Iterable[str], fn: Callable[[str], object]) -> list[object]:
        """fn(url) for each URL (as `iter_many`), the results in the URLs' order."""
        urls = list(urls)
        out: list[object] = [None] * len(urls)
        for i, result in self.iter_many(urls, lambda i: fn(urls[i])):
            out[i] = result
        return out


def _only_http(url: str) -> None:
    """Raise FetchError for a URL that is not fetched: a scheme other than http(s), or none."""
    scheme = urlsplit(url).scheme
    if scheme not in ("http", "https"):
        what = f"a {scheme}: URL" if scheme else "a relative URL (nothing to resolve it against)"
        raise FetchError(url, f"not fetched: {what}, only http(s) URLs are fetched")


def _request_headers(etag: str | None, last_modified: str | None, accept: str | None) -> dict[str, str]:
    """The conditional-GET validators of the last response and the Accept header, when given."""
    named = (("If-None-Match", etag), ("If-Modified-Since", last_modified), ("Accept", accept))
    return {header: value for header, value in named if value}


def _n(attempts: int) -> str:
    return f"{attempts} attempt{'s' if attempts != 1 else ''}"


class _Retry(Exception):
    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after

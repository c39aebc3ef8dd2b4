"""The HTTP client against a real server on 127.0.0.1: per-host limit and delay, retries,
size cap, conditional GET, User-Agent."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flows.settings import USER_AGENT
from flows.sources import Fetcher, FetchError, HttpOptions
from tests.conftest import QuietHTTPServer

pytestmark = pytest.mark.slow  # real servers on 127.0.0.1, with deadlines and delays


class _Server(QuietHTTPServer, ThreadingHTTPServer):
    pass


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.active = 0
        self.max_active = 0
        self.starts: list[float] = []
        self.hits: dict[str, int] = {}
        self.agents: set[str] = set()


def _canned(path: str, if_none_match: str | None, n: int) -> tuple[bytes, int, dict[str, str]]:
    """The test server's answer to `path` (its `n`-th request): body, status, headers."""
    if path.startswith("/slowish"):
        time.sleep(0.2)
        return b"<html>ok</html>", 200, {}
    if path == "/503-twice":
        return (b"busy", 503, {}) if n <= 2 else (b"<html>ok</html>", 200, {})
    if path == "/404":
        return b"no", 404, {}
    if path == "/etag":
        return (b"", 304, {}) if if_none_match == '"x"' else (b"<html>v</html>", 200, {"ETag": '"x"'})
    return b"<html>hi</html>", 200, {}


@pytest.fixture
def server():
    st = State()

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            with st.lock:
                st.active += 1
                st.max_active = max(st.max_active, st.active)
                st.starts.append(time.monotonic())
                st.hits[self.path] = st.hits.get(self.path, 0) + 1
                n = st.hits[self.path]
                st.agents.add(self.headers.get("User-Agent", ""))
            if self.path == "/chunked-big":
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.end_headers()  # no Content-Length: the cap must count streamed bytes
                    for _ in range(100):
                        self.wfile.write(b"x" * 10_000)
                finally:
                    with st.lock:
                        st.active -= 1
                return
            try:
                body, status, headers = _canned(self.path, self.headers.get("If-None-Match"), n)
            finally:
                # done before the client can have the answer: its next request to this host
                # may start the moment it has read it, and must not count as overlapping
                with st.lock:
                    st.active -= 1
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

    srv = _Server(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", st
    srv.shutdown()
    srv.server_close()


def test_per_host_limit_and_delay(server):
    base, st = server
    with Fetcher(HttpOptions(per_host=1, host_delay=0.1, workers=4)) as f:
        f.get_many([f"{base}/slowish/{i}" for i in range(4)], lambda u: f.get(u))
    assert st.max_active == 1  # never two requests at once to one host
    gaps = [b - a for a, b in zip(st.starts, st.starts[1:], strict=False)]
    assert min(gaps) >= 0.09  # 0.1 s apart when sent; a little jitter on arrival
    assert st.agents == {USER_AGENT}


def test_concurrency_up_to_the_limit(server):
    base, st = server
    with Fetcher(HttpOptions(per_host=3, host_delay=0, workers=6)) as f:
        f.get_many([f"{base}/slowish/{i}" for i in range(6)], lambda u: f.get(u))
    assert 2 <= st.max_active <= 3


def test_retries_5xx_with_backoff_but_not_4xx(server):
    base, st = server
    with Fetcher(HttpOptions(retries=3, backoff=0.01, host_delay=0)) as f:
        assert f.get(f"{base}/503-twice").status == 200
        with pytest.raises(FetchError) as err:
            f.get(f"{base}/404")
    assert st.hits["/503-twice"] == 3 and st.hits["/404"] == 1
    assert err.value.status == 404 and "HTTP 404" in err.value.reason


def test_size_cap_counts_streamed_bytes(server):
    base, _ = server
    with Fetcher(HttpOptions(max_bytes=50_000, host_delay=0)) as f, pytest.raises(FetchError, match="cap"):
        f.get(f"{base}/chunked-big")


def test_conditional_get(server):
    base, _ = server
    with Fetcher(HttpOptions(host_delay=0)) as f:
        first = f.get(f"{base}/etag")
        again = f.get(f"{base}/etag", etag=first.headers["etag"])
    assert first.status == 200 and again.not_modified


def test_connection_refused_is_a_fetch_error():
    with Fetcher(HttpOptions(retries=1, backoff=0.01, host_delay=0)) as f, pytest.raises(FetchError) as err:
        f.get("http://127.0.0.1:9/nothing")
    assert "connection failed" in err.value.reason and "after 2 attempts" in err.value.reason


# ---- deadline, Retry-After, errors that cannot succeed, many hosts at once -------------


@pytest.fixture
def hostile():
    """A server that drips, rate-limits and sleeps; records when each request arrived."""
    st = State()
    st.times: dict[str, list[float]] = {}

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            with st.lock:
                st.hits[self.path] = n = st.hits.get(self.path, 0) + 1
                st.times.setdefault(self.path, []).append(time.monotonic())
            p = self.path
            try:
                if p == "/drip-body":  # headers at once, then one byte every 0.5 s
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    for _ in range(100):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.5)
                elif p == "/drip-headers":  # even the status line comes a byte at a time
                    for b in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"y" * 100:
                        self.wfile.write(bytes([b]))
                        self.wfile.flush()
                        time.sleep(0.5)
                elif p.startswith("/429-after-"):
                    wait = p.removeprefix("/429-after-")
                    if n == 1:
                        self.send_response(429)
                        self.send_header("Retry-After", wait)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    else:
                        self._ok(b"<html>ok</html>")
                elif p.startswith("/sleep"):
                    time.sleep(0.3)
                    self._ok(b"<html>slept</html>")
                else:
                    self._ok(b"<html>hi</html>")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _ok(self, body):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = _Server(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", st
    srv.shutdown()
    srv.server_close()


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers"])
def test_a_dripping_server_costs_at_most_the_deadline(hostile, path):
    base, st = hostile
    # the read timeout (5 s) is never reached: a byte comes every 0.5 s
    opts = HttpOptions(deadline=2.0, read_timeout=5.0, retries=3, backoff=0.01, host_delay=0)
    with Fetcher(opts) as f:
        t = time.monotonic()
        with pytest.raises(FetchError) as err:
            f.get(base + path)
        took = time.monotonic() - t
    assert 1.9 <= took <= 2.8, took  # the deadline plus slack, not 4 attempts x (100 x 0.5 s)
    assert "deadline" in err.value.reason and "timed out" in err.value.reason
    assert st.hits[path] == 1  # no retry once the deadline has passed


def test_429_with_retry_after_waits_that_long(hostile):
    base, st = hostile
    with Fetcher(HttpOptions(retries=2, backoff=0.01, host_delay=0, retry_after_cap=5)) as f:
        assert f.get(f"{base}/429-after-1").status == 200
    first, second = st.times["/429-after-1"]
    assert 0.95 <= second - first <= 2.0  # Retry-After: 1, not the 0.01 s backoff


def test_retry_after_above_the_cap_is_given_up_at_once(hostile):
    base, st = hostile
    with Fetcher(HttpOptions(retries=3, backoff=0.01, host_delay=0, retry_after_cap=30)) as f:
        t = time.monotonic()
        with pytest.raises(FetchError) as err:
            f.get(f"{base}/429-after-3600")
    assert time.monotonic() - t < 1.0
    assert st.hits["/429-after-3600"] == 1 and err.value.status == 429
    assert "Retry-After 3600 s" in err.value.reason and "30 s cap" in err.value.reason


def test_retry_after_beyond_the_deadline_stops_at_once(hostile):
    base, st = hostile
    with Fetcher(HttpOptions(retries=3, backoff=0.01, host_delay=0, retry_after_cap=30, deadline=2)) as f:
        t = time.monotonic()
        with pytest.raises(FetchError, match="deadline"):
            f.get(f"{base}/429-after-5")
    assert time.monotonic() - t < 1.0 and st.hits["/429-after-5"] == 1


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/hostname", "file: URL"),
        ("ftp://127.0.0.1/feed.xml", "ftp: URL"),
        ("/articles/relative.html", "relative URL"),
    ],
)
def test_urls_that_cannot_be_fetched_are_not_tried(url, reason):
    with Fetcher(HttpOptions(retries=3, backoff=1.0, host_delay=0)) as f:
        t = time.monotonic()
        with pytest.raises(FetchError) as err:
            f.get(url)
    assert time.monotonic() - t < 0.5  # a retry would have slept 1 s
    assert reason in err.value.reason and "attempt" not in err.value.reason


def test_an_unknown_host_is_not_retried():
    import socket

    host = "no-such-host.invalid"  # RFC 2606: never resolves
    try:
        socket.getaddrinfo(host, 80)
    except socket.gaierror as exc:
        if exc.errno != socket.EAI_NONAME:
            pytest.skip(f"this machine's resolver answers {exc} (not 'unknown name')")
    else:
        pytest.skip("this machine resolves .invalid names")
    with Fetcher(HttpOptions(retries=3, backoff=1.0, host_delay=0)) as f:
        t = time.monotonic()
        with pytest.raises(FetchError) as err:
            f.get(f"http://{host}/feed.xml")
    assert time.monotonic() - t < 0.9  # a retry would have slept 1 s
    assert "unknown host" in err.value.reason and "not retried" in err.value.reason


def test_hosts_are_served_in_turn_and_results_come_as_they_finish(hostile, server):
    """Eight URLs, the first host's four listed first; one request at a time per host, two
    workers. A plain pool puts both workers on the first host (one waits on its limit):
    8 x 0.3 s in a row. Served in turn, the two hosts work at once: about 4 x 0.3 s."""
    a, sa = hostile
    b, sb = server  # /slowish: 0.2 s
    urls = [f"{a}/sleep/{i}" for i in range(4)] + [f"{b}/slowish/{i}" for i in range(4)]
    arrived = []
    with Fetcher(HttpOptions(per_host=1, host_delay=0, workers=2)) as f:
        t = time.monotonic()
        for i, resp in f.iter_many(urls, lambda i: f.get(urls[i])):
            arrived.append((i, time.monotonic() - t, resp.status))
    total = arrived[-1][1]
    assert sorted(i for i, _, _ in arrived) == list(range(8)) and {s for *_, s in arrived} == {200}
    assert total < 1.6, total  # serial per host, parallel across hosts: ~1.2 s
    assert arrived[0][1] < 0.6  # the first result is handed over long before the last
    assert sb.max_active == 1  # the per-host limit held


def test_proxies_from_the_environment_are_used(monkeypatch):
    """HTTP_PROXY / HTTPS_PROXY / NO_PROXY reach the client (httpx drops them when it is
    given a transport), and the proxies' transports keep the total deadline."""
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "intranet.example")
    f = Fetcher(HttpOptions())
    try:
        mounts = {str(k.pattern): v for k, v in f.client._mounts.items()}
        assert mounts.get("http://") is not None and mounts.get("https://") is not None
        assert mounts.get("all://*intranet.example", "missing") is None  # NO_PROXY: direct
    finally:
        f.close()

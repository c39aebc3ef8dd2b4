"""The HTTP client against a real server on 127.0.0.1: per-host limit and delay, retries,
size cap, conditional GET, User-Agent."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flows.fetching import USER_AGENT, Fetcher, FetchError, HttpOptions
from tests.conftest import QuietHTTPServer


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
            try:
                if self.path.startswith("/slowish"):
                    time.sleep(0.2)
                    body, status, headers = b"<html>ok</html>", 200, {}
                elif self.path == "/503-twice":
                    body, status, headers = (b"busy", 503, {}) if n <= 2 else (b"<html>ok</html>", 200, {})
                elif self.path == "/404":
                    body, status, headers = b"no", 404, {}
                elif self.path == "/etag":
                    if self.headers.get("If-None-Match") == '"x"':
                        body, status, headers = b"", 304, {}
                    else:
                        body, status, headers = b"<html>v</html>", 200, {"ETag": '"x"'}
                elif self.path == "/chunked-big":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.end_headers()  # no Content-Length: the cap must count streamed bytes
                    for _ in range(100):
                        self.wfile.write(b"x" * 10_000)
                    return
                else:
                    body, status, headers = b"<html>hi</html>", 200, {}
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
            finally:
                with st.lock:
                    st.active -= 1

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

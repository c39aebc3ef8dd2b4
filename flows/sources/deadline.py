"""The total deadline of one request, over every socket operation of all its attempts.

httpx's timeouts bound each connect and each read, not a whole request: a server sending
a byte every second never trips a 20 s read timeout. The network backend here bounds
every socket operation by what is left of the current request's deadline (a per-thread
value set while `bounded_by(clock)` is active), so the whole request, headers and body,
stops at the deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore
import httpx

_DEADLINE = threading.local()


def _left(timeout: float | None, exc: type[Exception]) -> float | None:
    at = getattr(_DEADLINE, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise exc("the total deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream):
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(stream)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend):
        self._backend = backend

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        t = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_tcp(host, port, t, local_address, socket_options))

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        t = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, t, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def with_deadlines(transport: httpx.BaseTransport) -> httpx.BaseTransport:
    """httpx's transport with the deadline-bounded network backend (httpx has no public
    hook for it: the pool's backend is replaced; a test may pass a transport without one)."""
    pool = getattr(transport, "_pool", None)
    if pool is not None and isinstance(getattr(pool, "_network_backend", None), httpcore.NetworkBackend):
        pool._network_backend = _DeadlineBackend(pool._network_backend)
    return transport


class Clock:
    """A request's total deadline, counted from its first attempt's start."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at: float | None = None

    @property
    def started(self) -> bool:
        return self.at is not None

    def start(self) -> None:
        if self.at is None:
            self.at = time.monotonic() + self.seconds

    def left(self) -> float:
        return self.seconds if self.at is None else self.at - time.monotonic()

    def passed(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at - 0.01


@contextmanager
def bounded_by(clock: Clock) -> Iterator[None]:
    """Every socket operation of this thread, while active, ends by `clock`'s deadline."""
    _DEADLINE.at = clock.at
    try:
        yield
    finally:
        _DEADLINE.at = None

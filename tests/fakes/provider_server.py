"""FakeProviderServer: the scaffolding the fake provider servers share.

A real ``ThreadingHTTPServer`` on a free port of 127.0.0.1, in a daemon thread,
with ``start``/``stop``, a context manager (``with fake:`` or ``with
fake.serve() as base_url:``) and ``base_url`` = the server's address plus the
subclass's ``base_path`` ("/api", "/Rest", "/api/v1"). The HTTP handler reads the
path, query, form body and headers into a ``Request``, sleeps the fake's
``delay``, writes the ``Response`` the subclass makes, ignores a client that hung
up first, and logs nothing (a log line could carry a credential).

A subclass implements ``respond`` (and may implement ``admit``, run before the
delay: the request log, the fault queue and the rate limit). Shared helpers:
``Fault`` with ``take_fault`` (the queue of injected faults), ``HourWindow`` (the
per-hour rate-limit window) and ``FaultInjection``, a mixin holding ``delay``,
``rate_limit_per_hour`` and the fault queue behind ``fail_next(status,
retry_after=, count=)`` and ``malformed_next(count)``.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, urlsplit

HOUR = 3600.0


@dataclass(frozen=True)
class Request:
    """One HTTP request as the fake received it."""

    method: str
    path: str
    query: dict[str, list[str]]  # every value of every query parameter
    headers: dict[str, str]  # names lower-cased
    form: str  # the body, decoded ("" when there is none)
    notes: dict[str, Any] = field(default_factory=dict)  # what ``admit`` tells ``respond``

    @property
    def params(self) -> dict[str, str]:
        """The query, the last value of a repeated parameter winning."""
        return {k: v[-1] for k, v in self.query.items()}

    @property
    def first_params(self) -> dict[str, str]:
        """The query, the first value of a repeated parameter winning."""
        return {k: v[0] for k, v in self.query.items()}


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return raw_response(status, json.dumps(body).encode(), headers)


def raw_response(status: int, body: bytes, headers: dict[str, str] | None = None) -> Response:
    return Response(status, body, {"Content-Type": "application/json", **(headers or {})})


# --- faults -------------------------------------------------------------------


@dataclass
class Fault:
    """The next ``count`` requests answer ``status`` (or 200 with a truncated body)."""

    status: int = 429  # 429, 5xx; ignored with malformed=True
    retry_after: float | None = 7
    malformed: bool = False
    count: int = 1


def take_fault(queue: list[Fault]) -> Fault | None:
    """The fault for this request, if any, used up one count at a time (lock held)."""
    if not queue:
        return None
    fault = queue[0]
    fault.count -= 1
    if fault.count <= 0:
        queue.pop(0)
    return fault


# --- rate limit ---------------------------------------------------------------


class HourWindow:
    """Requests counted per hour, as a sliding window or a fixed one (lock held)."""

    def __init__(self, start: float = 0.0) -> None:
        self.stamps: list[float] = []  # sliding: when the admitted requests came
        self.start = start  # fixed: when the current hour began
        self.count = 0  # fixed: requests in the current hour

    def sliding(self, limit: int | None, now: float) -> float | None:
        """None (and the request counted) under ``limit`` in the last hour, else the
        seconds until the oldest counted request leaves the window."""
        if limit is None:
            return None
        self.stamps[:] = [t for t in self.stamps if now - t < HOUR]
        if len(self.stamps) >= limit:
            return HOUR - (now - self.stamps[0])
        self.stamps.append(now)
        return None

    def fixed(self, limit: int | None, now: float) -> bool:
        """Count this request in the hour begun at ``start``; True when over ``limit``."""
        if now - self.start >= HOUR:
            self.start, self.count = now, 0
        self.count += 1
        return limit is not None and self.count > limit

    def remaining(self, now: float) -> int:
        """Whole seconds left in the fixed hour."""
        return int(HOUR - int(now - self.start))


class FaultInjection:
    """The faults a test switches on: ``delay``, ``rate_limit_per_hour`` (a sliding
    hour), ``fail_next(status, retry_after=, count=)`` and ``malformed_next(count)``;
    with the ``_lock`` that guards them and the fake's data set."""

    def __init__(self) -> None:
        self.delay = 0.0  # seconds before every answer
        self.rate_limit_per_hour: int | None = None
        self._window = HourWindow()
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def fail_next(self, status: int, *, retry_after: float | None = None, count: int = 1) -> None:
        """The next ``count`` requests answer ``status`` (429, 500, 503...)."""
        with self._lock:
            self._faults.append(Fault(status, retry_after, False, count))

    def malformed_next(self, count: int = 1) -> None:
        """The next ``count`` requests answer 200 with a truncated JSON body."""
        with self._lock:
            self._faults.append(Fault(200, None, True, count))

    def _next_fault(self) -> Fault | None:
        """The fault this request meets, if any (lock held)."""
        return take_fault(self._faults)

    def _throttled(self, now: float) -> float | None:
        """Seconds until a slot frees when over ``rate_limit_per_hour`` (lock held)."""
        return self._window.sliding(self.rate_limit_per_hour, now)


# --- the server ---------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (a test's timeout on a slow answer) is not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeProviderServer(ABC):
    """Base of the fake provider servers; see the module docstring."""

    base_path: ClassVar[str] = ""
    methods: ClassVar[frozenset[str]] = frozenset({"GET"})
    delay: float  # seconds before every answer
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @abstractmethod
    def respond(self, request: Request) -> Response:
        """The answer to one request (after ``admit`` and the delay)."""

    def admit(self, request: Request) -> Response | None:
        """Run before the delay; an answer here stops ``respond`` being asked."""
        return None

    # --- lifecycle ------------------------------------------------------------

    def _bind(self) -> None:
        """Open the port (``base_url`` is known from here on)."""
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _handler(self))

    def start(self) -> Self:
        self._bind()
        assert self._server is not None
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            if self._thread is not None:
                self._server.shutdown()
                self._thread.join(timeout=5)
                self._thread = None
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Run the server; yields its base URL."""
        with self:
            yield self.base_url

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.base_path}"

    # --- serving --------------------------------------------------------------

    def _serve(self, http: BaseHTTPRequestHandler) -> None:
        if http.command not in self.methods:
            http.send_error(HTTPStatus.NOT_IMPLEMENTED, f"Unsupported method ({http.command!r})")
            return
        url = urlsplit(http.path)
        length = int(http.headers.get("Content-Length") or 0)
        request = Request(
            method=http.command,
            path=url.path,
            query=parse_qs(url.query),
            headers={k.lower(): v for k, v in http.headers.items()},
            form=http.rfile.read(length).decode() if length else "",
        )
        response = self.admit(request)
        if self.delay:
            time.sleep(self.delay)
        if response is None:
            response = self.respond(request)
        try:
            http.send_response(response.status)
            for name, value in response.headers.items():
                http.send_header(name, value)
            http.send_header("Content-Length", str(len(response.body)))
            http.end_headers()
            http.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out first
            pass


def _handler(fake: FakeProviderServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake._serve(self)

        do_POST = do_GET

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: and a log line could carry a credential

    return Handler

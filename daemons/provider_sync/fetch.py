"""Performing an adapter's requests: paging, rate limits, retries, timeouts.

The adapters (``adapters/*.py``) only describe requests and read answers; this
is the one place that talks HTTP, shared by all three providers:

* every request waits for the provider's rate limit (``RateLimit``: requests per
  hour, spread evenly, as the providers count them);
* a ``ProviderError`` with ``retry_after`` (429, 5xx, a malformed answer) or a
  network error is retried after the longer of what the provider asked for and
  an exponential back-off, up to ``max_retries``; anything else (bad
  credentials, a request the provider refuses) fails at once;
* the error raised names the request's path and the reason, never a query
  parameter or header listed in ``Request.secret_params``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import requests

from .adapters.base import Page, ProviderError, Request, Response

Parse = Callable[[Request, Response], Page]
Send = Callable[[str, Request, float], Response]

BACKOFF_FIRST = 1.0  # seconds before the first retry, doubled per attempt
BACKOFF_CAP = 300.0  # never wait longer than this for one retry


@dataclass
class RateLimit:
    """At most ``per_hour`` requests an hour, spread evenly (no bursts at the hour)."""

    per_hour: int
    clock: Callable[[], float] = time.monotonic
    _next_at: float = field(default=0.0, init=False)

    def delay(self) -> float:
        """Seconds to wait before the next request may go out; books that slot."""
        now = self.clock()
        start = max(now, self._next_at)
        self._next_at = start + 3600.0 / max(self.per_hour, 1)
        return start - now


def backoff(
    attempt: int, asked: float | None, jitter: Callable[[], float] = random.random
) -> float:
    """How long to wait before retry ``attempt`` (0 = the first retry)."""
    own = BACKOFF_FIRST * 2**attempt * (0.5 + jitter() / 2)
    return min(BACKOFF_CAP, max(own, asked or 0.0))


def send_with_requests(session: requests.Session) -> Send:
    """A ``Send`` over a ``requests`` session (keep-alive, one per provider run)."""

    def send(base_url: str, request: Request, timeout: float) -> Response:
        answer = session.request(
            request.method,
            base_url.rstrip("/") + "/" + request.path.lstrip("/"),
            params=dict(request.params),
            headers=dict(request.headers),
            data=dict(request.form) if request.form is not None else None,
            timeout=timeout,
            allow_redirects=False,
        )
        headers = {name.lower(): value for name, value in answer.headers.items()}
        return Response(answer.status_code, headers, answer.content)

    return send


def pages(
    send: Send,
    base_url: str,
    first: Request,
    parse: Parse,
    limit: RateLimit,
    *,
    max_retries: int = 5,
    timeout: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Page]:
    """Every page of one listing, following ``Page.next``; raises ``ProviderError``."""
    request: Request | None = first
    while request is not None:
        page = _one(send, base_url, request, parse, limit, max_retries, timeout, sleep)
        yield page
        request = page.next


def _one(
    send: Send,
    base_url: str,
    request: Request,
    parse: Parse,
    limit: RateLimit,
    max_retries: int,
    timeout: float,
    sleep: Callable[[float], None],
) -> Page:
    for attempt in range(max_retries + 1):
        sleep(limit.delay())
        try:
            return parse(request, send(base_url, request, timeout))
        except ProviderError as exc:
            error = exc
        except requests.RequestException as exc:
            # The exception's text may hold the URL, query string and all: not logged.
            error = ProviderError(f"{request.path}: {type(exc).__name__} (network)",
                                  retry_after=0.0)  # fmt: skip
        if error.retry_after is None or attempt == max_retries:
            # The same exception (its class tells a caller, say, a 401 worth a new token),
            # its message saying how often it was tried.
            error.args = (_attempts(error, attempt + 1),)
            raise error from None
        sleep(backoff(attempt, error.retry_after))
    raise AssertionError("unreachable")  # the loop always returns or raises


def _attempts(error: ProviderError, attempts: int) -> str:
    return f"{error} (after {attempts} attempt{'s' if attempts > 1 else ''})"

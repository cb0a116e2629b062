"""The interface every provider adapter implements, without any I/O.

An adapter describes the HTTP requests to make (``Request``) and turns each
answer (``Response``) into rows for its provider's tables in
``project88_myappdb`` (``Page``), with the request for the next page and the
cursor an incremental sync resumes from. A thin runner elsewhere performs the
requests (rate limits, retries, timeouts) and writes the rows; so an adapter is
tested with plain data, and the runner is shared by all three providers.

Errors an adapter finds in an answer are ``ProviderError``s whose messages
never contain a credential: the runner records them in ``sync_history``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = ("events", "races", "participants", "results", "removals")


@dataclass(frozen=True)
class Request:
    method: str  # "GET", or "POST" for token requests
    path: str  # relative to the provider's base URL (P88_SYNC_<PROVIDER>_URL)
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] | None = None  # an urlencoded body (OAuth token requests)
    secret_params: tuple[str, ...] = ()  # params/headers never to be logged


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # names lower-cased
    body: bytes


@dataclass(frozen=True)
class Page:
    """Rows of one answer, for one table of the provider's, and what comes next."""

    table: str  # e.g. "runsignup_participants"
    rows: list[dict[str, Any]]  # column name -> value, as the table in sql/production has them
    next: Request | None = None  # the next page of the same listing, or None at the end
    cursor: str | None = None  # where the next incremental run starts, once all pages are in
    removed: list[str] = field(default_factory=list)  # provider ids to delete (removals)


class ProviderError(Exception):
    """An answer the adapter cannot use (an error status, a malformed body).

    ``retry_after`` (seconds) is set for answers worth retrying later (429, 5xx).
    Messages name the request and what was wrong, never a credential.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def retry_after(response: Response, default: float) -> float:
    """Seconds a 429 or 5xx answer asks us to wait, from ``Retry-After``.

    RFC 9110 allows delta-seconds or an HTTP-date; a date would need a clock,
    which an adapter does not read, so it (and anything unreadable) gets ``default``.
    """
    try:
        seconds = float(response.headers.get("retry-after", "").strip())
    except ValueError:
        return default
    return max(0.0, seconds) if math.isfinite(seconds) else default

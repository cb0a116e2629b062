"""What a running job has at hand: its partner's credentials, HTTP and the store.

The per-provider job modules (``jobs/``) only decide which listings to read and
in what order; this is the shared part: every request goes through ``fetch``
(rate limit, retries, back-off), every page is written through the store as the
partner, and the lease is renewed between pages (``alive``), which is also where
a stopping daemon ends a job cleanly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import fetch
from .adapters.base import Page, ProviderError, Request
from .store import PartnerStore


class Stopped(Exception):
    """The daemon is stopping: the job ends between two pages, nothing half-written."""


class JobRefused(ProviderError):
    """A job that cannot run as asked (an unknown event, a kind a provider lacks)."""


def registration_kinds(provider: str, kind: str, rows: str) -> None:
    """A registration platform has events and participants; results come from the timing."""
    if kind == "results":
        raise JobRefused(
            f"{provider} results are not synced: results come from the timing "
            f"(ChronoTrack); {provider} supplies events and {rows}"
        )
    if kind not in ("events", "participants"):
        raise JobRefused(f"{provider} has no {kind} job")


@dataclass
class Tally:
    fetched: int = 0  # rows the provider sent
    changed: int = 0  # rows inserted or changed here
    removed: int = 0  # rows deleted (removals, withdrawn entries)
    pages: int = 0

    def summary(self) -> str:
        return (
            f"{self.fetched} fetched, {self.changed} changed, {self.removed} removed "
            f"in {self.pages} page{'s' if self.pages != 1 else ''}"
        )


@dataclass
class JobContext:
    provider: str
    partner_id: int
    credentials: Mapping[str, str]
    base_url: str
    send: fetch.Send
    limit: fetch.RateLimit
    store: PartnerStore
    alive: Callable[[], None] = lambda: None
    progress: Callable[[Tally], None] | None = None
    page_size: int | None = None  # None: the adapter's default
    max_retries: int = 5
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    tally: Tally = field(default_factory=Tally)

    def size(self, default: int, most: int | None = None) -> int:
        size = self.page_size or default
        return min(size, most) if most else size

    def pages(self, first: Request, parse: Callable[..., Page]) -> Iterator[Page]:
        for page in fetch.pages(
            self.send,
            self.base_url,
            first,
            parse,
            self.limit,
            max_retries=self.max_retries,
            timeout=self.timeout,
            sleep=self._sleep,
        ):
            self.tally.pages += 1
            self.tally.fetched += len(page.rows) + len(page.removed)
            yield page

    def _sleep(self, seconds: float) -> None:
        # Long waits (Retry-After, back-off, the rate limit) are cut into slices so
        # the lease stays renewed and a stop is noticed.
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            self.alive()
            self.sleep(min(left, 1.0))

    def write(self, page: Page, statement: str | None = None) -> None:
        self.alive()
        done = self.store.write(page, statement)
        self.tally.changed += done.changed
        self.tally.removed += done.removed
        if self.progress is not None:
            self.progress(self.tally)

    def catalogue(self, event_rows: list[dict[str, Any]]) -> None:
        """The provider-neutral ``events`` rows for a provider's event rows (id, name,
        event_date, city, state: the columns every provider's events table has)."""
        self.store.catalogue(
            [
                {
                    "provider_event_id": str(r["id"]),
                    "name": r["name"],
                    "event_date": r["event_date"],
                    "city": r["city"],
                    "state": r["state"],
                }
                for r in event_rows
            ]
        )

    def calendar(self) -> list[str]:
        """The partner's events of this provider from yesterday on (the catalogue)."""
        return [r[0] for r in self.store.read("calendar_events", provider=self.store.provider_id)]

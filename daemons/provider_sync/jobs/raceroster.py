"""Race Roster jobs: events and registrations since a cursor, with an OAuth2 token.

Race Roster documents no removal feed, so removals are found by a full listing
(no cursor): the first run, and then once every ``FULL_LISTING_EVERY``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from ..adapters import raceroster as rr
from ..adapters.base import Page, Request, Response
from ..context import JobContext, JobRefused, registration_kinds

FULL_LISTING_EVERY = dt.timedelta(hours=6)


class _Session:
    """The bearer token of one job: fetched first, renewed once on a 401."""

    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx
        self.creds = rr.Credentials(ctx.credentials["client_id"], ctx.credentials["client_secret"])
        self.token: rr.Token | None = None

    def current(self) -> rr.Token:
        if rr.token_expired(self.token, time.time()):
            self.renew()
        assert self.token is not None
        return self.token

    def renew(self) -> None:
        got: list[rr.Token] = []

        def parse(_request: Request, response: Response) -> Page:
            got.append(rr.parse_token(response, time.time()))
            return Page("", [])

        for _ in self.ctx.pages(rr.token_request(self.creds), parse):
            pass
        self.ctx.tally.pages -= 1  # the token is not a page of data
        self.token = got[-1]

    def listing(
        self, make: Callable[[rr.Token], Request], parse: Callable[..., Page]
    ) -> list[Page]:
        """Every page of a listing; on a 401 the token is renewed and the listing restarts."""
        for attempt in (1, 2):
            try:
                return list(self.ctx.pages(make(self.current()), parse))
            except rr.Unauthorized:
                if attempt == 2:
                    raise
                self.renew()
        raise AssertionError("unreachable")


def run(ctx: JobContext, kind: str, event: str | None) -> None:
    registration_kinds("Race Roster", kind, "registrations")
    session, found = _Session(ctx), []
    if kind == "events" or event is None:
        found = _events(ctx, session, event)
        if kind == "events":
            return
    for event_id in [event] if event else (found or ctx.calendar()):
        if not str(event_id).isdigit():
            raise JobRefused(f"Race Roster event ids are numbers, not {event_id!r}")
        if not ctx.store.read("raceroster_event_known", event=int(event_id)):
            _events(ctx, session, str(event_id))
        _registrations(ctx, session, str(event_id))


def _events(ctx: JobContext, session: _Session, only: str | None) -> list[str]:
    start, _ = ctx.store.cursor("raceroster events", "")
    # A single event is looked for in the whole listing: it may not have changed lately.
    cursor = None if only else start
    pages = session.listing(
        lambda token: rr.events_request(token, cursor, per_page=ctx.size(rr.PER_PAGE)),
        rr.parse_events,
    )
    found: list[str] = []
    for page in pages:
        rows = [r for r in page.rows if only is None or str(r["id"]) == only]
        ctx.write(Page(page.table, rows))
        ctx.catalogue(rows)
        found += [str(r["id"]) for r in rows]
    if only is None:
        latest = start
        for page in pages:
            latest = rr.merge_cursors(latest, page.cursor)
        ctx.store.save_cursor("raceroster events", "", latest, full=start is None)
        if start is None:  # a full listing: what it lacks is gone
            ctx.store.deactivate_unlisted(found)
    elif not found:
        raise JobRefused(f"Race Roster lists no event {only} for these credentials")
    return found


def _registrations(ctx: JobContext, session: _Session, event_id: str) -> None:
    start, full_at = ctx.store.cursor("raceroster registrations", event_id)
    now = dt.datetime.now(dt.UTC)
    full = start is None or full_at is None or now - full_at > FULL_LISTING_EVERY
    cursor = None if full else start
    pages = session.listing(
        lambda token: rr.registrations_request(
            token, event_id, cursor, per_page=ctx.size(rr.PER_PAGE)
        ),
        rr.parse_registrations,
    )
    latest, listed = start, set()
    for page in pages:
        ctx.write(page)
        listed |= {r["provider_registration_id"] for r in page.rows}
        latest = rr.merge_cursors(latest, page.cursor)
    if full:
        held = {r[0] for r in ctx.store.read("known_raceroster_registrations", event=int(event_id))}
        if gone := rr.removed_ids(held, listed):
            ctx.write(Page(rr.REGISTRATIONS_TABLE, [], removed=gone))
    ctx.store.save_cursor("raceroster registrations", event_id, latest, full=full)

"""RunSignUp jobs: a race and its events, participants since a cursor, removals, bibs.

RunSignUp's naming is inverted against ours (see adapters/runsignup.py): the
``--event`` of a job is a RunSignUp *race* id; its events (5K, 10K) are listed
one by one, each with its own cursor.
"""

from __future__ import annotations

import functools

from ..adapters import runsignup as rsu
from ..adapters import runsignup_race as rsu_race
from ..adapters.base import Page
from ..context import JobContext, JobRefused, registration_kinds


def _creds(ctx: JobContext) -> rsu.Credentials:
    return rsu.Credentials(ctx.credentials["api_key"], ctx.credentials["api_secret"])


def run(ctx: JobContext, kind: str, event: str | None) -> None:
    registration_kinds("RunSignUp", kind, "participants")
    races = [event] if event else ctx.calendar()
    for race in races:
        if not race.isdigit():
            raise JobRefused(f"RunSignUp race ids are numbers, not {race!r}")
        if kind == "events":
            _race(ctx, int(race))
        else:
            event_ids = [r[0] for r in ctx.store.read("runsignup_event_ids", race=int(race))]
            if not event_ids:
                event_ids = _race(ctx, int(race))
            for event_id in event_ids:
                _participants(ctx, int(race), event_id)


def _race(ctx: JobContext, race_id: int) -> list[int]:
    """The race (a runsignup_events row), its events, and its catalogue entry."""
    request = rsu.race_request(_creds(ctx), race_id)
    for page in ctx.pages(request, rsu_race.parse_race):
        ctx.write(page)
        ctx.catalogue(page.rows)
    event_ids: list[int] = []
    for page in ctx.pages(request, rsu_race.parse_race_events):
        ctx.write(page)
        event_ids += [r["id"] for r in page.rows]
    return event_ids


def _participants(ctx: JobContext, race_id: int, event_id: int) -> None:
    creds, scope = _creds(ctx), f"{race_id}/{event_id}"
    for listing, request, parse in (
        ("runsignup participants", rsu.participants_request, rsu.parse_participants),
        ("runsignup removed", rsu.removed_request, rsu.parse_removed),
    ):
        start, _full_at = ctx.store.cursor(listing, scope)
        extra = {"partner_id": None} if parse is rsu.parse_participants else {}
        bound = functools.partial(parse, cursor=start, **extra)
        cursors = [start]
        for page in ctx.pages(
            request(
                creds,
                race_id,
                event_id,
                start,
                per_page=ctx.size(rsu.MAX_PER_PAGE, rsu.MAX_PER_PAGE),
            ),
            bound,
        ):
            ctx.write(page)
            cursors.append(page.cursor)
        ctx.store.save_cursor(listing, scope, rsu.merge_cursors(*cursors), full=start is None)
    # Bib and chip assignments: read whole each time (no cursor is documented).
    for page in ctx.pages(rsu.bib_chip_request(creds, race_id, event_id), rsu.parse_bib_chip):
        ctx.write(Page(page.table, page.rows), statement="update_runsignup_bib_chip")

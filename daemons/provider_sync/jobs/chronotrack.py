"""ChronoTrack jobs: events and their races, entries, results."""

from __future__ import annotations

import functools

from ..adapters import chronotrack as ct
from ..adapters.base import Page
from ..context import JobContext, JobRefused


def _size(ctx: JobContext) -> int:
    return ctx.size(ct.DEFAULT_SIZE)


def run(ctx: JobContext, kind: str, event: str | None) -> None:
    if kind == "events":
        for event_id in _events(ctx, event):
            _races(ctx, event_id)
        return
    for event_id in [event] if event else ctx.calendar():
        if kind == "participants":
            _events(ctx, event_id)
            _entries(ctx, event_id, _races(ctx, event_id))
        elif kind == "results":
            _results(ctx, event_id)
        else:
            raise JobRefused(f"ChronoTrack has no {kind} job")


def _events(ctx: JobContext, only: str | None) -> list[str]:
    found: list[str] = []
    for page in ctx.pages(ct.events_request(ctx.credentials, size=_size(ctx)), ct.parse_events):
        rows = [r for r in page.rows if only is None or str(r["id"]) == only]
        ctx.write(Page(page.table, rows))
        ctx.catalogue(rows)
        found += [str(r["id"]) for r in rows]
    if only is not None and not found:
        raise JobRefused(f"ChronoTrack lists no event {only} for these credentials")
    if only is None:
        ctx.store.deactivate_unlisted(found)
    return found


def _races(ctx: JobContext, event_id: str) -> dict[str, int]:
    by_name: dict[str, int] = {}
    for page in ctx.pages(
        ct.races_request(ctx.credentials, event_id, size=_size(ctx)), ct.parse_races
    ):
        ctx.write(page)
        by_name.update({r["name"]: r["id"] for r in page.rows})
    return by_name


def _entries(ctx: JobContext, event_id: str, races: dict[str, int]) -> None:
    """Every entry, then removal of what the provider no longer lists at all."""
    parse = functools.partial(ct.parse_entries, race_ids_by_name=races)
    listed: set[str] = set()
    for page in ctx.pages(ct.entries_request(ctx.credentials, event_id, size=_size(ctx)), parse):
        ctx.write(page)
        listed |= {str(r["entry_id"]) for r in page.rows}
    held = {r[0] for r in ctx.store.read("known_ct_entries", event=int(event_id))}
    if gone := sorted(held - listed):
        ctx.write(Page("ct_participants", [], removed=gone))


def _results(ctx: JobContext, event_id: str) -> None:
    rows = ctx.store.read("ct_entries_by_bib", event=int(event_id))
    if not rows:
        raise JobRefused(
            f"ChronoTrack event {event_id} has no synced entries: run its participants job first"
        )
    by_bib = {bib: (entry, race) for bib, entry, race in rows}
    parse = functools.partial(ct.parse_results, entries_by_bib=by_bib)
    latest: str | None = None
    for page in ctx.pages(ct.results_request(ctx.credentials, event_id, size=_size(ctx)), parse):
        ctx.write(page)
        if page.cursor and (
            latest is None or ct.modified_key(page.cursor) > ct.modified_key(latest)
        ):
            latest = page.cursor
    ctx.store.save_cursor("chronotrack results", event_id, latest, full=True)

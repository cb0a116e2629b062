"""Putting due jobs on the queue, on the race-day cadence (``cadence``).

Run by the daemon about once a minute. Every daemon may run it: the queue's
unique index keeps one queued job per (partner, provider, kind, event), so two
daemons scheduling at once add it once.
"""

from __future__ import annotations

import datetime as dt
import logging

import psycopg2
import psycopg2.extensions

from . import cadence
from .runner import enqueue
from .store import sql

log = logging.getLogger("provider_sync")


def due_jobs(prod: psycopg2.extensions.connection, now: dt.datetime) -> list[tuple]:
    with prod, prod.cursor() as cur:
        cur.execute(sql("all_partners"))
        cur.execute(sql("schedule_candidates"))
        rows = cur.fetchall()
    due = [
        (partner, provider, kind, event)
        for partner, provider, kind, event, start, last, active in rows
        if not active and cadence.due(start, last, now)
    ]
    # The calendar first: while a partner's events listing is due or running, its
    # events' jobs wait for the next pass, so an event the provider dropped is not
    # asked for (the listing takes it off the calendar).
    refreshing = {(r[0], r[1]) for r in rows if r[2] == "events" and r[6]}
    refreshing |= {(d[0], d[1]) for d in due if d[2] == "events"}
    return [d for d in due if d[2] == "events" or (d[0], d[1]) not in refreshing]


def followed_rosters(raw: psycopg2.extensions.connection) -> list[tuple]:
    with raw, raw.cursor() as cur:
        cur.execute(sql("roster_sources_followed"))
        return cur.fetchall()


def due_rosters(followed: list[tuple], now: dt.datetime) -> list[tuple]:
    return [
        (partner, provider, "roster", event)
        for provider, event, partner, start, attempted in followed
        if cadence.due(start, attempted, now)
    ]


def schedule(
    prod: psycopg2.extensions.connection, raw: psycopg2.extensions.connection | None
) -> int:
    now = dt.datetime.now(dt.UTC)
    wanted = due_jobs(prod, now)
    if raw is not None:
        followed = followed_rosters(raw)
        # A roster job syncs its event's participants itself: no second job for them.
        covered = {(partner, provider, event) for provider, event, partner, *_ in followed}
        wanted = [
            w for w in wanted if not (w[2] == "participants" and (w[0], w[1], w[3]) in covered)
        ]
        wanted += due_rosters(followed, now)
    added = 0
    for partner, provider, kind, event in wanted:
        # Rosters first: they are what the finish line is waiting for.
        queued = enqueue(
            prod, partner, provider, kind, event, priority=2 if kind == "roster" else 5
        )
        added += bool(queued and queued[2])
    if added:
        log.info("scheduled %d sync job(s)", added)
    return added

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
    return [
        (partner, provider, kind, event)
        for partner, provider, kind, event, start, last, active in rows
        if not active and cadence.due(start, last, now)
    ]


def due_rosters(raw: psycopg2.extensions.connection, now: dt.datetime) -> list[tuple]:
    with raw, raw.cursor() as cur:
        cur.execute(sql("roster_sources_followed"))
        rows = cur.fetchall()
    return [
        (partner, provider, "roster", event)
        for provider, event, partner, start, attempted in rows
        if cadence.due(start, attempted, now)
    ]


def schedule(
    prod: psycopg2.extensions.connection, raw: psycopg2.extensions.connection | None
) -> int:
    now = dt.datetime.now(dt.UTC)
    wanted = due_jobs(prod, now)
    if raw is not None:
        wanted += due_rosters(raw, now)
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

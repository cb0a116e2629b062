"""Events and races as ChronoTrack, the events catalogue, RunSignUp and Race Roster list them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from project88.demodata import reference as ref
from project88.demodata.generate.columns import Row
from project88.demodata.generate.stamps import race_start, stamp
from project88.demodata.plan import EventPlan, Plan


def _event_stamps(event: EventPlan) -> tuple[dt.datetime, dt.datetime]:
    created = stamp(event.date - dt.timedelta(days=150), 15)
    if event.status == "completed":
        updated = stamp(event.end + dt.timedelta(days=2), 9)
    elif event.status == "cancelled":
        updated = stamp(event.date - dt.timedelta(days=30), 9)
    else:
        updated = stamp(ref.REFERENCE_DATE, 7)
    return created, updated


def ct_event_rows(plan: Plan) -> Iterator[Row]:
    for e in plan.events:
        created, updated = _event_stamps(e)
        yield (
            e.id,
            e.partner_id,
            e.name,
            e.date,
            e.end,
            e.city,
            e.state,
            "US",
            e.time_zone,
            e.status,
            e.website,
            created,
            updated,
        )


def ct_race_rows(plan: Plan) -> Iterator[Row]:
    for r in plan.races:
        yield (
            r.id,
            r.event.id,
            r.event.partner_id,
            r.distance.name,
            r.distance.km_text,
            race_start(r),
            _event_stamps(r.event)[0],
        )


def catalogue_rows(plan: Plan) -> Iterator[Row]:
    for c in plan.catalogue:
        e = c.event
        yield (
            c.id,
            e.partner_id,
            c.provider_id,
            c.provider_event_id,
            e.name,
            e.date,
            e.city,
            e.state,
            e.status in ("upcoming", "active"),
            _event_stamps(e)[0],
        )


def rsu_event_rows(plan: Plan) -> Iterator[Row]:
    for r in plan.rsu_events:
        e = r.event
        yield (
            r.id,
            e.partner_id,
            e.name,
            e.date,
            e.city,
            e.state,
            r.opens,
            r.closes,
            stamp(r.opens - dt.timedelta(days=7), 16),
        )


def rsu_race_rows(plan: Plan) -> Iterator[Row]:
    for r in plan.rsu_races:
        race = r.race
        yield (
            r.id,
            r.rsu_event_id,
            race.event.partner_id,
            race.distance.name,
            race.distance.km_text,
            race_start(race),
            r.fee,
            r.cap,
        )


def raceroster_rows(plan: Plan) -> Iterator[Row]:
    for r in plan.rr_events:
        e = r.event
        yield (
            r.id,
            e.partner_id,
            e.name,
            e.date,
            e.city,
            e.state,
            r.fee,
            stamp(e.date - dt.timedelta(days=200), 13),
        )

"""RunSignUp Get Race (``GET /race/{race_id}``): the race and its events as rows (sans I/O).

The race is a ``runsignup_events`` row and each of its events (5K, 10K) a
``runsignup_races`` row (see ``runsignup`` for the naming). "Event start and
end times are in the timezone of the race. All other dates/times are in
Eastern Time" (Get Race); a race without a timezone is America/New_York (the
Create Race page). Where the documentation found was silent, the comment at the
spot says so.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .base import Page, ProviderError, Request, Response
from .runsignup import decode, describe, eastern, local_time, money

_DISTANCE = re.compile(r"^\s*([\d.]+)\s*([a-zA-Z]*)")
_UNIT_KM = {"k": 1, "km": 1, "m": 0.001, "mi": 1.609344, "mile": 1.609344, "miles": 1.609344}


def distance_km(value: Any) -> Decimal | None:
    # The documentation found gives no format for an event's distance: "5K",
    # "10 km", "13.1 Miles" and "800 m" are read; anything else is left empty.
    m = _DISTANCE.match(str(value or ""))
    if not m or m.group(2).lower() not in _UNIT_KM:
        return None
    km = Decimal(m.group(1)) * Decimal(str(_UNIT_KM[m.group(2).lower()]))
    return km.quantize(Decimal("0.001"))


def _day(value: Any) -> date | None:
    stamp = eastern(value)
    return stamp.date() if stamp else None


def parse_race(request: Request, response: Response, *, partner_id: int | None = None) -> Page:
    """The race of a Get Race answer, as its runsignup_events row."""
    return _race_pages(request, response, partner_id)[0]


def parse_race_events(
    request: Request, response: Response, *, partner_id: int | None = None
) -> Page:
    """The events of the same answer, as runsignup_races rows (after parse_race's row)."""
    return _race_pages(request, response, partner_id)[1]


def _race_pages(request: Request, response: Response, partner_id: int | None) -> tuple[Page, Page]:
    body = decode(request, response)
    race = body.get("race") if isinstance(body, dict) else None
    if not isinstance(race, dict):
        raise ProviderError(f"{describe(request)}: no race in the answer")
    race_id = int(race["race_id"])
    # Event start/end times are in the race's timezone (documented); the Create
    # Race page says a race without one is America/New_York.
    tz = ZoneInfo(race.get("timezone") or "America/New_York")
    events = race.get("events") or []
    address = race.get("address") or {}
    opens, closes, races = [], [], []
    for ev in events:
        periods = ev.get("registration_periods") or []
        opens += [d for d in (_day(p.get("registration_opens")) for p in periods) if d]
        closes += [d for d in (_day(p.get("registration_closes")) for p in periods) if d]
        # The fee of the last period listed (the latest price); the answer lists
        # periods in date order in the examples seen, which is not documented.
        fee = money(periods[-1].get("race_fee")) if periods else None
        cap = ev.get("participant_cap")
        races.append(
            {
                "id": int(ev["event_id"]),
                "runsignup_event_id": race_id,
                "timing_partner_id": partner_id,
                "name": ev.get("name") or "",
                "distance_km": distance_km(ev.get("distance")),
                "start_time": local_time(ev.get("start_time"), tz),
                "registration_fee": fee if fee is not None else Decimal("0"),
                "participant_cap": int(cap) if cap not in (None, "") else None,
            }
        )
    starts = [r["start_time"].date() for r in races if r["start_time"]]
    event_date = _day(race.get("next_date")) or (min(starts) if starts else None)
    if event_date is None:
        raise ProviderError(f"{describe(request)}: race {race_id} has no date")
    race_row = {
        "id": race_id,
        "timing_partner_id": partner_id,
        "name": race.get("name") or "",
        "event_date": event_date,
        "city": address.get("city"),
        "state": address.get("state"),
        "registration_opens": min(opens) if opens else None,
        "registration_closes": max(closes) if closes else None,
    }
    return Page(table="runsignup_events", rows=[race_row]), Page(
        table="runsignup_races", rows=races
    )

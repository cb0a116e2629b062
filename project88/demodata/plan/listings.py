"""Where each event is listed: RunSignUp events and races (fees, caps, registrants),
Race Roster events, and the providers' events catalogue."""

from __future__ import annotations

import datetime as dt
import random

from project88.demodata import reference as ref
from project88.demodata.plan.counts import half_up
from project88.demodata.plan.entities import CatalogueEntry, EventPlan, RrEvent, RsuEvent, RsuRace
from project88.demodata.reference import Distance

RSU_EVENT_ID_BASE = 40_000  # RunSignUp race ids (RunSignUp calls an event a "race")
RSU_RACE_ID_BASE = 900_000
RR_EVENT_ID_BASE = 300_000


def _fee(rng: random.Random, distance: Distance) -> str:
    low, high = distance.fee
    return f"{rng.randint(int(low), int(high))}.00"


def registrations(
    rng: random.Random, events: list[EventPlan]
) -> tuple[list[RsuEvent], list[RsuRace], list[RrEvent], list[CatalogueEntry]]:
    rsu_events: list[RsuEvent] = []
    rsu_races: list[RsuRace] = []
    rr_events: list[RrEvent] = []
    catalogue: list[tuple[dt.date, int, EventPlan, str]] = []
    for event in events:
        partner = ref.PARTNERS[event.partner_id - 1]
        if event.status == "cancelled":
            continue
        if "runsignup" in partner.providers and event.date >= dt.date(2024, 1, 1):
            rsu = RsuEvent(
                RSU_EVENT_ID_BASE + len(rsu_events) + 1,
                event,
                event.date - dt.timedelta(days=rng.randint(120, 300)),
                event.date - dt.timedelta(days=rng.choice((1, 2, 3))),
            )
            rsu_events.append(rsu)
            catalogue.append((event.date, ref.PROVIDER_ID["runsignup"], event, str(rsu.id)))
            for race in event.races:
                fee = _fee(rng, race.distance)
                cap = half_up(race.field_size * 1.25 / 25) * 25 if race.field_size >= 100 else None
                race.rsu_race_id = RSU_RACE_ID_BASE + len(rsu_races) + 1
                race.rsu_fee = fee
                if race.participants:
                    race.rsu_registrants = race.participants
                elif event.status == "upcoming":
                    days = (event.date - ref.REFERENCE_DATE).days
                    fill = min(0.95, max(0.15, 0.95 - days / 365))
                    race.rsu_registrants = half_up(race.field_size * fill)
                rsu_races.append(RsuRace(race.rsu_race_id, rsu.id, race, fee, cap))
        if "raceroster" in partner.providers and event.date >= dt.date(2023, 1, 1):
            rr = RrEvent(
                RR_EVENT_ID_BASE + len(rr_events) + 1, event, _fee(rng, event.races[0].distance)
            )
            rr_events.append(rr)
            catalogue.append((event.date, ref.PROVIDER_ID["raceroster"], event, str(rr.id)))
        if event.featured or rng.random() < 0.35:
            catalogue.append((event.date, ref.PROVIDER_ID["chronotrack"], event, str(event.id)))
        if "haku" in partner.providers and event.date >= dt.date(2025, 1, 1) and rng.random() < 0.4:
            haku_id = f"evt_{rng.getrandbits(48):012x}"
            catalogue.append((event.date, ref.PROVIDER_ID["haku"], event, haku_id))
    catalogue.sort(key=lambda c: (c[0], c[2].id, c[1]))
    entries = [
        CatalogueEntry(i, event, provider, external)
        for i, (_d, provider, event, external) in enumerate(catalogue, start=1)
    ]
    return rsu_events, rsu_races, rr_events, entries

"""What a plan is made of: events, races, RunSignUp and Race Roster listings, catalogue
entries, and the plan itself with the counts it realises."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from project88.demodata import reference as ref
from project88.demodata.plan.counts import Counts
from project88.demodata.reference import Distance


@dataclass(slots=True, eq=False)
class EventPlan:
    id: int
    partner_id: int  # 1-based, PARTNERS order
    name: str
    date: dt.date
    end: dt.date
    city: str
    state: str
    time_zone: str
    status: str
    website: str | None
    featured: str | None = None  # the featured series or Big River, else None
    speed: float = 1.0
    races: list[RacePlan] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class RacePlan:
    id: int
    event: EventPlan
    distance: Distance
    index: int  # position in its event (bibs of the n-th race start at n*10000+1)
    field_size: int  # expected field: the ct field, or the registrations of a future race
    participants: int = 0
    dns: int = 0
    dnf: int = 0
    dq: int = 0
    points: int = 1  # timing points including Finish
    min_points: int = 1
    extra: int = 0  # rows of DNS/DNF participants beyond one per DNF
    results: int = 0
    first_participant_id: int = 0
    first_result_id: int = 0
    forced: tuple[tuple[str, int], ...] = ()  # (sex, age) of some finishers
    wardian: int | None = None  # Michael Wardian's chip seconds in this race
    rsu_race_id: int | None = None
    rsu_fee: str | None = None
    rsu_registrants: int = 0
    first_rsu_participant_id: int = 0

    @property
    def finishers_and_dq(self) -> int:
        return self.participants - self.dns - self.dnf

    @property
    def timing_points(self) -> list[tuple[str, str, float]]:
        """(label, km as stored, km) of the splits in distance order, then the Finish."""
        chosen = sorted(self.distance.splits[: self.points - 1], key=lambda s: s[1])
        return [(label, ref.format_km(km), km) for label, km in chosen] + [
            ("Finish", self.distance.km_text, self.distance.km)
        ]


@dataclass(frozen=True, slots=True)
class RsuEvent:
    id: int
    event: EventPlan
    opens: dt.date
    closes: dt.date


@dataclass(frozen=True, slots=True)
class RsuRace:
    id: int
    rsu_event_id: int
    race: RacePlan
    fee: str
    cap: int | None


@dataclass(frozen=True, slots=True)
class RrEvent:
    id: int
    event: EventPlan
    fee: str


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    id: int
    event: EventPlan
    provider_id: int
    provider_event_id: str


@dataclass
class Plan:
    scale: float
    seed: int
    counts: Counts
    events: list[EventPlan]
    races: list[RacePlan]
    rsu_events: list[RsuEvent]
    rsu_races: list[RsuRace]
    rr_events: list[RrEvent]
    catalogue: list[CatalogueEntry]

    @property
    def rsu_participants(self) -> int:
        return sum(r.rsu_registrants for r in self.races)

    def realised(self) -> Counts:
        return Counts(
            len(ref.PARTNERS),
            len(self.events),
            len(self.races),
            sum(r.participants for r in self.races),
            sum(r.results for r in self.races),
        )

"""The typed query plan: what both engines (rules, LLM) produce and the compiler consumes.

A plan says *what* is asked — an intent and slots — never *how* to query it.
Only ``sql.compile_plan`` turns a plan into SQL, and it adds the tenant
predicate and the row limit itself, so nothing a question or a model says can
change whose rows are read or how many.

Pydantic validates every slot (types, ranges, enumerations): a model's answer
that does not fit is refused before any SQL exists.
"""

from __future__ import annotations

import datetime as dt
import enum

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_ROWS = 1000
MARATHON_KM = 42.195  # the plan's distance for a marathon, said or implied (a Boston qualifier)


class Intent(enum.StrEnum):
    COUNT = "count"  # how many
    LIST = "list"  # show rows
    FIND = "find"  # one person / one thing (a PR, a result)
    ANALYZE = "analyze"  # averages, medians, distributions
    COMPARE = "compare"  # the same measure side by side (years, sexes, events)
    EXPORT = "export"  # a list meant for a CSV download


class Subject(enum.StrEnum):
    RESULTS = "results"  # finishers and their times (ct_results)
    PARTICIPANTS = "participants"  # entrants, finished or not (ct_participants)
    EVENTS = "events"  # events themselves (ct_events)
    REGISTRATIONS = "registrations"  # provider registrations: RunSignUp / Race Roster
    LIVE_TIMING = "live_timing"  # the raw reads of a timing session (raw_tag_data)


class Sex(enum.StrEnum):
    MALE = "M"
    FEMALE = "F"
    NONBINARY = "X"


class Provider(enum.StrEnum):
    CHRONOTRACK = "chronotrack"
    RUNSIGNUP = "runsignup"
    RACEROSTER = "raceroster"


class Measure(enum.StrEnum):
    COUNT = "count"
    AVERAGE_TIME = "average_time"
    MEDIAN_TIME = "median_time"
    FASTEST_TIME = "fastest_time"
    SLOWEST_TIME = "slowest_time"
    TIME_DISTRIBUTION = "time_distribution"  # finishers per 30-minute band
    AVERAGE_FEE = "average_fee"


class CompareBy(enum.StrEnum):
    YEAR = "year"
    SEX = "sex"
    EVENT = "event"
    AGE_GROUP = "age_group"


class Order(enum.StrEnum):
    FASTEST = "fastest"
    SLOWEST = "slowest"
    NEWEST = "newest"
    OLDEST = "oldest"
    NAME = "name"


class EventStatus(enum.StrEnum):
    UPCOMING = "upcoming"
    ACTIVE = "active"
    COMPLETED = "completed"


class Person(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    first_name: str | None = Field(None, max_length=60)
    last_name: str = Field(..., min_length=1, max_length=60)


class Plan(BaseModel):
    """One question, understood. Every slot is optional except the intent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    intent: Intent
    subject: Subject = Subject.RESULTS
    # Events, as canonical names from the database's own list (never free text).
    event_names: tuple[str, ...] = Field((), max_length=10)
    years: tuple[int, ...] = Field((), max_length=20)  # editions (compare: several)
    date_from: dt.date | None = None  # inclusive
    date_to: dt.date | None = None  # inclusive
    distance_km: float | None = Field(None, gt=0, le=500)
    # Chip-time thresholds: "under 3 hours" -> max_time = 3:00:00 (exclusive).
    max_time: dt.timedelta | None = None
    min_time: dt.timedelta | None = None
    sex: Sex | None = None
    age_min: int | None = Field(None, ge=1, le=120)
    age_max: int | None = Field(None, ge=1, le=120)
    person: Person | None = None
    partner_name: str | None = Field(None, max_length=120)  # as said; the key decides
    provider: Provider | None = None
    boston_qualifiers: bool = False  # chip time within the BQ standard for age and sex
    bq_edition: int | None = Field(None, ge=2020, le=2100)  # standards of which edition
    event_status: EventStatus | None = None
    min_fee: float | None = Field(None, ge=0, le=100_000)
    max_fee: float | None = Field(None, ge=0, le=100_000)
    measure: Measure | None = None
    compare_by: CompareBy | None = None
    order: Order | None = None
    include_contact: bool = False  # e-mail and phone (export to CSV)
    session_id: int | None = Field(None, ge=1, le=2**31 - 1)  # live timing
    limit: int | None = Field(None, ge=1, le=MAX_ROWS)  # "top 10"

    @model_validator(mode="after")
    def _consistent(self) -> Plan:
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError("age_min is above age_max")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        for value in (self.max_time, self.min_time):
            if value is not None and not dt.timedelta(0) < value < dt.timedelta(days=2):
                raise ValueError("time thresholds must be between 0 and 48 hours")
        if self.subject is Subject.LIVE_TIMING and self.session_id is None:
            raise ValueError("live timing needs a session id")
        return self


class Understanding(BaseModel):
    """An engine's answer: the plan, how sure it is, and what it recognised."""

    model_config = ConfigDict(frozen=True)

    plan: Plan
    # Confidence in [0, 1]: the share of the question's content words the
    # engine accounted for, capped by what it had to guess. At or above the
    # threshold (default 0.6) the rules' plan runs as is; below it the LLM is
    # asked (when configured) and the better-founded plan wins.
    confidence: float = Field(..., ge=0.0, le=1.0)
    entities: dict[str, object] = Field(default_factory=dict)  # as recognised, for the answer
    engine: str = "rules"
    notes: tuple[str, ...] = ()  # what was ignored or assumed

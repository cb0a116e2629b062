"""A representative semantic query of every entity and most shapes, for the compiler, guard
and explanation tests; and the two kinds of caller (a partner, a platform admin)."""

from __future__ import annotations

import datetime as dt

from daemons.nlq_http.compiler import Tenant
from tests.unit.nlq_queries import (
    AGE,
    BIG_RIVER,
    BOSTON,
    BQ,
    CHICAGO,
    DATES,
    EVENT,
    HALF,
    HARTFORD,
    MARATHON,
    PERSON,
    SEX,
    YEAR,
    D,
    F,
    H,
    Q,
)

PARTNER = Tenant(7, partner_name=BIG_RIVER)
ADMIN = Tenant(None, admin=True)
B24 = (EVENT(BOSTON), YEAR(2024), MARATHON)
HF23, HF25 = (EVENT(HARTFORD), YEAR(2023), MARATHON), (EVENT(HARTFORD), YEAR(2025), MARATHON)
C25, C2324 = (EVENT(CHICAGO), YEAR(2025), MARATHON), (EVENT(CHICAGO), YEAR(2023, 2024), MARATHON)
BC, AGE_61, RSU = EVENT(BOSTON, CHICAGO), F("age", 61, "ge"), F("provider", "RunSignUp")
DECEMBER, SINCE_MAY = DATES("2026-12-01", "2026-12-31"), F("event_date", D("2026-05-01"), "ge")
PAID_50_100 = F("amount_paid", (50.0, 100.0), "between")

WARDIAN = PERSON("Michael", "Wardian")
FASTEST = ("chip_time",)
STATS = ("count", "average_time", "median_time", "fastest_time")
LIVE = ("count", "unique_tags", "first_read", "last_read")
CONTACT = ("email", "phone")
QUERIES = {
    "count under 3 hours": Q("finishers", B24[0], MARATHON, F("chip_time", H(3), "lt"), count=True),
    "bq export with contact": Q("finishers", BQ, show=CONTACT, export=True),
    "live session": Q("live_reads", F("session_id", 1), measures=LIVE, group_by=("location",)),
    "active sessions": Q("sessions", F("session_status", "active")),
    "partner's active events": Q("events", F("partner", BIG_RIVER), F("event_status", "active")),
    "marathon pr": Q("finishers", WARDIAN, MARATHON, order=FASTEST, limit=1),
    "pr per race": Q("finishers", WARDIAN, group_by=("race",), order=FASTEST, per_group=1),
    "compare years": Q("finishers", C2324, measures=STATS, group_by=("year",)),
    "median men over 60": Q("finishers", SEX("M"), MARATHON, AGE_61, measures=("median_time",)),
    "percentile by sex": Q(
        "finishers", B24, measures=(("percentile_time", 90.0),), group_by=("sex",)
    ),
    "distribution": Q("finishers", B24, count=True, group_by=("time_band",)),
    "top 10 women": Q("finishers", HF23, SEX("F"), order=FASTEST, limit=10),
    "top 3 per division": Q("finishers", B24, group_by=("division",), order=FASTEST, per_group=3),
    "most by state": Q(
        "finishers", B24, count=True, group_by=("state",), order=("-count",), limit=1
    ),
    "age group and sex": Q("finishers", B24, count=True, group_by=("age_group", "sex")),
    "women 40-49 last year": Q("finishers", C25, SEX("F"), AGE(40, 49), count=True),
    "bq of an edition": Q("finishers", HF25, F("boston_qualifier_of", 2026)),
    "half slower than 2:30": Q(
        "finishers", HALF, F("chip_time", H(2, 30), "gt"), order=("-chip_time",)
    ),
    "pace and gun time": Q("finishers", B24, show=("pace_per_mile", "pace_per_km", "gun_time")),
    "average pace per km": Q("finishers", B24, measures=("average_pace_per_km", "average_age")),
    "two events": Q(
        "finishers", BC, MARATHON, measures=("count", "average_time"), group_by=("event",)
    ),
    "home state and city": Q("finishers", B24, F("state", "TX"), F("city", "Portland")),
    "dnf entrants": Q("entrants", B24, F("outcome", "dnf"), count=True),
    "entrants with contact": Q("entrants", EVENT(CHICAGO), show=CONTACT),
    "dnf results": Q("finishers", B24, F("status", "dnf")),
    "splits": Q("splits", B24, F("timing_point", "10K"), PERSON("Jane", "Doe")),
    "events of a year": Q("events", YEAR(2024), count=True, group_by=("month",)),
    "events in a range": Q(
        "events", DECEMBER, F("event_status", "upcoming"), order=("-event_date",)
    ),
    "races of an event": Q("races", EVENT(BOSTON), YEAR(2024)),
    "weather": Q(
        "weather", EVENT(BOSTON), YEAR(2024), measures=("average_temperature", "average_wind")
    ),
    "standards for a woman of 45": Q("standards", SEX("F"), AGE(45), F("latest_edition", True)),
    "standards of an edition": Q("standards", F("edition", 2026), AGE(40, 44)),
    "fees over 100": Q("fees", RSU, F("fee", 100.0, "gt")),
    "race roster fees since may": Q("fees", F("provider", "Race Roster"), SINCE_MAY),
    "runsignup listings closing in 2027": Q(
        "listings",
        RSU,
        F("registration_closes", (dt.date(2027, 1, 1), dt.date(2027, 12, 31)), "between"),
    ),
    "listings by provider": Q("listings", count=True, group_by=("provider",)),
    "average fee by provider": Q(
        "fees", measures=("average_fee", "highest_fee"), group_by=("provider",)
    ),
    "revenue by event": Q(
        "registrations", YEAR(2025), measures=("revenue", "count"), group_by=("event",)
    ),
    "registrations export": Q("registrations", PAID_50_100, show=CONTACT, export=True),
}

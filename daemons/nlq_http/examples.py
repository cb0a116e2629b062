"""The documented example questions, as data: each question with the exact plan it means.

One list serves three readers: ``GET /api/v1/nl-examples`` (what to ask), the unit
tests (the rules parser must produce exactly these plans) and the benchmark.
The plans are written for ``EXAMPLES_TODAY`` and ``DEMO_VOCABULARY``; relative
phrases ("last year", "since May") resolve against that date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from daemons.nlq_http.parse import MARATHON_KM, Vocabulary
from daemons.nlq_http.plan import (
    CompareBy,
    EventStatus,
    Intent,
    Measure,
    Order,
    Person,
    Plan,
    Provider,
    Sex,
    Subject,
)

EXAMPLES_TODAY = dt.date(2026, 11, 25)

# The four featured marathons, a few other events (a half marathon sharing a name, a 10 miler,
# a 5K, a road race) and the demo timing partner.
DEMO_VOCABULARY = Vocabulary(
    event_names=(
        "Boston Marathon",
        "Chicago Marathon",
        "Shamrock Marathon",
        "Hartford Marathon",
        "Shamrock Half Marathon",
        "Big Sur Marathon",
        "Cherry Blossom 10 Miler",
        "Manchester Road Race",
        "Turkey Trot 5K",
    ),
    partner_names=("Big River Race Management", "Summit Timing Co"),
)


@dataclass(frozen=True)
class Example:
    question: str
    plan: Plan


EXAMPLES: tuple[Example, ...] = (
    Example(
        "How many runners finished the Boston Marathon under 3 hours?",
        Plan(
            intent=Intent.COUNT,
            event_names=("Boston Marathon",),
            distance_km=MARATHON_KM,
            max_time=dt.timedelta(hours=3),
        ),
    ),
    Example(
        "Generate CSV of Boston qualifiers with contact info",
        Plan(
            intent=Intent.EXPORT,
            boston_qualifiers=True,
            include_contact=True,
            distance_km=MARATHON_KM,
        ),
    ),
    Example(
        "What's the current timing data for session 1?",
        Plan(intent=Intent.ANALYZE, subject=Subject.LIVE_TIMING, session_id=1),
    ),
    Example(
        "I'm from Big River Race Management, show me our active events",
        Plan(
            intent=Intent.LIST,
            subject=Subject.EVENTS,
            partner_name="Big River Race Management",
            event_status=EventStatus.ACTIVE,
        ),
    ),
    Example(
        "What is Michael Wardian's marathon PR?",
        Plan(
            intent=Intent.FIND,
            person=Person(first_name="Michael", last_name="Wardian"),
            distance_km=MARATHON_KM,
            measure=Measure.FASTEST_TIME,
            order=Order.FASTEST,
            limit=1,
        ),
    ),
    Example(
        "Compare Chicago Marathon finishers in 2023 and 2024",
        Plan(
            intent=Intent.COMPARE,
            event_names=("Chicago Marathon",),
            years=(2023, 2024),
            compare_by=CompareBy.YEAR,
            distance_km=MARATHON_KM,
        ),
    ),
    Example(
        "What was the average finish time at the Shamrock Marathon in 2024?",
        Plan(
            intent=Intent.ANALYZE,
            measure=Measure.AVERAGE_TIME,
            event_names=("Shamrock Marathon",),
            years=(2024,),
            distance_km=MARATHON_KM,
        ),
    ),
    Example(
        "List the top 10 female finishers at the Hartford Marathon in 2023",
        Plan(
            intent=Intent.LIST,
            sex=Sex.FEMALE,
            limit=10,
            order=Order.FASTEST,
            event_names=("Hartford Marathon",),
            years=(2023,),
            distance_km=MARATHON_KM,
        ),
    ),
    Example(
        "How many women aged 40 to 49 ran the Chicago Marathon last year?",
        Plan(
            intent=Intent.COUNT,
            sex=Sex.FEMALE,
            age_min=40,
            age_max=49,
            years=(EXAMPLES_TODAY.year - 1,),
            event_names=("Chicago Marathon",),
            distance_km=MARATHON_KM,
        ),
    ),
    Example(
        "Show RunSignUp events with registration fees over $100",
        Plan(
            intent=Intent.LIST,
            subject=Subject.REGISTRATIONS,
            provider=Provider.RUNSIGNUP,
            min_fee=100,
        ),
    ),
    Example(
        "How many Boston qualifiers were there at the Hartford Marathon in 2024?",
        Plan(
            intent=Intent.COUNT,
            boston_qualifiers=True,
            event_names=("Hartford Marathon",),
            years=(2024,),
            distance_km=MARATHON_KM,
        ),
    ),
    Example(
        "What's the median marathon time for men over 60?",
        Plan(
            intent=Intent.ANALYZE,
            measure=Measure.MEDIAN_TIME,
            sex=Sex.MALE,
            age_min=61,
            distance_km=MARATHON_KM,
        ),
    ),
    Example(
        "Compare men and women at the Boston Marathon in 2024",
        Plan(
            intent=Intent.COMPARE,
            compare_by=CompareBy.SEX,
            event_names=("Boston Marathon",),
            years=(2024,),
            distance_km=MARATHON_KM,
        ),
    ),
    Example(
        "Show the finish time distribution for the Chicago Marathon in 2024",
        Plan(
            intent=Intent.ANALYZE,
            measure=Measure.TIME_DISTRIBUTION,
            event_names=("Chicago Marathon",),
            years=(2024,),
            distance_km=MARATHON_KM,
        ),
    ),
    Example(
        "Show Race Roster events since May",
        Plan(
            intent=Intent.LIST,
            subject=Subject.REGISTRATIONS,
            provider=Provider.RACEROSTER,
            date_from=dt.date(EXAMPLES_TODAY.year, 5, 1),
        ),
    ),
)

"""What events and people have or lack ("events with no results", "didn't include a half",
"with no phone number"), event statuses negated, live timing sessions themselves and the mats
their reads came in at, a share asked as "what percentage of … did …", the words between a
superlative and "time" ("the fastest gun time"), "across all years" counted together,
starters, and registration dates."""

from __future__ import annotations

import pytest

from daemons.nlq_http.compiler import Tenant, compile_query, distance_bounds
from daemons.nlq_http.query import HALF_MARATHON_KM
from tests.unit.nlq_queries import (
    BOSTON,
    CHICAGO,
    EVENT,
    HARTFORD,
    MARATHON,
    SEX,
    YEAR,
    D,
    F,
    Q,
    assert_parses_to,
    case,
    understand,
)

STARTED = F("outcome", "dns", "ne")
HALFWAY = F("location", ("halfway", "half", "half way", "half-way"), "in")

DNS = F("outcome", "dns")
HALF_OFFERED = F("offers_distance", HALF_MARATHON_KM)

CASES = [
    case("events with no results yet", Q("events", F("has_results", False))),
    case(
        "Which of our 2026 events didn't include a half marathon?",
        Q("events", YEAR(2026), F("offers_distance", HALF_MARATHON_KM, "ne")),
    ),
    case(
        "events in 2025 with both a marathon and a half",
        Q("events", YEAR(2025), F("offers_distance", 42.195), HALF_OFFERED),
    ),
    case(
        "how many events had a half marathon in 2024",
        Q("events", YEAR(2024), HALF_OFFERED, count=True),
    ),
    case(
        "chicago 2025 finishers with no phone number",
        Q("finishers", EVENT(CHICAGO), YEAR(2025), MARATHON, F("has_phone", False), count=True),
    ),
    case(
        "events in 2024 that were not cancelled",
        Q("events", YEAR(2024), F("event_status", "cancelled", "ne")),
    ),
    case(
        "How many people registered for the Hartford Marathon 2024 but did not start?",
        Q("entrants", EVENT(HARTFORD), YEAR(2024), MARATHON, DNS, count=True),
    ),
    case(
        "Of the people signed up for the 2025 Boston Marathon, how many never crossed a single"
        " timing mat?",
        Q("entrants", EVENT(BOSTON), YEAR(2025), MARATHON, DNS, count=True),
    ),
    case(
        "fastest gun time boston 2021",
        Q("finishers", EVENT(BOSTON), YEAR(2021), MARATHON, measures=("fastest_gun_time",)),
    ),
    case(
        "Across all years, how many women have finished the Chicago Marathon?",
        Q("finishers", EVENT(CHICAGO), MARATHON, SEX("F"), count=True),
    ),
    case(
        "How many runners started the Hartford Marathon in 2022?",
        Q("entrants", EVENT(HARTFORD), YEAR(2022), MARATHON, STARTED, count=True),
    ),
    case(
        "warmest boston marathon on record",
        Q("weather", EVENT(BOSTON), order=("-temperature_c",), limit=1, show=("year",)),
    ),
    case("Which event is timing session 2 for?", Q("sessions", F("session_id", 2))),
    case("which sessions are active", Q("sessions", F("session_status", "active"))),
    case("closed timing sessions", Q("sessions", F("session_status", "closed"))),
    case("how many timing sessions are there", Q("sessions", count=True)),
    case(
        "How many tags crossed the halfway mat in session 2?",
        Q("live_reads", HALFWAY, F("session_id", 2), measures=("unique_tags",)),
    ),
    case(
        "reads at halfway session 2",
        Q(
            "live_reads",
            HALFWAY,
            F("session_id", 2),
            measures=("count", "unique_tags", "first_read", "last_read"),
        ),
    ),
    case(
        "how many people signed up in march 2026",
        Q(
            "registrations",
            F("registered_at", (D("2026-03-01"), D("2026-03-31")), "between"),
            count=True,
        ),
    ),
    case(
        "Which events took place in Texas in 2022?", Q("events", YEAR(2022), F("event_state", "TX"))
    ),
    case(
        "What percentage of Boston Marathon 2024 finishers ran a qualifying time?",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, measures=("bq_rate",)),
    ),
    case(
        "What percentage of the runners who started the 2020 Boston Marathon did not finish?",
        Q("entrants", EVENT(BOSTON), YEAR(2020), MARATHON, STARTED, measures=("dnf_rate",)),
    ),
]


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected)


@pytest.mark.parametrize(
    ("question", "event_date"),
    [
        ("registrations for events in october 2026", True),
        ("how many registrations in october 2026", False),
    ],
)
def test_a_date_is_of_the_event_unless_it_is_when_people_signed_up(question, event_date):
    query = understand(question).query
    assert query is not None
    assert bool(query.filters_on("event_date")) is event_date
    assert bool(query.filters_on("registered_at")) is not event_date


def test_a_word_that_changes_the_time_is_not_swallowed_by_the_superlative():
    reading = understand("fastest banana time at boston 2024")
    assert "banana" in reading.unknown


@pytest.mark.parametrize(
    ("op", "bound"), [("gt", 1), ("le", 1), ("lt", 0), ("ge", 0)], ids=["gt", "le", "lt", "ge"]
)
def test_a_distance_compared_is_compared_past_the_distances_it_matches(op, bound):
    """ "longer than a half marathon" leaves out every half (21.098 and 21.1 km alike)."""
    query = Q("races", F("distance_km", HALF_MARATHON_KM, op))
    compiled = compile_query(query, Tenant(None, True))
    assert compiled.params["distance_km"] == distance_bounds(HALF_MARATHON_KM)[bound]


def test_a_timing_session_listing_needs_no_session_number():
    compiled = compile_query(Q("sessions"), Tenant(None, True))
    assert compiled.database == "raw" and "timing_sessions" in compiled.sql


@pytest.mark.parametrize(
    ("op", "sql"), [("eq", "EXISTS (SELECT 1 FROM ct_races"), ("ne", "NOT EXISTS (SELECT")]
)
def test_a_distance_an_event_offers_is_an_existence_condition(op, sql):
    compiled = compile_query(Q("events", F("offers_distance", 5.0, op)), Tenant(7, False))
    assert sql in compiled.sql and compiled.params["offers_distance"] == 5.0
    assert ("not offering" in compiled.explanation) is (op == "ne")


def test_the_finishers_with_a_phone_number_are_not_read_as_lacking_one():
    query = understand("list boston 2024 finishers with phone numbers").query
    assert query is None or not query.filters_on("has_phone")

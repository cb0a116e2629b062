"""Who led at a split ("leading at the halfway mark", "first through the 30K", "the 5
fastest to the 30K"), the fastest and slowest time together, the winner's row for "who won,
and what was the winning time?", groupings said after a comma ("for each year, split by
sex") or by race distance, no-shows, an event's date, contact said as "how to reach
them", and events whose day was warmer or colder than a temperature."""

from __future__ import annotations

import pytest

from tests.unit.nlq_queries import (
    BOSTON,
    CHICAGO,
    EVENT,
    MARATHON,
    SHAMROCK,
    YEAR,
    F,
    Q,
    assert_parses_to,
    case,
    understand,
)

BOSTON_2024 = (EVENT(BOSTON), YEAR(2024), MARATHON)

CASES = [
    case(
        "Who was leading at the halfway mark of the 2024 Boston Marathon?",
        Q("splits", *BOSTON_2024, F("timing_point", "Half"), order=("chip_time",), limit=1),
    ),
    case(
        "Who was first through the 30K at the 2024 Boston Marathon?",
        Q("splits", *BOSTON_2024, F("timing_point", "30K"), order=("chip_time",), limit=1),
    ),
    case(
        "Who were the 5 fastest to the 30K at the 2024 Boston Marathon",
        Q("splits", *BOSTON_2024, F("timing_point", "30K"), order=("chip_time",), limit=5),
    ),
    case(
        "fastest and slowest chip time chicago 2019",
        Q(
            "finishers",
            EVENT(CHICAGO),
            YEAR(2019),
            MARATHON,
            measures=("fastest_time", "slowest_time"),
        ),
    ),
    case(
        "Who won the Shamrock Marathon in 2022, and what was the winning time?",
        Q("finishers", EVENT(SHAMROCK), YEAR(2022), MARATHON, order=("chip_time",), limit=1),
    ),
    case(
        "For the 2023 Chicago Marathon, list the ten quickest female finishers.",
        Q(
            "finishers",
            EVENT(CHICAGO),
            YEAR(2023),
            MARATHON,
            F("sex", "F"),
            order=("chip_time",),
            limit=10,
        ),
    ),
    case(
        "Show the number of Boston Marathon finishers for each year, split by sex",
        Q("finishers", EVENT(BOSTON), MARATHON, count=True, group_by=("year", "sex")),
    ),
    case(
        "What was the average finish time at each race distance in 2023?",
        Q("finishers", YEAR(2023), measures=("average_time",), group_by=("distance_km",)),
    ),
    case(
        "How many people didn't show up for the 5K at the 2025 Turkey Trot?",
        Q(
            "entrants",
            EVENT("Turkey Trot 5K"),
            YEAR(2025),
            F("distance_km", 5.0),
            F("outcome", "dns"),
            count=True,
        ),
    ),
    case(
        "Could you pull together our Boston-qualifying runners along with how to reach them?",
        Q("finishers", F("boston_qualifier", True), show=("email", "phone")),
    ),
    # events, not readings: any reading of the day above (the warmest) or below (the coldest)
    case(
        "How many of our events last year hit more than 15°C at some point?",
        Q("events", YEAR(2025), F("warmest_c", 15.0, "gt"), count=True),
    ),
    case("which events were colder than 5 degrees", Q("events", F("coldest_c", 5.0, "lt"))),
    case(
        "How many events had light rain at some point in 2024?",
        Q("events", YEAR(2024), F("had_rain", True), count=True),
    ),
]


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected)


def test_an_intensity_of_rain_is_said_to_be_read_as_any_rain():
    reading = understand("How many events had light rain at some point in 2024?")
    assert "read 'light rain' as any rain" in reading.notes


def test_the_date_of_an_event_is_asked_of_the_event():
    reading = understand("What's the date of the Boston Marathon in 2024, and what city is it in?")
    assert reading.query.entity == "events" and not reading.unknown

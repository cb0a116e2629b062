"""Rates and shares (DNF rate, BQ percentage), groupings said in other words ("split by",
"break ... down by", "each of our races"), rows listed rather than counted (a fee per race),
where "Connecticut runners" live, the age extremes, "all races" counted together, counts of
each group kept or dropped (HAVING), the events catalogue, and "Boston" that is the event."""

from __future__ import annotations

import pytest

from daemons.nlq_http.query import HALF_MARATHON_KM
from tests.unit.nlq_queries import (
    BOSTON,
    CHICAGO,
    EVENT,
    HARTFORD,
    KM,
    MARATHON,
    PERSON,
    SHAMROCK,
    YEAR,
    F,
    Q,
    assert_parses_to,
    case,
    understand,
)

CASES = [
    case(
        "Give me the finisher counts at the Shamrock Marathon 2025 split by race and by sex.",
        Q("finishers", EVENT(SHAMROCK), YEAR(2025), count=True, group_by=("race", "sex")),
    ),
    case(
        "Can you break the 2024 Boston Marathon field down by country for me?",
        Q("entrants", EVENT(BOSTON), YEAR(2024), MARATHON, count=True, group_by=("country",)),
    ),
    case(
        "How many people finished each of our races at the 2025 Chicago Marathon?",
        Q("finishers", EVENT(CHICAGO), YEAR(2025), count=True, group_by=("race",)),
    ),
    case(
        "How many Connecticut runners from each town ran the Hartford Marathon in 2023?",
        Q(
            "finishers",
            EVENT(HARTFORD),
            YEAR(2023),
            MARATHON,
            F("state", "CT"),
            count=True,
            group_by=("city",),
        ),
    ),
    case(
        "events in Connecticut in 2023",
        Q("events", YEAR(2023), F("event_state", "CT")),
    ),
    case(
        "What were the youngest and oldest ages among finishers of the 2025 Shamrock Marathon?",
        Q(
            "finishers",
            EVENT(SHAMROCK),
            YEAR(2025),
            MARATHON,
            measures=("youngest_age", "oldest_age"),
        ),
    ),
    case(
        "age range at boston 2024",
        Q(
            "finishers",
            EVENT(BOSTON),
            YEAR(2024),
            MARATHON,
            measures=("youngest_age", "oldest_age"),
        ),
    ),
    case(
        "shamrock 2023 finishers all races",
        Q("finishers", EVENT(SHAMROCK), YEAR(2023), count=True),
    ),
    case(
        "boston fees by year",
        Q("fees", EVENT(BOSTON), order=("year",), show=("year",)),
    ),
    case(
        "wardian boston times",
        Q("finishers", EVENT(BOSTON), MARATHON, PERSON(None, "Wardian"), order=("-event_date",)),
    ),
    case(
        "Which events have more than 2 races?",
        Q("races", F("count", 2, "gt"), count=True, group_by=("event", "event_date")),
    ),
    case(
        "shamrock 2024 finishers per state, only states with more than 10",
        Q(
            "finishers",
            EVENT(SHAMROCK),
            YEAR(2024),
            MARATHON,
            F("count", 10, "gt"),
            count=True,
            group_by=("state",),
        ),
    ),
    case(
        "which cities had 20 or more finishers at chicago 2023",
        Q(
            "finishers",
            EVENT(CHICAGO),
            YEAR(2023),
            MARATHON,
            F("count", 20, "ge"),
            count=True,
            group_by=("city",),
        ),
    ),
    case(
        "How many RunSignUp events are there?",
        Q("listings", F("provider", "RunSignUp"), count=True),
    ),
    case(
        "When did registration open for the Shamrock Marathon 2025?",
        Q("listings", EVENT(SHAMROCK), YEAR(2025), F("provider", "RunSignUp")),
    ),
    case(
        "events per timing partner 2024",
        Q("events", YEAR(2024), count=True, group_by=("partner",)),
    ),
    case(
        "What was the DNF rate at the Chicago Marathon in 2023?",
        Q("entrants", EVENT(CHICAGO), YEAR(2023), MARATHON, measures=("dnf_rate",)),
    ),
    case(
        "what percent of starters did not finish boston 2023",
        Q("entrants", EVENT(BOSTON), YEAR(2023), MARATHON, measures=("dnf_rate",)),
    ),
    case(
        "finish rate by year at hartford",
        Q("entrants", EVENT(HARTFORD), MARATHON, measures=("finish_rate",), group_by=("year",)),
    ),
    case(
        "bq percentage boston 2019",
        Q("finishers", EVENT(BOSTON), YEAR(2019), MARATHON, measures=("bq_rate",)),
    ),
    case(
        "what percentage of finishers were women at boston 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, measures=("women_share",)),
    ),
    case(
        "chicago marathon 2022 start time",
        Q("races", EVENT(CHICAGO), YEAR(2022)),
    ),
    case(
        "which boston marathon was the coldest",
        Q("weather", EVENT(BOSTON), order=("temperature_c",), limit=1, show=("year",)),
    ),
    case(
        "which year was the windiest at boston",
        Q("weather", EVENT(BOSTON), order=("-wind_kph",), limit=1, show=("year",)),
    ),
    case(
        "What were the temperatures in Fahrenheit at the Boston Marathon 2024?",
        Q("weather", EVENT(BOSTON), YEAR(2024), show=("temperature_f",)),
    ),
    case(
        "median, not average, finish time hartford half 2025",
        Q(
            "finishers",
            EVENT(HARTFORD),
            YEAR(2025),
            KM(HALF_MARATHON_KM),
            measures=("median_time",),
        ),
    ),
    case(
        "What events were held in Chicago (the city) in 2024?",
        Q("events", YEAR(2024), F("event_city", "Chicago")),
    ),
    case(
        "Out of everyone entered in the 2019 Hartford Marathon, how many finished, how many"
        " dropped out, and how many never started?",
        Q(
            "entrants",
            EVENT(HARTFORD),
            YEAR(2019),
            MARATHON,
            F("outcome", ("finished", "dnf", "dns"), "in"),
            count=True,
            group_by=("outcome",),
        ),
    ),
    case(
        "which year had the slowest winning time at the Boston Marathon?",
        Q(
            "finishers",
            EVENT(BOSTON),
            MARATHON,
            measures=("fastest_time",),
            group_by=("year",),
            order=("-fastest_time",),
            limit=1,
        ),
    ),
    case(
        "Who was the first man and the first woman across the line in the half marathon at"
        " Chicago 2025?",
        Q(
            "finishers",
            EVENT(CHICAGO),
            YEAR(2025),
            KM(HALF_MARATHON_KM),
            F("sex", ("F", "M"), "in"),
            group_by=("sex",),
            order=("chip_time",),
            per_group=1,
        ),
    ),
    case(
        "What were the quartile finish times (25th, 50th and 75th percentiles) at Boston 2023?",
        Q(
            "finishers",
            EVENT(BOSTON),
            YEAR(2023),
            MARATHON,
            measures=(
                ("percentile_time", 25.0),
                ("percentile_time", 50.0),
                ("percentile_time", 75.0),
            ),
        ),
    ),
    case(
        "How many registrants got a free entry?",
        Q("registrations", F("amount_paid", 0), count=True),
    ),
    case(
        "races at hartford marathon 2024",
        Q("races", EVENT(HARTFORD), YEAR(2024)),
    ),
]


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected)


def test_a_count_condition_with_no_group_is_not_a_time():
    reading = understand("runners with over 3 hours at boston 2024")
    assert reading.query is not None and not reading.query.filters_on("count")


def test_a_half_with_no_year_is_of_the_race_not_of_the_year():
    reading = understand("how long did the second half take at boston 2024")
    assert reading.query is None or not reading.query.filters_on("event_date")


def test_boston_times_for_someone_are_still_the_standards():
    reading = understand("boston times for a 45 year old woman")
    assert reading.query is not None and reading.query.entity == "standards"

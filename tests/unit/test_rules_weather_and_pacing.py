"""The sky and the readings compared ("editions that had rain", "no snow", "above 15
degrees", "wind over 20 km/h", "below freezing"), negative splits, when an event ends,
two sides counted against each other ("more women than men"), and writes said as a plain
imperative ("add a 10K race to …")."""

from __future__ import annotations

import pytest

from daemons.nlq_http.compiler import Tenant, compile_query
from daemons.nlq_http.guard import check
from tests.unit.nlq_queries import (
    BOSTON,
    CHICAGO,
    EVENT,
    MARATHON,
    YEAR,
    D,
    F,
    Q,
    assert_parses_to,
    case,
    understand,
)

RAINED = F("had_rain", True)
READ = F("has_weather", True)

CASES = [
    # Said of events: the event's day (any reading), so each edition is one row.
    case("which Chicago Marathon editions had rain", Q("events", EVENT(CHICAGO), RAINED)),
    case("how many events had snow", Q("events", F("had_snow", True), count=True)),
    case(
        "events where it didn't rain in 2024",
        Q("events", YEAR(2024), F("had_rain", False), READ),
    ),
    case(
        "dry editions of the boston marathon",
        Q("events", EVENT(BOSTON), F("had_rain", False), F("had_snow", False), READ),
    ),
    case(
        "which years did it rain at the Boston Marathon",
        Q("events", EVENT(BOSTON), RAINED, show=("year",)),
    ),
    # Said of the readings: each reading's own sky.
    case(
        "Boston Marathon weather when it was raining",
        Q("weather", EVENT(BOSTON), F("weather_type", "rain")),
    ),
    case(
        "boston marathon weather readings with wind over 20 km/h",
        Q("weather", EVENT(BOSTON), F("wind_kph", 20.0, "gt")),
    ),
    case(
        "readings above 20°C at chicago",
        Q("weather", EVENT(CHICAGO), F("temperature_c", 20.0, "gt")),
    ),
    case(
        "boston marathon readings warmer than 60 F",
        Q("weather", EVENT(BOSTON), F("temperature_f", 60.0, "gt"), show=("temperature_f",)),
    ),
    case(
        "weather readings with humidity over 80% at chicago",
        Q("weather", EVENT(CHICAGO), F("humidity_pct", 80.0, "gt")),
    ),
    case(
        "was it below freezing at any event in 2024",
        Q("weather", YEAR(2024), F("temperature_c", 0.0, "lt")),
    ),
    # Negative splits: the finisher's second half faster than the first.
    case(
        "how many runners ran a negative split at Boston 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, F("negative_split", True), count=True),
    ),
    case(
        "boston 2024 finishers who didn't negative split",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, F("negative_split", False)),
    ),
    case("When does the Boston Marathon end?", Q("events", EVENT(BOSTON))),
    case("put together a list of boston finishers", Q("finishers", EVENT(BOSTON), MARATHON)),
    case(
        "how many teenagers finished a 5k in 2025",
        Q(
            "finishers",
            YEAR(2025),
            F("distance_km", 5.0),
            F("age", (13, 19), "between"),
            count=True,
        ),
    ),
    case(
        "How many DNFs did the Boston and Chicago marathons have each year?",
        Q(
            "entrants",
            EVENT(BOSTON, CHICAGO),
            MARATHON,
            F("outcome", "dnf"),
            count=True,
            group_by=("event", "year"),
        ),
    ),
    # A month is when people signed up, or when a platform's registration closes.
    case(
        "How many people signed up for the Boston Marathon during November 2026?",
        Q(
            "registrations",
            EVENT(BOSTON),
            F("registered_at", (D("2026-11-01"), D("2026-11-30")), "between"),
            count=True,
        ),
    ),
    case(
        "Which RunSignUp events close registration in December 2026?",
        Q(
            "listings",
            F("registration_closes", (D("2026-12-01"), D("2026-12-31")), "between"),
            F("provider", "RunSignUp"),
        ),
    ),
    case(
        "Who brought up the rear at the 2025 Chicago Marathon?",
        Q("finishers", EVENT(CHICAGO), YEAR(2025), MARATHON, order=("-chip_time",), limit=1),
    ),
    case(
        "Who took the top spot in each age group at the 2025 Chicago Marathon?",
        Q(
            "finishers",
            EVENT(CHICAGO),
            YEAR(2025),
            MARATHON,
            group_by=("division",),
            order=("chip_time",),
            per_group=1,
        ),
    ),
    # Two sides counted against each other: each side's count.
    case(
        "Did more people finish Boston in 2024 than 2023?",
        Q("finishers", EVENT(BOSTON), YEAR(2023, 2024), MARATHON, count=True, group_by=("year",)),
    ),
    case(
        "were there more women than men at boston 2024",
        Q(
            "finishers",
            EVENT(BOSTON),
            YEAR(2024),
            MARATHON,
            F("sex", ("F", "M"), "in"),
            count=True,
            group_by=("sex",),
        ),
    ),
    case(
        "which had more finishers, boston or chicago in 2024",
        Q(
            "finishers",
            EVENT(BOSTON, CHICAGO),
            YEAR(2024),
            MARATHON,
            count=True,
            group_by=("event",),
        ),
    ),
]


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected)


@pytest.mark.parametrize(
    "question",
    [
        "add a 10K race to the boston marathon",
        "set bib 123 to DNF",
        "mark the Chicago Marathon cancelled",
        "please move Jane Doe into the half marathon",
        "undo the last import",
    ],
)
def test_a_write_said_as_an_imperative_is_refused_as_read_only(question):
    reading = understand(question)
    assert reading.refusal is not None and reading.refusal.status == 403, reading


@pytest.mark.parametrize(
    "question", ["add up the fees for boston", "put together the 2024 results"]
)
def test_a_reading_that_starts_like_a_write_is_not_refused(question):
    assert understand(question).refusal is None


def test_every_sky_condition_compiles_through_the_guard():
    for query in (c.values[1] for c in CASES):  # type: ignore[attr-defined]
        compiled = compile_query(query, Tenant(None, True, ""))
        check(compiled.sql, compiled.database)

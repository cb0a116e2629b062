"""Columns asked for by name, counts of a status per group, fee superlatives, yes-or-no
weather questions and "broken" as a time threshold."""

from __future__ import annotations

import pytest

from tests.unit.nlq_queries import (
    BOSTON,
    CHICAGO,
    EVENT,
    MARATHON,
    PERSON,
    YEAR,
    F,
    H,
    Q,
    assert_parses_to,
    case,
    understand,
)

WARDIAN = PERSON("Michael", "Wardian")
NEWEST_FIRST = ("-event_date",)

CASES = [
    case(
        "what day of the week was the boston marathon in 2024",
        Q("events", EVENT(BOSTON), YEAR(2024), show=("weekday",)),
    ),
    case(
        "list cancelled events with their timing partner",
        Q("events", F("event_status", "cancelled")),  # listed with their partner anyway
    ),
    case(
        "what division was Michael Wardian in at the 2024 Chicago Marathon?",
        Q("finishers", EVENT(CHICAGO), YEAR(2024), MARATHON, WARDIAN, order=NEWEST_FIRST),
    ),
    case(
        "list boston 2024 finishers with their country",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, show=("country",)),
    ),
    case(
        "which 2025 events had 10 or more DNFs",
        Q("entrants", YEAR(2025), F("outcome", "dnf"), F("count", 10, "ge"), count=True,
          group_by=("event",)),
    ),
    case(
        "which race roster event has the highest entry fee",
        Q("fees", F("provider", "Race Roster"), order=("-fee",), limit=1),
    ),
    case(
        "cheapest registration fee at boston 2024",
        Q("fees", EVENT(BOSTON), YEAR(2024), order=("fee",), limit=1),
    ),
    case(
        "Was it raining at the Boston Marathon in 2019?",
        Q("weather", EVENT(BOSTON), YEAR(2019)),
    ),
    case(
        "has michael wardian ever broken 2:40 at the boston marathon",
        Q("finishers", EVENT(BOSTON), MARATHON, WARDIAN, F("chip_time", H(2, 40), "lt"),
          order=NEWEST_FIRST),
    ),
    case(
        "which cities has Big River Race Management held events in",
        Q("events", F("partner", "Big River Race Management"), count=True,
          group_by=("event_city",)),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected)


def test_a_column_the_rows_do_not_have_is_refused_not_dropped():
    reading = understand("list the 2024 weather readings with their division")
    assert reading.query is None and reading.refusal is not None
    assert "division" in reading.refusal.reason


def test_a_column_asked_of_a_count_is_refused():
    reading = understand("how many boston 2024 finishers with their division")
    assert reading.query is None and reading.refusal is not None


def test_with_an_age_over_a_number_stays_a_filter():
    reading = understand("women at boston 2024 with age over 60")
    assert reading.query is not None and reading.query.filters_on("age")
    assert "age" not in reading.query.show

"""Events as a whole: the share cancelled, events over more than one day, and "scheduled"
said of a past year (planned then, not upcoming now)."""

from __future__ import annotations

import pytest

from tests.unit.nlq_queries import YEAR, F, Q, assert_parses_to, case

CASES = [
    case(
        "What share of the events scheduled for 2020 ended up cancelled?",
        Q("events", YEAR(2020), measures=("cancelled_share",)),
    ),
    case(
        "what percentage of our 2020 events were cancelled",
        Q("events", YEAR(2020), measures=("cancelled_share",)),
    ),
    case(
        "what percentage of events were cancelled each year",
        Q("events", measures=("cancelled_share",), group_by=("year",)),
    ),
    case(
        "how many events were scheduled in 2019",
        Q("events", YEAR(2019), count=True),
    ),
    case(
        "events scheduled for 2027",
        Q("events", YEAR(2027), F("event_status", "upcoming")),
    ),
    case(
        "Which of our events run over more than one day?",
        Q("events", F("multi_day", True)),
    ),
    case(
        "how many multi-day events did we time in 2024",
        Q("events", YEAR(2024), F("multi_day", True), count=True),
    ),
    case(
        "list single-day events in 2025",
        Q("events", YEAR(2025), F("multi_day", False)),
    ),
]


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected)

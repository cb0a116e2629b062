"""Registrants' medians (age, amount paid), the day of the week, runners from abroad and
events "not counting the cancelled ones"."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.nlq_queries import BOSTON, EVENT, MARATHON, YEAR, F, Q, assert_parses_to, case

CASES = [
    case(
        "What's the median age of the people registered for the 2026 boston Marathon?",
        Q("registrations", EVENT(BOSTON), YEAR(2026), measures=("median_age",)),
    ),
    case(
        "What's the median amount people paid per registration, across all our events?",
        Q("registrations", measures=("median_paid",)),
    ),
    case(
        "What's the largest amount anyone has paid to register for the boston marathon 2026?",
        Q("registrations", EVENT(BOSTON), YEAR(2026), measures=("highest_paid",)),
    ),
    case(
        "Which events were held on a Saturday in October 2025?",
        Q("events", F("event_date", (dt.date(2025, 10, 1), dt.date(2025, 10, 31)), "between"),
          F("weekday", "Saturday")),
    ),
    case(
        "How many events did each partner have in 2026, not counting the cancelled ones?",
        Q("events", YEAR(2026), F("event_status", "cancelled", "ne"), count=True,
          group_by=("partner",)),
    ),
    case(
        "top 5 international finishers boston marathon 2025",
        Q("finishers", EVENT(BOSTON), YEAR(2025), MARATHON, F("country", "US", "ne"),
          order=("chip_time",), limit=5),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected)

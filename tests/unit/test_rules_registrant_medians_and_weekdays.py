"""Registrants' medians (age, amount paid), the day of the week, runners from abroad and
events "not counting the cancelled ones"."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.nlq_queries import BOSTON, EVENT, MARATHON, YEAR, F, H, Q, assert_parses_to, case

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


SLIP_CASES = [
    # "then" for "than", "an hour", "half an hour", "exacty": slips that change the meaning
    case(
        "how many 10k finishers in 2024 were slower then an hour",
        Q("finishers", YEAR(2024), F("distance_km", 10.0), F("chip_time", H(1), "gt"),
          count=True),
    ),
    case(
        "5k finishers under half an hour in 2024",
        Q("finishers", YEAR(2024), F("distance_km", 5.0), F("chip_time", H(0, 30), "lt"),
          count=True),
    ),
    case(
        "how many finishers at the boston marathon 2023 were exacty 50 years old",
        Q("finishers", EVENT(BOSTON), YEAR(2023), MARATHON, F("age", 50), count=True),
    ),
    case(
        "What finish time marked the start of the slowest 10% at the 2025 Boston Marathon?",
        Q("finishers", EVENT(BOSTON), YEAR(2025), MARATHON, measures=(("percentile_time", 90.0),)),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("question", "expected"), SLIP_CASES)
def test_slips_parse_to_what_was_meant(question, expected):
    assert_parses_to(question, expected)

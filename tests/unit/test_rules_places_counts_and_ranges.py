"""Places as ranges ("11th through 20th overall", "in the top 10"), homes counted ("how
many states were represented"), a division said after its code, and "the second half of
2025" as a part of the year (not a second-half split)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.nlq_queries import (
    BOSTON,
    CHICAGO,
    EVENT,
    MARATHON,
    YEAR,
    F,
    Q,
    assert_parses_to,
    case,
)

CASES = [
    case(
        "Who placed 11th through 20th overall at the Chicago Marathon 2024?",
        Q("finishers", EVENT(CHICAGO), YEAR(2024), MARATHON,
          F("overall_place", (11, 20), "between")),
    ),
    case(
        "How many men finished in the top 10 overall at the Boston Marathon 2025?",
        Q("finishers", EVENT(BOSTON), YEAR(2025), MARATHON, F("sex", "M"),
          F("overall_place", 10, "le"), count=True),
    ),
    case(
        "how many women finished in the top 10 at the boston marathon 2025",
        Q("finishers", EVENT(BOSTON), YEAR(2025), MARATHON, F("sex", "F"),
          F("overall_place", 10, "le"), count=True),
    ),
    case(
        "how many states were represented among chicago marathon 2024 finishers",
        Q("finishers", EVENT(CHICAGO), YEAR(2024), MARATHON, measures=("distinct_states",)),
    ),
    case(
        "How many different countries did the 2025 Boston Marathon finishers come from?",
        Q("finishers", EVENT(BOSTON), YEAR(2025), MARATHON, measures=("distinct_countries",)),
    ),
    case(
        "top 3 in the M 45-49 division at the boston marathon 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, F("sex", "M"),
          F("age", (45, 49), "between"), order=("chip_time",), limit=3),
    ),
    case(
        "Which of our events happened in the second half of 2025?",
        Q("events", F("event_date", (dt.date(2025, 7, 1), dt.date(2025, 12, 31)), "between")),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected)


def test_the_highest_rate_ranks_the_groups_by_it():
    from tests.unit.nlq_queries import understand

    reading = understand("Which of our events in 2025 had the highest DNF rate?")
    assert reading.refusal is None, reading.refusal
    query = reading.query
    assert query.group_by == ("event",) and [m.name for m in query.measures] == ["dnf_rate"]
    assert query.order_by[0].field == "dnf_rate" and query.order_by[0].descending

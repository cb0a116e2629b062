"""Registrants' payments and ages, the gap between gun and chip time, and split to finish.

A registration's own amount ("the biggest single payment", "the most anyone paid") is
one row's, never the revenue; registrants have ages; free entries said as "nothing
paid" or "at no cost". Gun minus chip time is how long runners took to reach the start
mat: its average or its largest, and said which when neither is asked. "The second half"
and "the stretch from the 30K mat to the finish" are the finish time less the split's.
"""

from __future__ import annotations

import pytest

from daemons.nlq_http.query import Sort
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
    understand,
)

FREE = F("amount_paid", 0)

CASES = [
    case(
        "What's the biggest single registration payment we've had for the 2026 Boston Marathon?",
        Q("registrations", EVENT(BOSTON), YEAR(2026), measures=("highest_paid",)),
    ),
    case(
        "highest amount paid by a registrant for the 2026 Boston Marathon",
        Q("registrations", EVENT(BOSTON), YEAR(2026), measures=("highest_paid",)),
    ),
    case(
        "what's the most anyone paid to register for the Boston Marathon 2026",
        Q("registrations", EVENT(BOSTON), YEAR(2026), measures=("highest_paid",)),
    ),
    case(
        "smallest payment for Boston Marathon 2026 registrations",
        Q("registrations", EVENT(BOSTON), YEAR(2026), measures=("lowest_paid",)),
    ),
    case(
        "How many free entries (nothing paid) did we hand out for the 2025 Boston Marathon?",
        Q("registrations", EVENT(BOSTON), YEAR(2025), FREE, count=True),
    ),
    case(
        "how many people paid nothing for the boston marathon 2026",
        Q("registrations", EVENT(BOSTON), YEAR(2026), FREE, count=True),
    ),
    case(
        "how many registrations for the boston marathon 2026 were at no cost",
        Q("registrations", EVENT(BOSTON), YEAR(2026), FREE, count=True),
    ),
    case(
        "What are the youngest and oldest ages among people registered for the 2026 Boston"
        " Marathon?",
        Q("registrations", EVENT(BOSTON), YEAR(2026), measures=("youngest_age", "oldest_age")),
    ),
    case(
        "average age of the people registered for the Boston Marathon 2026",
        Q("registrations", EVENT(BOSTON), YEAR(2026), measures=("average_age",)),
    ),
    case(
        "How much have we taken in so far for the 2026 Boston Marathon, race by race?",
        Q("registrations", EVENT(BOSTON), YEAR(2026), measures=("revenue",), group_by=("race",)),
    ),
    case(
        "On average, how much longer was gun time than chip time at Chicago 2024?",
        Q("finishers", EVENT(CHICAGO), YEAR(2024), MARATHON, measures=("average_gun_chip_gap",)),
    ),
    case(
        "what was the biggest difference between gun and chip time at the boston marathon 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, measures=("largest_gun_chip_gap",)),
    ),
    case(
        "average gap between chip and gun times for boston marathon 2024 women",
        Q(
            "finishers",
            EVENT(BOSTON),
            YEAR(2024),
            MARATHON,
            F("sex", "F"),
            measures=("average_gun_chip_gap",),
        ),
    ),
]


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected)


@pytest.mark.parametrize(
    "question",
    ["difference between gun and chip time at the boston marathon 2024",
     "gun vs chip time difference boston marathon 2024"],
)  # fmt: skip
def test_a_gap_with_no_average_or_largest_is_refused_with_a_reason(question):
    reading = understand(question)
    assert reading.refusal is not None
    assert "average or the largest" in reading.refusal.reason


def test_the_average_gun_time_is_still_the_gun_time():
    assert_parses_to(
        "average gun time at the boston marathon 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, measures=("average_gun_time",)),
    )


HALF = F("timing_point", "Half")
SPLIT_CASES = [
    case(
        "For the 2022 Chicago Marathon, what was the median half split among runners who went"
        " on to finish?",
        Q(
            "splits",
            EVENT(CHICAGO),
            YEAR(2022),
            MARATHON,
            F("status", "finished"),
            HALF,
            measures=("median_time",),
        ),
    ),
    case(
        "average 30K split at the chicago marathon 2022 for runners who made it to the finish",
        Q(
            "splits",
            EVENT(CHICAGO),
            YEAR(2022),
            MARATHON,
            F("status", "finished"),
            F("timing_point", "30K"),
            measures=("average_time",),
        ),
    ),
    case(
        "For people who finished the 2024 Boston Marathon, how long on average did the second"
        " half take them, from the halfway mat to the line?",
        Q(
            "splits",
            EVENT(BOSTON),
            YEAR(2024),
            MARATHON,
            F("status", "finished"),
            HALF,
            measures=("average_time_to_finish",),
        ),
    ),
    case(
        "median time from the 10k to the finish at chicago 2023",
        Q(
            "splits",
            EVENT(CHICAGO),
            YEAR(2023),
            MARATHON,
            F("timing_point", "10K"),
            measures=("median_time_to_finish",),
        ),
    ),
    case(
        "average second half split for boston marathon 2024 men",
        Q(
            "splits",
            EVENT(BOSTON),
            YEAR(2024),
            MARATHON,
            F("sex", "M"),
            HALF,
            measures=("average_time_to_finish",),
        ),
    ),
]


@pytest.mark.parametrize(("question", "expected"), SPLIT_CASES)
def test_split_to_finish_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected)


def test_the_fastest_second_halves_are_ranked_on_that_stretch_and_shown():
    reading = understand("who had the 5 fastest second halves at the boston marathon 2024")
    assert reading.refusal is None and reading.query is not None
    assert reading.query.entity == "splits" and reading.query.limit == 5
    assert reading.query.order_by == (Sort(field="time_to_finish"),)
    assert "time_to_finish" in reading.query.show


@pytest.mark.parametrize(
    "question",
    ["How many registrants for the 2026 boston Marathon actually paid something, so not counting"
     " free entries?",
     "how many paying registrants for the boston marathon 2026"],
)  # fmt: skip
def test_paying_something_is_more_than_nothing_not_a_free_entry(question):
    assert_parses_to(
        question,
        Q("registrations", EVENT(BOSTON), YEAR(2026), F("amount_paid", 0, "gt"), count=True),
    )


@pytest.mark.parametrize(
    ("question", "both"),
    [("avg gun time vs avg chip time boston marathon 2024", ("average_time", "average_gun_time")),
     ("median chip time and median gun time at the chicago marathon 2023",
      ("median_time", "median_gun_time")),
     ("compare chip and gun times for boston marathon 2024 women",
      ("average_time", "average_gun_time"))],
)  # fmt: skip
def test_gun_time_against_chip_time_is_both_measures(question, both):
    reading = understand(question)
    assert reading.refusal is None and reading.confidence >= 0.6, reading.notes
    assert set(both) <= {m.name for m in reading.query.measures}

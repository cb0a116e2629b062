"""A gap to the race's winner, and qualifying "for Boston 2025" (that edition's standards).

"Within 10 minutes of the winner" is not a finish time of ten minutes, nor the winner
alone; "qualified for Boston 2025" names the standards, not results of 2025.
"""

from __future__ import annotations

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
    understand,
)

CASES = [
    case(
        "how many people finished within 10 minutes of the winner at the boston marathon 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, F("within_of_winner", 600),
          count=True),
    ),
    case(
        "list the women who finished less than an hour behind the winner at chicago 2023",
        Q("finishers", EVENT(CHICAGO), YEAR(2023), MARATHON, F("sex", "F"),
          F("within_of_winner", 3600)),
    ),
    case(
        "how many boston marathon 2024 finishers qualified for boston 2025",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, F("boston_qualifier_of", 2025),
          count=True),
    ),
    case(
        "which chicago 2023 women qualified for the 2025 Boston Marathon",
        Q("finishers", EVENT(CHICAGO), YEAR(2023), MARATHON, F("sex", "F"),
          F("boston_qualifier_of", 2025)),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected)


def test_a_qualifying_share_for_a_named_edition_is_refused_with_a_reason():
    reading = understand("what percentage of boston 2024 finishers qualified for boston 2025")
    assert reading.refusal is not None and "latest standards" in reading.refusal.reason


MARGIN_CASES = [
    case(
        "Which finishers at the 2023 Chicago Marathon beat their Boston standard by 20 minutes"
        " or more?",
        Q("finishers", EVENT(CHICAGO), YEAR(2023), MARATHON, F("beat_bq_by", 1200)),
    ),
    case(
        "how many runners missed a BQ by under a minute at the boston marathon 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, F("missed_bq_by", 60), count=True),
    ),
    case(
        "What qualifying time does a 44-year-old non-binary runner need for Boston under the"
        " latest standards?",
        Q("standards", F("sex", "X"), F("age", 44), F("latest_edition", True)),
    ),
    case(
        "Who was the last man to finish the half at the 2024 boston Marathon?",
        Q("finishers", EVENT(BOSTON), YEAR(2024), F("sex", "M"), F("distance_km", 21.0975),
          order=("-chip_time",), limit=1),
    ),
    case(
        "interquartile range of finish times boston marathon 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, measures=("interquartile_range",)),
    ),
    case(
        "start times for every race at the chicago marathon 2025",
        Q("races", EVENT(CHICAGO), YEAR(2025), order=("race",), show=("race",)),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("question", "expected"), MARGIN_CASES)
def test_margins_ranks_and_spreads_parse_to_their_exact_query(question, expected):
    assert_parses_to(question, expected)


@pytest.mark.parametrize(
    "question",
    ["How many of the 2024 Boston Marathon finishers did not run a Boston qualifying time?",
     "how many women at the boston marathon 2024 did not qualify",
     "finishers at the chicago marathon 2023 who didn't BQ",
     "non-qualifiers at the chicago marathon 2023",
     "how many chicago marathon 2023 finishers missed the boston standard"],
)  # fmt: skip
def test_not_qualifying_is_the_finishers_who_are_not_qualifiers(question):
    reading = understand(question)
    assert reading.refusal is None and reading.confidence >= 0.6, reading.notes
    assert reading.query.filters_on("boston_qualifier") == (F("boston_qualifier", False),)


def test_fast_enough_to_qualify_is_a_qualifier():
    reading = understand(
        "In 2024, how many people at the boston Marathon ran fast enough to qualify for Boston?"
    )
    assert reading.refusal is None and reading.confidence >= 0.6, reading.notes
    assert reading.query.filters_on("boston_qualifier") == (F("boston_qualifier", True),)

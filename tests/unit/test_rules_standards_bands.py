"""The qualifying standards asked about as a table: one edition and sex ("all ages"), the
oldest or youngest age group, how many age groups there are, the most generous or the
toughest time, the time one age and sex gets; and finishers who ran under the standard."""

from __future__ import annotations

import pytest

from tests.unit.nlq_queries import BQ, CHICAGO, EVENT, YEAR, F, Q, assert_parses_to, case

LATEST = F("latest_edition", True)

CASES = [
    # two editions or both sexes side by side: the times listed, never a count of them
    case(
        "compare the 2025 and 2026 Boston standards for women 40-44",
        Q(
            "standards",
            F("sex", "F"),
            F("age", (40, 44), "between"),
            F("edition", (2025, 2026), "in"),
            order=("edition",),
            show=("edition",),
        ),
    ),
    case(
        "qualifying times for women and men aged 40-44 in 2026",
        Q(
            "standards",
            F("edition", 2026),
            F("sex", ("F", "M"), "in"),
            F("age", (40, 44), "between"),
            order=("sex",),
            show=("sex",),
        ),
    ),
    case(
        "bq standards 2026 women all ages",
        Q("standards", F("edition", 2026), F("sex", "F")),
    ),
    case(
        "BQ time for the oldest women's age group",
        Q("standards", LATEST, F("sex", "F"), order=("-age_min",), limit=1),
    ),
    case(
        "How many age groups do the Boston qualifying standards have?",
        Q("standards", LATEST, measures=("age_groups",)),
    ),
    case(
        "What is the most generous qualifying time in the 2026 standards?",
        Q("standards", F("edition", 2026), order=("-qualifying_time",), limit=1),
    ),
    case(
        "which age group has the toughest BQ standard for men",
        Q("standards", LATEST, F("sex", "M"), order=("qualifying_time",), limit=1),
    ),
    case(
        "How much time does a 66-year-old man get under the Boston standards?",
        Q("standards", F("age", 66), LATEST, F("sex", "M")),
    ),
    # "under the standard" said of finishers is qualifying, not the table
    case(
        "how many runners finished under the boston standard at chicago 2024",
        Q("finishers", BQ, EVENT(CHICAGO), YEAR(2024), count=True),
    ),
]


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected)

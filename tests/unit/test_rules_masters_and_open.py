"""Masters (40 and over) against open (under 40), side by side: one row per class.

"Masters" alone stays an age filter (40+); said against "open", "under 40s" or
"non-masters", the two classes are grouped, as men and women are.
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
)

COMPARED = ("count", "average_time", "median_time", "fastest_time")  # what "compare" shows

CASES = [
    case(
        "Compare masters (40+) and open (under 40) finisher counts at the Boston Marathon 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, measures=COMPARED,
          group_by=("age_class",)),
    ),
    case(
        "masters vs open average finish time at the chicago marathon 2023",
        Q("finishers", EVENT(CHICAGO), YEAR(2023), MARATHON, measures=("average_time",),
          group_by=("age_class",)),
    ),
    case(
        "how did the over 40s compare to the under 40s at the boston marathon 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, measures=COMPARED,
          group_by=("age_class",)),
    ),
    case(
        "how many open and masters runners finished the chicago marathon 2023",
        Q("finishers", EVENT(CHICAGO), YEAR(2023), MARATHON, count=True, group_by=("age_class",)),
    ),
    case(
        "how many masters finished the boston marathon 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, F("age", 40, "ge"), count=True),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected)


@pytest.mark.parametrize(
    "question",
    ["Did the Boston Marathon get faster or slower from 2022 to 2023? Give me the median both"
     " years.",
     "was the boston marathon 2023 faster or slower than 2022"],
)  # fmt: skip
def test_faster_or_slower_between_two_years_compares_them(question):
    from tests.unit.nlq_queries import understand

    reading = understand(question)
    assert reading.refusal is None and reading.confidence >= 0.6, reading.notes
    assert reading.query.group_by == ("year",)
    assert "median_time" in {m.name for m in reading.query.measures}

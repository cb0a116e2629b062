"""A comparative with two sides joined by "or" ("were there more finishers in 2024 or in
2023?", "was it colder at Boston or at Chicago?"), "the year before" counted from the
question before, "per person", races by length, events a runner ran more than once, the
places of a runner said in words, and an event's races asked in the present tense."""

from __future__ import annotations

import dataclasses

import pytest

from daemons.nlq_http.examples import DEMO_VOCABULARY
from tests.unit.nlq_queries import (
    BOSTON,
    CHICAGO,
    EVENT,
    MARATHON,
    PERSON,
    SHAMROCK,
    YEAR,
    F,
    Q,
    assert_parses_to,
    canonical,
    case,
    understand,
)

VOCAB = dataclasses.replace(DEMO_VOCABULARY, latest_editions=((SHAMROCK, 2025),))
BOTH = F("event", (CHICAGO, BOSTON), "in")

CASES = [
    case(
        "Were there more Chicago Marathon finishers in 2024 or in 2023?",
        Q(
            "finishers",
            EVENT(CHICAGO),
            MARATHON,
            F("year", (2023, 2024), "in"),
            count=True,
            group_by=("year",),
        ),
    ),
    case(
        "On average, were finish times quicker at Chicago or at Boston in 2023?",
        Q("finishers", BOTH, YEAR(2023), MARATHON, measures=("average_time",), group_by=("event",)),
    ),
    case(
        "Was it colder at Chicago or at Boston in 2023?",
        Q("weather", BOTH, YEAR(2023), measures=("average_temperature",), group_by=("event",)),
    ),
    # "or more" is a threshold, not a comparison
    case(
        "events with 10 or more DNFs",
        Q(
            "entrants",
            F("outcome", "dnf"),
            F("count", 10, "ge"),
            count=True,
            group_by=("event", "event_date"),
        ),
    ),
    case(
        "What's the longest race we've ever put on?",
        Q("races", order=("-distance_km",), limit=1),
    ),
    case(
        "Which events has Michael Wardian run more than once?",
        Q(
            "finishers",
            *PERSON("Michael", "Wardian"),
            F("count", 2, "ge"),
            count=True,
            group_by=("event",),
        ),
    ),
    case(
        "What was Michael Wardian's overall place at the 2024 Chicago Marathon, and where did"
        " he place among the men?",
        Q(
            "finishers",
            EVENT(CHICAGO),
            YEAR(2024),
            MARATHON,
            F("sex", "M"),
            *PERSON("Michael", "Wardian"),
            order=("-event_date",),
        ),
    ),
    # present tense, no year: the event's races today, its latest edition's
    case(
        "Which distances does the Shamrock Marathon offer, and how long is each one in km?",
        Q("races", EVENT(SHAMROCK), YEAR(2025)),
    ),
    case(
        "what races did the shamrock marathon have in 2023", Q("races", EVENT(SHAMROCK), YEAR(2023))
    ),
]


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected, VOCAB)


def test_the_year_before_is_counted_from_the_question_before():
    first = understand("How many finishers did the Chicago Marathon have in 2024?").query
    before = understand("and the year before?", previous=first)
    after = understand("and a year later?", previous=first)
    assert canonical(before.query) == canonical(
        Q("finishers", EVENT(CHICAGO), MARATHON, YEAR(2023), count=True)
    )
    assert canonical(after.query) == canonical(
        Q("finishers", EVENT(CHICAGO), MARATHON, YEAR(2025), count=True)
    )


def test_the_year_before_with_no_year_to_count_from_is_refused():
    alone = understand("and the year before?")
    assert alone.query is None and "which year" in alone.refusal.reason
    yearless = understand("How many finishers did the Chicago Marathon have?").query
    after_yearless = understand("and the year before?", previous=yearless)
    assert after_yearless.query is None and "which year" in after_yearless.refusal.reason


def test_an_average_per_person_after_a_total_is_the_average_paid():
    count = understand("Boston Marathon 2024 registration count").query
    total = understand("how much money is that so far?", previous=count).query
    average = understand("and the average per person?", previous=total)
    assert not average.unknown and [m.name for m in average.query.measures] == ["average_paid"]


def test_a_comparative_with_no_two_sides_is_refused_not_guessed():
    reading = understand(f"were times quicker at the {BOSTON} in 2023 or not?")
    assert reading.query is None and "say what to compare" in reading.refusal.reason

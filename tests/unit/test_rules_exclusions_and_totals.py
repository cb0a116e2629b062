"""Every event but one ("leaving out the Boston Marathon"), "neither … nor", editions taken
together ("counting every year", "taking every Boston Marathon … together"), a state said
before the runners in lower case ("illinois finishers"), "the us", and an event named by
the words after its partner's name ("the fall trail series")."""

from __future__ import annotations

import dataclasses

import pytest

from daemons.nlq_http.examples import DEMO_VOCABULARY
from tests.unit.nlq_queries import (
    BOSTON,
    CHICAGO,
    EVENT,
    MARATHON,
    YEAR,
    F,
    H,
    Q,
    assert_parses_to,
    case,
    understand,
)

TRAIL = "Big River Fall Trail Series"
VOCAB = dataclasses.replace(
    DEMO_VOCABULARY,
    event_names=(*DEMO_VOCABULARY.event_names, TRAIL, "Big River Marathon"),
)
NOT_BOSTON = F("event", BOSTON, "ne")

CASES = [
    case(
        "Leaving out the Boston Marathon, how many marathon finishers were there in 2023?",
        Q("finishers", YEAR(2023), MARATHON, NOT_BOSTON, count=True),
    ),
    case(
        "marathon finishers in 2023 other than chicago",
        Q("finishers", YEAR(2023), MARATHON, F("event", CHICAGO, "ne"), count=True),
    ),
    case(
        "Among our 2024 Boston Marathon finishers, how many were neither from Massachusetts nor"
        " over 50?",
        Q(
            "finishers",
            EVENT(BOSTON),
            YEAR(2024),
            MARATHON,
            F("state", "MA", "ne"),
            F("age", 51, "lt"),
            count=True,
        ),
    ),
    case(
        "Counting every year we have, how many runners have gone under three hours at the"
        " Boston Marathon?",
        Q("finishers", EVENT(BOSTON), MARATHON, F("chip_time", H(3), "lt"), count=True),
    ),
    case(
        "Taking every Boston Marathon from 2019 through 2025 together, what's the overall"
        " average finish time?",
        Q(
            "finishers",
            EVENT(BOSTON),
            MARATHON,
            F("year", tuple(range(2019, 2026)), "in"),
            measures=("average_time",),
        ),
    ),
    # without "together" every edition is a row of its own
    case(
        "average finish time at every Boston Marathon",
        Q("finishers", EVENT(BOSTON), MARATHON, measures=("average_time",), group_by=("year",)),
    ),
    case(
        "number of illinois finishers chicago 2025",
        Q("finishers", EVENT(CHICAGO), YEAR(2025), MARATHON, F("state", "IL"), count=True),
    ),
    case(
        "boston 2025 sub 4 finishers not from the us, how many",
        Q(
            "finishers",
            EVENT(BOSTON),
            YEAR(2025),
            MARATHON,
            F("country", "US", "ne"),
            F("chip_time", H(4), "lt"),
            count=True,
        ),
    ),
    case(
        "how many runnners finished the half at the fall trail series",
        Q("finishers", EVENT(TRAIL), F("distance_km", 21.0975), count=True),
    ),
]


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected, VOCAB)


def test_a_distance_alone_never_names_an_event_whose_other_words_are_its_partners():
    """ "marathon finishers" is every marathon, not the Big River Marathon."""
    reading = understand("how many marathon finishers in 2025", vocab=VOCAB)
    assert not any(f.field == "event" for f in reading.query.filters)


def test_a_lower_case_state_alone_is_not_read_as_a_place():
    """ "how did washington do": a surname or a city as likely as the state."""
    reading = understand("how did washington do at boston", vocab=VOCAB)
    assert not any(f.field == "state" for f in (reading.query.filters if reading.query else ()))

"""A number of rows said before the rows ("which 5 finishers had the fastest gun times"),
ranking on the gun's clock when it is said, "one" as a pronoun ("one of our races", "each
one"), the weather of every edition ("has it ever rained at Boston?"), a partner's name
leading an event's name that does not exist, and a place in a follow-up replacing a place."""

from __future__ import annotations

import dataclasses

import pytest

from daemons.nlq_http.examples import DEMO_VOCABULARY
from daemons.nlq_http.rules import normalise
from tests.unit.nlq_queries import (
    BOSTON,
    CHICAGO,
    EVENT,
    MARATHON,
    PERSON,
    SEX,
    SHAMROCK,
    YEAR,
    F,
    Q,
    assert_parses_to,
    canonical,
    case,
    understand,
)

VOCAB = dataclasses.replace(
    DEMO_VOCABULARY,
    event_names=(*DEMO_VOCABULARY.event_names, "Big River Marathon", "Big River Turkey Trot"),
)
CHICAGO_2023 = (EVENT(CHICAGO), YEAR(2023), MARATHON)

CASES = [
    case(
        "Which 5 finishers had the fastest gun times at the 2023 Chicago Marathon?",
        Q("finishers", *CHICAGO_2023, order=("gun_time",), limit=5, show=("gun_time",)),
    ),
    case(
        "the fastest 5 finishers by gun time at the 2023 Chicago Marathon",
        Q("finishers", *CHICAGO_2023, order=("gun_time",), limit=5, show=("gun_time",)),
    ),
    case(
        "which three women were quickest at the Shamrock Marathon in 2024?",
        Q(
            "finishers",
            EVENT(SHAMROCK),
            YEAR(2024),
            MARATHON,
            SEX("F"),
            order=("chip_time",),
            limit=3,
        ),
    ),
    case(
        "the 3 most expensive race roster events 2025",
        Q("fees", YEAR(2025), F("provider", "Race Roster"), order=("-fee",), limit=3),
    ),
    # a number before an age is the age, not a count of rows
    case(
        "which 40 year old women were fastest at boston 2024",
        Q(
            "finishers",
            EVENT(BOSTON),
            YEAR(2024),
            MARATHON,
            SEX("F"),
            F("age", 40),
            order=("chip_time",),
        ),
    ),
    case(
        "Has Michael Wardian ever run one of our races? Which ones?",
        Q("finishers", *PERSON("Michael", "Wardian"), order=("-event_date",)),
    ),
    # "ever ... which years": every edition that had rain, not one day's readings
    case(
        "Has it ever rained during one of our Boston Marathons? Which years?",
        Q("events", EVENT(BOSTON), F("had_rain", True), show=("year",)),
    ),
    case(
        "Was it raining at the Boston Marathon in 2019?",
        Q("weather", EVENT(BOSTON), YEAR(2019)),
    ),
]


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected, VOCAB)


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("each one", "each one"),
        ("one of our races", "one of our races"),
        ("the one in 2024", "the one in 2024"),
        ("one runner", "1 runner"),
        ("one hour", "1 hour"),
    ],
)
def test_one_is_a_number_only_where_it_counts(said, read):
    assert normalise(said)[0] == read


@pytest.mark.parametrize(
    "question", ["results big river ultra 100 miler", "the big river ultra 50 mile finishers"]
)
def test_a_partner_name_leading_an_events_words_is_an_unknown_event(question):
    reading = understand(question, vocab=VOCAB)
    assert reading.query is None and reading.refusal is not None
    assert reading.refusal.kind == "unknown_event", reading.refusal


def test_a_partner_name_and_one_distance_is_the_partners_races_of_it():
    reading = understand("big river 5k results", vocab=VOCAB)
    assert reading.refusal is None
    assert F("distance_km", 5.0) in reading.query.filters


def test_a_place_in_a_follow_up_replaces_the_place_before():
    first = understand("How many finishers did we have at the Boston Marathon in 2024?").query
    from_ma = understand("how many of those were from Massachusetts?", previous=first).query
    abroad = understand("and how many came from outside the US?", previous=from_ma)
    assert canonical(abroad.query) == canonical(
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, F("country", "US", "ne"), count=True)
    )

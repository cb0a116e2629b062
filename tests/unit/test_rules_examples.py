"""The rules parser on the 15 documented example questions: each one's exact semantic query.

The expectations are written for ``EXAMPLES_TODAY`` (2026-11-25) and ``DEMO_VOCABULARY``
(examples.py); each was checked against what the question means, not only against
what the parser returns.
"""

from __future__ import annotations

import json

import pytest

from daemons.nlq_http.compiler import Tenant, compile_query
from daemons.nlq_http.examples import DEMO_VOCABULARY, EXAMPLES
from daemons.nlq_http.query import MARATHON_KM
from tests.unit.nlq_queries import (
    AGE,
    BIG_RIVER,
    BOSTON,
    BOTH_SEXES,
    BQ,
    CHICAGO,
    EVENT,
    HARTFORD,
    MARATHON,
    PERSON,
    SEX,
    SHAMROCK,
    TIME_STATS,
    YEAR,
    D,
    F,
    H,
    Q,
    canonical,
    understand,
)

EXPECTED = {
    "How many runners finished the Boston Marathon under 3 hours?": Q(
        "finishers", EVENT(BOSTON), MARATHON, F("chip_time", H(3), "lt"), count=True
    ),
    # The stored flag already means a marathon finish under the latest standards.
    "Generate CSV of Boston qualifiers with contact info": Q(
        "finishers", BQ, show=("email", "phone"), export=True
    ),
    "What's the current timing data for session 1?": Q(
        "live_reads",
        F("session_id", 1),
        measures=("count", "unique_tags", "first_read", "last_read"),
        group_by=("location",),
    ),
    "I'm from Big River Race Management, show me our active events": Q(
        "events", F("partner", BIG_RIVER), F("event_status", "active")
    ),
    "What is Michael Wardian's marathon PR?": Q(
        "finishers", PERSON("Michael", "Wardian"), MARATHON, order=("chip_time",), limit=1
    ),
    "Compare Chicago Marathon finishers in 2023 and 2024": Q(
        "finishers",
        EVENT(CHICAGO),
        YEAR(2023, 2024),
        MARATHON,
        measures=TIME_STATS,
        group_by=("year",),
    ),
    "What was the average finish time at the Shamrock Marathon in 2024?": Q(
        "finishers", EVENT(SHAMROCK), YEAR(2024), MARATHON, measures=("average_time",)
    ),
    "List the top 10 female finishers at the Hartford Marathon in 2023": Q(
        "finishers",
        EVENT(HARTFORD),
        YEAR(2023),
        SEX("F"),
        MARATHON,
        order=("chip_time",),
        limit=10,
    ),
    # "last year" against 2026-11-25; 40 to 49 inclusive.
    "How many women aged 40 to 49 ran the Chicago Marathon last year?": Q(
        "finishers", EVENT(CHICAGO), YEAR(2025), SEX("F"), MARATHON, AGE(40, 49), count=True
    ),
    # RunSignUp's events are known by their fees; "over $100" is strict.
    "Show RunSignUp events with registration fees over $100": Q(
        "fees", F("provider", "RunSignUp"), F("fee", 100.0, "gt")
    ),
    "How many Boston qualifiers were there at the Hartford Marathon in 2024?": Q(
        "finishers", EVENT(HARTFORD), YEAR(2024), BQ, count=True
    ),
    # Ages are whole years: over 60 is 61 and older.
    "What's the median marathon time for men over 60?": Q(
        "finishers", SEX("M"), MARATHON, F("age", 61, "ge"), measures=("median_time",)
    ),
    "Compare men and women at the Boston Marathon in 2024": Q(
        "finishers",
        EVENT(BOSTON),
        YEAR(2024),
        MARATHON,
        BOTH_SEXES,
        measures=TIME_STATS,
        group_by=("sex",),
    ),
    "Show the finish time distribution for the Chicago Marathon in 2024": Q(
        "finishers", EVENT(CHICAGO), YEAR(2024), MARATHON, count=True, group_by=("time_band",)
    ),
    # "since May" in November: 1 May of this year.
    "Show Race Roster events since May": Q(
        "listings", F("provider", "Race Roster"), F("event_date", D("2026-05-01"), "ge")
    ),
}


def test_the_fifteen_documented_examples_are_all_here():
    assert len(EXAMPLES) == 15
    assert len(set(EXAMPLES)) == 15
    assert set(EXPECTED) == set(EXAMPLES)


@pytest.mark.parametrize("question", EXAMPLES)
def test_documented_example_parses_to_its_exact_query(question):
    reading = understand(question)
    assert reading.refusal is None
    assert canonical(reading.query) == canonical(EXPECTED[question]), reading.notes
    assert reading.unknown == ()
    assert reading.confidence == 1.0, reading.notes
    assert not reading.follow_up


@pytest.mark.parametrize("question", EXAMPLES)
def test_documented_example_names_only_vocabulary_events_and_partners(question):
    query = understand(question).query
    for f in query.filters:
        if f.field == "event":
            values = f.value if isinstance(f.value, tuple) else (f.value,)
            assert set(values) <= set(DEMO_VOCABULARY.event_names)
        if f.field == "partner":
            assert f.value in DEMO_VOCABULARY.partner_names


@pytest.mark.parametrize("question", EXAMPLES)
def test_documented_example_compiles_for_a_partner(question):
    compiled = compile_query(understand(question).query, Tenant(7, partner_name=BIG_RIVER))
    assert compiled.params.get("partner_id") == 7


def test_entities_are_json_friendly_and_say_what_was_recognised():
    assert understand(EXAMPLES[0]).entities == {
        "entity": "finishers",
        "filters": [
            {"field": "event", "op": "eq", "value": "Boston Marathon"},
            {"field": "distance_km", "op": "eq", "value": str(MARATHON_KM)},
            {"field": "chip_time", "op": "lt", "value": "3:00:00"},
        ],
        "measures": ["count"],
    }
    for question in EXAMPLES:
        json.dumps(understand(question).entities)


def test_the_implied_distance_is_noted():
    assert "the 42.195 km race of the named event" in understand(EXAMPLES[0]).notes


def test_the_examples_parse_the_same_every_time():
    for question in EXAMPLES:
        assert understand(question) == understand(question)


def test_last_year_moves_with_today():
    question = "How many women aged 40 to 49 ran the Chicago Marathon last year?"
    assert understand(question, today=D("2026-11-25")).query.filters_on("year") == (YEAR(2025),)
    assert understand(question, today=D("2030-02-01")).query.filters_on("year") == (YEAR(2029),)


def test_since_may_moves_with_today():
    question = "Show Race Roster events since May"
    early = understand(question, today=D("2026-03-10")).query  # May is still to come: last May
    assert early.filters_on("event_date") == (F("event_date", D("2025-05-01"), "ge"),)

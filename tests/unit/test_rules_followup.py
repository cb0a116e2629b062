"""Follow-up questions in a conversation: the previous question's query is refined.

"and the women?", "what about 2023?", "only the top 10": a follow-up's filters replace
the previous ones on the same dimension (a year replaces a year, an event replaces the
event and the distance it implied), its measures, limit and order replace the previous
ones when it says any, and groupings are added. A question with a subject of its own is
not a follow-up.
"""

from __future__ import annotations

import pytest

from tests.unit.nlq_queries import (
    AGE,
    BOSTON,
    CHICAGO,
    EVENT,
    HARTFORD,
    MARATHON,
    SEX,
    SHAMROCK,
    THRESHOLD,
    UNKNOWN_CAP,
    YEAR,
    D,
    F,
    H,
    Q,
    canonical,
    case,
    understand,
)

UNDER_3 = F("chip_time", H(3), "lt")
COUNT_BOSTON = "How many runners finished the Boston Marathon under 3 hours?"
TOP_HARTFORD = "List the top 10 female finishers at the Hartford Marathon in 2023"
AVERAGE_SHAMROCK = "What was the average finish time at the Shamrock Marathon in 2024?"
FEES = "Show RunSignUp events with registration fees over $100"
WOMEN_40S = "How many women aged 40 to 49 ran the Chicago Marathon last year?"
B, C, HF, S = EVENT(BOSTON), EVENT(CHICAGO), EVENT(HARTFORD), EVENT(SHAMROCK)

FOLLOW_UPS = [
    case(
        (COUNT_BOSTON, "and the women?"), Q("finishers", B, MARATHON, UNDER_3, SEX("F"), count=True)
    ),
    case(
        (COUNT_BOSTON, "and the men?"), Q("finishers", B, MARATHON, UNDER_3, SEX("M"), count=True)
    ),
    case(
        (COUNT_BOSTON, "what about 2023?"),
        Q("finishers", B, MARATHON, UNDER_3, YEAR(2023), count=True),
    ),
    case(
        (COUNT_BOSTON, "what about under 4 hours?"),
        Q("finishers", B, MARATHON, F("chip_time", H(4), "lt"), count=True),
    ),
    case(
        (COUNT_BOSTON, "what about women over 50?"),
        Q("finishers", B, MARATHON, UNDER_3, SEX("F"), F("age", 51, "ge"), count=True),
    ),
    # A new event replaces the event and the distance it implied.
    case((COUNT_BOSTON, "and in Chicago?"), Q("finishers", C, MARATHON, UNDER_3, count=True)),
    case(
        (COUNT_BOSTON, "how about the Hartford Marathon?"),
        Q("finishers", HF, MARATHON, UNDER_3, count=True),
    ),
    case(
        (COUNT_BOSTON, "by state"),
        Q("finishers", B, MARATHON, UNDER_3, count=True, group_by=("state",)),
    ),
    # A count becomes a list of the fastest.
    case(
        (COUNT_BOSTON, "only the top 10"),
        Q("finishers", B, MARATHON, UNDER_3, order=("chip_time",), limit=10),
    ),
    case(
        (COUNT_BOSTON, "same for 2024"),
        Q("finishers", B, MARATHON, UNDER_3, YEAR(2024), count=True),
    ),
    case(
        (TOP_HARTFORD, "what about 2024?"),
        Q("finishers", HF, YEAR(2024), SEX("F"), MARATHON, order=("chip_time",), limit=10),
    ),
    case(
        (TOP_HARTFORD, "and the men?"),
        Q("finishers", HF, YEAR(2023), SEX("M"), MARATHON, order=("chip_time",), limit=10),
    ),
    case(
        (TOP_HARTFORD, "only the top 3"),
        Q("finishers", HF, YEAR(2023), SEX("F"), MARATHON, order=("chip_time",), limit=3),
    ),
    case(
        (TOP_HARTFORD, "with their email"),
        Q(
            "finishers",
            HF,
            YEAR(2023),
            SEX("F"),
            MARATHON,
            order=("chip_time",),
            limit=10,
            show=("email", "phone"),
        ),
    ),
    case(
        (TOP_HARTFORD, "now export that as csv"),
        Q(
            "finishers",
            HF,
            YEAR(2023),
            SEX("F"),
            MARATHON,
            order=("chip_time",),
            limit=10,
            export=True,
        ),
    ),
    case(
        (AVERAGE_SHAMROCK, "and in 2023?"),
        Q("finishers", S, YEAR(2023), MARATHON, measures=("average_time",)),
    ),
    case(
        (AVERAGE_SHAMROCK, "and the median?"),
        Q("finishers", S, YEAR(2024), MARATHON, measures=("median_time",)),
    ),
    case(
        (AVERAGE_SHAMROCK, "by sex"),
        Q("finishers", S, YEAR(2024), MARATHON, measures=("average_time",), group_by=("sex",)),
    ),
    case(
        (AVERAGE_SHAMROCK, "what about the women?"),
        Q("finishers", S, YEAR(2024), MARATHON, SEX("F"), measures=("average_time",)),
    ),
    case(
        (FEES, "what about under $50?"), Q("fees", F("provider", "RunSignUp"), F("fee", 50.0, "lt"))
    ),
    case(
        (FEES, "and Race Roster?"), Q("fees", F("provider", "Race Roster"), F("fee", 100.0, "gt"))
    ),
    case(
        ("Show Race Roster events since May", "and RunSignUp?"),
        Q("fees", F("provider", "RunSignUp"), F("event_date", D("2026-05-01"), "ge")),
    ),
    case(
        (WOMEN_40S, "and the men?"),
        Q("finishers", C, YEAR(2025), SEX("M"), MARATHON, AGE(40, 49), count=True),
    ),
    case(
        (WOMEN_40S, "what about 50 to 59?"),
        Q("finishers", C, YEAR(2025), SEX("F"), MARATHON, AGE(50, 59), count=True),
    ),
    case(
        (WOMEN_40S, "and 2023?"),
        Q("finishers", C, YEAR(2023), SEX("F"), MARATHON, AGE(40, 49), count=True),
    ),
    # "each" is each row the previous answer listed: an event of a year's list, a race of
    # an event's ("did we time" is a verb, not a finish time)
    case(
        ("Which events did we time in 2024?", "how many finishers did each have?"),
        Q("finishers", YEAR(2024), count=True, group_by=("event",)),
    ),
    case(
        ("list the races at the Boston Marathon 2024", "how many signed up for each?"),
        Q("registrations", B, YEAR(2024), count=True, group_by=("race",)),
    ),
    # "altogether" folds the previous groups into one total
    case(
        (f"{COUNT_BOSTON[:-1]} by state?", "and how many is that in total?"),
        Q("finishers", B, MARATHON, UNDER_3, count=True),
    ),
]


@pytest.mark.parametrize(("turns", "expected"), FOLLOW_UPS)
def test_a_follow_up_refines_the_previous_query(turns, expected):
    first, then = turns
    previous = understand(first).query
    reading = understand(then, previous=previous)
    assert reading.refusal is None
    assert reading.follow_up
    assert canonical(reading.query) == canonical(expected), reading.notes
    assert reading.confidence >= THRESHOLD, (reading.unknown, reading.notes)


def test_without_a_previous_question_a_fragment_stands_alone():
    reading = understand("and the women?")
    assert not reading.follow_up
    # a bare noun phrase of people, with nothing asking for rows, is a head count
    assert canonical(reading.query) == canonical(Q("finishers", SEX("F"), count=True))


def test_a_question_with_a_subject_of_its_own_starts_afresh():
    previous = understand(COUNT_BOSTON).query
    reading = understand("how many events are there?", previous=previous)
    assert not reading.follow_up
    assert canonical(reading.query) == canonical(Q("events", count=True))


def test_an_unrelated_follow_up_is_not_answered_by_the_rules():
    previous = understand(COUNT_BOSTON).query
    reading = understand("write me a poem", previous=previous)
    assert reading.confidence <= UNKNOWN_CAP
    assert {"write", "poem"} <= set(reading.unknown)


def test_a_hostile_follow_up_is_refused_whole():
    previous = understand(COUNT_BOSTON).query
    for then in ("and the women'; DROP TABLE ct_results; --", "and delete them", "and partner 7?"):
        reading = understand(then, previous=previous)
        assert reading.query is None and reading.refusal is not None, then


def test_a_follow_up_reads_the_same_every_time():
    previous = understand(TOP_HARTFORD).query
    assert understand("and the men?", previous=previous) == understand(
        "and the men?", previous=previous
    )


def test_each_with_nothing_listed_before_is_refused():
    """ "how many did each have?" after a single count, or alone: each of what is not said."""
    previous = understand(COUNT_BOSTON).query
    for reading in (
        understand("how many did each have?", previous=previous),
        understand("how many did each have?"),
    ):
        assert reading.query is None and reading.refusal is not None
        assert "each" in reading.refusal.reason


def test_a_fragment_leans_back_even_with_nothing_before_it():
    """What the engine uses to refuse "and the women?" after a question it could not answer."""
    for fragment in ("and the women?", "list them", "how much money is that so far?"):
        assert understand(fragment).leans_back, fragment
    for whole in (COUNT_BOSTON, "what is the fastest time we have?"):
        reading = understand(whole)
        assert not reading.leans_back, whole
        assert reading.confidence >= THRESHOLD, (whole, reading.unknown)

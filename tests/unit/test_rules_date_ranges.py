"""Calendar ranges with two ends (a day, a month, a holiday), weekends of a day, full days.

Each end is one reading: never a holiday filter plus a month plus a year that contradict
each other. The expected ranges are worked out by hand from the calendar.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.nlq_queries import F, Q, assert_parses_to, understand

D = dt.date


def EVENTS_IN(start: dt.date, end: dt.date, *more) -> object:
    return Q("events", F("event_date", (start, end), "between"), *more)


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("events between march 1 2024 and june 30 2024", D(2024, 3, 1), D(2024, 6, 30)),
        ("events between March 1 and June 30, 2024", D(2024, 3, 1), D(2024, 6, 30)),
        ("events from march to june 2024", D(2024, 3, 1), D(2024, 6, 30)),
        ("races between 1 May and 15 May 2025", D(2025, 5, 1), D(2025, 5, 15)),
        # the year said at the end holds for the start, a year earlier when it must
        ("events from November to February 2025", D(2024, 11, 1), D(2025, 2, 28)),
        ("events from december 2024 to february", D(2024, 12, 1), D(2025, 2, 28)),
        ("events from 2024-03-01 to 2024-04-01", D(2024, 3, 1), D(2024, 4, 1)),
        ("events from the start of may to the end of june 2023", D(2023, 5, 1), D(2023, 6, 30)),
        ("events from mid-april to the end of may 2024", D(2024, 4, 15), D(2024, 5, 31)),
        ("events between easter 2024 and memorial day 2024", D(2024, 3, 31), D(2024, 5, 27)),
        ("events weekend of oct 12 2024", D(2024, 10, 12), D(2024, 10, 13)),
        ("events on the weekend of october 13, 2024", D(2024, 10, 12), D(2024, 10, 13)),
        ("events on March 3rd, 2024", D(2024, 3, 3), D(2024, 3, 3)),
        ("events on 12 October 2024", D(2024, 10, 12), D(2024, 10, 12)),
    ],
)
def test_a_range_is_one_reading_of_its_two_ends(question, start, end):
    assert_parses_to(question, EVENTS_IN(start, end))


def test_a_holiday_can_open_a_range_into_the_next_year():
    reading = understand(
        "Which events are scheduled between Christmas 2026 and the end of January 2027?"
    )
    assert reading.query is not None and reading.refusal is None
    dates = [f for f in reading.query.filters if f.field == "event_date"]
    assert dates == [F("event_date", (D(2026, 12, 25), D(2027, 1, 31)), "between")]


def test_a_range_without_a_year_is_this_years():  # the tests' today: 2026-11-25
    assert_parses_to(
        "how many finishers at events between jan 1 and mar 31",
        Q("finishers", F("event_date", (D(2026, 1, 1), D(2026, 3, 31)), "between"), count=True),
    )


@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("events between june 30 2024 and march 1 2024", "a date range that ends before it starts"),
        ("events between feb 30 2024 and march 3 2024", "ignored an impossible date"),
        ("events on the weekend of october 16, 2024", "a weekend of a day that is not next to one"),
        ("events on February 30th, 2024", "ignored an impossible date"),
    ],
)
def test_an_impossible_range_is_noted_and_too_unsure_to_answer(question, note):
    reading = understand(question)
    assert note in reading.notes
    assert reading.confidence <= 0.5

"""Holidays read as the day of the event: the year said, the year elsewhere in the
question, or this year's; a weekend around a Monday or a Thursday holiday."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.nlq_queries import TODAY, F, understand


@pytest.mark.parametrize(
    ("question", "day"),
    [
        ("Which events were on Thanksgiving Day 2025?", dt.date(2025, 11, 27)),
        ("events on thanksgiving in 2024", dt.date(2024, 11, 28)),
        ("how many finished on Patriots' Day 2024", dt.date(2024, 4, 15)),
        ("events on the 4th of July 2023", dt.date(2023, 7, 4)),
        ("races on Memorial Day 2021", dt.date(2021, 5, 31)),
        ("events on Easter 2025", dt.date(2025, 4, 20)),
        ("events on Mother's Day 2026", dt.date(2026, 5, 10)),
        ("events on halloween", dt.date(TODAY.year, 10, 31)),
    ],
)
def test_a_holiday_is_the_day_of_its_year(question, day):
    reading = understand(question)
    assert reading.query is not None and not reading.unknown, reading.notes
    assert reading.query.filters_on("event_date") == (F("event_date", day),)


def test_a_holiday_weekend_runs_from_saturday_to_the_monday():
    query = understand("events on Labor Day weekend 2024").query
    assert query.filters_on("event_date") == (
        F("event_date", (dt.date(2024, 8, 31), dt.date(2024, 9, 2)), "between"),
    )


def test_last_thanksgiving_is_the_one_before_today():
    today = dt.date(2026, 11, 25)  # a day before Thanksgiving 2026
    query = understand("finishers on last thanksgiving", today=today).query
    assert query.filters_on("event_date") == (F("event_date", dt.date(2025, 11, 27)),)


def test_an_event_named_for_a_holiday_stays_the_event():
    reading = understand("results of the Boston Marathon on Patriots Day 2024")
    assert reading.query.filters_on("event")

"""The rules parser one part at a time: amounts with their comparison, ages, sex, distances,
event and provider names, and dates relative to a given today.

Comparisons follow one rule everywhere: over / more than / slower than are strict (gt),
at least / or more inclusive (ge), under / less than / sub strict (lt), at most / up to /
within / or less inclusive (le), between inclusive at both ends. Ages are whole years,
so "over 60" is 61 and older.
"""

from __future__ import annotations

import pytest

from daemons.nlq_http.examples import DEMO_VOCABULARY
from daemons.nlq_http.query import HALF_MARATHON_KM, MARATHON_KM
from daemons.nlq_http.rules import Vocabulary
from tests.unit.nlq_queries import (
    AGE,
    THRESHOLD,
    YEAR,
    D,
    F,
    H,
    case,
    understand,
)


@pytest.mark.parametrize(
    ("phrase", "op", "value"),
    [
        ("under 3 hours", "lt", H(3)),
        ("sub-4", "lt", H(4)),
        ("sub 4", "lt", H(4)),
        ("sub-3:30", "lt", H(3, 30)),
        ("faster than 3:30", "lt", H(3, 30)),
        ("under 3:15:00", "lt", H(3, 15)),
        ("below 2:30", "lt", H(2, 30)),
        ("in less than 4 hours", "lt", H(4)),
        ("under 3.5 hours", "lt", H(3, 30)),
        ("under three and a half hours", "lt", H(3, 30)),
        ("under 3 hours 30 minutes", "lt", H(3, 30)),
        ("in under 210 minutes", "lt", H(3, 30)),
        ("at most 4 hours", "le", H(4)),
        ("up to 4 hours", "le", H(4)),
        ("within 4h", "le", H(4)),
        ("no more than 3:30", "le", H(3, 30)),
        ("4 hours or less", "le", H(4)),
        ("3:30 or less", "le", H(3, 30)),
        ("4:00 or faster", "le", H(4)),
        ("over 5 hours", "gt", H(5)),
        ("more than 5 hours", "gt", H(5)),
        ("slower than 6:00", "gt", H(6)),
        ("at least 5 hours", "ge", H(5)),
        ("5 hours or more", "ge", H(5)),
        ("no faster than 3:00", "ge", H(3)),
        ("between 3 and 4 hours", "between", (H(3), H(4))),
        ("between 2:45 and 3:05", "between", (H(2, 45), H(3, 5))),
    ],
)
def test_chip_time_thresholds(phrase, op, value):
    reading = understand(f"How many finished the Boston Marathon {phrase}?")
    assert reading.query.filters_on("chip_time") == (F("chip_time", value, op),)
    assert reading.query.filters_on("age") == ()
    assert reading.confidence == 1.0, reading.notes


def test_short_races_read_minutes_and_seconds():
    assert understand("sub-20:00 5K finishers").query.filters_on("chip_time") == (
        F("chip_time", H(0, 20), "lt"),
    )
    assert understand("sub 90 half marathon finishers").query.filters_on("chip_time") == (
        F("chip_time", H(1, 30), "lt"),
    )


def test_a_bare_number_read_as_hours_is_a_noted_guess():
    guessed = understand("how many finished boston under 4")
    said = understand("how many finished boston under 4 hours")
    assert guessed.query == said.query
    assert "read 'under 4' as hours" in guessed.notes
    assert THRESHOLD <= guessed.confidence < said.confidence


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        case("aged 40 to 49", AGE(40, 49)),
        case("40-49", AGE(40, 49)),
        case("between 40 and 49", AGE(40, 49)),
        case("between the ages of 40 and 49", AGE(40, 49)),
        case("in their 40s", AGE(40, 49)),
        case("in their forties", AGE(40, 49)),
        case("aged 18-34", AGE(18, 34)),
        case("age 35", AGE(35)),
        case("aged 35", AGE(35)),
        case("35 year olds", AGE(35)),
        case("35-year-old", AGE(35)),
        case("over 60", F("age", 61, "ge")),
        case("above 65", F("age", 66, "ge")),
        case("older than 70", F("age", 71, "ge")),
        case("over the age of 40", F("age", 41, "ge")),
        case("60 and over", F("age", 60, "ge")),
        case("60 and older", F("age", 60, "ge")),
        case("60+", F("age", 60, "ge")),
        case("aged at least 50", F("age", 50, "ge")),
        case("at least 50 years old", F("age", 50, "ge")),
        case("under 30", F("age", 29, "le")),
        case("younger than 25", F("age", 24, "le")),
        case("19 and under", F("age", 19, "le")),
        case("at most 29 years old", F("age", 29, "le")),
        case("masters", F("age", 40, "ge")),
        case("grand masters", F("age", 50, "ge")),
        case("senior grand masters", F("age", 60, "ge")),
    ],
)
def test_ages(phrase, expected):
    reading = understand(f"how many runners {phrase} finished Chicago in 2024")
    assert reading.query.filters_on("age") == (expected,), reading.notes
    assert reading.query.filters_on("chip_time") == ()
    assert reading.confidence == 1.0, (reading.unknown, reading.notes)


@pytest.mark.parametrize(
    ("word", "sex"),
    [
        *((word, "F") for word in ("women", "woman", "female", "ladies", "girls")),
        *((word, "M") for word in ("men", "male", "guys", "boys", "gentlemen")),
        ("non-binary", "X"),
        ("nonbinary", "X"),
    ],
)
def test_sex(word, sex):
    reading = understand(f"how many {word} finished Hartford in 2024")
    assert reading.query.filters_on("sex") == (F("sex", sex),)
    assert reading.confidence == 1.0


@pytest.mark.parametrize(
    ("phrase", "km"),
    [
        ("marathon", MARATHON_KM),
        ("full marathon", MARATHON_KM),
        ("half marathon", HALF_MARATHON_KM),
        ("half-marathon", HALF_MARATHON_KM),
        ("half", HALF_MARATHON_KM),
        ("5k", 5.0),
        ("5K", 5.0),
        ("8k", 8.0),
        ("10 km", 10.0),
        ("10k", 10.0),
        ("10 miler", 16.093),
        ("10 mile", 16.093),
        ("ultra", 50.0),
        ("50k", 50.0),
    ],
)
def test_distances(phrase, km):
    query = understand(f"how many {phrase} finishers in 2024").query
    assert query.filters_on("distance_km") == (F("distance_km", km),)
    assert query.filters_on("year") == (YEAR(2024),)


@pytest.mark.parametrize(
    ("said", "event"),
    [
        ("Boston Marathon", "Boston Marathon"),
        ("the boston marathon", "Boston Marathon"),
        ("BOSTON MARATHON", "Boston Marathon"),
        ("Bostn Marathon", "Boston Marathon"),
        ("boston marathn", "Boston Marathon"),
        ("Boston", "Boston Marathon"),
        ("Boston's", "Boston Marathon"),
        ("Chicago marathon", "Chicago Marathon"),
        ("chicgo", "Chicago Marathon"),
        ("Shamrock", "Shamrock Marathon"),
        ("Shamrock Half", "Shamrock Half Marathon"),
        ("Hartford", "Hartford Marathon"),
        ("the Big Sur marathon", "Big Sur Marathon"),
        ("Cherry Blossom", "Cherry Blossom 10 Miler"),
        ("Cherry Blosom", "Cherry Blossom 10 Miler"),
        ("the Turkey Trot", "Turkey Trot 5K"),
        ("Manchester Road Race", "Manchester Road Race"),
    ],
)
def test_event_names_are_matched_to_the_vocabulary(said, event):
    reading = understand(f"how many finished {said} in 2024")
    assert reading.query.filters_on("event") == (F("event", event),)
    assert reading.confidence >= THRESHOLD


def test_a_typo_in_an_event_name_still_matches_but_costs_confidence():
    exact = understand("count female finishers at hartford 2024")
    typo = understand("count female finishers at hartfrod 2024")
    assert typo.query == exact.query
    assert THRESHOLD <= typo.confidence < exact.confidence
    assert any("hartfrod" in n and "Hartford Marathon" in n for n in typo.notes)


@pytest.mark.parametrize(
    ("said", "provider"),
    [
        ("RunSignUp", "RunSignUp"),
        ("runsignup", "RunSignUp"),
        ("run sign up", "RunSignUp"),
        ("Run-Sign-Up", "RunSignUp"),
        ("Race Roster", "Race Roster"),
        ("raceroster", "Race Roster"),
    ],
)
def test_providers(said, provider):
    query = understand(f"show {said} events").query
    assert query.entity == "listings"  # the platform's own event list
    assert query.filters_on("provider") == (F("provider", provider),)


def test_a_short_name_prefers_the_event_with_fewest_words_left_out():
    assert understand("Shamrock 2024 finishers").query.filters_on("event")[0].value == (
        "Shamrock Marathon"
    )
    assert understand("Shamrock half 2024 finishers").query.filters_on("event")[0].value == (
        "Shamrock Half Marathon"
    )


def test_stop_words_in_event_names_do_not_identify_them():
    # "for the Chicago ..." must not read as three words of "Chicago Run for the Library".
    vocab = Vocabulary(
        event_names=(*DEMO_VOCABULARY.event_names, "Chicago Run for the Library"),
        partner_names=DEMO_VOCABULARY.partner_names,
    )
    question = "Show the finish time distribution for the Chicago Marathon in 2024"
    assert understand(question, vocab=vocab).query.filters_on("event") == (
        F("event", "Chicago Marathon"),
    )
    library = understand("How many ran the Chicago Run for the Library?", vocab=vocab)
    assert library.query.filters_on("event") == (F("event", "Chicago Run for the Library"),)


def test_boston_qualifiers_alone_never_select_the_boston_marathon():
    for question in (
        "Boston qualifiers in 2024",
        "who qualified for Boston in 2024",
        "runners who BQ'd in 2024",
    ):
        query = understand(question).query
        assert query.filters_on("boston_qualifier") == (F("boston_qualifier", True),)
        assert query.filters_on("event") == ()
    explicit = understand("Boston qualifiers at the Boston Marathon in 2024").query
    assert explicit.filters_on("event") == (F("event", "Boston Marathon"),)


def test_impossible_values_are_dropped_with_a_note_not_raised():
    for question, note in (
        ("runners aged 150 to 200 at Boston", "ignored an age outside 1-120"),
        ("top 0 finishers", "ignored a limit below 1"),
        ("Boston finishers under 99 hours", "ignored a time threshold outside 0-48 hours"),
        ("events on 2026-02-30", "ignored an impossible date"),
    ):
        reading = understand(question)
        assert note in reading.notes
        assert reading.confidence <= 0.5
    capped = understand("top 5000 finishers at Boston")
    assert capped.query.limit == 1000
    assert "limited to 1000 rows" in capped.notes


RELATIVE = [
    # question, today, the date filters expected: year(s) or an event_date range
    ("Boston results last year", "2026-11-25", YEAR(2025)),
    ("Boston results last year", "2031-01-01", YEAR(2030)),
    ("Boston results this year", "2026-11-25", YEAR(2026)),
    ("events next year", "2026-11-25", YEAR(2027)),
    ("Boston results 3 years ago", "2026-11-25", YEAR(2023)),
    ("Boston results 2 years ago", "2026-11-25", YEAR(2024)),
    ("events since May", "2026-11-25", F("event_date", D("2026-05-01"), "ge")),
    ("events since May", "2026-03-10", F("event_date", D("2025-05-01"), "ge")),
    ("events since December", "2026-11-25", F("event_date", D("2025-12-01"), "ge")),
    ("events since May 2024", "2026-11-25", F("event_date", D("2024-05-01"), "ge")),
    ("events since March 15th", "2026-11-25", F("event_date", D("2026-03-15"), "ge")),
    ("events since 2021", "2026-11-25", F("event_date", D("2021-01-01"), "ge")),
    ("events since last year", "2026-11-25", F("event_date", D("2025-01-01"), "ge")),
    ("events after 2021", "2026-11-25", F("event_date", D("2022-01-01"), "ge")),
    ("events before 2020", "2026-11-25", F("event_date", D("2019-12-31"), "le")),
    ("events until May 2025", "2026-11-25", F("event_date", D("2025-05-31"), "le")),
    ("events before May 2025", "2026-11-25", F("event_date", D("2025-04-30"), "le")),
    ("events in the last 6 months", "2026-11-25", ("2026-05-25", "2026-11-25")),
    ("events in the last 6 months", "2026-08-31", ("2026-02-28", "2026-08-31")),
    ("events in the past 30 days", "2026-11-25", ("2026-10-26", "2026-11-25")),
    ("events in the past year", "2026-11-25", ("2025-11-25", "2026-11-25")),
    ("Boston results in the past year", "2026-11-25", ("2025-11-25", "2026-11-25")),
    ("events in the last 2 weeks", "2026-11-25", ("2026-11-11", "2026-11-25")),
    ("events in the next 30 days", "2026-11-25", ("2026-11-25", "2026-12-25")),
    ("events in the next 3 months", "2026-11-25", ("2026-11-25", "2027-02-25")),
    ("events next month", "2026-11-25", ("2026-12-01", "2026-12-31")),
    ("events next month", "2026-12-15", ("2027-01-01", "2027-01-31")),
    ("events this month", "2026-02-10", ("2026-02-01", "2026-02-28")),
    ("events last month", "2026-01-10", ("2025-12-01", "2025-12-31")),
    ("races held last month", "2026-11-25", ("2026-10-01", "2026-10-31")),
    ("events a month ago", "2026-11-25", ("2026-10-01", "2026-10-31")),
    ("events this week", "2026-11-25", ("2026-11-23", "2026-11-29")),
    ("events next week", "2026-11-25", ("2026-11-30", "2026-12-06")),
    ("events this weekend", "2026-11-25", ("2026-11-28", "2026-11-29")),
    ("events today", "2026-11-25", ("2026-11-25", "2026-11-25")),
    ("events tomorrow", "2026-11-25", ("2026-11-26", "2026-11-26")),
    ("events yesterday", "2026-11-25", ("2026-11-24", "2026-11-24")),
    ("events year to date", "2026-11-25", ("2026-01-01", "2026-11-25")),
    ("events in April 2025", "2026-11-25", ("2025-04-01", "2025-04-30")),
    ("events in February 2024", "2026-11-25", ("2024-02-01", "2024-02-29")),
    ("events from 2024-03-01 to 2024-03-31", "2026-11-25", ("2024-03-01", "2024-03-31")),
    ("events between 2024-01-01 and 2024-06-30", "2026-11-25", ("2024-01-01", "2024-06-30")),
    ("events on 4/21/2025", "2026-11-25", ("2025-04-21", "2025-04-21")),
    ("events between 2000 and 2025", "2026-11-25", ("2000-01-01", "2025-12-31")),
    ("events this winter", "2026-12-10", ("2026-12-01", "2027-02-28")),
    ("events next spring", "2026-11-25", ("2027-03-01", "2027-05-31")),
    ("events last fall", "2026-11-25", ("2025-09-01", "2025-11-30")),
    ("events between 2020 and 2023", "2026-11-25", YEAR(2020, 2021, 2022, 2023)),
    ("events from 2019 to 2021", "2026-11-25", YEAR(2019, 2020, 2021)),
    ("events 2019-2021", "2026-11-25", YEAR(2019, 2020, 2021)),
    ("Chicago finishers in 2022 and 2024", "2026-11-25", YEAR(2022, 2024)),
]


@pytest.mark.parametrize(("question", "today", "expected"), RELATIVE)
def test_relative_dates_resolve_against_the_given_today(question, today, expected):
    reading = understand(question, today=D(today))
    if isinstance(expected, tuple):
        expected = F("event_date", (D(expected[0]), D(expected[1])), "between")
    dated = tuple(f for f in reading.query.filters if f.field in ("year", "event_date", "month"))
    assert dated == (expected,)
    assert reading.confidence == 1.0, reading.notes


def test_a_month_alone_is_that_month():
    """ "in May": May of this year, or (rules/dates.py's docstring) May of any year."""
    dated = tuple(
        f
        for f in understand("races held in May").query.filters
        if f.field in ("year", "event_date", "month")
    )
    assert dated in (
        (F("month", 5),),
        (F("event_date", (D("2026-05-01"), D("2026-05-31")), "between"),),
    )

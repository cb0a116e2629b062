"""Questions the data cannot answer though they use its words: a word's meaning, a forecast,
a set difference ("events with no DNFs", "Boston but not Chicago").

"What is chip time" read as data would list every chip time on record; "will it rain at
Chicago next year" would be an empty list of rainy editions. Both are refused with a
reason, and the data questions that look like them still are answered.
"""

from __future__ import annotations

import pytest

from daemons.nlq_http.rules.definitions import NOT_A_GLOSSARY
from daemons.nlq_http.rules.weather import NO_FORECASTS
from tests.unit.nlq_queries import THRESHOLD, understand


@pytest.mark.parametrize(
    "question",
    ["What does DNF mean?", "what is a BQ", "what is chip time", "what is a negative split",
     "define pace", "what does BQ stand for", "whats a split", "what are splits",
     "explain gun time", "what is meant by a division"],
)  # fmt: skip
def test_what_a_word_means_is_refused_with_a_reason(question):
    reading = understand(question)
    assert reading.refusal is not None and reading.refusal.status == 422
    assert reading.refusal.reason == NOT_A_GLOSSARY


@pytest.mark.parametrize(
    "question",
    ["What's the weather tomorrow in Paris?", "what's the forecast for the turkey trot",
     "will it rain at the Chicago Marathon next year", "how cold is it going to be at boston 2027",
     "how hot will it be at the race tomorrow", "is it going to rain on race day"],
)  # fmt: skip
def test_a_forecast_is_refused_with_a_reason(question):
    reading = understand(question)
    assert reading.refusal is not None and reading.refusal.reason == NO_FORECASTS


@pytest.mark.parametrize(
    "question",
    ["what is the fastest time at the boston marathon 2024", "what is the average finish time",
     "what are upcoming races", "what are active events", "what is the DNF rate at chicago 2023",
     "what are the bq standards", "did it rain at the boston marathon 2024",
     "how hot was it at the boston marathon 2024", "what is session 2"],
)  # fmt: skip
def test_the_data_questions_that_look_like_them_are_answered(question):
    reading = understand(question)
    assert reading.refusal is None and reading.query is not None
    assert reading.confidence >= THRESHOLD, (reading.unknown, reading.notes)


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("events that had no DNFs in 2024", "groups without any runner of an outcome"),
        ("which events had no finishers under 3 hours in 2024",
         "groups without any runner of an outcome"),
        ("how many runners finished the boston marathon 2024 but not chicago 2024",
         "runners are not matched across events"),
    ],
)  # fmt: skip
def test_a_set_difference_read_as_a_filter_would_be_wrong_so_it_is_refused(question, reason):
    reading = understand(question)
    assert reading.refusal is not None and reason in reading.refusal.reason


def test_asking_when_registration_opens_and_closes_is_a_question_not_an_order():
    reading = understand("When does registration open and close for the 2026 boston marathon?")
    assert reading.refusal is None and reading.query.entity == "listings"
    order = understand("Please close registration for the Jingle Bell 5K today.")
    assert order.refusal is not None and order.refusal.status == 403

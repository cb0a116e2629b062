"""The explanation: one sentence written from the filters the SQL applies, every one of them."""

from __future__ import annotations

import pytest

from daemons.nlq_http.compiler import compile_query
from daemons.nlq_http.model import MODEL
from tests.unit.compiler_queries import ADMIN, PARTNER, QUERIES


@pytest.mark.parametrize(
    ("name", "said"),
    [
        (
            "count under 3 hours",
            (
                "Counts finishers",
                "event is Boston Marathon",
                "chip time under 3:00:00",
                "distance about 42.195 km",
            ),
        ),
        (
            "women 40-49 last year",
            ("year is 2025", "sex is women", "age between 40 and 49 (inclusive)"),
        ),
        ("median men over 60", ("Median of finishers", "sex is men", "age at least 61")),
        ("half slower than 2:30", ("chip time over 2:30:00", "distance about 21.0975 km")),
        ("fees over 100", ("fee ($) over $100.00", "provider is RunSignUp")),
        ("race roster fees since may", ("event date at least 1 May 2026",)),
        ("dnf entrants", ("outcome is did not finish", "Counts entrants")),
        ("bq of an edition", ("Boston qualifier under the standards of 2026",)),
        ("bq export with contact", ("Exports finishers", "Boston qualifier")),
        ("two events", ("event Boston Marathon or Chicago Marathon", "by event")),
        ("top 3 per division", ("by division", "the top 3 in each")),
        ("top 10 women", ("at most 10 rows", "ordered by chip time")),
        (
            "events in a range",
            (
                "between 1 December 2026 and 31 December 2026 (inclusive)",
                "event status is upcoming",
            ),
        ),
        ("percentile by sex", ("90th percentile time",)),
    ],
)
def test_the_explanation_says_every_filter(name, said):
    explanation = compile_query(QUERIES[name], PARTNER).explanation
    for words in said:
        assert words in explanation, (words, explanation)


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_the_explanation_names_every_filtered_dimension(query):
    explanation = compile_query(query, ADMIN).explanation
    for f in query.filters:
        label = MODEL[query.entity].dimensions[f.field].label
        assert label.split(" (")[0] in explanation, (f.field, explanation)
    if not query.filters:
        assert "(no filter)" in explanation

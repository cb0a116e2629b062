"""Lists that carry their cue or negation along ("not from Virginia or North Carolina", "not
in their 20s or 30s"), age ranges said with "or", statuses listed with "finished", mats
compared, the one first event, the standard a runner needs, and timing points asked for."""

from __future__ import annotations

import pytest

from daemons.nlq_http.query import HALF_MARATHON_KM
from tests.unit.nlq_queries import (
    BOSTON,
    CHICAGO,
    EVENT,
    HARTFORD,
    MARATHON,
    SHAMROCK,
    SHAMROCK_HALF,
    YEAR,
    F,
    Q,
    assert_parses_to,
    case,
    understand,
)

CASES = [
    case(
        "How many finishers at the 2024 Shamrock Marathon weren't from Virginia or North Carolina?",
        Q("finishers", EVENT(SHAMROCK), YEAR(2024), MARATHON, F("state", "VA", "ne"),
          F("state", "NC", "ne"), count=True),
    ),
    case(
        "boston 2024 finishers from Ohio, Texas or Florida",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, F("state", ("OH", "TX", "FL"), "in"),
          count=True),
    ),
    case(
        "chicago 2023 finishers not in their 20s or 30s, count",
        Q("finishers", EVENT(CHICAGO), YEAR(2023), MARATHON, F("age", (20, 29), "outside"),
          F("age", (30, 39), "outside"), count=True),
    ),
    case(
        "finishers in their 30s or 40s at boston 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, F("age", (30, 49), "between")),
    ),
    case(
        "hartford marathon 2023 entrants by outcome (finished, dnf, dns, dq)",
        Q("entrants", EVENT(HARTFORD), YEAR(2023), MARATHON,
          F("outcome", ("dnf", "dns", "dq", "finished"), "in"), count=True,
          group_by=("outcome",)),
    ),
    case(
        "how many finished vs dnf at boston 2024",
        Q("entrants", EVENT(BOSTON), YEAR(2024), MARATHON, F("outcome", ("dnf", "finished"), "in"),
          count=True, group_by=("outcome",)),
    ),
    case(
        "session 2 finish read count",
        Q("live_reads", F("session_id", 2), F("location", "finish"),
          measures=("count", "unique_tags", "first_read", "last_read")),
    ),
    case(
        "halfway vs finish reads session 2",
        Q("live_reads", F("session_id", 2), F("location", ("halfway", "finish"), "in"),
          measures=("count", "unique_tags", "first_read", "last_read"), group_by=("location",)),
    ),
    case(
        "our first event in 2027",
        Q("events", YEAR(2027), order=("event_date",), limit=1),
    ),
    case(
        "list events of 2025, earliest first",
        Q("events", YEAR(2025), order=("event_date",)),
    ),
    case(
        "What qualifying time does a 57-year-old man need for Boston under the 2026 standards?",
        Q("standards", F("sex", "M"), F("edition", 2026), F("age", 57)),
    ),
    case(
        "timing points shamrock half 2023",
        Q("splits", EVENT(SHAMROCK_HALF), YEAR(2023), F("distance_km", HALF_MARATHON_KM),
          count=True, group_by=("timing_point",)),
    ),
    case(
        "boston 2024 splits by timing point",
        Q("splits", EVENT(BOSTON), YEAR(2024), MARATHON, count=True, group_by=("timing_point",)),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected)


def test_two_age_ranges_apart_are_refused_not_read_as_both():
    reading = understand("finishers in their 20s or 40s at boston 2024")
    assert reading.query is None and reading.refusal is not None

"""The rules parser on many phrasings of questions about results: exact semantic queries.

Counts, lists, top N, averages, medians, percentiles, groupings and comparisons; terse,
chatty, upper-case and misspelt. A case the parser gets wrong is ``xfail(strict=True)``
with the right query, never written down as the parser's answer.
"""

from __future__ import annotations

import pytest

from tests.unit.nlq_queries import (
    AGE,
    BOSTON,
    BOTH_SEXES,
    BQ,
    CHICAGO,
    EVENT,
    HALF,
    HARTFORD,
    KM,
    MARATHON,
    SEX,
    SHAMROCK,
    SHAMROCK_HALF,
    THRESHOLD,
    TIME_STATS,
    YEAR,
    F,
    H,
    Q,
    canonical,
    case,
    questions,
    understand,
)

B, C, HF = EVENT(BOSTON), EVENT(CHICAGO), EVENT(HARTFORD)
B23, B24 = (B, YEAR(2023), MARATHON), (B, YEAR(2024), MARATHON)
C23, C24 = (C, YEAR(2023), MARATHON), (C, YEAR(2024), MARATHON)
HF23, HF24 = (HF, YEAR(2023), MARATHON), (HF, YEAR(2024), MARATHON)
WOMEN, MEN = SEX("F"), SEX("M")
FASTEST = ("chip_time",)
EX0 = Q("finishers", B, MARATHON, F("chip_time", H(3), "lt"), count=True)

COUNTS = [
    case(
        "How many finishers did the Chicago Marathon have in 2023?", Q("finishers", C23, count=True)
    ),
    case("number of runners at the bostn marathon 2024", Q("finishers", B24, count=True)),
    case("how many runers finished the bostn marathon in 2024", Q("finishers", B24, count=True)),
    case("boston 2024 count", Q("finishers", B24, count=True)),
    case("how many finishers in total at boston 2024", Q("finishers", B24, count=True)),
    case("count the women who ran hartford in 2023", Q("finishers", HF23, WOMEN, count=True)),
    case(
        "Could you kindly tell me how many men finished the Shamrock Marathon last year, please?",
        Q("finishers", EVENT(SHAMROCK), YEAR(2025), MEN, MARATHON, count=True),
    ),
    case(
        "In 2024, how many runners finished Chicago under 4 hours?",
        Q("finishers", C24, F("chip_time", H(4), "lt"), count=True),
    ),
    case("HOW MANY RUNNERS FINISHED THE BOSTON MARATHON UNDER 3 HOURS", EX0),
    case("under 3 hours, how many runners finished the boston marathon?", EX0),
    case(
        "Hi there! Could you please tell me how many runners finished the Boston Marathon in"
        " under 3 hours? Thanks!",
        EX0,
    ),
    case("how many runners finished the Boston Marathon in less than three hours", EX0),
    case(
        "number of finishers under 4 hrs at the chicgo marathon",
        Q("finishers", C, MARATHON, F("chip_time", H(4), "lt"), count=True),
    ),
    case(
        "How many masters runners at Boston 2024?",
        Q("finishers", B24, F("age", 40, "ge"), count=True),
    ),
    case(
        "How many runners aged 35 finished Boston in 2024?",
        Q("finishers", B24, AGE(35), count=True),
    ),
    case(
        "how many people qualified for Boston at the Chicago Marathon in 2024",
        Q("finishers", C, YEAR(2024), BQ, count=True),
    ),
    case("how many BQs at Boston 2024", Q("finishers", B, YEAR(2024), BQ, count=True)),
    case(
        "how many runners ran a BQ at Chicago 2023 under the 2025 standards",
        Q("finishers", C23, F("boston_qualifier_of", 2025), count=True),
    ),
    case("how many entrants at the Boston Marathon 2024", Q("entrants", B24, count=True)),
    # starters: everyone who crossed a mat (tests/nlq_eval/README.md), the no-shows left out
    case(
        "how many starters at Chicago 2024",
        Q("entrants", C24, F("outcome", "dns", "ne"), count=True),
    ),
    case("how many reads in session #4", Q("live_reads", F("session_id", 4), count=True)),
]

LISTS = [
    case("List all finishers of the Hartford Marathon 2024", Q("finishers", HF24)),
    case(
        "show me women under 3:30 at boston 2024",
        Q("finishers", B24, WOMEN, F("chip_time", H(3, 30), "lt")),
    ),
    case(
        "which runners finished chicago 2023 in less than 3 hours",
        Q("finishers", C23, F("chip_time", H(3), "lt")),
    ),
    case("pls list the women at chicago 2024 thx", Q("finishers", C24, WOMEN)),
    case("Boston 2024 finishers, women only", Q("finishers", B24, WOMEN, count=True)),
    case("non-binary finishers at Boston 2024", Q("finishers", B24, SEX("X"), count=True)),
    case(
        "Boston Marathon 2024 women under 3:30 sorted by name",
        Q(
            "finishers",
            B24,
            WOMEN,
            F("chip_time", H(3, 30), "lt"),
            order=("last_name", "first_name"),
        ),
    ),
    case(
        "5K times under 25:00 at the Turkey Trot 5K 2025",
        Q(
            "finishers",
            EVENT("Turkey Trot 5K"),
            YEAR(2025),
            KM(5.0),
            F("chip_time", H(0, 25), "lt"),
        ),
    ),
    case("women in their 50s at the Boston Marathon 2024", Q("finishers", B24, WOMEN, AGE(50, 59))),
    case(
        "ladies over forty years old at chicago",
        Q("finishers", C, WOMEN, MARATHON, F("age", 41, "ge")),
    ),
    case("runners under 30 at Boston 2023", Q("finishers", B23, F("age", 29, "le"), count=True)),
    case("10 miler results 2024", Q("finishers", YEAR(2024), KM(16.093))),
    case("women marathon finishers 2025", Q("finishers", YEAR(2025), WOMEN, MARATHON, count=True)),
    case("list the women marathon finishers 2025", Q("finishers", YEAR(2025), WOMEN, MARATHON)),
    case("ultra finishers 2024", Q("finishers", YEAR(2024), KM(50.0), count=True)),
    case(
        "half marathon runners slower than 2:30",
        Q("finishers", HALF, F("chip_time", H(2, 30), "gt"), count=True),
    ),
    case(
        "results for the Cherry Blossom 10 Miler 2024",
        Q("finishers", EVENT("Cherry Blossom 10 Miler"), YEAR(2024), KM(16.093)),
    ),
    case("bib 1234 at Boston 2024", Q("finishers", B24, F("bib", "1234"))),
    case("who finished 3rd place at Chicago 2024", Q("finishers", C24, F("overall_place", 3))),
    case("gun times for Boston 2024", Q("finishers", B24, show=("gun_time",))),
    case("Who BQ'd at Hartford in 2024?", Q("finishers", HF, YEAR(2024), BQ)),
    case(
        "Boston qualifiers under the 2026 standards at Hartford 2025",
        Q("finishers", HF, YEAR(2025), MARATHON, F("boston_qualifier_of", 2026)),
    ),
    case(
        "half marathon at Shamrock 2024 under 1:45",
        Q("finishers", EVENT(SHAMROCK_HALF), YEAR(2024), HALF, F("chip_time", H(1, 45), "lt")),
    ),
    case(
        "boston-qualifying times at Chicago 2024",
        Q("finishers", C, YEAR(2024), BQ),
    ),
]

TOP_N = [
    case(
        "give me the 5 fastest women at the Chicago Marathon in 2024",
        Q("finishers", C24, WOMEN, order=FASTEST, limit=5),
    ),
    case(
        "who were the slowest 10 finishers at boston 2023",
        Q("finishers", B23, order=("-chip_time",), limit=10),
    ),
    case("top ten women at chicago 2024", Q("finishers", C24, WOMEN, order=FASTEST, limit=10)),
    case(
        "Who are the 3 fastest men over 60 at Boston in 2023?",
        Q("finishers", B23, MEN, F("age", 61, "ge"), order=FASTEST, limit=3),
    ),
    case("Who won the Boston Marathon in 2024?", Q("finishers", B24, order=FASTEST, limit=1)),
    case(
        "Who was the fastest woman at Chicago in 2023?",
        Q("finishers", C23, WOMEN, order=FASTEST, limit=1),
    ),
    case("last finisher at Hartford 2024", Q("finishers", HF24, order=("-chip_time",), limit=1)),
    case("youngest finisher at Boston 2024", Q("finishers", B24, order=("age",), limit=1)),
    case("oldest runner at Chicago 2024", Q("finishers", C24, order=("-age",), limit=1)),
    # Results' divisions are their age groups.
    case(
        "top 3 in each age group at Boston 2024",
        Q("finishers", B24, group_by=("division",), order=FASTEST, per_group=3),
    ),
    case(
        "winners of each division at Hartford 2024",
        Q("finishers", HF24, group_by=("division",), order=FASTEST, per_group=1),
    ),
    case(
        "show pace for the top 10 at Hartford 2023",
        Q("finishers", HF23, order=FASTEST, limit=10, show=("pace_per_mile", "pace_per_km")),
    ),
]

MEASURES = [
    case(
        "What's the average finish time at Chicago 2024?",
        Q("finishers", C24, measures=("average_time",)),
    ),
    case(
        "whats the avg finish time at boston 2024", Q("finishers", B24, measures=("average_time",))
    ),
    case(
        "mean chip time for women at the Hartford Marathon in 2024",
        Q("finishers", HF24, WOMEN, measures=("average_time",)),
    ),
    case(
        "median chip time boston 2024 women", Q("finishers", B24, WOMEN, measures=("median_time",))
    ),
    case(
        "What was the fastest time at Hartford in 2024?",
        Q("finishers", HF24, measures=("fastest_time",)),
    ),
    case(
        "What's the slowest time at Chicago 2024?", Q("finishers", C24, measures=("slowest_time",))
    ),
    case("stats for Chicago 2024", Q("finishers", C24, measures=(*TIME_STATS, "slowest_time"))),
    case(
        "what was the 90th percentile finish time at Chicago 2024",
        Q("finishers", C24, measures=(("percentile_time", 90.0),)),
    ),
    case("p90 at boston 2024", Q("finishers", B24, measures=(("percentile_time", 90.0),))),
    case(
        "first quartile finish time at Hartford 2024",
        Q("finishers", HF24, measures=(("percentile_time", 25.0),)),
    ),
    case(
        "what is the 25th percentile time for women at Chicago 2024",
        Q("finishers", C24, WOMEN, measures=(("percentile_time", 25.0),)),
    ),
    case("average age of finishers at Boston 2024", Q("finishers", B24, measures=("average_age",))),
    case(
        "What was the average time for runners in their 30s at Boston last year?",
        Q("finishers", B, YEAR(2025), MARATHON, AGE(30, 39), measures=("average_time",)),
    ),
    case(
        "finish time histogram for Boston 2024",
        Q("finishers", B24, count=True, group_by=("time_band",)),
    ),
    case(
        "what was the average pace at the Chicago Marathon in 2024",
        Q("finishers", C24, measures=("average_pace_per_mile",)),
    ),
    case("avg pace chicago 2024", Q("finishers", C24, measures=("average_pace_per_mile",))),
    case(
        "average pace per km for women at Boston 2024",
        Q("finishers", B24, WOMEN, measures=("average_pace_per_km",)),
    ),
    case(
        "median half marathon time at Shamrock 2024",
        Q("finishers", EVENT(SHAMROCK_HALF), YEAR(2024), HALF, measures=("median_time",)),
    ),
]

GROUPS = [
    case(
        "how many finishers by state at Boston 2024",
        Q("finishers", B24, count=True, group_by=("state",)),
    ),
    case(
        "how many runners from each state ran boston 2024",
        Q("finishers", B24, count=True, group_by=("state",)),
    ),
    case(
        "count of runners per state at the Chicago Marathon 2024",
        Q("finishers", C24, count=True, group_by=("state",)),
    ),
    case(
        "how many runners by country at Boston 2024",
        Q("finishers", B24, count=True, group_by=("country",)),
    ),
    case(
        "finishers by age group and sex at Chicago 2024",
        Q("finishers", C24, count=True, group_by=("division", "sex")),
    ),
    case(
        "number of finishers by age group and sex at boston 2024",
        Q("finishers", B24, count=True, group_by=("division", "sex")),
    ),
    case(
        "which state had the most finishers at Boston 2024",
        Q("finishers", B24, count=True, group_by=("state",), order=("-count",), limit=1),
    ),
    case(
        "average finish time by age group at the Chicago Marathon 2024",
        Q("finishers", C24, measures=("average_time",), group_by=("division",)),
    ),
    case(
        "median time by age group at Boston 2024",
        Q("finishers", B24, measures=("median_time",), group_by=("division",)),
    ),
    case(
        "average finish time by sex at Hartford 2023",
        Q("finishers", HF23, measures=("average_time",), group_by=("sex",)),
    ),
    case(
        "results by division at Chicago 2024",
        Q("finishers", C24, count=True, group_by=("division",)),
    ),
    case(
        "breakdown of Boston 2024 finishers by sex",
        Q("finishers", B24, count=True, group_by=("sex",)),
    ),
]

COMPARE = [
    case(
        "Compare Boston and Chicago in 2024",
        Q(
            "finishers",
            EVENT(BOSTON, CHICAGO),
            YEAR(2024),
            MARATHON,
            measures=TIME_STATS,
            group_by=("event",),
        ),
    ),
    case(
        "Compare the Boston and Chicago marathons side by side",
        Q("finishers", EVENT(BOSTON, CHICAGO), MARATHON, measures=TIME_STATS, group_by=("event",)),
    ),
    # The measure said comes first; a comparison adds its usual ones after it.
    case(
        "Boston vs Chicago 2023 average finish time",
        Q(
            "finishers",
            EVENT(BOSTON, CHICAGO),
            YEAR(2023),
            MARATHON,
            group_by=("event",),
            measures=("average_time", "count", "median_time", "fastest_time"),
        ),
    ),
    case(
        "Boston 2023 vs 2024",
        Q("finishers", B, YEAR(2023, 2024), MARATHON, measures=TIME_STATS, group_by=("year",)),
    ),
    case(
        "Compare the Hartford Marathon in 2022, 2023 and 2024",
        Q(
            "finishers",
            HF,
            YEAR(2022, 2023, 2024),
            MARATHON,
            measures=TIME_STATS,
            group_by=("year",),
        ),
    ),
    case(
        "men vs women at Boston 2024",
        Q("finishers", B24, BOTH_SEXES, measures=TIME_STATS, group_by=("sex",)),
    ),
    case(
        "How did men and women compare at Chicago 2024?",
        Q("finishers", C24, BOTH_SEXES, measures=TIME_STATS, group_by=("sex",)),
    ),
    case(
        "compare finishers by age group at Boston 2024",
        Q("finishers", B24, measures=TIME_STATS, group_by=("division",)),
    ),
]

PHRASINGS = [*COUNTS, *LISTS, *TOP_N, *MEASURES, *GROUPS, *COMPARE]


def test_there_are_many_phrasings():
    assert len(PHRASINGS) >= 90


@pytest.mark.parametrize(("question", "expected"), PHRASINGS)
def test_phrasing_parses_to_its_exact_query(question, expected):
    reading = understand(question)
    assert reading.refusal is None, reading.refusal
    assert canonical(reading.query) == canonical(expected), reading.notes
    assert reading.confidence >= THRESHOLD, (reading.unknown, reading.notes)


@pytest.mark.parametrize("question", questions(PHRASINGS))
def test_phrasing_reads_the_same_every_time(question):
    first, second = understand(question), understand(question)
    assert first == second
    assert 0.0 <= first.confidence <= 1.0

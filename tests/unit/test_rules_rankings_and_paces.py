"""Rankings of groups by a measure, one-row superlatives, pace thresholds and paces'
percentiles, gun times, residents' names, names typed without accents, and which
runners a split question means."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from daemons.nlq_http.compiler import Tenant, compile_query
from daemons.nlq_http.examples import DEMO_VOCABULARY
from daemons.nlq_http.query import SemanticQuery, Sort
from daemons.nlq_http.rules.people import spellings
from tests.unit.nlq_queries import (
    BOSTON,
    CHICAGO,
    EVENT,
    MARATHON,
    PERSON,
    SHAMROCK,
    THRESHOLD,
    YEAR,
    F,
    Q,
    assert_parses_to,
    canonical,
    case,
    understand,
)

MIN = dt.timedelta(minutes=1)
VOCAB = dataclasses.replace(
    DEMO_VOCABULARY,
    event_names=(*DEMO_VOCABULARY.event_names, "Big River Fall Trail Series"),
    last_names=DEMO_VOCABULARY.last_names
    | {"o'neill", "o'brien", "gonzález", "gonzalez", "williams", "garcía", "müller"},
    first_names=frozenset({"renée", "valentina", "michael"}),
    partner_names=(*DEMO_VOCABULARY.partner_names, "Tidewater Timing Co."),
)

CASES = [
    # groups ranked by their measure: one group, or every group when the group is plural
    case(
        "slowest avg finish time of any boston marathon year",
        Q(
            "finishers",
            EVENT(BOSTON),
            MARATHON,
            measures=("average_time",),
            group_by=("year",),
            order=("-average_time",),
            limit=1,
        ),
    ),
    case(
        "which year had the fastest median time at chicago",
        Q(
            "finishers",
            EVENT(CHICAGO),
            MARATHON,
            measures=("median_time",),
            group_by=("year",),
            order=("median_time",),
            limit=1,
        ),
    ),
    case(
        "which states had the highest average age at boston 2024",
        Q(
            "finishers",
            EVENT(BOSTON),
            YEAR(2024),
            MARATHON,
            measures=("average_age",),
            group_by=("state",),
            order=("-average_age",),
        ),
    ),
    case(
        "Which states had the most finishers at the Chicago Marathon 2024?",
        Q(
            "finishers",
            EVENT(CHICAGO),
            YEAR(2024),
            MARATHON,
            count=True,
            group_by=("state",),
            order=("-count",),
        ),
    ),
    case(
        "which state had the most finishers at chicago 2024",
        Q(
            "finishers",
            EVENT(CHICAGO),
            YEAR(2024),
            MARATHON,
            count=True,
            group_by=("state",),
            order=("-count",),
            limit=1,
        ),
    ),
    case(  # each edition of a named event
        "median finish time for every boston marathon",
        Q("finishers", EVENT(BOSTON), MARATHON, measures=("median_time",), group_by=("year",)),
    ),
    # across all events is a total; for every event is a grouping
    case(
        "What's the total number of finishers in 2023, across every event?",
        Q("finishers", YEAR(2023), count=True),
    ),
    case("how many finishers at all our events in 2025", Q("finishers", YEAR(2025), count=True)),
    case(
        "finishers for every event in 2023",
        Q("finishers", YEAR(2023), count=True, group_by=("event",)),
    ),
    # a superlative before one thing is one row
    case(
        "fastest marathon by anyone named Williams",
        Q("finishers", PERSON(None, "Williams"), MARATHON, order=("chip_time",), limit=1),
    ),
    case(
        "Who is the fastest Smith at the Shamrock Marathon, ever?",
        Q(
            "finishers",
            EVENT(SHAMROCK),
            PERSON(None, "Smith"),
            MARATHON,
            order=("chip_time",),
            limit=1,
        ),
    ),
    case(
        "fastest marathon runners in 2024",
        Q("finishers", YEAR(2024), MARATHON, order=("chip_time",)),
    ),
    case(
        "fastest 5K split at the Chicago Marathon 2024",
        Q(
            "splits",
            EVENT(CHICAGO),
            YEAR(2024),
            MARATHON,
            F("timing_point", "5K"),
            order=("chip_time",),
            limit=1,
        ),
    ),
    # paces as thresholds and as percentiles
    case(
        "How many finishers at Boston 2024 ran faster than 8 minutes per mile?",
        Q(
            "finishers",
            EVENT(BOSTON),
            YEAR(2024),
            MARATHON,
            F("pace_per_mile", 8 * MIN, "lt"),
            count=True,
        ),
    ),
    case(
        "how many ran sub-5:00/km at boston 2024",
        Q(
            "finishers",
            EVENT(BOSTON),
            YEAR(2024),
            MARATHON,
            F("pace_per_km", 5 * MIN, "lt"),
            count=True,
        ),
    ),
    case(
        "What's the 95th percentile pace per mile at Boston 2024?",
        Q(
            "finishers",
            EVENT(BOSTON),
            YEAR(2024),
            MARATHON,
            measures=(("percentile_pace_per_mile", 95.0),),
        ),
    ),
    case(
        "averge gun time at boston 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, measures=("average_gun_time",)),
    ),
    # where runners live, said as who they are
    case(
        "Excluding Virginians, how many finished the Shamrock Marathon in 2024?",
        Q("finishers", EVENT(SHAMROCK), YEAR(2024), MARATHON, F("state", "VA", "ne"), count=True),
    ),
    case(
        "how many Texans ran boston 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, F("state", "TX"), count=True),
    ),
    case(
        "Which city is Michael Wardian from?",
        Q("finishers", PERSON("Michael", "Wardian"), count=True, group_by=("city",)),
    ),
    # who started: entrants who did not miss the start
    case(
        "How many people started the Chicago Marathon in 2023?",
        Q("entrants", EVENT(CHICAGO), YEAR(2023), MARATHON, F("outcome", "dns", "ne"), count=True),
    ),
    # whose splits
    case(
        "Show the split times of the winner of the Chicago Marathon 2024",
        Q("splits", EVENT(CHICAGO), YEAR(2024), MARATHON, F("race_winner", True)),
    ),
    case(
        "slowest half split among finishers boston 2024",
        Q(
            "splits",
            EVENT(BOSTON),
            YEAR(2024),
            MARATHON,
            F("timing_point", "Half"),
            F("status", "finished"),
            order=("-chip_time",),
            limit=1,
        ),
    ),
    case(
        "Which timing points did the Boston Marathon 2024 have?",
        Q("splits", EVENT(BOSTON), YEAR(2024), MARATHON, count=True, group_by=("timing_point",)),
    ),
    # the most recent event has been held
    case(
        "show our last 3 events",
        Q(
            "events",
            F("event_date", dt.date(2026, 11, 25), "lt"),
            F("event_status", "cancelled", "ne"),
            order=("-event_date",),
            limit=3,
        ),
    ),
    # the top or bottom N groups; every group in the order said
    case(
        "top 3 states by number of boston qualifiers in 2024",
        Q(
            "finishers",
            YEAR(2024),
            F("boston_qualifier", True),
            count=True,
            group_by=("state",),
            order=("-count",),
            limit=3,
        ),
    ),
    case(
        "average finish time by state at boston 2024 sorted fastest first",
        Q(
            "finishers",
            EVENT(BOSTON),
            YEAR(2024),
            MARATHON,
            measures=("average_time",),
            group_by=("state",),
            order=("average_time",),
        ),
    ),
    # an age before the runner is no "top N"; a place said with a sex is the place by sex
    case(
        "whos the fastest 40 year old at chicago 2024",
        Q(
            "finishers",
            EVENT(CHICAGO),
            YEAR(2024),
            MARATHON,
            F("age", 40),
            order=("chip_time",),
            limit=1,
        ),
    ),
    case(
        "who came 10th in the women's race at chicago 2024",
        Q("finishers", EVENT(CHICAGO), YEAR(2024), MARATHON, F("sex", "F"), F("sex_place", 10)),
    ),
    case(
        "what was the median age at hartford 2023",
        Q("finishers", EVENT("Hartford Marathon"), YEAR(2023), MARATHON, measures=("median_age",)),
    ),
    case(
        "when is our next marathon",
        Q(
            "races",
            MARATHON,
            F("event_date", dt.date(2026, 11, 25), "ge"),
            order=("event_date",),
            limit=1,
        ),
    ),
    case(
        "what are the next 3 events",
        Q("events", F("event_date", dt.date(2026, 11, 25), "ge"), order=("event_date",), limit=3),
    ),
    case(  # "every DNF" is every one of them, not each edition
        "Please show me every DNF at Boston 2024 with their bib numbers",
        Q("entrants", EVENT(BOSTON), YEAR(2024), MARATHON, F("outcome", "dnf")),
    ),
    # parts of a year, and a year said with "from"
    case(
        "how many events in q3 2025",
        Q(
            "events",
            F("event_date", (dt.date(2025, 7, 1), dt.date(2025, 9, 30)), "between"),
            count=True,
        ),
    ),
    case(
        "what races were held in the first half of 2025",
        Q("events", F("event_date", (dt.date(2025, 1, 1), dt.date(2025, 6, 30)), "between")),
    ),
    case(  # today is 2026-11-25: the quarter before this one
        "events last quarter",
        Q("events", F("event_date", (dt.date(2026, 7, 1), dt.date(2026, 9, 30)), "between")),
    ),
    case("all results from 2024", Q("finishers", YEAR(2024))),
    case(
        "events from 2024 onwards",
        Q("events", F("event_date", dt.date(2024, 1, 1), "ge")),
    ),
    case(
        "what's on in spring 2027",
        Q("events", F("event_date", (dt.date(2027, 3, 1), dt.date(2027, 5, 31)), "between")),
    ),
    # wins counted are first places
    case(
        "how many times has michael wardian won",
        Q("finishers", PERSON("Michael", "Wardian"), F("overall_place", 1), count=True),
    ),
    case(
        "how many races did michael wardian win",
        Q("finishers", PERSON("Michael", "Wardian"), F("overall_place", 1), count=True),
    ),
    case(
        "how many unique chips were read in session 2",
        Q("live_reads", F("session_id", 2), measures=("unique_tags",)),
    ),
    case(
        "fastest boston qualifier at hartford 2024",
        Q(
            "finishers",
            EVENT("Hartford Marathon"),
            YEAR(2024),
            F("boston_qualifier", True),
            order=("chip_time",),
            limit=1,
        ),
    ),
    # surnames in the plural, as the data spells them
    case(
        "How many O'Briens have we timed over the years?",
        Q("entrants", PERSON(None, "O'Brien"), count=True),
    ),
    case(
        "How many Garcias finished a marathon in 2024?",
        Q("finishers", YEAR(2024), PERSON(None, "García"), MARATHON, count=True),
    ),
    case(
        "how many mullers ran boston",
        Q("finishers", EVENT(BOSTON), PERSON(None, "Müller"), MARATHON, count=True),
    ),
    case(
        "How many registrants paid more than $100?",
        Q("registrations", F("amount_paid", 100.0, "gt"), count=True),
    ),
    case(
        "What was the second fastest time at the Boston Marathon 2024",
        SemanticQuery(
            entity="finishers",
            filters=(EVENT(BOSTON), YEAR(2024), MARATHON),
            order_by=(Sort(field="chip_time"),),
            limit=1,
            offset=1,
        ),
    ),
    case(
        "Which year was the coldest Boston Marathon, by average race-day temperature?",
        Q(
            "weather",
            EVENT(BOSTON),
            measures=("average_temperature",),
            group_by=("year",),
            order=("average_temperature",),
            limit=1,
        ),
    ),
    case(
        "List every event Tidewater Timing Co. has timed, with dates",
        Q("events", F("partner", "Tidewater Timing Co.")),
    ),
    case(  # the whole event: every race of it, not its marathon
        "How many finishers were there across all races of the Hartford Marathon weekend in 2024?",
        Q("finishers", EVENT("Hartford Marathon"), YEAR(2024), count=True),
    ),
    case(
        "How many runners at the Boston Marathon 2024 met the 2025 qualifying standards?",
        Q(
            "finishers",
            EVENT(BOSTON),
            YEAR(2024),
            MARATHON,
            F("boston_qualifier_of", 2025),
            count=True,
        ),
    ),
    case(  # "half-hour" is no half marathon
        "Chicago Marathon 2024 finish times in half-hour buckets",
        Q("finishers", EVENT(CHICAGO), YEAR(2024), MARATHON, count=True, group_by=("time_band",)),
    ),
    case(  # two neighbouring letters swapped
        "how mnay finishers boston 2024",
        Q("finishers", EVENT(BOSTON), YEAR(2024), MARATHON, count=True),
    ),
    case(
        "what's happening this weekend",
        Q("events", F("event_date", (dt.date(2026, 11, 28), dt.date(2026, 11, 29)), "between")),
    ),
    case(
        "Compare the marathon and the half at the Shamrock Marathon 2024 by number of finishers",
        Q(
            "finishers",
            EVENT(SHAMROCK),
            YEAR(2024),
            F("distance_km", (42.195, 21.0975), "in"),
            measures=("count", "average_time", "median_time", "fastest_time"),
            group_by=("distance_km",),
        ),
    ),
]


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_question_parses_to_its_exact_query(question, expected):
    assert_parses_to(question, expected, VOCAB)


def test_a_season_is_a_season_even_when_an_event_has_its_word_in_its_name():
    reading = understand("What was on the calendar for fall 2025?", vocab=VOCAB)
    assert canonical(reading.query) == canonical(
        Q("events", F("event_date", (dt.date(2025, 9, 1), dt.date(2025, 11, 30)), "between"))
    )


@pytest.mark.parametrize(
    ("said", "known", "spelled"),
    [
        ("Renee", {"renée"}, ("Renée",)),
        ("Oneill", {"o'neill"}, ("O'Neill",)),
        ("Gonzalez", {"gonzález", "gonzalez"}, ("Gonzalez",)),  # the data has it as said
        ("Gonzales", {"gonzález"}, ("Gonzales",)),  # nothing like it: as said
        ("Nunez", {"núñez", "nuñez"}, ("Nuñez", "Núñez")),  # two spellings: both
    ],
)
def test_a_name_typed_without_its_accents_finds_the_datas_spelling(said, known, spelled):
    assert sorted(spellings(said, frozenset(known))) == sorted(spelled)


def test_a_name_typed_without_its_apostrophe_filters_on_the_datas_spelling():
    reading = understand("how did valentina oneill do", vocab=VOCAB)
    assert reading.query is not None
    assert ("last_name", "O'Neill") in {(f.field, f.value) for f in reading.query.filters}


def test_not_from_a_state_keeps_runners_with_no_state():
    query = Q("finishers", EVENT(BOSTON), F("state", "MA", "ne"), count=True)
    sql = compile_query(query, Tenant(None, True)).sql
    assert "lower(p.state) IS DISTINCT FROM %(state)s" in sql


def test_several_distances_each_match_as_nearly_as_one():
    query = Q("finishers", EVENT(SHAMROCK), F("distance_km", (42.195, 21.0975), "in"), count=True)
    compiled = compile_query(query, Tenant(None, True))
    assert compiled.sql.count("ra.distance_km BETWEEN") == 2
    low, high = compiled.params["distance_min_2"], compiled.params["distance_max_2"]
    assert low <= 21.098 <= high  # a half stored as 21.098 km


@pytest.mark.parametrize(
    "question",
    [
        "median temperature at boston 2024",  # the weather has an average, lowest, highest
    ],
)
def test_what_the_entity_cannot_measure_is_refused_not_dropped(question):
    reading = understand(question, vocab=VOCAB)
    assert reading.refusal is not None and reading.refusal.status == 422, reading


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("When is the Falmouth Road Race this year?", "Falmouth Road"),  # an unknown event
        ("results for John Nobody", "John Nobody"),
    ],
)
def test_a_name_no_runner_has_is_refused_naming_it(question, said):
    """Two words read as a runner's name the data does not have are more often something
    else (an event, a typo): a 422 that names them beats an empty answer at full confidence."""
    reading = understand(question, vocab=VOCAB)
    assert reading.refusal is not None and reading.refusal.status == 422
    assert said in reading.refusal.reason


@pytest.mark.parametrize(
    ("question", "unread"),
    [
        ("count of top-ranked accross all our events", {"top", "ranked"}),
        ("How many finished Chicago 2023, counting both races together?", set()),
    ],
)
def test_lower_case_words_the_data_has_as_no_name_are_no_runner(question, unread):
    """ "counting both races" is no runner called Counting Both: lower-case words are a name
    only when the data knows one of them; the others stay words, read or named as not read."""
    reading = understand(question, vocab=VOCAB)
    assert reading.refusal is None
    assert set(reading.unknown) == unread
    assert (reading.confidence < 0.6) == bool(unread)


def test_a_typo_with_two_readings_is_not_guessed():
    reading = understand("hwo many women finished chicago 2023", vocab=VOCAB)  # who? how?
    assert reading.confidence < 0.6 and "hwo" in reading.unknown


def test_a_top_n_answer_is_whole_at_n_rows_and_only_the_row_cap_truncates():
    top = compile_query(
        Q("finishers", EVENT(BOSTON), order=("chip_time",), limit=10), Tenant(None, True)
    )
    every = compile_query(Q("finishers", EVENT(BOSTON)), Tenant(None, True))
    assert (top.limit, top.capped) == (10, False)
    assert every.capped and "%(row_limit)s" in every.sql


@pytest.mark.parametrize(
    ("question", "age"),
    [
        ("how many finishers at boston 2024 weren't in their 30s", F("age", (30, 39), "outside")),
        (
            "how many finishers at boston 2024 weren\u2019t in their 30s",
            F("age", (30, 39), "outside"),
        ),
        ("finishers at boston 2024 who aren't over 50", F("age", 51, "lt")),
        ("boston 2024 finishers not aged 40 to 49", F("age", (40, 49), "outside")),
        ("boston 2024 finishers except those in their 20s", F("age", (20, 29), "outside")),
    ],
)
def test_a_negated_age_is_the_ages_outside_it(question, age):
    """ "weren't" was read as a typo of "were", and every thirty-something was counted; a
    negated age is now the rest of the ages, never the ages said."""
    reading = understand(question, vocab=VOCAB)
    assert age in reading.query.filters, reading
    assert reading.confidence >= THRESHOLD, reading


def test_a_negation_the_rules_cannot_place_is_never_dropped():
    reading = understand("boston 2024 finishers who didn't run under 3 hours", vocab=VOCAB)
    assert reading.confidence < 0.6 and "not" in reading.unknown, reading


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("what percentage of boston 2024 finishers were women", "percentage"),
        ("runners who never finished boston", "never"),
        ("lowest finish time at boston 2024", "lowest"),
        ("events called off in 2020", "called"),
    ],
)
def test_an_english_word_near_a_grammar_word_is_not_corrected_into_it(question, word):
    """ "percentage" is no typo of "percentile", nor "never" of "ever": corrected, they
    answered another question at confidence 0.95."""
    reading = understand(question, vocab=VOCAB)
    assert not any(f"read '{word}'" in note for note in reading.notes), reading.notes

"""The compiler (semantic query -> parameterised SQL) and its validation: pure, no database.

Only the model's constant fragments reach the SQL text; values are parameters; the tenant
predicate and the row limit are the compiler's own, whatever the query says.
"""

from __future__ import annotations

import datetime as dt
import re

import pydantic
import pytest
import sqlglot
from sqlglot import exp

from daemons.nlq_http import guard
from daemons.nlq_http.compiler import (
    QueryError,
    Tenant,
    compile_query,
    distance_bounds,
    format_time,
    validate,
)
from daemons.nlq_http.model import MODEL
from daemons.nlq_http.query import MARATHON_KM, MAX_ROWS, MeasureRef, SemanticQuery
from tests.unit.compiler_queries import ADMIN, PARTNER, QUERIES
from tests.unit.nlq_queries import (
    AGE,
    BIG_RIVER,
    BQ,
    EVENT,
    MARATHON,
    PERSON,
    F,
    H,
    Q,
)


def test_every_entity_is_compiled():
    assert {q.entity for q in QUERIES.values()} == set(MODEL)


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
@pytest.mark.parametrize("tenant", [PARTNER, ADMIN], ids=["partner", "admin"])
def test_every_query_compiles_to_sql_the_guard_accepts(query, tenant):
    compiled = compile_query(query, tenant)
    guard.check(compiled.sql, compiled.database)
    raw = query.entity in ("live_reads", "sessions")
    assert compiled.database == ("raw" if raw else "production")
    used = set(re.findall(r"%\((\w+)\)s", compiled.sql))
    assert used <= set(compiled.params)
    assert set(compiled.params) - {"partner_id"} <= used  # no value that is not used
    assert "%(" not in compiled.explanation
    assert compiled.explanation.endswith(".")


HOSTILE = "x'); DROP TABLE ct_results; -- \" \\ %s %(partner_id)s ;"


@pytest.mark.parametrize(
    "query",
    [
        Q("finishers", EVENT(HOSTILE), PERSON(HOSTILE, HOSTILE), F("division", HOSTILE)),
        Q("finishers", F("city", HOSTILE), F("bib", HOSTILE), count=True, group_by=("state",)),
        Q("events", F("partner", HOSTILE), F("event_city", HOSTILE)),
        Q("fees", EVENT(HOSTILE, "Boston Marathon"), F("race", HOSTILE)),
        Q("weather", F("conditions", HOSTILE)),
        Q("registrations", F("last_name", HOSTILE), F("state", HOSTILE)),
    ],
    ids=["finishers", "grouped", "events", "fees", "weather", "registrations"],
)
def test_values_are_parameters_never_text(query):
    for tenant in (PARTNER, ADMIN):
        compiled = compile_query(query, tenant)
        assert "DROP" not in compiled.sql and "x')" not in compiled.sql
        assert "%(partner_id)s ;" not in compiled.sql
        values = [
            v
            for value in compiled.params.values()
            for v in (value if isinstance(value, list) else [value])
        ]
        assert HOSTILE.lower() in values  # text is compared case-insensitively
        guard.check(compiled.sql, compiled.database)


def test_the_tenant_predicate_and_the_row_limit_come_from_the_compiler():
    query = QUERIES["count under 3 hours"]
    compiled = compile_query(query, PARTNER)
    for alias in ("r", "e", "ra"):
        assert f"{alias}.timing_partner_id = %(partner_id)s" in compiled.sql
    assert compiled.params["partner_id"] == 7
    assert compiled.limit == MAX_ROWS and compiled.params["row_limit"] == MAX_ROWS + 1
    listed = compile_query(Q("finishers", limit=1000), PARTNER, max_rows=50)
    assert listed.limit == 50 and listed.params["row_limit"] == 51  # one more: truncation
    asked = compile_query(Q("finishers", limit=10), PARTNER, max_rows=50)
    assert asked.limit == 10 and asked.params["row_limit"] == 11
    admin = compile_query(query, ADMIN)
    assert "partner_id" not in admin.params and "timing_partner_id =" not in admin.sql


OWNED = {
    t
    for tables in guard.TABLES.values()
    for t, cols in tables.items()
    if "timing_partner_id" in cols
}


def _unscoped(sql: str) -> list[str]:
    tree = sqlglot.parse_one(sql.replace("%(partner_id)s", "'@partner'"), read="postgres")
    scoped = {
        eq.left.table
        for eq in tree.find_all(exp.EQ)
        if isinstance(eq.left, exp.Column)
        and eq.left.name == "timing_partner_id"
        and isinstance(eq.right, exp.Literal)
        and eq.right.this == "@partner"
    }
    for eq in tree.find_all(exp.EQ):  # x.timing_partner_id = p.timing_partner_id, p scoped
        sides = (eq.left, eq.right)
        if all(isinstance(c, exp.Column) and c.name == "timing_partner_id" for c in sides):
            tables = {c.table for c in sides}
            if tables & scoped:
                scoped |= tables
    return [
        f"{t.name} AS {t.alias_or_name}"
        for t in tree.find_all(exp.Table)
        if t.name in OWNED and t.alias_or_name not in scoped
    ]


@pytest.mark.parametrize("name", list(QUERIES))
def test_a_partner_gets_its_predicate_on_every_partner_owned_table(name):
    assert _unscoped(compile_query(QUERIES[name], PARTNER).sql) == []


def test_the_fee_list_is_scoped_inside_its_derived_table():
    compiled = compile_query(QUERIES["fees over 100"], PARTNER)
    assert "fr.timing_partner_id = %(partner_id)s" in compiled.sql
    assert "rre.timing_partner_id = %(partner_id)s" in compiled.sql
    assert "%(partner_id)s" not in compile_query(QUERIES["fees over 100"], ADMIN).sql


def test_the_listings_are_scoped_inside_their_derived_table():
    compiled = compile_query(QUERIES["listings by provider"], PARTNER)
    assert "le.timing_partner_id = %(partner_id)s" in compiled.sql
    assert "ce.timing_partner_id = %(partner_id)s" in compiled.sql
    assert "%(partner_id)s" not in compile_query(QUERIES["listings by provider"], ADMIN).sql


def test_a_named_partner_is_a_filter_on_the_partner_name():
    query = QUERIES["partner's active events"]
    admin = compile_query(query, ADMIN)
    assert "lower(tp.name) = %(partner)s" in admin.sql
    assert admin.params["partner"] == BIG_RIVER.lower()
    partner = compile_query(query, PARTNER)  # a partner still reads only its own rows
    assert "e.timing_partner_id = %(partner_id)s" in partner.sql
    assert "lower(tp.name) = %(partner)s" in partner.sql


def test_a_partner_tenant_needs_a_partner_id():
    with pytest.raises(ValueError):
        Tenant(None)


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("bq export with contact", ("p.email", "p.phone")),
        ("registrations export", ("rp.email", "rp.phone")),
    ],
)
def test_contact_columns_only_when_asked(name, columns):
    asked = compile_query(QUERIES[name], PARTNER).sql
    plain = compile_query(QUERIES[name].replacing(show=()), PARTNER).sql
    for column in columns:
        assert column in asked and column not in plain
    assert "email" not in compile_query(QUERIES["top 10 women"], PARTNER).sql


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (Q("weather", AGE(40)), "no age"),
        (Q("events", F("chip_time", H(3), "lt")), "no chip time"),
        (Q("nonsense"), "unknown entity"),
        (Q("finishers", F("event", "Boston Marathon", "lt")), "cannot be compared"),
        (Q("finishers", F("sex", ("F",), "between")), "needs 2"),
        (Q("finishers", F("boston_qualifier", True, "ne")), "only an equality"),
        (Q("standards", F("age", 40, "gt")), "cannot be compared"),
        (Q("finishers", F("age", "forty")), "needs a int"),
        (Q("finishers", F("age", True)), "not a yes/no"),
        (Q("finishers", F("chip_time", 3, "lt")), "needs a time"),
        (Q("events", F("event_date", "2024-01-01", "ge")), "needs a date"),
        (Q("finishers", F("sex", "W")), "one of M, F, X"),
        (Q("events", F("event_status", "postponed")), "one of upcoming"),
        (Q("finishers", measures=("percentile_time",)), "needs percentile"),
        (Q("finishers", measures=(("median_time", 50.0),)), "takes no percentile"),
        (Q("events", measures=("average_time",)), "not a measure of events"),
        (Q("finishers", order=("shoe_size",)), "cannot order by"),
        (Q("finishers", per_group=3), "a grouping"),
        (Q("finishers", count=True, group_by=("race",), per_group=3), "no measures"),
        (Q("live_reads", count=True), "session"),
        (Q("finishers", group_by=("boston_qualifier_of",)), "can only filter"),
        (Q("standards", group_by=("age",)), "can only filter"),
        (Q("events", show=("email",)), "no email"),
    ],
)
def test_validate_refuses_what_does_not_fit_the_model(query, message):
    with pytest.raises(QueryError, match=message):
        validate(query)
    with pytest.raises(QueryError):
        compile_query(query, ADMIN)


def test_queries_refuse_impossible_parts():
    with pytest.raises(pydantic.ValidationError):
        SemanticQuery(entity="finishers", sql="SELECT 1")  # no such part: extra fields refused
    with pytest.raises(pydantic.ValidationError):
        SemanticQuery(entity="finishers", limit=MAX_ROWS + 1)
    with pytest.raises(pydantic.ValidationError):
        SemanticQuery(entity="finishers", per_group_limit=0)
    with pytest.raises(pydantic.ValidationError):
        MeasureRef(name="percentile_time", percentile=100)


def test_format_time():
    assert format_time(dt.timedelta(hours=2, minutes=24, seconds=37)) == "2:24:37"
    assert format_time(dt.timedelta(seconds=12_345.6)) == "3:25:46"
    assert format_time(dt.timedelta(hours=27, seconds=1)) == "27:00:01"
    assert format_time(3599.5) == "1:00:00"
    assert format_time(None) is None


def test_a_distance_matches_within_two_percent():
    assert distance_bounds(MARATHON_KM) == (41.351, 43.039)
    assert distance_bounds(5) == (4.9, 5.1)
    compiled = compile_query(Q("finishers", MARATHON), ADMIN)
    assert "ra.distance_km BETWEEN %(distance_min)s AND %(distance_max)s" in compiled.sql
    assert (compiled.params["distance_min"], compiled.params["distance_max"]) == (41.351, 43.039)


def test_boston_qualifiers_use_the_stored_flag_only_for_the_latest_standards():
    """The flag (migration 0005) judges the latest standards; an edition needs the EXISTS."""
    latest = compile_query(Q("finishers", BQ, count=True), ADMIN)
    assert "r.boston_qualifier" in latest.sql and "EXISTS" not in latest.sql
    assert "ra.distance_km" not in latest.sql  # the flag already means a marathon
    for query in (
        Q("finishers", MARATHON, F("boston_qualifier_of", 2025), count=True),
        QUERIES["bq of an edition"],
    ):
        compiled = compile_query(query, PARTNER)
        assert (
            "r.boston_qualifier " not in compiled.sql and "r.boston_qualifier\n" not in compiled.sql
        )
        assert "EXISTS (SELECT 1 FROM boston_qualifying_standards AS bq" in compiled.sql
        assert (
            compiled.params["boston_qualifier_of"]
            == query.filters_on("boston_qualifier_of")[0].value
        )
        guard.check(compiled.sql, compiled.database)


def test_a_status_filter_lifts_the_finished_condition():
    assert "r.status = 'finished'" in compile_query(QUERIES["top 10 women"], ADMIN).sql
    dnf = compile_query(QUERIES["dnf results"], ADMIN)
    assert "r.status = 'finished'" not in dnf.sql and dnf.params["status"] == "dnf"


def test_text_is_compared_case_insensitively_and_lists_as_any():
    compiled = compile_query(QUERIES["two events"], ADMIN)
    assert "lower(e.name) = ANY(%(event)s)" in compiled.sql
    assert compiled.params["event"] == ["boston marathon", "chicago marathon"]


def test_a_top_n_per_group_is_ranked_inside_the_query():
    compiled = compile_query(QUERIES["top 3 per division"], PARTNER)
    assert "row_number() OVER (PARTITION BY r.division" in compiled.sql
    assert compiled.params["per_group"] == 3


def test_a_percentile_is_a_parameter():
    compiled = compile_query(QUERIES["percentile by sex"], ADMIN)
    assert compiled.params["percentile"] == 0.9
    assert "percentile_cont(%(percentile)s)" in compiled.sql


def test_times_are_marked_for_h_mm_ss():
    assert "chip_time" in compile_query(QUERIES["top 10 women"], ADMIN).time_columns
    assert "median_time" in compile_query(QUERIES["median men over 60"], ADMIN).time_columns
    assert compile_query(QUERIES["dnf entrants"], ADMIN).time_columns == ()


def test_a_condition_on_the_count_of_each_group_is_a_having_clause():
    query = Q("finishers", F("count", 10, "gt"), count=True, group_by=("state",))
    compiled = compile_query(query, PARTNER)
    assert re.search(r"GROUP BY p\.state\s+HAVING count\(\*\) > %\(count\)s", compiled.sql)
    assert compiled.params["count"] == 10
    assert "only those whose number is over 10" in compiled.explanation
    guard.check(compiled.sql, compiled.database)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (Q("finishers", F("count", 10, "gt"), count=True), "needs groups"),
        (Q("finishers", F("count", "ten", "gt"), count=True, group_by=("state",)), "number"),
        (Q("finishers", F("count", 10, "gt"), group_by=("state",)), "no count"),
    ],
)
def test_a_count_condition_needs_groups_a_number_and_the_count(query, message):
    with pytest.raises(QueryError, match=message):
        validate(query)


def test_no_sql_of_the_model_holds_a_percent_sign_psycopg2_would_read_as_a_placeholder():
    """Compiled SQL runs with named parameters: a bare '%' ('%shower%') is a placeholder to
    psycopg2, and the question fails with a 500 instead of an answer."""
    pieces = [
        (f"{entity.name}.{part.name}", part.sql)
        for entity in MODEL.values()
        for part in (*entity.dimensions.values(), *entity.measures.values())
    ]
    bare = re.compile(r"%(?!\((?:\w+)\)s)")
    assert [name for name, sql in pieces if bare.search(sql)] == []

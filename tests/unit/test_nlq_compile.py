"""The plan compiler and the SQL guard: pure, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from daemons.nlq_http import guard
from daemons.nlq_http.plan import Person, Plan
from daemons.nlq_http.sql import Tenant, compile_plan, format_time

PARTNER = Tenant(7, partner_name="Big River Race Management")
ADMIN = Tenant(None, admin=True)
H = dt.timedelta(hours=1)

PLANS = [
    Plan(intent="count", event_names=("Boston Marathon",), max_time=3 * H, distance_km=42.195),
    Plan(intent="export", boston_qualifiers=True, include_contact=True, distance_km=42.195),
    Plan(intent="analyze", subject="live_timing", session_id=1),
    Plan(
        intent="list",
        subject="events",
        partner_name="Big River Race Management",
        event_status="active",
    ),
    Plan(
        intent="find",
        person=Person(first_name="Michael", last_name="Wardian"),
        distance_km=42.195,
        measure="fastest_time",
        order="fastest",
        limit=1,
    ),
    Plan(
        intent="compare",
        event_names=("Chicago Marathon",),
        years=(2023, 2024),
        compare_by="year",
        distance_km=42.195,
    ),
    Plan(intent="compare", event_names=("Boston Marathon",), years=(2024,), compare_by="sex"),
    Plan(intent="analyze", measure="median_time", sex="M", age_min=61, distance_km=42.195),
    Plan(intent="analyze", measure="time_distribution", event_names=("Chicago Marathon",)),
    Plan(intent="analyze", event_names=("Shamrock Marathon",), years=(2024,)),
    Plan(
        intent="list",
        sex="F",
        limit=10,
        order="fastest",
        event_names=("Hartford Marathon",),
        years=(2023,),
    ),
    Plan(intent="list", subject="registrations", provider="runsignup", min_fee=100),
    Plan(
        intent="list", subject="registrations", provider="raceroster", date_from=dt.date(2026, 5, 1)
    ),
    Plan(intent="analyze", subject="registrations", measure="average_fee"),
    Plan(intent="count", subject="participants", sex="F", age_min=40, age_max=49),
    Plan(intent="list", subject="participants", event_names=("Boston Marathon",)),
    Plan(intent="count", subject="events", years=(2024,)),
    Plan(intent="list", min_time=5 * H, order="slowest", date_to=dt.date(2024, 12, 31)),
]


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: f"{p.intent}-{p.subject}")
@pytest.mark.parametrize("tenant", [PARTNER, ADMIN], ids=["partner", "admin"])
def test_every_plan_compiles_to_sql_the_guard_accepts(plan, tenant):
    compiled = compile_plan(plan, tenant)
    guard.check(compiled.sql, compiled.database)
    assert "%(" not in compiled.explanation
    for name in compiled.params:
        assert f"%({name})s" in compiled.sql


def test_values_are_parameters_never_text():
    hostile = "x'); DROP TABLE ct_results; --"
    plan = Plan(
        intent="list", event_names=(hostile,), person=Person(first_name=hostile, last_name=hostile)
    )
    compiled = compile_plan(plan, PARTNER)
    assert "DROP" not in compiled.sql
    assert compiled.params["last_name"] == hostile.lower()
    guard.check(compiled.sql, compiled.database)


def test_the_tenant_predicate_and_row_limit_come_from_the_compiler():
    compiled = compile_plan(PLANS[0], PARTNER)
    assert "r.timing_partner_id = %(partner_id)s" in compiled.sql
    assert "e.timing_partner_id = %(partner_id)s" in compiled.sql
    assert compiled.params["partner_id"] == 7
    listed = compile_plan(Plan(intent="list", limit=1000), PARTNER, max_rows=50)
    assert listed.limit == 50 and listed.params["row_limit"] == 51  # one more: truncation
    assert "partner_id" not in compile_plan(PLANS[0], ADMIN).params


def test_a_partner_name_filters_only_for_admins():
    plan = PLANS[3]
    assert "partner_name" in compile_plan(plan, ADMIN).params
    assert "partner_name" not in compile_plan(plan, PARTNER).params  # the key decides


def test_contact_columns_only_when_asked():
    assert "p.email" in compile_plan(PLANS[1], PARTNER).sql
    assert "p.email" not in compile_plan(PLANS[10], PARTNER).sql


def test_a_partner_needs_a_partner_id():
    with pytest.raises(ValueError):
        Tenant(None)


def test_plans_refuse_impossible_slots():
    with pytest.raises(ValueError):
        Plan(intent="count", age_min=50, age_max=40)
    with pytest.raises(ValueError):
        Plan(intent="count", max_time=dt.timedelta(days=3))
    with pytest.raises(ValueError):
        Plan(intent="count", subject="live_timing")
    with pytest.raises(ValueError):
        Plan(intent="count", sql="SELECT 1")  # no such slot: extra fields are refused


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELECT set_config('app.timing_partner_id', '3', false)", "set_config"),
        ("SELECT current_setting('app.timing_partner_id')", "current_setting"),
        ("SELECT pg_sleep(10)", "pg_sleep"),
        ("SELECT pg_read_file('/etc/passwd')", "pg_read_file"),
        ("SELECT * FROM dblink('host=x', 'SELECT 1') AS t(a int)", "(?i)dblink"),
        ("SELECT e.name INTO stolen FROM ct_events AS e", "INTO"),
        ("SELECT e.name FROM ct_events AS e FOR UPDATE", "LOCK"),
        ("WITH gone AS (DELETE FROM ct_results RETURNING id) SELECT id FROM gone", "DELETE"),
        ("SELECT 1; DROP TABLE ct_results", "exactly one statement"),
        ("DELETE FROM ct_results", "only SELECT"),
        ("UPDATE ct_results SET chip_time = NULL", "only SELECT"),
        ("SELECT u.api_key_sha256 FROM users AS u", "users"),
        ("SELECT c.api_key_encrypted FROM partner_provider_credentials AS c", "credentials"),
        ("SELECT e.website FROM ct_events AS e", "website"),
        ("SELECT x.name FROM public.ct_events AS x", "schema-qualified"),
        ("SELECT lo_import('/etc/passwd')", "lo_import"),
        ("SELECT count(*) FROM timing_reads", "timing_reads"),
    ],
)
def test_the_guard_refuses(sql, reason):
    with pytest.raises(guard.UnsafeQuery, match=reason):
        guard.check(sql, "production")


def test_format_time():
    assert format_time(dt.timedelta(hours=2, minutes=24, seconds=37)) == "2:24:37"
    assert format_time(dt.timedelta(seconds=12_345.6)) == "3:25:46"
    assert format_time(None) is None


def test_boston_qualifiers_use_the_stored_judgement_only_where_it_applies():
    """The flag (migration 0005) covers the latest standards over marathons, nothing else."""
    latest = compile_plan(Plan(intent="count", boston_qualifiers=True, distance_km=42.195), ADMIN)
    assert "r.boston_qualifier" in latest.sql and "EXISTS" not in latest.sql
    assert "bq_edition" not in latest.params
    # The flag already means a marathon: the distance condition is not repeated.
    assert "ra.distance_km" not in latest.sql and "distance_min" not in latest.params
    for other in (
        Plan(intent="count", boston_qualifiers=True, distance_km=42.195, bq_edition=2025),
        Plan(intent="count", boston_qualifiers=True, distance_km=21.0975),
        Plan(intent="count", boston_qualifiers=True),
    ):
        compiled = compile_plan(other, PARTNER)
        assert "r.boston_qualifier" not in compiled.sql
        assert "EXISTS (SELECT 1 FROM boston_qualifying_standards" in compiled.sql
        assert compiled.params["bq_edition"] == other.bq_edition
        guard.check(compiled.sql, compiled.database)

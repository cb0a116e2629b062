"""The SQL guard: every compiled query passes it, and it refuses dangerous SQL on its own."""

from __future__ import annotations

import pytest

from daemons.nlq_http import guard
from daemons.nlq_http.compiler import compile_query
from tests.unit.compiler_queries import ADMIN, PARTNER, QUERIES


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
        ("SELECT p.email FROM ct_participants AS p WHERE p.id = (SELECT version())", "version"),
        ("SELECT e.name FROM ct_events AS e; SELECT 1", "exactly one statement"),
        ("SELECT e.name FROM ct_events AS e UNION SELECT u.name FROM users AS u", "SELECT|users"),
    ],
)
def test_the_guard_refuses(sql, reason):
    with pytest.raises(guard.UnsafeQuery, match=reason):
        guard.check(sql, "production")


def test_the_guard_knows_its_databases():
    guard.check("SELECT count(*) AS reads FROM timing_reads AS tr", "raw")
    with pytest.raises(guard.UnsafeQuery, match="unknown database"):
        guard.check("SELECT 1", "elsewhere")


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_the_guard_accepts_what_the_compiler_writes(query):
    for tenant in (PARTNER, ADMIN):
        compiled = compile_query(query, tenant)
        guard.check(compiled.sql, compiled.database)

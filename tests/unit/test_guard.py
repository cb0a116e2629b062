"""The SQL guard: every compiled query passes it, and it refuses dangerous SQL on its own."""

from __future__ import annotations

import pytest

from daemons.nlq_http import guard
from daemons.nlq_http.compiler import compile_query
from daemons.nlq_http.model import MODEL
from daemons.nlq_http.model_types import Kind
from daemons.nlq_http.query import Filter, MeasureRef, SemanticQuery
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


def _every_part_of_the_model() -> dict[str, SemanticQuery]:
    """One query per measure, per groupable dimension and per condition of every entity:
    whatever the rules or the model ask for, the guard must let the compiler's SQL through."""
    queries: dict[str, SemanticQuery] = {}
    for entity in MODEL.values():
        base = (Filter(field="session_id", value=1),) if "session_id" in entity.dimensions else ()
        for m in entity.measures.values():
            percentile = 90.0 if "%(percentile)s" in m.sql else None
            queries[f"{entity.name}.{m.name}"] = SemanticQuery(
                entity=entity.name,
                measures=(MeasureRef(name=m.name, percentile=percentile),),
                filters=base,
            )
        for d in entity.dimensions.values():
            if d.kind is Kind.BOOL:
                filters = (*base, Filter(field=d.name, value=True))
                queries[f"{entity.name}.{d.name}"] = SemanticQuery(
                    entity=entity.name, filters=filters
                )
            elif d.shown and d.kind is not Kind.CONDITION:
                queries[f"{entity.name}.by.{d.name}"] = SemanticQuery(
                    entity=entity.name,
                    measures=(MeasureRef(name="count"),),
                    group_by=(d.name,),
                    filters=base,
                )
    return queries


MODEL_QUERIES = _every_part_of_the_model()


@pytest.mark.parametrize("query", MODEL_QUERIES.values(), ids=MODEL_QUERIES.keys())
def test_the_guard_accepts_every_measure_grouping_and_condition_of_the_model(query):
    for tenant in (PARTNER, ADMIN):
        compiled = compile_query(query, tenant)
        guard.check(compiled.sql, compiled.database)

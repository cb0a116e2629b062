"""Every measure, grouping and condition of the semantic model runs on PostgreSQL.

The unit tests check that the guard accepts what the compiler writes; this checks that
the migrated schemas agree: a dimension whose SQL names a column the tables do not have
fails here, not on the first question that asks for it.
"""

from __future__ import annotations

import psycopg2
import pytest

from daemons.nlq_http.compiler import compile_query
from tests.conftest import fresh_database
from tests.integration.nlq_service import small_results_db
from tests.unit.compiler_queries import ADMIN, PARTNER
from tests.unit.test_guard import MODEL_QUERIES


@pytest.fixture(scope="module")
def databases(pg, tmp_path_factory):
    results = small_results_db(pg, "nlq_model_sql", tmp_path_factory.mktemp("nlq-model-sql"))
    connections = {
        "production": psycopg2.connect(results["dsn"]),
        "raw": psycopg2.connect(fresh_database(pg)),
    }
    for conn in connections.values():
        conn.set_session(readonly=True)
    yield connections
    for conn in connections.values():
        conn.close()


@pytest.mark.parametrize("query", MODEL_QUERIES.values(), ids=MODEL_QUERIES.keys())
def test_every_part_of_the_model_runs_on_the_migrated_schema(databases, query):
    for tenant in (PARTNER, ADMIN):
        compiled = compile_query(query, tenant)
        conn = databases[compiled.database]
        try:
            with conn.cursor() as cur:
                cur.execute(compiled.sql, compiled.params)
                cur.fetchall()
        finally:
            conn.rollback()

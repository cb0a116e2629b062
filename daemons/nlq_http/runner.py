"""Running a compiled query: guard, read-only transaction, timeout, the caller's partner.

Every query runs as ``nlq_reader`` (no privilege to write anything) inside
``BEGIN TRANSACTION READ ONLY`` with ``SET LOCAL statement_timeout``. On the
results database the caller's partner is a token signed for that one
transaction (``scope.py``, ``sql/production/0006_*``), set with
``set_config(…, true)`` and checked before the query runs: a pooled
connection never carries one caller's partner into the next caller's query,
and SQL in the transaction cannot widen it. The transaction is always rolled
back: there is nothing to commit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

import psycopg2.errors

from daemons.common import db
from daemons.common.greendb import GreenPool

from . import guard
from .compiler import Compiled, Tenant, format_time
from .scope import ScopeError, ScopeKey, key_of, scope_of

PACKAGE = "daemons.nlq_http"


def sql(name: str) -> str:
    return db.load_sql(PACKAGE, name)


@dataclass(frozen=True)
class Answer:
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool


def run(pool: GreenPool, compiled: Compiled, tenant: Tenant, timeout_ms: int) -> Answer:
    guard.check(compiled.sql, compiled.database)
    with pool.connection() as conn, conn.cursor() as cur:
        try:
            if compiled.database == "production":
                begin_as(cur, tenant, key_of(pool))
            else:
                cur.execute(sql("begin_read_only"))
            cur.execute(sql("statement_timeout"), {"milliseconds": timeout_ms})
            cur.execute(compiled.sql, compiled.params)
            columns = [c.name for c in cur.description]
            rows = cur.fetchmany(compiled.limit + 1)
        finally:
            with contextlib.suppress(Exception):
                cur.execute("ROLLBACK")
    truncated = len(rows) > compiled.limit and compiled.capped  # "top 10" is whole at 10 rows
    return Answer(
        columns, [_shown(columns, row, compiled) for row in rows[: compiled.limit]], truncated
    )


def begin_as(cur: Any, tenant: Tenant, key: ScopeKey) -> None:
    """``BEGIN READ ONLY`` on the results database with the caller's signed scope.

    Checked at once: with a key the database does not share, every policy
    would quietly hide every row, and "no rows" would look like an answer.
    """
    scope = scope_of(tenant)
    try:
        cur.execute(sql("begin_scoped"))
        (nonce,) = cur.fetchone()
        cur.execute(sql("act_as"), {"token": key.token(scope, nonce)})
        (granted,) = cur.fetchone()
    except psycopg2.errors.UndefinedFunction:
        raise ScopeError(
            "the results database has no signed partner scope yet"
            " (sql/production/0006_*; run: project88 migrate)"
        ) from None
    if granted != scope:
        raise ScopeError(
            "the database does not accept this service's partner scope key: the file in"
            " P88_NLQ_SCOPE_KEY_FILE (credential scope-key) is not the key stored in the"
            " database (store it there with: project88 scope-key FILE)"
        )


def check_scope(pool: GreenPool) -> None:
    """Does the database accept our key? (``/health`` and start-up; raises ScopeError.)"""
    with pool.connection() as conn, conn.cursor() as cur:
        try:
            begin_as(cur, Tenant(None, admin=True), key_of(pool))
        finally:
            with contextlib.suppress(Exception):
                cur.execute("ROLLBACK")


def rows_as(
    pool: GreenPool,
    tenant: Tenant,
    name: str,
    params: dict[str, Any] | None = None,
) -> list[tuple[Any, ...]]:
    """A fixed query of ``sql/`` run as the caller (vocabulary, partner names)."""
    with pool.connection() as conn, conn.cursor() as cur:
        try:
            begin_as(cur, tenant, key_of(pool))
            cur.execute(sql(name), params or {})
            return cur.fetchall()
        finally:
            with contextlib.suppress(Exception):
                cur.execute("ROLLBACK")


def _shown(columns: list[str], row: tuple[Any, ...], compiled: Compiled) -> list[Any]:
    """Times as H:MM:SS, exact numbers as numbers: what a reader (and a CSV) expects."""
    out = []
    for name, value in zip(columns, row, strict=True):
        if isinstance(value, dt.timedelta) or (name in compiled.time_columns and value is not None):
            value = format_time(value)
        out.append(value)
    return out

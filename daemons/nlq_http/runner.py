"""Running a compiled query: guard, read-only transaction, timeout, the caller's partner.

Every query runs as ``nlq_reader`` (no privilege to write anything) inside
``BEGIN TRANSACTION READ ONLY`` with ``SET LOCAL statement_timeout``, and
with the caller's partner set by ``set_config(…, true)`` — local to this
transaction, so a pooled connection never carries one caller's partner into
the next caller's query. The transaction is always rolled back: there is
nothing to commit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

from daemons.common import db
from daemons.common.greendb import GreenPool

from . import guard
from .sql import Compiled, Tenant, format_time

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
        cur.execute(sql("begin_read_only"))
        try:
            cur.execute(sql("statement_timeout"), {"milliseconds": timeout_ms})
            if compiled.database == "production":
                act_as(cur, tenant)
            cur.execute(compiled.sql, compiled.params)
            columns = [c.name for c in cur.description]
            rows = cur.fetchmany(compiled.limit + 1)
        finally:
            with contextlib.suppress(Exception):
                cur.execute("ROLLBACK")
    truncated = len(rows) > compiled.limit
    return Answer(
        columns, [_shown(columns, row, compiled) for row in rows[: compiled.limit]], truncated
    )


def act_as(cur: Any, tenant: Tenant) -> None:
    cur.execute(
        sql("act_as"),
        {
            "partner_id": "" if tenant.partner_id is None else str(tenant.partner_id),
            "all_partners": "on" if tenant.admin else "off",
        },
    )


def rows_as(
    pool: GreenPool,
    tenant: Tenant,
    name: str,
    params: dict[str, Any] | None = None,
) -> list[tuple[Any, ...]]:
    """A fixed query of ``sql/`` run as the caller (vocabulary, partner names)."""
    with pool.connection() as conn, conn.cursor() as cur:
        cur.execute(sql("begin_read_only"))
        try:
            act_as(cur, tenant)
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

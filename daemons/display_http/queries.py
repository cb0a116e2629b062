"""The display's SQL, run through the green pool; rows come back as dicts.

The SQL itself lives in ``sql/*.sql`` next to this module.
"""

from __future__ import annotations

from typing import Any

from daemons.common import db
from daemons.common.greendb import GreenPool

from .params import ReadFilter

PACKAGE = "daemons.display_http"


def sql(name: str) -> str:
    return db.load_sql(PACKAGE, name)


def rows(pool: GreenPool, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    with pool.connection() as conn, conn.cursor() as cur:
        cur.execute(sql(name), params or {})
        columns = [c.name for c in cur.description]
        return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def scalar(pool: GreenPool, name: str, params: dict[str, Any] | None = None) -> Any:
    with pool.connection() as conn, conn.cursor() as cur:
        cur.execute(sql(name), params or {})
        row = cur.fetchone()
        return row[0] if row else None


def filter_params(wanted: ReadFilter) -> dict[str, Any]:
    return {"session_id": wanted.session_id, "location": wanted.location}

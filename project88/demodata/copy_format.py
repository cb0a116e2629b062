"""PostgreSQL's COPY text format: one value, rows of values, ct_results' faster path,
and the COPY statement for a table's columns."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from psycopg2 import sql

from project88.demodata.generate import Row

_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(value: object) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPE)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True).translate(_ESCAPE)
    raise TypeError(f"cannot COPY {type(value).__name__} {value!r}")


def copy_text(rows: Iterable[Row]) -> str:
    return "".join("\t".join(map(copy_field, row)) + "\n" for row in rows)


def copy_results_text(rows: Iterable[Row]) -> str:
    """ct_results rows hold only ints, None and strings from a fixed vocabulary (timing
    points, statuses, times, divisions, a timestamp): nothing to escape, so a faster path."""
    return "".join(
        "\t".join(["\\N" if v is None else v if type(v) is str else str(v) for v in row]) + "\n"
        for row in rows
    )


def copy_statement(table: str, columns: tuple[str, ...]) -> sql.Composed:
    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )

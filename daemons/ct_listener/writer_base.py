"""What the writer's parts share: its SQL files, its one error, and one transaction."""

from __future__ import annotations

from typing import Any, Protocol

import psycopg2
import psycopg2.extensions

from daemons.common import db

SQL_PACKAGE = "daemons.ct_listener"


def sql(name: str) -> str:
    return db.load_sql(SQL_PACKAGE, name)


class DatabaseUnavailable(Exception):
    pass


class HasConnection(Protocol):
    def _db(self) -> psycopg2.extensions.connection: ...

    def _lost(self, exc: Exception) -> None: ...


class Transaction:
    """``with Transaction(writer) as cur``: one transaction on the writer's connection.

    A lost connection becomes ``DatabaseUnavailable`` (after the writer has noted
    the loss), as everywhere in the writer.
    """

    def __init__(self, writer: HasConnection) -> None:
        self.writer = writer

    def __enter__(self) -> psycopg2.extensions.cursor:
        self.conn = self.writer._db()
        self.conn.__enter__()
        self.cur = self.conn.cursor()
        return self.cur

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> bool:
        self.cur.close()
        try:
            self.conn.__exit__(kind, exc, tb)
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as commit_failed:
            exc = commit_failed
        if isinstance(exc, psycopg2.OperationalError | psycopg2.InterfaceError):
            self.writer._lost(exc)
            raise DatabaseUnavailable(str(exc)) from None
        return False

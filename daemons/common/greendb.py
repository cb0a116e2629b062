"""A small PostgreSQL connection pool for gevent daemons (display_http, nlq_http).

psycopg2 blocks the whole process while it waits for the server unless a wait
callback hands control back to the event loop; ``psycogreen`` installs the
gevent one (``cooperative()``). On top of that, this pool bounds how many
connections the daemon holds, replaces broken ones, and fails fast while the
database is down, so a request answers 503 at once instead of every request
waiting out its own connect timeout.
"""

from __future__ import annotations

import contextlib
import select
import time
from collections.abc import Iterator

import gevent.lock
import psycopg2
import psycopg2.extensions

from . import db


class DatabaseDown(Exception):
    """PostgreSQL cannot be reached right now; the message says why."""


def cooperative() -> None:
    """Make psycopg2 yield to gevent while it waits (call once, at start)."""
    from psycogreen.gevent import patch_psycopg

    patch_psycopg()


def _looks_alive(conn: psycopg2.extensions.connection) -> bool:
    """Whether an idle connection may be handed out, without a round trip.

    An idle connection has nothing to read. When PostgreSQL restarts or ends the
    session it sends a FATAL notice and closes: the socket turns readable, so the
    first request after a restart gets a fresh connection instead of a 503.
    """
    if conn.closed:
        return False
    try:
        readable, _, _ = select.select([conn], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


SLOW_CONNECT = 0.5  # seconds: a failed connect this slow is a timeout, not a refusal


class GreenPool:
    def __init__(
        self,
        dsn: str,
        application_name: str,
        size: int = 10,
        options: str = "",
        retry_after: float = 1.0,
        connect_timeout: int = 3,
    ) -> None:
        self.dsn = dsn
        self.application_name = application_name
        self.options = options
        self.retry_after = retry_after
        self.connect_timeout = connect_timeout
        self._slots = gevent.lock.BoundedSemaphore(size)
        self._idle: list[psycopg2.extensions.connection] = []
        self._failed_at = 0.0
        self._slow_failure = False  # the last connect attempt timed out rather than failed
        self.last_error = ""
        self.discarded = 0  # idle connections found dead (after a database restart)

    def _connect(self) -> psycopg2.extensions.connection:
        # Only a connect that timed out holds the next ones back for retry_after: every
        # request would otherwise wait out connect_timeout in turn. A refused one costs
        # nothing to try again, and the first request after the database is back must
        # be answered, not turned away for the rest of a back-off (issue 13 §9).
        if self._slow_failure and time.monotonic() - self._failed_at < self.retry_after:
            raise DatabaseDown(self.last_error or "database unavailable")
        started = time.monotonic()
        try:
            conn = db.connect(
                self.dsn, self.application_name, self.connect_timeout, options=self.options
            )
        except psycopg2.Error as exc:
            self._failed(exc)
            self._slow_failure = time.monotonic() - started >= SLOW_CONNECT
            raise DatabaseDown(self.last_error) from None
        self._slow_failure = False
        conn.autocommit = True  # read-only queries: no transaction to hold open
        return conn

    def _failed(self, exc: BaseException) -> None:
        self._failed_at = time.monotonic()
        self.last_error = (str(exc).strip().splitlines() or [type(exc).__name__])[0]

    def _take(self) -> tuple[psycopg2.extensions.connection, bool]:
        """An idle connection that still looks alive (reused=True), else a new one."""
        while self._idle:
            conn = self._idle.pop()
            if _looks_alive(conn):
                return conn, True
            self.discarded += 1
            with contextlib.suppress(psycopg2.Error):
                conn.close()
        return self._connect(), False

    def _discard_idle(self) -> None:
        while self._idle:
            self.discarded += 1
            with contextlib.suppress(psycopg2.Error):
                self._idle.pop().close()

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg2.extensions.connection]:
        with self._slots:
            conn, reused = self._take()
            try:
                yield conn
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
                with contextlib.suppress(psycopg2.Error):
                    conn.close()
                if reused:
                    # A connection from before a database restart: its siblings are as
                    # stale, and the server may well be back, so the next request
                    # connects afresh at once instead of waiting out retry_after.
                    self.last_error = (str(exc).strip().splitlines() or ["connection lost"])[0]
                    self._discard_idle()
                else:
                    self._failed(exc)
                raise DatabaseDown(self.last_error) from None
            except BaseException:
                # A query error (or a client gone mid-request): the connection
                # itself is fine once any transaction is gone.
                if not conn.closed and conn.status != psycopg2.extensions.STATUS_READY:
                    with contextlib.suppress(psycopg2.Error):
                        conn.rollback()
                self._keep(conn)
                raise
            self._keep(conn)

    def _keep(self, conn: psycopg2.extensions.connection) -> None:
        if not conn.closed:
            self._idle.append(conn)

    def close(self) -> None:
        while self._idle:
            with contextlib.suppress(psycopg2.Error):
                self._idle.pop().close()

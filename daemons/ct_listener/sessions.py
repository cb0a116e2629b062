"""Which timing session a connection's reads belong to (issue 15 §1).

Mixed into ``store.Writer`` (its thread runs these). Several sessions may be
active at once: a controller whose CTP01 login is routed to one (``project88
session new --login``) times that session; any other controller, a login no
session is routed to or no login at all, times the *automatic* session, opened
here on first need exactly as when one race was all there was. A login that
routes nowhere is logged and counted, and its reads are stored all the same.

Each session has its own time zone (``timing_sessions.time_zone``; NULL means
the listener's configured one): it turns the wire's zone-less wall clock into
instants, so two races in two zones each read their own clock.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import psycopg2
import psycopg2.extensions

from daemons.common.logs import kv

from . import times
from .writer_base import DatabaseUnavailable, sql

log = logging.getLogger("ct_listener.store")

# (id, start, zone) of a connection's session; id None while it is not yet known.
SessionAnswer = tuple[int | None, dt.datetime | None, dt.tzinfo | None]


@dataclass(frozen=True)
class SessionInfo:
    id: int
    name: str
    start: dt.datetime
    zone: dt.tzinfo


class SessionJobs:
    """Uses the writer's ``zone``, ``deliver``, ``stats``, ``_db`` and ``_lost``."""

    zone: ZoneInfo
    session_name_format: str
    event_name: str | None
    stats: Any
    deliver: Callable[[Callable[[Any], None], Any], None]
    _db: Callable[[], psycopg2.extensions.connection]
    _lost: Callable[[Exception], None]
    _state_file: Path
    _sessions: dict[int, SessionInfo]
    _unresolved_session: int | None
    _offset_caches: dict[str, times.OffsetCache]
    _bad_zones: set[str]

    def job_session(self, login: str | None, reply: Callable[[SessionAnswer], None]) -> None:
        """Answer the session of a connection that logged in as ``login`` (None: no login).

        Without a database: the session remembered for that login (or the
        automatic one) from the last answer, start unknown; or no session at
        all — the reads then wait in the spool and go to the automatic session.
        """
        try:
            session = self._routed_session(login) if login else None
            if session is not None:
                self._remember(login, session.id, routed=True)
            else:
                if login:
                    self.stats.unrouted_logins += 1
                    log.warning("login routed to no session, reads go to the automatic one %s",
                                kv(login=login))  # fmt: skip
                session = self._active_session()
                self._remember(login, session.id, routed=False)
            self.deliver(reply, (session.id, session.start, session.zone))
        except DatabaseUnavailable:
            session_id = self._cached_session_id(login)
            log.warning("no database: connection uses %s",
                        kv(session=session_id or "pending", login=login or "-"))  # fmt: skip
            self.deliver(reply, (session_id, None, None))

    # -- what the last answers were, for a start without the database ---------------------
    def _state(self) -> dict[str, Any]:
        try:
            state = json.loads(self._state_file.read_text())
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _remember(self, login: str | None, session_id: int, routed: bool) -> None:
        state = self._state()
        logins = state.get("logins") if isinstance(state.get("logins"), dict) else {}
        if routed and login:
            logins[login] = session_id
        else:
            state["session_id"] = session_id
            # A login that routes nowhere now must not fall back on its old session.
            logins.pop(login or "", None)
        state["logins"] = logins
        self._state_file.write_text(json.dumps(state))

    def _cached_session_id(self, login: str | None = None) -> int | None:
        state = self._state()
        logins = state.get("logins")
        if login and isinstance(logins, dict) and isinstance(logins.get(login), int):
            return int(logins[login])
        try:
            return int(state["session_id"])
        except (KeyError, ValueError, TypeError):
            return None

    # -- sessions in the database ----------------------------------------------------------
    def _info(self, row: tuple[Any, ...]) -> SessionInfo:
        info = SessionInfo(int(row[0]), row[1], row[2], self._zone_of(row[3], int(row[0])))
        self._sessions[info.id] = info
        return info

    def _zone_of(self, name: str | None, session_id: int) -> dt.tzinfo:
        if not name:
            return self.zone  # sessions from before per-session zones: the configured one
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            # Written by hand past the CLI's check: store the reads in the listener's
            # zone rather than refuse them, and say so once.
            if name not in self._bad_zones:
                self._bad_zones.add(name)
                log.error("session has an unknown time zone, using the listener's %s",
                          kv(session=session_id, time_zone=name, using=self.zone))  # fmt: skip
            return self.zone

    def _offsets_for(self, zone: dt.tzinfo) -> times.OffsetCache:
        key = str(zone)
        cache = self._offset_caches.get(key)
        if cache is None:
            cache = self._offset_caches[key] = times.OffsetCache(zone)
        return cache

    def _query_session(self, name: str, args: dict[str, Any]) -> tuple[Any, ...] | None:
        conn = self._db()
        try:
            with conn, conn.cursor() as cur:
                cur.execute(sql(name), args)
                return cur.fetchone()
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            self._lost(exc)
            raise DatabaseUnavailable(str(exc)) from None

    def _routed_session(self, login: str) -> SessionInfo | None:
        row = self._query_session("session_by_login", {"login": login})
        return self._info(row) if row is not None else None

    def _active_session(self) -> SessionInfo:
        """The automatic session, opened now if none is active."""
        conn = self._db()
        try:
            with conn, conn.cursor() as cur:
                cur.execute(sql("active_session"))
                row = cur.fetchone()
                if row is None:
                    name = dt.datetime.now(self.zone).strftime(self.session_name_format)
                    cur.execute(
                        sql("create_session"),
                        {"name": name, "event": self.event_name, "zone": str(self.zone)},
                    )
                    row = cur.fetchone()
                    if row is None:  # another process opened one first
                        cur.execute(sql("active_session"))
                        row = cur.fetchone()
                    else:
                        log.info("session opened %s", kv(id=row[0], name=row[1]))
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            self._lost(exc)
            raise DatabaseUnavailable(str(exc)) from None
        return self._info(row)

    def _session(self, cur: psycopg2.extensions.cursor, session_id: int) -> SessionInfo:
        info = self._sessions.get(session_id)
        if info is None:
            cur.execute(sql("session_by_id"), {"id": session_id})
            row = cur.fetchone()
            if row is None:
                raise LookupError(f"session {session_id} does not exist")
            info = self._info(row)
        return info

    def _resolve(self, session_id: int | None) -> int:
        """Reads that arrived with no session known go to the automatic one."""
        if session_id is not None:
            return session_id
        if self._unresolved_session is None:
            self._unresolved_session = self._active_session().id
        return self._unresolved_session

"""Bottle routes: the documented timing APIs, the live stream, the display and status pages.

Handlers are thin: validate parameters (``params``), ask the database
(``queries``) or the hub (``events``), shape the documented JSON. Every API
failure is JSON — 400 for a bad parameter, 503 while the database is away,
500 (logged, no traceback to the client) for a bug. Operator views (/status and the
APIs ``settings.operator_apis`` names) need an operator login first (``operators``).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

import bottle
import jinja2

from daemons.common.greendb import DatabaseDown, GreenPool
from daemons.common.logs import kv

from . import jsonout, params, queries, races, sse, statuspage, timefmt, zones
from .events import Hub
from .operators import OperatorGate
from .params import BadParameter
from .settings import DisplaySettings

log = logging.getLogger("display_http")

MAX_LIMIT = 1000
STATIC = resources.files("daemons.display_http").joinpath("static")
LIST_ROWS = 8  # finishers on screen during a surge


class Display:
    """The application and what its handlers share."""

    def __init__(self, settings: DisplaySettings, pool: GreenPool, hub: Hub) -> None:
        self.settings = settings
        self.pool = pool
        self.hub = hub
        self.counters: Counter[str] = Counter()
        self.streams = 0
        self.operators = OperatorGate(
            settings.operator_htpasswd, self.counters, settings.operator_fail_delay
        )
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("daemons.display_http", "templates"),
            autoescape=jinja2.select_autoescape(default=True),
            undefined=jinja2.StrictUndefined,
        )
        self.templates.filters["ago"] = timefmt.ago
        self.app = bottle.Bottle(catchall=True)
        self._routes()

    # -- plumbing --------------------------------------------------------------------------
    def _routes(self) -> None:
        app = self.app
        apis = {
            "database-status": self.database_status,
            "stats": self.stats,
            "recent-reads": self.recent_reads,
            "sessions": self.sessions,
        }
        for name, handler in apis.items():
            callback = self._api(handler)
            if name in self.settings.operator_apis:
                callback = self._operator(callback)
            app.route(f"/api/timing/{name}", callback=callback)
        # Public: what a spectator's screen loads (the page, its stream, static files).
        app.route("/api/timing/stream", callback=self.stream)
        app.route("/", callback=self._page(self.display_page))
        app.route("/status", callback=self._operator(self._page(self.status_page)))
        app.route("/static/<name:path>", callback=self.static)
        # Browsers ask for it whatever the page says: an icon, not a 404 in the console.
        app.route("/favicon.ico", callback=lambda: self.static("favicon.svg"))
        for code in (404, 405, 500):
            app.error(code)(self._error_page)

    def _json(self, body: dict[str, Any], status: int = 200) -> str:
        bottle.response.status = status
        bottle.response.content_type = "application/json; charset=utf-8"
        bottle.response.set_header("Cache-Control", "no-store")
        return jsonout.dumps(body)

    def _api(self, handler: Callable[[], dict[str, Any]]) -> Callable[[], str]:
        @functools.wraps(handler)
        def wrapped() -> str:
            try:
                return self._json(handler())
            except BadParameter as exc:
                self.counters["bad_requests"] += 1
                return self._json({"success": False, "error": str(exc), "parameter": exc.name}, 400)
            except DatabaseDown as exc:
                self.counters["database_unavailable"] += 1
                bottle.response.set_header("Retry-After", "2")
                return self._json({"success": False, "error": f"database unavailable: {exc}"}, 503)
            except Exception:
                self.counters["errors"] += 1
                log.exception("request failed %s", kv(path=bottle.request.path))
                return self._json({"success": False, "error": "internal error"}, 500)

        return wrapped

    def _page(self, handler: Callable[[], str]) -> Callable[[], str]:
        @functools.wraps(handler)
        def wrapped() -> str:
            bottle.response.set_header("Cache-Control", "no-store")
            try:
                return handler()
            except BadParameter as exc:
                self.counters["bad_requests"] += 1
                bottle.response.status = 400
                return self._render("error.html", status=400, message=str(exc))

        return wrapped

    def _operator(self, handler: Callable[[], str]) -> Callable[[], str]:
        """``handler`` behind the operator login: 401 (or 503, fail closed) before it runs."""

        @functools.wraps(handler)
        def guarded() -> str:
            refusal = self.operators.check(bottle.request.environ)
            if refusal is None:
                return handler()
            for name, value in refusal.headers:
                bottle.response.set_header(name, value)
            if bottle.request.path.startswith("/api/"):
                return self._json({"success": False, "error": refusal.message}, refusal.status)
            bottle.response.status = refusal.status
            bottle.response.set_header("Cache-Control", "no-store")
            return self._render("error.html", status=refusal.status, message=refusal.message)

        return guarded

    def _error_page(self, error: bottle.HTTPError) -> str:
        if error.status_code == 500:
            self.counters["errors"] += 1
            log.error("request failed %s", kv(path=bottle.request.path, error=error.exception))
        if bottle.request.path.startswith("/api/"):
            return self._json({"success": False, "error": error.status_line}, error.status_code)
        bottle.response.content_type = "text/html; charset=utf-8"
        return self._render("error.html", status=error.status_code, message=error.status_line)

    def _render(self, template: str, **context: Any) -> str:
        nonce = secrets.token_urlsafe(16)
        bottle.response.set_header(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' https: http: data:; "
            f"style-src 'self' 'nonce-{nonce}'; script-src 'self'; connect-src 'self'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'self'",
        )
        bottle.response.set_header("X-Content-Type-Options", "nosniff")
        base = bottle.request.script_name.rstrip("/")
        return self.templates.get_template(template).render(base=base, nonce=nonce, **context)

    @staticmethod
    def _query() -> dict[str, str]:
        return params.utf8_query(bottle.request.query.allitems())

    # -- documented APIs -------------------------------------------------------------------
    def database_status(self) -> dict[str, Any]:
        # A race's address (or ?session_id=) asks about that race's session.
        session_id = params.integer(self._query(), "session_id", None, 1, 2**31 - 1)
        try:
            row = queries.rows(self.pool, "database_status", {"session_id": session_id})[0]
        except DatabaseDown as exc:
            return {
                "database_enabled": True,
                "connected": False,
                "current_session": None,
                "database_version": None,
                "error": str(exc),
            }
        session = None
        if row["id"] is not None:
            session = {
                k: row[k]
                for k in ("id", "session_name", "event_name", "status", "start_time", "created_at")
            }
        return {
            "database_enabled": True,
            "connected": True,
            "current_session": session,
            "database_version": row["database_version"],
            "error": None,
        }

    def stats(self) -> dict[str, Any]:
        wanted = params.read_filter(self._query())
        if not self.hub.book_ready.wait(5):
            raise DatabaseDown("statistics are still loading")
        return {
            "success": True,
            **self.hub.book.stats(wanted),
            "generated_at": dt.datetime.now(dt.UTC),
        }

    def recent_reads(self) -> dict[str, Any]:
        query = self._query()
        wanted = params.read_filter(query)
        limit = params.integer(query, "limit", 50, 1, MAX_LIMIT)
        since = params.integer(query, "since", None, 0, params.MAX_ID)
        args = {"limit": limit, **queries.filter_params(wanted)}
        if since is None:
            reads = queries.rows(self.pool, "recent_reads", args)
        else:
            reads = queries.rows(self.pool, "reads_since", {**args, "since": since})
        zones.localise_rows(reads)  # each read's instant in its race's zone
        return {"success": True, "reads": reads, "timestamp": dt.datetime.now(dt.UTC)}

    def sessions(self) -> dict[str, Any]:
        query = self._query()
        limit = params.integer(query, "limit", 100, 1, MAX_LIMIT)
        status = params.text(query, "status", "", 50) or None
        session_id = params.integer(query, "session_id", None, 1, 2**31 - 1)
        found = queries.rows(
            self.pool, "sessions", {"limit": limit, "status": status, "session_id": session_id}
        )
        if not self.hub.book_ready.wait(5):
            raise DatabaseDown("statistics are still loading")
        totals = self.hub.book.session_totals()
        return {
            "success": True,
            "sessions": [
                {
                    "id": s["id"],
                    "session_name": s["session_name"],
                    "event_name": s["event_name"],
                    "status": s["status"],
                    "created_at": s["created_at"],
                    "total_reads": totals.get(s["id"], 0),
                    # Concurrent races: who times it, its zone, its readable address.
                    "login": s["login"],
                    "time_zone": s["time_zone"],
                    "slug": s["slug"],
                }
                for s in found
            ],
        }

    # -- the live stream -------------------------------------------------------------------
    def stream(self) -> Any:
        try:
            query = self._query()
            wanted = params.read_filter(query)
            resume = params.last_event_id(bottle.request.get_header("Last-Event-ID"), query)
        except BadParameter as exc:
            self.counters["bad_requests"] += 1
            return self._json({"success": False, "error": str(exc), "parameter": exc.name}, 400)
        if self.streams >= self.settings.max_streams:
            self.counters["streams_refused"] += 1
            bottle.response.set_header("Retry-After", "5")
            return self._json({"success": False, "error": "too many stream clients"}, 503)
        bottle.response.content_type = "text/event-stream; charset=utf-8"
        bottle.response.set_header("Cache-Control", "no-store")
        bottle.response.set_header("X-Accel-Buffering", "no")  # proxies: do not buffer
        return self._counted(self.hub.stream(wanted, resume, self.settings.heartbeat))

    def _counted(self, frames: Iterator[bytes]) -> Iterator[bytes]:
        self.streams += 1
        self.counters["streams_opened"] += 1
        # Jittered, so the screens that connected together do not all come back together.
        ends_at = time.monotonic() + self.settings.stream_max_age * random.uniform(0.75, 1.0)
        try:
            for frame in frames:  # a heartbeat at least every P88_DISPLAY_HEARTBEAT
                yield frame
                if time.monotonic() >= ends_at:
                    self.counters["streams_recycled"] += 1
                    yield sse.RECYCLE
                    return
        except DatabaseDown as exc:
            # Replay from the database failed: end the stream; EventSource comes
            # back with Last-Event-ID and resumes where it was.
            self.counters["streams_ended_db"] += 1
            log.warning("stream ended, database unavailable %s", kv(error=exc))
        finally:
            self.streams -= 1
            close = getattr(frames, "close", None)
            if close is not None:
                close()  # the hub's subscription ends now, not when collected

    # -- pages -----------------------------------------------------------------------------
    def display_page(self) -> str:
        query = self._query()
        settings = self.settings
        wanted = params.read_filter(query)
        race = races.race_of(bottle.request.environ)
        theme = {
            "title": params.text(query, "title", race.title if race else settings.title),
            "bg": params.colour(query, "bg", "#0b1d3a"),
            "fg": params.colour(query, "fg", "#ffffff"),
            "accent": params.colour(query, "accent", "#ffcc00"),
            "logo": params.url(query, "logo"),
        }
        raw_messages = params.text(query, "messages", "", 1000)
        messages = (
            [m.strip() for m in raw_messages.split("|") if m.strip()]
            if raw_messages
            else list(settings.messages)
        )
        stream_args = {
            k: v
            for k, v in (("session_id", wanted.session_id), ("location", wanted.location))
            if v is not None
        }
        base = bottle.request.script_name.rstrip("/")
        config = {
            "streamUrl": f"{base}/api/timing/stream"
            + (f"?{bottle.urlencode(stream_args)}" if stream_args else ""),
            "holdMs": int(params.number(query, "hold", settings.hold_seconds, 0.5, 60) * 1000),
            "minHoldMs": int(params.number(query, "min_hold", 1.5, 0.3, 60) * 1000),
            "rotateMs": int(params.number(query, "rotate", settings.rotate_seconds, 1, 600) * 1000),
            "messages": messages,
            "crossingMessage": params.text(query, "message", settings.crossing_message),
            "reconnectMs": 2000,
            # A surge: when the queue would take longer than this in single-runner turns,
            # the screen lists the latest finishers instead, so it is never far behind.
            "surgeMs": int(params.number(query, "surge", 3.0, 0.5, 60) * 1000),
            "listRows": LIST_ROWS,
            "calmMs": 4000,  # back to one runner at a time after this long without a crossing
            "timeZone": race.time_zone if race else None,
        }
        return self._render(
            "display.html",
            theme=theme,
            location=wanted.location,
            config=config,
            messages=messages,
            list_rows=LIST_ROWS,
        )

    def status_page(self) -> str:
        session_id = params.integer(self._query(), "session_id", None, 1, 2**31 - 1)
        return self._render(
            "status.html",
            **statuspage.gather(self.pool, self.hub, session_id),
            streams=self.streams,
            now=dt.datetime.now(dt.UTC),
        )

    def static(self, name: str) -> Any:
        return bottle.static_file(name, root=str(STATIC), headers={"Cache-Control": "max-age=300"})


class ForwardedPrefix:
    """WSGI middleware: serve under the prefix a reverse proxy names.

    Apache proxies ``/race-display/`` to us with the prefix stripped and says so
    in ``X-Forwarded-Prefix``; it becomes ``SCRIPT_NAME``, so every link and the
    stream URL the pages build carry it.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        try:
            prefix = params.forwarded_prefix(environ.get("HTTP_X_FORWARDED_PREFIX"))
        except BadParameter as exc:
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [str(exc).encode()]
        if prefix:
            environ["SCRIPT_NAME"] = prefix + environ.get("SCRIPT_NAME", "")
        return self.app(environ, start_response)

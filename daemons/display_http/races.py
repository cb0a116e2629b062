"""Per-race URLs: ``/e/<slug>/…`` is one race's display, /status, APIs and stream.

WSGI middleware in front of the Bottle app. ``/e/hartford-marathon/?location=finish``
becomes ``/?location=finish&session_id=<its session>`` with ``/e/hartford-marathon``
joined to ``SCRIPT_NAME``, so every handler's existing ``session_id`` filter does
the work, and every link and stream URL a page builds stays under the race's
address. A session_id in the query cannot point a race URL at another race: the
slug's wins. An unknown or malformed slug is a clear 404 or 400, never another
race's data.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from daemons.common.greendb import DatabaseDown, GreenPool

from . import queries

log = logging.getLogger("display_http")

SLUG = re.compile(r"^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$")  # sql/raw_tag_data/0011
PREFIX = "/e/"
ENVIRON_KEY = "p88.race"


@dataclass(frozen=True)
class Race:
    slug: str
    session_id: int
    title: str
    time_zone: str | None


def race_of(environ: dict[str, Any]) -> Race | None:
    """The race a request came in for by its readable URL, if it did."""
    race = environ.get(ENVIRON_KEY)
    return race if isinstance(race, Race) else None


def pool_resolver(pool: GreenPool) -> Callable[[str], Race | None]:
    def resolve(slug: str) -> Race | None:
        found = queries.rows(pool, "race_by_slug", {"slug": slug})
        if not found:
            return None
        row = found[0]
        title = row["event_name"] or row["session_name"]
        return Race(slug, int(row["id"]), title, row["time_zone"])

    return resolve


class RaceRoutes:
    def __init__(self, app: Any, resolve: Callable[[str], Race | None]) -> None:
        self.app = app
        self.resolve = resolve

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if not path.startswith(PREFIX):
            return self.app(environ, start_response)
        slug, slash, rest = path[len(PREFIX) :].partition("/")
        is_api = rest.startswith("api/")
        if not SLUG.match(slug):
            return _refuse(start_response, "400 Bad Request", is_api,
                           f"{slug!r} is not a race address: lowercase letters, digits and "
                           "inner '-', as project88 session list shows")  # fmt: skip
        if not slash:  # /e/<slug>: the page's relative links need the trailing slash
            query = environ.get("QUERY_STRING", "")
            where = f"{environ.get('SCRIPT_NAME', '')}{PREFIX}{slug}/"
            where += f"?{query}" if query else ""
            start_response("301 Moved Permanently", [("Location", where), ("Content-Length", "0")])
            return [b""]
        try:
            race = self.resolve(slug)
        except DatabaseDown as exc:
            return _refuse(start_response, "503 Service Unavailable", is_api,
                           f"database unavailable: {exc}", [("Retry-After", "2")])  # fmt: skip
        if race is None:
            log.info("unknown race address slug=%s", slug)
            message = f"no race at /e/{slug}/ (project88 session list shows the races)"
            return _refuse(start_response, "404 Not Found", is_api, message)
        environ[ENVIRON_KEY] = race
        environ["SCRIPT_NAME"] = f"{environ.get('SCRIPT_NAME', '')}{PREFIX}{slug}"
        environ["PATH_INFO"] = "/" + rest
        query = [(k, v) for k, v in parse_qsl(environ.get("QUERY_STRING", ""), True)
                 if k != "session_id"]  # fmt: skip
        query.append(("session_id", str(race.session_id)))
        environ["QUERY_STRING"] = urlencode(query)
        return self.app(environ, start_response)


def _refuse(
    start_response: Any,
    status: str,
    is_api: bool,
    message: str,
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    if is_api:
        body = json.dumps({"success": False, "error": message}).encode()
        kind = "application/json; charset=utf-8"
    else:
        title = html.escape(status)
        body = (f"<!doctype html><meta charset=utf-8><title>{title}</title>"
                f"<h1>{title}</h1><p>{html.escape(message)}</p>").encode()  # fmt: skip
        kind = "text/html; charset=utf-8"
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store"), *(headers or [])])  # fmt: skip
    return [body]

"""FakeChronoTrackLive: a local HTTP server in the shape of the ChronoTrack Live API.

A real ``ThreadingHTTPServer`` on a free port of 127.0.0.1, in a thread; its
base URL ends in ``/api`` like the production one. Tests edit the in-memory
data set (``events``, ``races``, ``entries``, ``results``; ``set_bib``,
``withdraw``) and switch faults on (``fail_next``, ``malformed_next``,
``delay``, ``rate_limit_per_hour``).

Follows the documentation (https://api.chronotrack.com/dev/docs) and issue 14:
  * the ``/api`` base and the resources ``/event``, ``/event/{id}/race``,
    ``/event/{id}/entry``, ``/race/{id}/entry``, ``/event/{id}/results``,
    ``/event/{id}/interval`` (a ``.json`` suffix on the first segment is accepted);
  * simple auth: ``client_id``, ``user_id`` and ``user_pass`` = sha1(password) hex,
    ``format=json``;
  * paging with ``page`` (from 1) and ``size``, and the ``X-Ctlive-Page-Count``,
    ``X-Ctlive-Row-Count``, ``X-Ctlive-Current-Page`` answer headers;
  * entry and results field names as issue 14 lists them.
Assumptions (the documentation we could read is silent):
  * the body envelopes (``event``, ``event_race``, ``event_entry``, ``race_entry``,
    ``event_results``, ``event_interval``) are taken from public client code;
  * bad credentials answer 401 with ``{"error": ...}``; an unknown resource 404;
  * the rate limit answers 429 with ``Retry-After`` in seconds;
  * the default page size (50) and an empty page past the last one;
  * time fields are epoch seconds, race distances metres, a withdrawn entry
    keeps its row with ``entry_status`` "withdrawn".
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from typing import Any

from tests.fakes.provider_server import (
    FakeProviderServer,
    FaultInjection,
    Request,
    Response,
    json_response,
    raw_response,
)


class FakeChronoTrackLive(FaultInjection, FakeProviderServer):
    base_path = "/api"

    def __init__(
        self,
        *,
        client_id: str = "fake-client",
        user_id: str = "timer@example.org",
        password: str = "correct horse battery staple",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.client_id, self.user_id, self.password = client_id, user_id, password
        self.clock = clock
        self.events: dict[int, dict[str, Any]] = {}
        self.races: dict[int, dict[str, Any]] = {}  # race_id -> record, with "_event_id"
        self.entries: dict[int, dict[str, Any]] = {}  # entry_id -> record, with "_race_id"
        self.results: dict[int, dict[str, Any]] = {}  # entry_id -> results record
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, params) as received

    @property
    def creds(self) -> dict[str, str]:
        return {"client_id": self.client_id, "user_id": self.user_id, "password": self.password}

    # --- data set -----------------------------------------------------------

    def add_event(self, event_id: int, name: str, start: int, **fields: Any) -> None:
        self.events[event_id] = {
            "event_id": str(event_id),
            "event_name": name,
            "event_start_time": str(start),
            "event_end_time": str(start + 6 * 3600),
            "location_city": "Boston",
            "location_region": "MA",
            "location_country": "US",
        } | fields

    def add_race(self, race_id: int, event_id: int, name: str, metres: int, **fields: Any) -> None:
        self.races[race_id] = {
            "_event_id": event_id,
            "race_id": str(race_id),
            "race_name": name,
            "race_course_distance": str(metres),
            "race_pref_distance_unit": "miles",
            "race_planned_start_time": self.events[event_id]["event_start_time"],
        } | fields

    def add_entry(self, entry_id: int, race_id: int, bib: str, **fields: Any) -> None:
        self.entries[entry_id] = {
            "_race_id": race_id,
            "entry_id": str(entry_id),
            "athlete_id": str(900000 + entry_id),
            "entry_bib": bib,
            "athlete_first_name": f"First{entry_id}",
            "athlete_last_name": f"Last{entry_id}",
            "entry_race_age": "35",
            "athlete_sex": "F" if entry_id % 2 else "M",
            "location_city": "Hopkinton",
            "location_region": "MA",
            "location_country": "US",
            "bracket_name": "Overall",
            "race_name": self.races[race_id]["race_name"],
            "team_name": "",
            "entry_status": "confirmed",
        } | fields

    def add_result(self, entry_id: int, time: str, **fields: Any) -> None:
        entry = self.entries[entry_id]
        self.results[entry_id] = {
            "results_bib": entry["entry_bib"],
            "results_time": time,
            "results_gun_time": time,
            "results_pace": "8:00",
            "results_rank": str(len(self.results) + 1),
            "results_primary_bracket_name": "F 35-39",
            "last_modified": "1713200000",
        } | fields

    def set_bib(self, entry_id: int, bib: str) -> None:
        self.entries[entry_id]["entry_bib"] = bib
        if entry_id in self.results:
            self.results[entry_id]["results_bib"] = bib

    def withdraw(self, entry_id: int) -> None:
        self.entries[entry_id]["entry_status"] = "withdrawn"

    # --- serving ------------------------------------------------------------

    def admit(self, request: Request) -> Response | None:
        params = request.params
        with self._lock:
            self.requests.append((request.path, params))
            fault = self._next_fault()
            wait = self._throttled(self.clock())
        if wait is not None:
            return _error(429, "rate limit exceeded", retry_after=max(1.0, wait))
        if fault is None:
            return None
        if fault.malformed:
            return raw_response(200, b'{"event_entry": [{"entry_id": "1", ')
        return _error(fault.status, f"HTTP {fault.status}", retry_after=fault.retry_after)

    def respond(self, request: Request) -> Response:
        params = request.params
        expected = hashlib.sha1(self.password.encode(), usedforsecurity=False).hexdigest()
        if (
            params.get("client_id") != self.client_id
            or params.get("user_id") != self.user_id
            or params.get("user_pass") != expected
        ):
            return _error(401, "invalid credentials")
        listing = self._route(request.path)
        if listing is None:
            return _error(404, "no such resource")
        key, records = listing
        try:
            page = max(1, int(params.get("page", "1")))
            size = max(1, int(params.get("size", "50")))
        except ValueError:
            return _error(400, "bad page or size")
        pages = max(1, -(-len(records) // size))
        headers = {
            "X-Ctlive-Page-Count": str(pages),
            "X-Ctlive-Row-Count": str(len(records)),
            "X-Ctlive-Current-Page": str(page),
        }
        chunk = records[(page - 1) * size : page * size]
        return json_response(200, {key: chunk}, headers)

    def _route(self, path: str) -> tuple[str, list[dict[str, Any]]] | None:
        match = re.fullmatch(
            r"/api/(event|race)(?:\.json)?(?:/(\d+)/(race|entry|results|interval))?", path
        )
        if not match:
            return None
        resource, ident, sub = match.group(1), match.group(2), match.group(3)
        if resource == "event" and ident is None:
            return "event", list(self.events.values())
        if ident is None:
            return None
        parent = int(ident)

        def public(rec: dict[str, Any]) -> dict[str, Any]:
            # Keys starting "_" are the fake's own links, not fields of the answer
            # (issue 14's entry fields tie an entry to its race by race_name only).
            return {k: v for k, v in rec.items() if not k.startswith("_")}

        if resource == "event" and parent in self.events:
            races = [r for r in self.races.values() if r["_event_id"] == parent]
            race_ids = {int(r["race_id"]) for r in races}
            entries = [e for e in self.entries.values() if e["_race_id"] in race_ids]
            if sub == "race":
                return "event_race", [public(r) for r in races]
            if sub == "entry":
                return "event_entry", [public(e) for e in entries]
            if sub == "results":
                ids = [int(e["entry_id"]) for e in entries]
                return "event_results", [self.results[i] for i in ids if i in self.results]
            if sub == "interval":
                return "event_interval", [
                    {"interval_id": "1", "interval_name": "Finish", "interval_distance": "42195"}
                ]
        if resource == "race" and sub == "entry" and parent in self.races:
            return "race_entry", [
                public(e) for e in self.entries.values() if e["_race_id"] == parent
            ]
        return None


def _error(status: int, message: str, *, retry_after: float | None = None) -> Response:
    headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
    return json_response(status, {"error": message}, headers)

"""FakeRunSignUp: a local HTTP server standing in for runsignup.com/Rest.

A real ``ThreadingHTTPServer`` on a free port of 127.0.0.1, in a thread, with an
in-memory data set the test edits (add, modify, re-bib, remove participants).

Follows the documentation (runsignup.com/API, help.runsignup.com):
- GET /Rest/race/{race_id}                        -> {"race": {..., "events": [...]}}
- GET /Rest/race/{race_id}/participants           paging with page/results_per_page
  (at most 2,500, more is error 3), sort "registration_id ASC", and
  modified_after_timestamp returning rows modified ON OR AFTER it; last_modified
  is a Unix timestamp; registration_date "m/d/Y H:i" in Eastern Time.
- GET /Rest/race/{race_id}/removed-participants   rows under event.participants,
  with removed_reason, last_modified "Y-m-d H:i:s" (Eastern) and last_modified_ts.
- credentials as api_key/api_secret, or rsu_api_key + X-RSU-API-SECRET header;
  a wrong pair answers {"error": {"error_code": 6, "error_msg": "Key
  authentication failed"}}.
- error codes 3 (invalid parameters), 14 (request throttled), 201 (race not found).

Assumptions (the documentation found is silent):
- participants answers are a JSON array, one object per event, with the rows in
  the top-level "participants" and an empty event.participants (how working
  clients read it); ``bare_object = True`` answers the documented single object.
- error answers are sent with HTTP 200 (``error_status`` changes that).
- GET /Rest/race/{race_id}/get-bib-chip answers {"bib_chip_nums": [{registration_id,
  bib_num, chip_num}]}, unpaged.
- the per-hour limit answers HTTP 429 with Retry-After and error 14; 429/5xx
  faults carry Retry-After as whole seconds.
- a race's events carry "distance" like "5K" and registration_periods with fees.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.provider_server import (
    FakeProviderServer,
    Fault,
    HourWindow,
    Request,
    Response,
    json_response,
    raw_response,
    take_fault,
)

__all__ = ["EASTERN", "FakeRunSignUp", "Fault"]

EASTERN = ZoneInfo("America/New_York")


@dataclass
class FakeRunSignUp(FakeProviderServer):
    base_path = "/Rest"

    api_key: str = "fake-key"
    api_secret: str = "fake-secret"
    race_id: int = 100
    race_name: str = "Moorestown Turkey Trot"
    event_ids: tuple[int, ...] = (1001, 1002)
    clock: int = 1_700_000_000  # the fake's own "now" (Unix), advanced by tests
    bare_object: bool = False
    error_status: int = 200
    delay: float = 0.0  # seconds before each answer (slow responses)
    per_hour_limit: int | None = None
    participants: dict[int, dict[str, Any]] = field(default_factory=dict)
    removed: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    _next_reg: int = 500_000
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _hour: HourWindow = field(default_factory=HourWindow, init=False, repr=False, compare=False)

    # --- the data set ------------------------------------------------------------

    def add_participant(self, event_id: int | None = None, **user: Any) -> int:
        with self._lock:
            self._next_reg += 1
            reg = self._next_reg
            n = reg % 1000
            stamp = datetime.fromtimestamp(self.clock, EASTERN)
            self.participants[reg] = {
                "user": {
                    "user_id": 9_000_000 + reg,
                    "first_name": user.get("first_name", f"First{n}"),
                    "middle_name": None,
                    "last_name": user.get("last_name", f"Last{n}"),
                    "email": user.get("email", f"runner{reg}@example.com"),
                    "address": {
                        "street": "960 Avondale Ave",
                        "city": user.get("city", "Moorestown"),
                        "state": user.get("state", "NJ"),
                        "zipcode": "08057",
                        "country_code": "US",
                    },
                    "dob": "1986-01-06",
                    "gender": user.get("gender", "MF"[reg % 2]),
                    "phone": "856-850-1510",
                    "profile_image_url": None,
                },
                "registration_id": reg,
                "event_id": event_id or self.event_ids[0],
                "bib_num": user.get("bib_num"),
                "chip_num": None,
                "age": user.get("age", 20 + reg % 50),
                "registration_date": f"{stamp:%-m/%-d/%Y %H:%M}",
                "team_name": None,
                "last_modified": self.clock,
                "race_fee": "$55.00",
                "amount_paid": "$57.75",
            }
            return reg

    def add_many(self, count: int, event_id: int | None = None) -> list[int]:
        return [self.add_participant(event_id) for _ in range(count)]

    def modify(self, reg: int, **changes: Any) -> None:
        """Change user fields (first_name, city, ...) or top-level ones (age, bib_num)."""
        with self._lock:
            p = self.participants[reg]
            for key, value in changes.items():
                if key in p:
                    p[key] = value
                elif key in ("city", "state"):
                    p["user"]["address"][key] = value
                else:
                    p["user"][key] = value
            p["last_modified"] = self.clock

    def set_bib(self, reg: int, bib: str | None, chip: str | None = None) -> None:
        self.modify(reg, bib_num=bib, chip_num=chip)

    def remove(self, reg: int, reason: str = "removed") -> None:
        with self._lock:
            p = self.participants.pop(reg)
            stamp = datetime.fromtimestamp(self.clock, EASTERN)
            self.removed[reg] = {
                "user": p["user"],
                "registration_id": reg,
                "event_id": p["event_id"],
                "age": p["age"],
                "registration_date": "2021-09-07 15:20:36",
                "last_modified": f"{stamp:%Y-%m-%d %H:%M:%S}",
                "last_modified_ts": self.clock,
                "race_fee": p["race_fee"],
                "amount_paid": p["amount_paid"],
                "removed_reason": reason,
                "new_registration_id": None,
            }

    def fail_next(self, fault: Fault) -> None:
        self.faults.append(fault)

    # --- answers -------------------------------------------------------------------

    def _race(self) -> dict[str, Any]:
        events = [
            {
                "event_id": eid,
                "race_event_days_id": 77,
                "name": ("5K", "10K")[i % 2],
                "start_time": "11/26/2026 08:30",
                "end_time": "11/26/2026 11:30",
                "distance": ("5K", "10K")[i % 2],
                "participant_cap": 3000,
                "registration_periods": [
                    {
                        "registration_opens": "6/1/2026 00:00",
                        "registration_closes": "11/25/2026 23:59",
                        "race_fee": "$55.00",
                        "processing_fee": "$2.75",
                    }
                ],
            }
            for i, eid in enumerate(self.event_ids)
        ]
        return {
            "race": {
                "race_id": self.race_id,
                "name": self.race_name,
                "next_date": "11/26/2026",
                "timezone": "America/New_York",
                "address": {"city": "Moorestown", "state": "NJ", "country_code": "US"},
                "events": events,
            }
        }

    def _listing(self, rows: dict[int, dict[str, Any]], q: dict[str, str]) -> list[dict]:
        event_ids = {int(e) for e in q.get("event_id", "").split(",") if e}
        since = int(q["modified_after_timestamp"]) if "modified_after_timestamp" in q else None
        page, per_page = int(q.get("page", "1")), int(q.get("results_per_page", "50"))
        chosen = [
            p
            for reg, p in sorted(rows.items())  # sort=registration_id ASC
            if (not event_ids or p["event_id"] in event_ids)
            and (since is None or p.get("last_modified_ts", p["last_modified"]) >= since)
        ]
        return chosen[(page - 1) * per_page : page * per_page]

    def answer(self, path: str, q: dict[str, str], secret_header: str | None) -> tuple[int, Any]:
        """(HTTP status, JSON-able body) for one GET; also used without HTTP."""
        key = q.get("api_key") or q.get("rsu_api_key")
        secret = q.get("api_secret") if "api_key" in q else secret_header
        if key != self.api_key or secret != self.api_secret:
            return self.error_status, _error(6, "Key authentication failed")
        if q.get("format") != "json":
            return 200, _error(10, "Response format not supported for this REST method")
        parts = path.strip("/").split("/")  # Rest, race, id[, what]
        if len(parts) < 3 or parts[:2] != ["Rest", "race"]:
            return self.error_status, _error(1, "Unknown method")
        if parts[2] != str(self.race_id):
            return self.error_status, _error(201, "Race not found.")
        what = parts[3] if len(parts) > 3 else ""
        if int(q.get("results_per_page", "50")) > 2500:
            return self.error_status, _error(3, "Invalid parameters")
        with self._lock:
            if what == "":
                return 200, self._race()
            if what == "participants":
                eid = int(q.get("event_id", self.event_ids[0]))
                block = {
                    "event": {"event_id": eid, "participants": []},
                    "participants": self._listing(self.participants, q),
                }
                return 200, block if self.bare_object else [block]
            if what == "removed-participants":
                eid = int(q.get("event_id", self.event_ids[0]))
                rows = self._listing(self.removed, q)
                return 200, {"event": {"event_id": eid, "participants": rows}}
            if what == "get-bib-chip":
                eid = int(q["event_id"])
                nums = [
                    {"registration_id": r, "bib_num": p["bib_num"], "chip_num": p["chip_num"]}
                    for r, p in sorted(self.participants.items())
                    if p["event_id"] == eid
                ]
                return 200, {"bib_chip_nums": nums}
        return self.error_status, _error(1, "Unknown method")

    # --- the server ------------------------------------------------------------

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Run the server; yields its base URL, e.g. http://127.0.0.1:PORT/Rest."""
        self._hour = HourWindow(start=time.monotonic())
        with super().serve() as base_url:
            yield base_url

    def admit(self, request: Request) -> Response | None:
        with self._lock:
            self.requests.append((request.path, request.params))
            request.notes["fault"] = take_fault(self.faults)
            request.notes["over"] = self._hour.fixed(self.per_hour_limit, time.monotonic())
        return None

    def respond(self, request: Request) -> Response:
        fault: Fault | None = request.notes["fault"]
        over: bool = request.notes["over"]
        if fault and fault.malformed:
            return raw_response(200, b'[{"event": {"event_id": 1}, "participants": [')
        if fault:
            return raw_response(fault.status, b"Service unavailable", _retry(fault.retry_after))
        if over:
            body = _error(14, "Request throttled.")
            return json_response(429, body, _retry(self._hour.remaining(time.monotonic())))
        secret = request.headers.get("x-rsu-api-secret")
        status, body = self.answer(request.path, request.params, secret)
        return json_response(status, body)


def _retry(seconds: float | None) -> dict[str, str]:
    return {"Retry-After": str(seconds)} if seconds is not None else {}


def _error(code: int, msg: str) -> dict[str, Any]:
    return {"error": {"error_code": code, "error_msg": msg}}

"""FakeRaceRoster: a local HTTP server in the shape of the Race Roster API v1.

A real ``ThreadingHTTPServer`` on a free port of 127.0.0.1, in a thread; its
base URL ends in ``/api/v1`` like the production one. Tests edit the in-memory
data set (``add_event``, ``add_registration``, ``modify_registration``,
``remove_registration``, ``modify_event``) and switch faults on (``fail_next``,
``malformed_next``, ``delay``, ``rate_limit_per_hour``, ``expire_tokens``).

Follows the documentation (developers.raceroster.com/docs/api/results) and issue 14:
  * the ``/api/v1`` base; OAuth2 bearer tokens in ``Authorization``; the token
    request is a POST with a form-URL-encoded body;
  * ISO 8601 date strings with an offset (``2026-05-01T09:00:00+00:00``);
  * gender as the integers 0, 1, 2, 8, 9;
  * 401 for a missing, unknown or expired token; 400 for a bad parameter.
Assumptions (the documentation we could read is silent; the adapter makes the same):
  * the token endpoint ``/api/v1/oauth/token`` with ``grant_type=client_credentials``
    (issue 14), answering ``{"access_token", "token_type", "expires_in"}``, and
    401 ``{"error": "invalid_client"}`` for bad client credentials;
  * the listings ``/events`` and ``/events/{id}/registrations``, paged by ``page``
    (from 1) and ``perPage``, in ``{"data": [...], "meta": {"pagination": ...}}``,
    ordered by id, with the field names the adapter reads;
  * ``updated_since`` is inclusive (``updatedAt >= updated_since``), the
    conservative reading: the adapter is right under either;
  * a removed registration simply disappears (no tombstone in any listing);
  * the rate limit and the 429 answers carry ``Retry-After`` in seconds.
``updatedAt`` comes from a logical clock (one second per change from
2026-01-01T00:00:00Z), so tests are deterministic; token lifetimes use ``clock``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.provider_server import (
    FakeProviderServer,
    FaultInjection,
    Request,
    Response,
    json_response,
)

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


class FakeRaceRoster(FaultInjection, FakeProviderServer):
    base_path = "/api/v1"
    methods = frozenset({"GET", "POST"})

    def __init__(
        self,
        *,
        client_id: str = "fake-client",
        client_secret: str = "fake-secret-s3cr3t",
        token_lifetime: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.client_id, self.client_secret = client_id, client_secret
        self.token_lifetime = token_lifetime
        self.clock = clock
        self.events: dict[int, dict[str, Any]] = {}
        self.registrations: dict[int, dict[int, dict[str, Any]]] = {}  # event -> id -> record
        self.tokens: dict[str, float] = {}  # token -> expiry on ``clock``
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # method, path, params
        self.tokens_issued = 0
        self._ticks = 0
        self._bind()  # base_url is known before start()

    # --- the data set --------------------------------------------------------

    def _stamp(self) -> str:
        self._ticks += 1
        return (EPOCH + timedelta(seconds=self._ticks)).isoformat()

    def add_event(self, event_id: int, name: str, start: str = "2026-06-01", **fields: Any) -> None:
        with self._lock:
            self.events[event_id] = {
                "eventId": event_id, "name": name, "startDate": f"{start}T08:00:00+00:00",
                "city": fields.pop("city", "Toronto"), "province": fields.pop("province", "ON"),
                **fields, "updatedAt": self._stamp(),
            }  # fmt: skip
            self.registrations.setdefault(event_id, {})

    def modify_event(self, event_id: int, **fields: Any) -> None:
        with self._lock:
            self.events[event_id].update(fields, updatedAt=self._stamp())

    def add_registration(self, event_id: int, registration_id: int, **fields: Any) -> None:
        record = {
            "registrationId": registration_id, "subEventId": event_id * 10 + 1,
            "bibNumber": str(registration_id), "firstName": f"First{registration_id}",
            "lastName": f"Last{registration_id}", "gender": 1, "age": 30,
            "city": "Toronto", "province": "ON", "email": f"r{registration_id}@example.org",
            "phone": None, "registeredAt": "2026-01-01T00:00:00+00:00", "amountPaid": "55.00",
        }  # fmt: skip
        with self._lock:
            record.update(fields, updatedAt=self._stamp())
            self.registrations[event_id][registration_id] = record

    def modify_registration(self, event_id: int, registration_id: int, **fields: Any) -> None:
        with self._lock:
            self.registrations[event_id][registration_id].update(fields, updatedAt=self._stamp())

    def remove_registration(self, event_id: int, registration_id: int) -> None:
        with self._lock:
            del self.registrations[event_id][registration_id]

    # --- faults --------------------------------------------------------------

    def fail_next(self, status: int, *, retry_after: float | None = None, count: int = 1) -> None:
        """The next ``count`` requests (token requests included) answer ``status``."""
        super().fail_next(status, retry_after=retry_after, count=count)

    def expire_tokens(self) -> None:
        """Every token issued so far is now past its expiry (the next call gets 401)."""
        with self._lock:
            for token in self.tokens:
                self.tokens[token] = self.clock() - 1

    # --- answering -----------------------------------------------------------

    def respond(self, request: Request) -> Response:
        status, headers, body = self.answer(
            request.method, request.path, request.first_params, request.headers, request.form
        )
        return Response(status, body, headers)

    def answer(
        self, method: str, path: str, params: dict[str, str], headers: dict[str, str], form: str
    ) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.requests.append((method, path, params))
            now = self.clock()
            wait = self._throttled(now)
            if wait is not None:
                return _json(429, {"error": "Too Many Requests"}, {"Retry-After": f"{wait:.0f}"})
            fault = self._next_fault()
            if fault is not None:
                if fault.malformed:
                    return 200, {"Content-Type": "application/json"}, b'{"data": [{"eventId": 1,'
                retry = fault.retry_after
                extra = {"Retry-After": f"{retry:g}"} if retry is not None else {}
                return _json(fault.status, {"error": f"fault {fault.status}"}, extra)
            if not path.startswith("/api/v1/"):
                return _json(404, {"error": "Not Found"})
            route = path[len("/api/v1") :].rstrip("/")
            if route == "/oauth/token":
                if method != "POST":
                    return _json(405, {"error": "Method not allowed"})
                return self._token(parse_qs(form), now)
            if method != "GET":
                return _json(405, {"error": "Method not allowed"})
            auth = headers.get("authorization", "")
            token = auth[7:] if auth.startswith("Bearer ") else ""
            if self.tokens.get(token, float("-inf")) <= now:
                return _json(401, {"error": "Unauthenticated."})
            parts = route.split("/")
            if parts == ["", "events"]:
                return self._listing(list(self.events.values()), params)
            if len(parts) == 4 and parts[1] == "events" and parts[3] == "registrations":
                if not parts[2].isdigit() or int(parts[2]) not in self.registrations:
                    return _json(404, {"error": "Not Found"})
                return self._listing(list(self.registrations[int(parts[2])].values()), params)
            return _json(404, {"error": "Not Found"})

    def _token(self, form: dict[str, list[str]], now: float) -> tuple[int, dict[str, str], bytes]:
        one = {k: v[0] for k, v in form.items()}
        if one.get("grant_type") != "client_credentials":
            return _json(400, {"error": "unsupported_grant_type"})
        if (one.get("client_id"), one.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return _json(
                401, {"error": "invalid_client", "message": "Client authentication failed"}
            )
        token = secrets.token_urlsafe(24)
        self.tokens[token] = now + self.token_lifetime
        self.tokens_issued += 1
        return _json(
            200, {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime}
        )

    def _listing(
        self, records: list[dict[str, Any]], params: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        try:
            page = int(params.get("page", "1"))
            per_page = int(params.get("perPage", "100"))
            since = params.get("updated_since")
            since_at = datetime.fromisoformat(since) if since else None
        except ValueError:
            return _json(400, {"error": "Bad Request"})
        if page < 1 or not 1 <= per_page <= 500:
            return _json(400, {"error": "Bad Request"})
        key = "registrationId" if records and "registrationId" in records[0] else "eventId"
        chosen = sorted(
            (r for r in records if since_at is None or _at(r["updatedAt"]) >= since_at),
            key=lambda r: r[key],
        )
        total_pages = max(1, -(-len(chosen) // per_page))
        data = chosen[(page - 1) * per_page : page * per_page]
        meta = {"currentPage": page, "perPage": per_page, "total": len(chosen)}
        return _json(
            200, {"data": data, "meta": {"pagination": {**meta, "totalPages": total_pages}}}
        )


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _json(
    status: int, body: Any, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    answer = json_response(status, body, headers)
    return answer.status, answer.headers, answer.body

"""Race Roster API v1: the requests to make and the rows their answers give (no I/O).

What the public documentation says (developers.raceroster.com/docs/api/results,
"I. General information"), and what this module relies on:

* Base URL ``https://raceroster.com/api/v1`` (``P88_SYNC_RACEROSTER_URL``
  overrides it); every path here is relative to it.
* OAuth2; every call carries ``Authorization: Bearer <token>``. A token is
  obtained by a POST with a form-URL-encoded body to the authorization server.
* Dates are ISO 8601 strings such as ``2014-02-12T15:19:21+00:00``; a ``+`` in
  a query must be percent-encoded (an HTTP client encoding params does it).
* Gender is an integer "based loosely on ISO 5218": 0 = prefer not to
  disclose, 1 = male, 2 = female, 8 = co-ed (teams of mixed genders),
  9 = non-binary. ISO/IEC 5218 itself has 0 = not known and 9 = not
  applicable, and no 8: the codes must not be read as ISO's.
* Status codes listed: 200, 201, 204, 400, 401, 403, 404, 405, 500, 501.

Where the documentation we could read is silent (so these are assumptions,
each marked ASSUMED below, and the fake server in tests/fakes follows them):
the token URL and grant (the page links "OAuth2 URLs" elsewhere; we use
``/oauth/token`` with ``grant_type=client_credentials`` as issue 14 fixes it),
the listing envelopes and field names, the paging parameters, whether
``updated_since`` is inclusive, 429/Retry-After, and how a removed registration
shows (it does not: see ``removed_ids``).

Rows carry no ``timing_partner_id``: the runner knows whose credentials it used
and adds it to every row, for every provider alike.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from daemons.provider_sync.adapters.base import Page, ProviderError, Request, Response, retry_after

DEFAULT_BASE_URL = "https://raceroster.com/api/v1"
TOKEN_PATH = "/oauth/token"  # noqa: S105 (a path, not a secret) ASSUMED: see the docstring
PER_PAGE = 100  # ASSUMED page size; the documentation states no maximum
EVENTS_TABLE = "raceroster_events"
# Not in sql/production: the row shape we need is REGISTRATION_COLUMNS below.
REGISTRATIONS_TABLE = "raceroster_registrations"
# provider_registration_id is the upsert key, unique per (timing_partner_id,
# provider); sex is 'M'/'F'/'X' or NULL as in runsignup_participants, and
# gender_code keeps Race Roster's own code (0 and 8 both give sex NULL).
REGISTRATION_COLUMNS = (
    "provider_registration_id", "raceroster_event_id", "sub_event_id", "bib",
    "first_name", "last_name", "sex", "gender_code", "age", "city", "state",
    "email", "phone", "registered_at", "amount_paid", "provider_updated_at",
)  # fmt: skip

# Race Roster code -> the schema's sex CHAR(1) ('M', 'F', 'X', nullable).
# 0 ("prefer not to disclose") is not a sex: NULL, not 'X'. 8 ("co-ed") describes
# a team, not a person; on a registration it says nothing about the runner: NULL.
# 9 is documented as non-binary, the schema's 'X' (as in the BQ standards).
SEX_BY_GENDER_CODE: dict[int, str | None] = {0: None, 1: "M", 2: "F", 8: None, 9: "X"}

# When a token answer lacks expires_in (the docs do not promise it), assume a
# short life: renewing a token costs one request, using a dead one a failed run.
FALLBACK_TOKEN_LIFETIME = 300.0
# Renew this long before the stated expiry, so a request does not leave with a
# token that dies in flight (and clocks of ours and theirs need not agree).
EXPIRY_MARGIN = 60.0
DEFAULT_RETRY_AFTER_429 = 60.0  # ASSUMED: 429 and Retry-After are not documented
DEFAULT_RETRY_AFTER_5XX = 30.0
_OAUTH_ERROR = re.compile(r"[a-z_]{1,40}")  # RFC 6749 error codes; anything else is dropped


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True)
class Token:
    access_token: str = field(repr=False)  # never in a repr, a log line or an error
    expires_at: float  # seconds since the epoch, on the clock ``now`` came from
    token_type: str = "Bearer"  # noqa: S105 (the scheme name)


class Unauthorized(ProviderError):
    """401: the token is missing, expired or revoked (or, at the token endpoint,
    the client credentials are wrong). The runner renews the token once and
    retries; a second 401, or one from the token endpoint, fails the run."""


def token_request(creds: Credentials) -> Request:
    return Request(
        method="POST",
        path=TOKEN_PATH,
        headers={"Accept": "application/json"},
        form={
            "grant_type": "client_credentials",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
        },
        secret_params=("client_secret",),
    )


def parse_token(response: Response, now: float) -> Token:
    request = token_request(Credentials("", ""))  # only its method and path are named
    if response.status in (400, 401):
        # The body may echo what we sent; only a well-formed OAuth error code is kept.
        code = _oauth_error(response.body)
        raise Unauthorized(
            f"Race Roster token request rejected (HTTP {response.status}"
            f"{', ' + code if code else ''}): check the client id, secret and grant"
        )
    _check_status(request, response)
    body = _json(request, response)
    # Third-party clients of the real service unwrap {"data": {...}} and
    # {"data": [{...}]} as well as a bare object; accept all three.
    data = body.get("data", body) if isinstance(body, dict) else body
    if isinstance(data, list):
        data = data[0] if data else {}
    token = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise ProviderError("Race Roster POST /oauth/token: answer has no access_token")
    try:
        seconds = float(data.get("expires_in"))
    except (TypeError, ValueError):
        seconds = FALLBACK_TOKEN_LIFETIME
    if not math.isfinite(seconds) or seconds <= 0:
        seconds = FALLBACK_TOKEN_LIFETIME
    kind = data.get("token_type")
    return Token(token, now + seconds, kind if isinstance(kind, str) and kind else "Bearer")


def token_expired(token: Token | None, now: float, margin: float = EXPIRY_MARGIN) -> bool:
    """True when ``token`` should be renewed before the next request."""
    return token is None or now >= token.expires_at - margin


def events_request(
    token: Token, cursor: str | None, page: int = 1, per_page: int = PER_PAGE
) -> Request:
    return _listing(token, "/events", cursor, page, per_page)


def registrations_request(
    token: Token, event_id: int | str, cursor: str | None, page: int = 1, per_page: int = PER_PAGE
) -> Request:
    # ASSUMED path: the original Project88Hub adapter used events/{id}/registrations.
    return _listing(token, f"/events/{int(event_id)}/registrations", cursor, page, per_page)


def parse_events(request: Request, response: Response) -> Page:
    items = _items(request, response)
    rows = []
    for i, item in enumerate(items):
        rows.append(
            {
                "id": _int(item.get("eventId"), request, i, "eventId"),
                "name": _text(item.get("name"), request, i, "name"),
                "event_date": _date(item.get("startDate"), request, i),
                "city": _opt_text(item.get("city")),
                "state": _opt_text(item.get("province")),  # ASSUMED name (CA: province)
                "registration_fee": _money(item.get("registrationFee")),  # ASSUMED name
            }
        )
    return Page(
        table=EVENTS_TABLE,
        rows=rows,
        next=_next(request, response, len(items)),
        cursor=_cursor(request, items),
    )


def parse_registrations(request: Request, response: Response) -> Page:
    event_id = int(request.path.split("/")[2])
    items = _items(request, response)
    rows = []
    for i, item in enumerate(items):
        code = _gender_code(item.get("gender"))
        rows.append(
            {
                "provider_registration_id": str(
                    _int(item.get("registrationId"), request, i, "registrationId")
                ),
                "raceroster_event_id": event_id,
                "sub_event_id": _opt_int(item.get("subEventId")),
                "bib": _opt_text(item.get("bibNumber")),
                "first_name": _text(item.get("firstName"), request, i, "firstName"),
                "last_name": _text(item.get("lastName"), request, i, "lastName"),
                "sex": SEX_BY_GENDER_CODE.get(code) if code is not None else None,
                "gender_code": code,
                "age": _opt_int(item.get("age")),
                "city": _opt_text(item.get("city")),
                "state": _opt_text(item.get("province")),
                "email": _opt_text(item.get("email")),
                "phone": _opt_text(item.get("phone")),
                "registered_at": _opt_instant(item.get("registeredAt")),
                "amount_paid": _money(item.get("amountPaid")),
                "provider_updated_at": _opt_instant(item.get("updatedAt")),
            }
        )
    return Page(
        table=REGISTRATIONS_TABLE,
        rows=rows,
        next=_next(request, response, len(items)),
        cursor=_cursor(request, items),
    )


def merge_cursors(a: str | None, b: str | None) -> str | None:
    """The later of two cursors. Cursors are all UTC in one format, so the
    string order is the time order; the listing's cursor is the max over its pages."""
    return max((c for c in (a, b) if c), default=None)


def removed_ids(known: set[str], listed: set[str]) -> list[str]:
    """Registrations gone from the provider: the documentation names no removal
    feed, and an ``updated_since`` listing cannot show a row that no longer
    exists, so removals are found by a full (cursor-less) listing: what we hold
    and it no longer lists."""
    return sorted(known - listed)


# --- helpers -----------------------------------------------------------------


def _listing(token: Token, path: str, cursor: str | None, page: int, per_page: int) -> Request:
    # ASSUMED parameter names: page/perPage (as a third-party v1 client sends to
    # the results listing) and updated_since (issue 14).
    params = {"page": str(page), "perPage": str(per_page)}
    if cursor:
        params["updated_since"] = cursor
    return Request(
        method="GET",
        path=path,
        params=params,
        headers={"Authorization": f"{token.token_type} {token.access_token}"},
        secret_params=("Authorization",),
    )


def _where(request: Request) -> str:
    # Method and path only: params hold no secret today, but headers do.
    return f"Race Roster {request.method} {request.path}"


def _check_status(request: Request, response: Response) -> None:
    status = response.status
    if 200 <= status < 300:
        return
    if status == 401:
        raise Unauthorized(f"{_where(request)}: HTTP 401, the token is missing or expired")
    if status == 429:
        wait = retry_after(response, DEFAULT_RETRY_AFTER_429)
        raise ProviderError(f"{_where(request)}: HTTP 429, rate limited", retry_after=wait)
    if status >= 500:
        wait = retry_after(response, DEFAULT_RETRY_AFTER_5XX)
        raise ProviderError(f"{_where(request)}: HTTP {status}, server error", retry_after=wait)
    raise ProviderError(f"{_where(request)}: HTTP {status}")


def _json(request: Request, response: Response) -> Any:
    try:
        return json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        # Worth another try (as fetch.py retries malformed answers): a body cut
        # short is the usual cause. retry_after 0 leaves the wait to its back-off.
        where = _where(request)
        raise ProviderError(f"{where}: malformed JSON in the answer", retry_after=0.0) from None


def _oauth_error(body: bytes) -> str | None:
    try:
        code = json.loads(body).get("error")
    except (ValueError, UnicodeDecodeError, AttributeError):
        return None
    return code if isinstance(code, str) and _OAUTH_ERROR.fullmatch(code) else None


def _items(request: Request, response: Response) -> list[dict[str, Any]]:
    _check_status(request, response)
    body = _json(request, response)
    # ASSUMED envelope {"data": [...], "meta": {"pagination": {...}}}; third-party
    # clients of /v1/events read the list from "data".
    items = body.get("data") if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise ProviderError(f"{_where(request)}: answer has no list of objects in 'data'")
    return items


def _next(request: Request, response: Response, count: int) -> Request | None:
    page = int(request.params.get("page", "1"))
    body = json.loads(response.body)  # already parsed once; cannot fail now
    pagination = (body.get("meta") or {}).get("pagination") if isinstance(body, dict) else None
    if isinstance(pagination, dict) and isinstance(pagination.get("totalPages"), int):
        more = page < pagination["totalPages"]
    else:  # no page count: a full page may have a successor, a short one has none
        more = count >= int(request.params.get("perPage", str(PER_PAGE)))
    if not more or count == 0:
        return None
    return replace(request, params={**request.params, "page": str(page + 1)})


def _cursor(request: Request, items: list[dict[str, Any]]) -> str | None:
    """The latest ``updatedAt`` of these rows (or the cursor asked with).

    The documentation does not say whether ``updated_since`` is inclusive. We
    resume *at* the latest time seen, not a second past it: if inclusive, the
    rows at that instant come again and the upsert on their ids makes that
    harmless; stepping past it would instead lose a row changed later within
    the same second (the precision is undocumented too). The provider's own
    timestamps are used, never our clock, so clock skew cannot lose rows.
    """
    latest = _opt_instant(request.params.get("updated_since"))
    for item in items:
        latest = merge_cursors(latest, _opt_instant(item.get("updatedAt")))
    return latest


def _opt_instant(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:  # undocumented case: take it as UTC rather than drop it
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _gender_code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in SEX_BY_GENDER_CODE else None
    if isinstance(value, str) and value.strip().isdigit():
        return _gender_code(int(value))
    return None


def _bad(request: Request, index: int, what: str) -> ProviderError:
    # Names the item by position, never by content (registrations are personal data).
    return ProviderError(f"{_where(request)}: item {index} has no usable {what}")


def _int(value: Any, request: Request, index: int, what: str) -> int:
    if (number := _opt_int(value)) is None:
        raise _bad(request, index, what)
    return number


def _opt_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _text(value: Any, request: Request, index: int, what: str) -> str:
    if (text := _opt_text(value)) is None:
        raise _bad(request, index, what)
    return text


def _opt_text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return (value.strip() or None) if isinstance(value, str) else None


def _date(value: Any, request: Request, index: int) -> date:
    # event_date is NOT NULL: an event without a start date cannot be stored.
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise _bad(request, index, "startDate") from None


def _money(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).replace("$", "").replace(",", "").strip())
    except InvalidOperation:
        return None
    return amount.quantize(Decimal("0.01")) if amount.is_finite() else None

"""RunSignUp: the requests to make and their answers as rows (sans I/O).

Naming: a RunSignUp *race* (one race day, ``race_id``) is a row of
``runsignup_events``; each of its *events* (5K, 10K, ``event_id``) is a row of
``runsignup_races``; participants hang off an event, so
``runsignup_participants.runsignup_race_id`` is RunSignUp's ``event_id``.

Documented facts relied on (runsignup.com/API and help.runsignup.com):
- GET /race/{race_id}/participants pages with ``page``/``results_per_page``
  (at most 2,500) and ``sort``; ``modified_after_timestamp`` returns rows
  modified *on or after* the timestamp; ``last_modified`` is a Unix timestamp.
- The JSON answer lists everyone in the top-level ``participants`` and leaves
  ``event.participants`` empty (a kept bug, help article 17000065641).
- GET /race/{race_id}/removed-participants pages the same way and puts the
  rows under ``event.participants`` with ``last_modified_ts``.
- Credentials: ``api_key``/``api_secret`` query parameters, or ``rsu_api_key``
  with the secret in the ``X-RSU-API-SECRET`` header; ``format`` defaults to
  xml, so json is always asked for.
- Errors are ``{"error": {"error_code", "error_msg"}}``; code 6 is "Key
  authentication failed", 7 "Permission denied", 14 "Request throttled".
- "Event start and end times are in the timezone of the race. All other
  dates/times are in Eastern Time" (Get Race).
Where the documentation found was silent, the comment at the spot says so.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from .base import Page, ProviderError, Request, Response, retry_after

EASTERN = ZoneInfo("America/New_York")
MAX_PER_PAGE = 2500
MAX_CURSOR_IDS = 10_000  # registration ids a cursor keeps at its second (see cursors)
DEFAULT_RETRY_AFTER = 60.0  # seconds, when a 429/5xx carries no usable Retry-After
MALFORMED_RETRY_AFTER = 5.0  # seconds before asking again after an unreadable body
AUTH_ERROR_CODES = {6, 7, 13}
THROTTLE_ERROR_CODE = 14


@dataclass(frozen=True)
class Credentials:
    api_key: str
    api_secret: str
    header_secret: bool = False  # API v2: rsu_api_key + X-RSU-API-SECRET header


def _auth(creds: Credentials) -> tuple[dict[str, str], dict[str, str], tuple[str, ...]]:
    if creds.header_secret:
        params = {"rsu_api_key": creds.api_key}
        headers = {"X-RSU-API-SECRET": creds.api_secret}
        return params, headers, ("rsu_api_key", "X-RSU-API-SECRET")
    params = {"api_key": creds.api_key, "api_secret": creds.api_secret}
    return params, {}, ("api_key", "api_secret")


def _request(creds: Credentials, path: str, params: Mapping[str, str]) -> Request:
    auth_params, headers, secret = _auth(creds)
    return Request(
        method="GET",
        path=path,
        params={**params, "format": "json", **auth_params},
        headers=headers,
        secret_params=secret,
    )


# --- cursors -------------------------------------------------------------------
# modified_after_timestamp is inclusive. Adding 1 s to the highest last_modified
# seen would lose a change made later within that same second, after our read;
# so the cursor keeps the highest timestamp and the registration ids seen at it
# ("1631042122:2645624,2645630"). The next run asks from that second again and
# drops only those ids, unless they changed since (their timestamp moved on).
# The blind spot left: an id changed again within the very same second.


def parse_cursor(cursor: str | None) -> tuple[int, frozenset[int]] | None:
    if not cursor:
        return None
    ts, _, ids = cursor.partition(":")
    try:
        return int(ts), frozenset(int(i) for i in ids.split(",") if i)
    except ValueError:
        raise ProviderError(f"RunSignUp: unusable cursor {cursor!r}") from None


def merge_cursors(*cursors: str | None) -> str | None:
    """The later of several cursors (ids united on a tie): the runner merges pages'."""
    best: tuple[int, frozenset[int]] | None = None
    for c in cursors:
        p = parse_cursor(c)
        if p is None:
            continue
        if best is None or p[0] > best[0]:
            best = p
        elif p[0] == best[0]:
            best = (p[0], best[1] | p[1])
    if best is None:
        return None
    if len(best[1]) > MAX_CURSOR_IDS:
        # A bulk import can stamp thousands of rows with one second; rather than
        # an unbounded cursor, step 1 s past it and accept the blind spot above.
        return f"{best[0] + 1}:"
    return f"{best[0]}:{','.join(str(i) for i in sorted(best[1]))}"


def _page_cursor(seen: Iterable[tuple[int, int]], start: str | None) -> str | None:
    pairs = list(seen)
    if not pairs:
        return merge_cursors(start)
    top = max(ts for ts, _ in pairs)
    ids = ",".join(str(r) for ts, r in sorted(pairs) if ts == top)
    return merge_cursors(start, f"{top}:{ids}")


# --- requests --------------------------------------------------------------------


def _listing_params(event_id: int, cursor: str | None, page: int, per_page: int) -> dict[str, str]:
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"results_per_page must be 1..{MAX_PER_PAGE}")
    params = {
        "event_id": str(event_id),
        "page": str(page),
        "results_per_page": str(per_page),
        "sort": "registration_id ASC",  # a stable order, so pages do not overlap
    }
    # The documentation pairs modified_after_timestamp with "the highest returned
    # modified timestamp", i.e. last_modified's Unix seconds. The help article's
    # advice to go 10 s back is for a client's own clock; this cursor is built
    # from the provider's timestamps only, so no skew margin is needed.
    start = parse_cursor(cursor)
    if start is not None:
        params["modified_after_timestamp"] = str(start[0])
    return params


def listing_request(
    creds: Credentials,
    race_id: int,
    event_id: int,
    cursor: str | None = None,
    page: int = 1,
    per_page: int = MAX_PER_PAGE,
    *,
    listing: str = "participants",
) -> Request:
    """One page of a race's ``participants`` or ``removed-participants``: the two
    listings take the same paging, sort and modified_after_timestamp cursor."""
    path = f"/race/{race_id}/{listing}"
    return _request(creds, path, _listing_params(event_id, cursor, page, per_page))


participants_request = functools.partial(listing_request, listing="participants")
removed_request = functools.partial(listing_request, listing="removed-participants")


def bib_chip_request(creds: Credentials, race_id: int, event_id: int) -> Request:
    # The documentation found names only event_id (required) for get-bib-chip:
    # no paging and no modified filter, so it is read whole each time.
    return _request(creds, f"/race/{race_id}/get-bib-chip", {"event_id": str(event_id)})


def race_request(creds: Credentials, race_id: int) -> Request:
    return _request(creds, f"/race/{race_id}", {})


def _next_page(request: Request, got: int) -> Request | None:
    # help.runsignup.com: only ask for the next page when this one was full.
    per_page = int(request.params.get("results_per_page", MAX_PER_PAGE))
    if got < per_page:
        return None
    page = int(request.params.get("page", "1")) + 1
    return replace(request, params={**request.params, "page": str(page)})


# --- answers ---------------------------------------------------------------------


def describe(request: Request) -> str:
    shown = {k: v for k, v in request.params.items() if k not in request.secret_params}
    query = "&".join(f"{k}={v}" for k, v in sorted(shown.items()))
    return f"RunSignUp GET {request.path}" + (f"?{query}" if query else "")


def _scrub(text: str, request: Request) -> str:
    for name in request.secret_params:
        value = request.params.get(name) or request.headers.get(name)
        if value:
            text = text.replace(value, "***")
    return text


def decode(request: Request, response: Response) -> Any:
    """The JSON body of a usable answer, or a ProviderError naming what was wrong."""
    where = describe(request)
    if response.status == 429:
        raise ProviderError(
            f"{where}: HTTP 429", retry_after=retry_after(response, DEFAULT_RETRY_AFTER)
        )
    if response.status >= 500:
        raise ProviderError(
            f"{where}: HTTP {response.status}",
            retry_after=retry_after(response, DEFAULT_RETRY_AFTER),
        )
    try:
        body = json.loads(response.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        # Most likely a body cut short on the way: worth another try, soon.
        raise ProviderError(
            f"{where}: malformed JSON ({exc.msg})", retry_after=MALFORMED_RETRY_AFTER
        ) from None
    if isinstance(body, dict) and "error" in body:
        err = body["error"] if isinstance(body["error"], dict) else {"error_msg": body["error"]}
        code = err.get("error_code")
        msg = _scrub(str(err.get("error_msg", "")), request)
        if code in AUTH_ERROR_CODES:
            raise ProviderError(f"{where}: credentials rejected (error {code}: {msg})")
        if code == THROTTLE_ERROR_CODE:
            raise ProviderError(
                f"{where}: throttled (error {code}: {msg})",
                retry_after=retry_after(response, DEFAULT_RETRY_AFTER),
            )
        raise ProviderError(f"{where}: error {code}: {msg}")
    if response.status >= 400:
        raise ProviderError(f"{where}: HTTP {response.status}")
    return body


def eastern(value: str | int | None) -> datetime | None:
    """A RunSignUp date/time (Eastern unless it is a Unix timestamp) as an aware value."""
    return local_time(value, EASTERN)


_DATE_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y", "%Y-%m-%d")


def local_time(value: str | int | None, tz: ZoneInfo) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value), UTC)
    # Both forms appear in the documented examples: "9/7/2021 15:15" (participants)
    # and "2021-09-07 15:20:36" (removed participants); dates alone as "06/07/2014".
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    raise ProviderError(f"RunSignUp: unreadable date {value!r}")


def money(value: Any) -> Decimal | None:
    """ "$55.00" -> Decimal("55.00")."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).replace("$", "").replace(",", "").strip())
    except InvalidOperation:
        raise ProviderError(f"RunSignUp: unreadable amount {value!r}") from None


def _event_blocks(body: Any) -> list[dict[str, Any]]:
    # Working clients get an array, one object per event; the documentation's
    # example is one bare object. Both are accepted.
    blocks = body if isinstance(body, list) else [body]
    if not all(isinstance(b, dict) for b in blocks):
        raise ProviderError("RunSignUp: participants answer is neither an object nor a list")
    return blocks


def _people(block: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(block.get("participants") or [])
    event = block.get("event")
    if isinstance(event, dict):
        found += list(event.get("participants") or [])  # removed-participants puts them here
    return found


def _sex(gender: Any) -> str | None:
    g = str(gender or "").strip().upper()[:1]
    return g if g in ("M", "F", "X") else None


def participant_row(p: Mapping[str, Any], event_id: int, partner_id: int | None) -> dict[str, Any]:
    user = p.get("user") or {}
    address = user.get("address") or {}
    # amount_paid is in the documented answer; race_fee stands in when absent.
    paid = money(p.get("amount_paid"))
    if paid is None:
        paid = money(p.get("race_fee")) or Decimal("0")
    bib = p.get("bib_num")
    return {
        "registration_id": int(p["registration_id"]),
        "runsignup_race_id": int(p.get("event_id") or event_id),
        "timing_partner_id": partner_id,
        "bib": None if bib in (None, "") else str(bib),
        "first_name": user.get("first_name") or "",
        "last_name": user.get("last_name") or "",
        "sex": _sex(user.get("gender")),
        "age": p.get("age"),
        "city": address.get("city"),
        "state": address.get("state"),
        "email": user.get("email"),
        "phone": user.get("phone"),
        "registered_at": eastern(p.get("registration_date")),
        "amount_paid": paid,
        "chip": None if p.get("chip_num") in (None, "") else str(p.get("chip_num")),
        "last_modified": datetime.fromtimestamp(_modified(p), UTC),
    }


def _modified(p: Mapping[str, Any]) -> int:
    ts = p.get("last_modified_ts", p.get("last_modified"))
    if isinstance(ts, int) or (isinstance(ts, str) and ts.isdigit()):
        return int(ts)
    stamp = eastern(ts)
    if stamp is None:
        raise ProviderError(f"RunSignUp: registration {p.get('registration_id')} has no timestamp")
    return int(stamp.timestamp())


def _fresh(
    people: list[dict[str, Any]], cursor: str | None
) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    start = parse_cursor(cursor)
    kept, seen = [], []
    for p in people:
        ts, reg = _modified(p), int(p["registration_id"])
        seen.append((ts, reg))
        if start is not None and ts == start[0] and reg in start[1]:
            continue  # already taken at this same second by the previous run
        kept.append(p)
    return kept, seen


def _event_id(request: Request) -> int:
    return int(request.params["event_id"])


def parse_participants(
    request: Request,
    response: Response,
    *,
    cursor: str | None = None,
    partner_id: int | None = None,
) -> Page:
    """One page of participants. ``cursor`` is the one the listing started from;
    each page's ``Page.cursor`` includes it, and the runner keeps
    ``merge_cursors`` over all pages (the interface has no slot for state carried
    from page to page)."""
    people = [p for b in _event_blocks(decode(request, response)) for p in _people(b)]
    kept, seen = _fresh(people, cursor)
    event_id = _event_id(request)
    return Page(
        table="runsignup_participants",
        rows=[participant_row(p, event_id, partner_id) for p in kept],
        next=_next_page(request, len(people)),
        cursor=_page_cursor(seen, cursor),
    )


def parse_removed(request: Request, response: Response, *, cursor: str | None = None) -> Page:
    """Removed (cleared, refunded, transferred, deferred) registrations as ids to delete.
    A transfer's new_registration_id arrives through the participants listing."""
    people = [p for b in _event_blocks(decode(request, response)) for p in _people(b)]
    kept, seen = _fresh(people, cursor)
    return Page(
        table="runsignup_participants",
        rows=[],
        next=_next_page(request, len(people)),
        cursor=_page_cursor(seen, cursor),
        removed=[str(p["registration_id"]) for p in kept],
    )


def parse_bib_chip(request: Request, response: Response) -> Page:
    """Bib assignments as partial rows (registration_id, bib) to update.

    The answer's shape is not in the documentation found: taken to be a list of
    objects with registration_id, bib_num and chip_num, either bare or under
    "bib_chip_nums" or "participants"."""
    body = decode(request, response)
    items = body
    if isinstance(body, dict):
        items = body.get("bib_chip_nums", body.get("participants"))
    if not isinstance(items, list):
        raise ProviderError(f"{describe(request)}: no bib/chip list in the answer")
    rows = []
    for item in items:
        bib = item.get("bib_num")
        chip = item.get("chip_num")
        rows.append(
            {
                "registration_id": int(item["registration_id"]),
                "bib": None if bib in (None, "") else str(bib),
                "chip": None if chip in (None, "") else str(chip),
            }
        )
    return Page(table="runsignup_participants", rows=rows)

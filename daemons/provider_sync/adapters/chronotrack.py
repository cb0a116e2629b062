"""ChronoTrack Live Open Platform API: requests to make, answers to ``ct_*`` rows.

Pure (see ``base``): no sockets, no database, no clock. What follows from where:

* Documented (https://api.chronotrack.com/dev/docs): the production endpoint
  ``https://api.chronotrack.com/api`` (a testing one at ``qa-api.``), resources
  under it, https only.
* Issue 14, matching widely used client code (not the reference page itself):
  simple auth as query params ``client_id``, ``user_id`` and ``user_pass`` = the
  SHA-1 hex of the password, with ``format=json``; paging with ``page``/``size``
  and the ``X-Ctlive-Page-Count``, ``X-Ctlive-Row-Count`` and
  ``X-Ctlive-Current-Page`` headers; the body envelopes ``event``,
  ``event_race``, ``event_entry``, ``race_entry``, ``event_results``,
  ``event_interval``.
* Assumptions, where the docs we could read are silent (each marked below):
  error shapes (401/403 for bad credentials), units of distance and pace, the
  entry statuses meaning "withdrawn", the date/time field formats.

Rows carry the column names of ``sql/production/0001_results_schema.sql``;
``timing_partner_id`` is not the provider's to give: the runner adds it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from daemons.provider_sync.adapters import chronotrack_values as _v
from daemons.provider_sync.adapters.base import Page, ProviderError, Request, Response, retry_after

DEFAULT_BASE_URL = "https://api.chronotrack.com/api"  # documented production endpoint
DEFAULT_SIZE = 1000  # the docs give no maximum page size; 1000 is what clients use in practice
SECRET_PARAMS = ("client_id", "user_id", "user_pass")
# Retry-After may be an HTTP date; turning that into seconds needs a clock, which
# this module must not read, so such answers (and ones without the header) get these.
DEFAULT_RETRY_429 = 60.0
DEFAULT_RETRY_5XX = 30.0
# Assumption: the docs list no entry_status values; these mean "no longer racing".
REMOVED_STATUSES = frozenset(
    {"withdrawn", "cancelled", "canceled", "deleted", "refunded", "transferred", "inactive"}
)


# --- requests ---------------------------------------------------------------


def auth_params(creds: Mapping[str, str]) -> dict[str, str]:
    """The simple-auth params: the password itself never leaves this function."""
    try:
        password = creds["password"]
        params = {"client_id": creds["client_id"], "user_id": creds["user_id"]}
    except KeyError as missing:
        raise ProviderError(f"ChronoTrack credentials lack {missing.args[0]}") from None
    params["user_pass"] = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest()
    params["format"] = "json"
    return params


def _listing(creds: Mapping[str, str], path: str, page: int, size: int) -> Request:
    params = auth_params(creds) | {"page": str(page), "size": str(size)}
    return Request("GET", path, params=params, secret_params=SECRET_PARAMS)


def events_request(creds: Mapping[str, str], page: int = 1, size: int = DEFAULT_SIZE) -> Request:
    return _listing(creds, "/event", page, size)


def races_request(
    creds: Mapping[str, str], event_id: int | str, page: int = 1, size: int = DEFAULT_SIZE
) -> Request:
    return _listing(creds, f"/event/{event_id}/race", page, size)


def entries_request(
    creds: Mapping[str, str], event_id: int | str, page: int = 1, size: int = DEFAULT_SIZE
) -> Request:
    return _listing(creds, f"/event/{event_id}/entry", page, size)


def race_entries_request(
    creds: Mapping[str, str], race_id: int | str, page: int = 1, size: int = DEFAULT_SIZE
) -> Request:
    return _listing(creds, f"/race/{race_id}/entry", page, size)


def results_request(
    creds: Mapping[str, str], event_id: int | str, page: int = 1, size: int = DEFAULT_SIZE
) -> Request:
    # The docs we could read name no "modified since" filter, so a results sync
    # re-reads the listing; ``last_modified`` only becomes the Page's cursor.
    return _listing(creds, f"/event/{event_id}/results", page, size)


def intervals_request(
    creds: Mapping[str, str], event_id: int | str, page: int = 1, size: int = DEFAULT_SIZE
) -> Request:
    return _listing(creds, f"/event/{event_id}/interval", page, size)


# --- answers ----------------------------------------------------------------


def _check(request: Request, response: Response) -> Any:
    """The decoded body, or a ProviderError naming the path (never the params)."""
    what = f"ChronoTrack {request.method} {request.path}"
    status = response.status
    if status in (401, 403):
        # Assumption: the docs show no error shape; bad credentials are taken to be
        # 401/403. The body is not quoted, since it may echo the user id.
        raise ProviderError(f"{what}: credentials rejected (HTTP {status})")
    if status == 429:
        raise ProviderError(
            f"{what}: rate limited (HTTP 429)",
            retry_after=retry_after(response, DEFAULT_RETRY_429),
        )
    if status >= 500:
        raise ProviderError(
            f"{what}: server error (HTTP {status})",
            retry_after=retry_after(response, DEFAULT_RETRY_5XX),
        )
    if status != 200:
        raise ProviderError(f"{what}: unexpected HTTP {status}")
    try:
        return json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        # Most likely a body cut short on the way: worth another try after a back-off,
        # as the other adapters do.
        raise ProviderError(
            f"{what}: malformed JSON ({len(response.body)} bytes)", retry_after=0.0
        ) from None


def _records(request: Request, body: Any, key: str) -> list[dict[str, Any]]:
    records = body.get(key) if isinstance(body, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ProviderError(f"ChronoTrack {request.method} {request.path}: no {key!r} list")
    return records


def _next(request: Request, response: Response, count: int) -> Request | None:
    """The same listing one page on, or None after the last page."""
    headers = response.headers
    try:
        current = int(headers.get("x-ctlive-current-page") or request.params.get("page", "1"))
        pages = headers.get("x-ctlive-page-count")
        if pages is not None:
            more = current < int(pages)
        else:
            # Without the header, a full page may be followed by more: ask, and the
            # empty page that ends the listing stops it.
            more = count > 0 and count >= int(request.params.get("size", DEFAULT_SIZE))
    except ValueError:
        raise ProviderError(
            f"ChronoTrack {request.method} {request.path}: bad paging headers"
        ) from None
    if not more:
        return None
    return Request(
        request.method,
        request.path,
        params=dict(request.params) | {"page": str(current + 1)},
        headers=request.headers,
        secret_params=request.secret_params,
    )


def _path_id(request: Request, resource: str) -> int:
    match = re.fullmatch(rf"/{resource}/(\d+)/\w+", request.path)
    if not match:
        raise ProviderError(f"ChronoTrack: {request.path} is not a /{resource}/<id> listing")
    return int(match.group(1))


def parse_events(request: Request, response: Response) -> Page:
    records = _records(request, _check(request, response), "event")
    rows = []
    for rec in records:
        event_id, start = _v.integer(rec.get("event_id")), _v.day(rec.get("event_start_time"))
        if event_id is None or start is None:
            raise ProviderError(f"ChronoTrack {request.path}: an event lacks its id or date")
        # Field names other than event_id are assumptions (the client code we found
        # uses event_name/event_start_time/event_end_time and location_*).
        rows.append(
            {
                "id": event_id,
                "name": _v.text(rec.get("event_name")) or f"Event {event_id}",
                "event_date": start,
                "end_date": _v.day(rec.get("event_end_time")),
                "city": _v.text(rec.get("location_city")),
                "state": _v.text(rec.get("location_region")),
                "country": _v.text(rec.get("location_country")) or "US",
                "website": _v.text(rec.get("event_url")),
            }
        )
    return Page("ct_events", rows, _next(request, response, len(records)))


def _distance_km(rec: Mapping[str, Any]) -> Decimal | None:
    # Assumption: race_course_distance is in metres (race_pref_distance_unit is
    # how it is shown, not how it is stored), as client code treats it.
    try:
        metres = Decimal(str(rec.get("race_course_distance")).strip())
    except InvalidOperation:
        return None
    return (metres / 1000).quantize(Decimal("0.001"))


def parse_races(request: Request, response: Response) -> Page:
    event_id = _path_id(request, "event")
    records = _records(request, _check(request, response), "event_race")
    rows = []
    for rec in records:
        race_id, km = _v.integer(rec.get("race_id")), _distance_km(rec)
        if race_id is None or km is None:
            # distance_km is NOT NULL: a race without it cannot be stored truthfully.
            raise ProviderError(f"ChronoTrack {request.path}: a race lacks its id or distance")
        start = _v.moment(rec.get("race_actual_start_time")) or _v.moment(
            rec.get("race_planned_start_time")
        )
        rows.append(
            {
                "id": race_id,
                "event_id": event_id,
                "name": _v.text(rec.get("race_name")) or f"Race {race_id}",
                "distance_km": km,
                "start_time": start,
            }
        )
    return Page("ct_races", rows, _next(request, response, len(records)))


def _sex(value: Any) -> str:
    # The column allows M/F/X only; anything else (blank, "U", "NB") is stored as X.
    sex = (_v.text(value) or "").upper()[:1]
    return sex if sex in ("M", "F") else "X"


def parse_entries(
    request: Request,
    response: Response,
    *,
    event_id: int | None = None,
    race_ids_by_name: Mapping[str, int] | None = None,
) -> Page:
    """ct_participants rows (keyed by entry_id), and withdrawn entries as ``removed``.

    An /event/{id}/entry listing gives the event; a /race/{id}/entry listing the
    race, and the caller passes ``event_id``. The race of an event listing's entry
    is its ``race_id`` when the answer has one, else its ``race_name`` looked up
    in ``race_ids_by_name`` (from parse_races). Entries without a bib are skipped:
    bib is NOT NULL and UNIQUE per race, so they cannot be stored (see report).
    """
    if request.path.startswith("/race/"):
        path_race: int | None = _path_id(request, "race")
        key = "race_entry"
        if event_id is None:
            raise ProviderError("ChronoTrack race entries need the event id")
    else:
        path_race, key, event_id = None, "event_entry", _path_id(request, "event")
    records = _records(request, _check(request, response), key)
    rows, removed = [], []
    for rec in records:
        entry_id = _v.integer(rec.get("entry_id"))
        if entry_id is None:
            raise ProviderError(f"ChronoTrack {request.path}: an entry lacks entry_id")
        if (_v.text(rec.get("entry_status")) or "").lower() in REMOVED_STATUSES:
            removed.append(str(entry_id))
            continue
        bib = _v.text(rec.get("entry_bib"))
        if bib is None:
            continue
        race_id = path_race or _v.integer(rec.get("race_id"))
        if race_id is None and race_ids_by_name is not None:
            race_id = race_ids_by_name.get(_v.text(rec.get("race_name")) or "")
        if race_id is None:
            raise ProviderError(f"ChronoTrack {request.path}: entry {entry_id} has no known race")
        age = _v.integer(rec.get("entry_race_age"))
        rows.append(
            {
                "entry_id": entry_id,
                "athlete_id": _v.integer(rec.get("athlete_id")),
                "race_id": race_id,
                "event_id": event_id,
                "bib": bib,
                "first_name": _v.text(rec.get("athlete_first_name")) or "",
                "last_name": _v.text(rec.get("athlete_last_name")) or "",
                "sex": _sex(rec.get("athlete_sex")),
                "age": age if age is not None and 1 <= age <= 120 else None,
                "city": _v.text(rec.get("location_city")),
                "state": _v.text(rec.get("location_region")),
                "country": _v.text(rec.get("location_country")) or "US",
            }
        )
    return Page("ct_participants", rows, _next(request, response, len(records)), removed=removed)


def parse_results(
    request: Request,
    response: Response,
    *,
    entries_by_bib: Mapping[str, tuple[int, int]],
) -> Page:
    """ct_results finish rows of /event/{id}/results.

    ``entries_by_bib`` maps a bib to (entry_id, race_id), from the entry sync: the
    results fields tie a result to its entry only by ``results_bib`` (bibs are
    unique within a ChronoTrack event). A row names its entry by ``entry_id``;
    the store finds the participant by it (one finish row per entry). Results of
    unknown bibs are skipped; they come in once the entry sync has them.
    ``cursor`` is this page's latest ``last_modified``: the runner keeps the
    largest over the pages.
    """
    event_id = _path_id(request, "event")
    records = _records(request, _check(request, response), "event_results")
    rows, latest = [], None
    for rec in records:
        modified = _v.text(rec.get("last_modified"))
        if modified is not None and (
            latest is None or modified_key(modified) > modified_key(latest)
        ):
            latest = modified
        known = entries_by_bib.get(_v.text(rec.get("results_bib")) or "")
        if known is None:
            continue
        entry_id, race_id = known
        chip = _v.parse_duration(rec.get("results_time"))
        rows.append(
            {
                "entry_id": entry_id,
                "race_id": race_id,
                "event_id": event_id,
                "timing_point": "Finish",
                # Assumption: a result without a time is a non-finisher.
                "status": "finished" if chip is not None else "dnf",
                "chip_time": chip,
                "gun_time": _v.parse_duration(rec.get("results_gun_time")),
                "pace_per_mile": _v.parse_pace(rec.get("results_pace")),
                "overall_place": _v.integer(rec.get("results_rank")),
                "division": _v.text(rec.get("results_primary_bracket_name")),
                "last_modified": modified,
            }
        )
    return Page("ct_results", rows, _next(request, response, len(records)), cursor=latest)


def modified_key(modified: str) -> tuple[int, float | str]:
    # Epoch numbers compare as numbers, anything else (ISO text) as text.
    try:
        return (0, float(modified))
    except ValueError:
        return (1, modified)


def parse_intervals(request: Request, response: Response) -> Page:
    """The event's timing intervals (splits). No ct_* table stores them, so the
    rows are a lookup (interval id -> name, split_km) for split results."""
    records = _records(request, _check(request, response), "event_interval")
    rows = [
        {
            "interval_id": _v.integer(rec.get("interval_id")),
            "timing_point": _v.text(rec.get("interval_name")),
            "split_km": _distance_km({"race_course_distance": rec.get("interval_distance")}),
        }
        for rec in records
    ]
    return Page("", rows, _next(request, response, len(records)))

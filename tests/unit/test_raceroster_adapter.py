"""The Race Roster adapter against hand-written answers (no network)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from daemons.provider_sync.adapters import raceroster as rr
from daemons.provider_sync.adapters.base import ProviderError, Response

SECRET = "client-secret-XYZZY"
CREDS = rr.Credentials("client-123", SECRET)
TOKEN = rr.Token("tok-PLUGH-very-secret", expires_at=10_000.0)


def answer(body: object, status: int = 200, **headers: str) -> Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Response(status, {k.lower().replace("_", "-"): v for k, v in headers.items()}, raw)


def event(n: int, updated: str = "2026-03-01T10:00:00+00:00", **extra: object) -> dict:
    return {
        "eventId": n, "name": f"Race {n}", "startDate": "2026-06-01T08:00:00-04:00",
        "city": "Toronto", "province": "ON", "updatedAt": updated, **extra,
    }  # fmt: skip


def registration(n: int, gender: object = 1, **extra: object) -> dict:
    return {
        "registrationId": n, "subEventId": 71, "bibNumber": 100 + n, "firstName": "Ada",
        "lastName": "Lovelace", "gender": gender, "age": 36, "city": "Ottawa",
        "province": "ON", "email": "ada@example.org", "registeredAt": "2026-02-01T12:00:00Z",
        "amountPaid": "55.5", "updatedAt": "2026-03-02T09:30:00+01:00", **extra,
    }  # fmt: skip


def listing(items: list, page: int = 1, total_pages: int | None = None) -> dict:
    body: dict = {"data": items}
    if total_pages is not None:
        body["meta"] = {"pagination": {"currentPage": page, "totalPages": total_pages}}
    return body


# --- tokens --------------------------------------------------------------------


def test_token_request_is_a_form_post_with_the_secret_marked():
    request = rr.token_request(CREDS)
    assert (request.method, request.path) == ("POST", "/oauth/token")
    assert request.form == {
        "grant_type": "client_credentials",
        "client_id": "client-123",
        "client_secret": SECRET,
    }
    assert "client_secret" in request.secret_params
    assert SECRET not in repr(CREDS)


def test_parse_token_and_its_expiry():
    token = rr.parse_token(answer({"access_token": "abc", "expires_in": 86400}), now=1000.0)
    assert token.access_token == "abc"
    assert token.expires_at == 87400.0
    assert "abc" not in repr(token)
    assert not rr.token_expired(token, now=1000.0)
    assert not rr.token_expired(token, now=87400.0 - 61)
    assert rr.token_expired(token, now=87400.0 - 60)  # renewed a margin early
    assert rr.token_expired(token, now=90000.0)
    assert rr.token_expired(None, now=0.0)


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"access_token": "abc", "expires_in": 60}},
        {"data": [{"access_token": "abc", "expires_in": 60}]},
    ],
)
def test_parse_token_unwraps_a_data_envelope(body):
    assert rr.parse_token(answer(body), now=0.0).access_token == "abc"


def test_parse_token_without_expires_in_assumes_a_short_life():
    token = rr.parse_token(answer({"access_token": "abc"}), now=0.0)
    assert token.expires_at == rr.FALLBACK_TOKEN_LIFETIME


@pytest.mark.parametrize("status", [400, 401])
def test_bad_client_credentials_never_echo_the_body(status):
    body = {"error": "invalid_client", "message": f"bad secret {SECRET}"}
    with pytest.raises(rr.Unauthorized) as caught:
        rr.parse_token(answer(body, status), now=0.0)
    assert "invalid_client" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert caught.value.retry_after is None


def test_an_odd_oauth_error_code_is_dropped():
    with pytest.raises(rr.Unauthorized) as caught:
        rr.parse_token(answer({"error": f"no {SECRET}"}, 401), now=0.0)
    assert SECRET not in str(caught.value)


def test_token_answer_without_a_token_or_not_json():
    with pytest.raises(ProviderError, match="no access_token"):
        rr.parse_token(answer({"token_type": "Bearer"}), now=0.0)
    with pytest.raises(ProviderError, match="malformed JSON"):
        rr.parse_token(answer(b"<html>oops"), now=0.0)


# --- requests ------------------------------------------------------------------


def test_listing_requests_carry_the_bearer_token_as_a_secret():
    request = rr.events_request(TOKEN, None)
    assert (request.method, request.path) == ("GET", "/events")
    assert request.params == {"page": "1", "perPage": str(rr.PER_PAGE)}
    assert request.headers["Authorization"] == f"Bearer {TOKEN.access_token}"
    assert request.secret_params == ("Authorization",)
    again = rr.registrations_request(TOKEN, "42", "2026-03-01T10:00:00+00:00", page=3, per_page=2)
    assert again.path == "/events/42/registrations"
    assert again.params == {
        "page": "3",
        "perPage": "2",
        "updated_since": "2026-03-01T10:00:00+00:00",
    }


# --- events ----------------------------------------------------------------------


def test_events_rows_use_the_table_columns():
    request = rr.events_request(TOKEN, None)
    page = rr.parse_events(request, answer(listing([event(7, registrationFee="45.00")], 1, 1)))
    assert page.table == "raceroster_events"
    assert page.rows == [
        {
            "id": 7,
            "name": "Race 7",
            "event_date": date(2026, 6, 1),
            "city": "Toronto",
            "state": "ON",
            "registration_fee": Decimal("45.00"),
        }
    ]
    assert page.next is None
    assert page.cursor == "2026-03-01T10:00:00+00:00"


def test_paging_to_the_last_page_by_the_page_count():
    request = rr.events_request(TOKEN, None, per_page=2)
    pages = []
    bodies = [listing([event(1), event(2)], 1, 3), listing([event(3), event(4)], 2, 3)]
    bodies.append(listing([event(5)], 3, 3))
    for body in bodies:
        page = rr.parse_events(request, answer(body))
        pages.append(page)
        if page.next is None:
            break
        request = page.next
    assert [p.next.params["page"] if p.next else None for p in pages] == ["2", "3", None]
    assert [r["id"] for p in pages for r in p.rows] == [1, 2, 3, 4, 5]
    assert pages[1].next.headers == pages[0].next.headers  # the token travels along


def test_paging_without_a_page_count_stops_at_a_short_or_empty_page():
    request = rr.events_request(TOKEN, None, per_page=2)
    full = rr.parse_events(request, answer(listing([event(1), event(2)])))
    assert full.next is not None and full.next.params["page"] == "2"
    assert rr.parse_events(full.next, answer(listing([event(3)]))).next is None
    assert rr.parse_events(full.next, answer(listing([]))).next is None


def test_the_cursor_is_the_latest_update_in_utc_and_never_moves_back():
    request = rr.events_request(TOKEN, "2026-03-05T00:00:00+00:00")
    body = listing(
        [
            event(1, "2026-03-05T00:00:00+00:00"),
            event(2, "2026-03-06T02:00:00+02:00"),  # = 00:00 UTC on the 6th
            event(3, "2026-03-05T12:00:00Z"),
        ]
    )
    page = rr.parse_events(request, answer(body))
    assert page.cursor == "2026-03-06T00:00:00+00:00"
    # The next run resumes AT that instant (not a second past it): inclusive or
    # not, no row changed within that second is lost.
    assert rr.events_request(TOKEN, page.cursor).params["updated_since"] == page.cursor
    empty = rr.parse_events(request, answer(listing([])))
    assert empty.cursor == "2026-03-05T00:00:00+00:00"
    assert rr.merge_cursors(page.cursor, empty.cursor) == page.cursor
    assert rr.merge_cursors(None, None) is None


def test_an_event_without_id_or_date_is_an_error_naming_no_content():
    request = rr.events_request(TOKEN, None)
    with pytest.raises(ProviderError, match="item 1 has no usable eventId"):
        rr.parse_events(request, answer(listing([event(1), {"name": "x"}])))
    with pytest.raises(ProviderError, match="startDate"):
        rr.parse_events(request, answer(listing([event(1, startDate="soon")])))


# --- registrations ---------------------------------------------------------------


def test_registration_rows():
    request = rr.registrations_request(TOKEN, 42, None)
    page = rr.parse_registrations(request, answer(listing([registration(5)], 1, 1)))
    assert page.table == "raceroster_registrations"
    (row,) = page.rows
    assert tuple(row) == rr.REGISTRATION_COLUMNS
    assert row["provider_registration_id"] == "5"
    assert row["raceroster_event_id"] == 42
    assert row["bib"] == "105"
    assert (row["sex"], row["gender_code"]) == ("M", 1)
    assert row["registered_at"] == "2026-02-01T12:00:00+00:00"
    assert row["amount_paid"] == Decimal("55.50")
    assert row["provider_updated_at"] == "2026-03-02T08:30:00+00:00"
    assert page.cursor == "2026-03-02T08:30:00+00:00"


@pytest.mark.parametrize(
    ("gender", "sex", "code"),
    [
        (0, None, 0),  # prefer not to disclose
        (1, "M", 1),
        (2, "F", 2),
        (8, None, 8),  # co-ed: a team's, says nothing of the runner
        (9, "X", 9),  # non-binary
        ("2", "F", 2),
        (5, None, None),  # undocumented code
        ("F", None, None),
        (None, None, None),
        (True, None, None),
    ],
)
def test_gender_codes(gender, sex, code):
    request = rr.registrations_request(TOKEN, 42, None)
    (row,) = rr.parse_registrations(request, answer(listing([registration(1, gender)]))).rows
    assert (row["sex"], row["gender_code"]) == (sex, code)


def test_removed_registrations_are_found_by_a_full_listing():
    assert rr.removed_ids({"1", "2", "3"}, {"1", "3", "4"}) == ["2"]


# --- errors ------------------------------------------------------------------------


def test_401_is_unauthorized_and_names_no_token():
    request = rr.events_request(TOKEN, None)
    with pytest.raises(rr.Unauthorized) as caught:
        rr.parse_events(request, answer({"error": "Unauthenticated."}, 401))
    assert TOKEN.access_token not in str(caught.value)
    assert caught.value.retry_after is None


@pytest.mark.parametrize(
    ("status", "headers", "wait"),
    [
        (429, {"Retry_After": "17"}, 17.0),
        (429, {}, rr.DEFAULT_RETRY_AFTER_429),
        (429, {"Retry_After": "Wed, 21 Oct 2026 07:28:00 GMT"}, rr.DEFAULT_RETRY_AFTER_429),
        (500, {}, rr.DEFAULT_RETRY_AFTER_5XX),
        (503, {"Retry_After": "4"}, 4.0),
    ],
)
def test_retryable_answers(status, headers, wait):
    request = rr.registrations_request(TOKEN, 42, None)
    with pytest.raises(ProviderError) as caught:
        rr.parse_registrations(request, answer({"error": "x"}, status, **headers))
    assert caught.value.retry_after == wait
    assert f"HTTP {status}" in str(caught.value)
    assert TOKEN.access_token not in str(caught.value)


def test_other_client_errors_are_not_retried():
    with pytest.raises(ProviderError) as caught:
        rr.parse_events(rr.events_request(TOKEN, None), answer({}, 404))
    assert caught.value.retry_after is None
    assert "GET /events: HTTP 404" in str(caught.value)


@pytest.mark.parametrize("raw", [b'{"data": [{"eventId": 1,', b"", b"\xff\xfe"])
def test_malformed_json_is_retried(raw):
    request = rr.events_request(TOKEN, None)
    with pytest.raises(ProviderError, match="malformed JSON") as caught:
        rr.parse_events(request, answer(raw))
    assert TOKEN.access_token not in str(caught.value)
    assert caught.value.retry_after == 0.0  # fetch.py retries it after its back-off


@pytest.mark.parametrize("raw", [b'{"data": {"eventId": 1}}', b"[1, 2]", b'{"data": [1]}'])
def test_a_wrong_shape_is_not_retried(raw):
    with pytest.raises(ProviderError, match="no list of objects") as caught:
        rr.parse_events(rr.events_request(TOKEN, None), answer(raw))
    assert caught.value.retry_after is None


@pytest.mark.parametrize("lifetime", [None, "soon", "inf", "nan", 0, -5])
def test_an_unusable_token_lifetime_falls_back(lifetime):
    body = {"access_token": "abc", "expires_in": lifetime}
    assert rr.parse_token(answer(body), now=0.0).expires_at == rr.FALLBACK_TOKEN_LIFETIME

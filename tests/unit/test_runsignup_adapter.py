"""The RunSignUp adapter against hand-written answers in the documented shapes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from daemons.provider_sync.adapters import runsignup as rsu
from daemons.provider_sync.adapters import runsignup_race as rsu_race
from daemons.provider_sync.adapters.base import ProviderError, Response

CREDS = rsu.Credentials("KEY-abc123", "SECRET-xyz789")
SECRETS = ("KEY-abc123", "SECRET-xyz789")


def person(reg: int, ts: int, bib: str | None = None, **user) -> dict:
    return {
        "user": {
            "user_id": 1,
            "first_name": user.get("first_name", "Margie"),
            "middle_name": None,
            "last_name": "Stephens",
            "email": "margie.stephens@example.com",
            "address": {"city": "Moorestown", "state": "NJ", "country_code": "US"},
            "dob": "1986-01-06",
            "gender": user.get("gender", "F"),
            "phone": "856-850-1510",
        },
        "registration_id": reg,
        "event_id": 12890,
        "bib_num": bib,
        "chip_num": None,
        "age": 35,
        "registration_date": "9/7/2021 15:15",
        "team_name": None,
        "last_modified": ts,
        "race_fee": "$55.00",
        "amount_paid": "$57.75",
    }


def ok(body) -> Response:
    return Response(200, {"content-type": "application/json"}, json.dumps(body).encode())


def array_form(people: list[dict]) -> Response:
    return ok([{"event": {"event_id": 12890, "participants": []}, "participants": people}])


def bare_form(people: list[dict]) -> Response:
    return ok({"event": {"event_id": 12890, "participants": []}, "participants": people})


def test_request_carries_paging_sort_json_and_marks_secrets():
    req = rsu.participants_request(CREDS, 555, 12890)
    assert req.method == "GET" and req.path == "/race/555/participants"
    assert req.params["event_id"] == "12890"
    assert req.params["page"] == "1" and req.params["results_per_page"] == "2500"
    assert req.params["sort"] == "registration_id ASC"
    assert req.params["format"] == "json"
    assert "modified_after_timestamp" not in req.params
    assert set(req.secret_params) == {"api_key", "api_secret"}
    assert req.params["api_key"] == "KEY-abc123"


def test_header_secret_form():
    req = rsu.race_request(rsu.Credentials("K", "S", header_secret=True), 555)
    assert req.params["rsu_api_key"] == "K" and "api_secret" not in req.params
    assert req.headers["X-RSU-API-SECRET"] == "S"
    assert set(req.secret_params) == {"rsu_api_key", "X-RSU-API-SECRET"}


def test_per_page_capped():
    with pytest.raises(ValueError):
        rsu.participants_request(CREDS, 1, 2, per_page=2501)


@pytest.mark.parametrize("form", [array_form, bare_form])
def test_both_answer_forms_map_to_columns(form):
    req = rsu.participants_request(CREDS, 555, 12890)
    page = rsu.parse_participants(req, form([person(2645624, 1631042122, "17")]), partner_id=3)
    assert page.table == "runsignup_participants"
    (row,) = page.rows
    assert row == {
        "registration_id": 2645624,
        "runsignup_race_id": 12890,
        "timing_partner_id": 3,
        "bib": "17",
        "first_name": "Margie",
        "last_name": "Stephens",
        "sex": "F",
        "age": 35,
        "city": "Moorestown",
        "state": "NJ",
        "email": "margie.stephens@example.com",
        "phone": "856-850-1510",
        "registered_at": datetime(2021, 9, 7, 19, 15, tzinfo=UTC),
        "amount_paid": Decimal("57.75"),
        "chip": None,
        "last_modified": datetime(2021, 9, 7, 19, 15, 22, tzinfo=UTC),
    }
    assert page.next is None
    assert page.cursor == "1631042122:2645624"


def test_eastern_time_winter_and_summer():
    assert rsu.eastern("1/15/2026 08:00").astimezone(UTC) == datetime(2026, 1, 15, 13, tzinfo=UTC)
    assert rsu.eastern("2021-09-07 15:20:36").utcoffset().total_seconds() == -4 * 3600
    assert rsu.eastern(1631042122) == datetime(2021, 9, 7, 19, 15, 22, tzinfo=UTC)


def test_race_fee_when_amount_paid_absent():
    p = person(1, 10)
    del p["amount_paid"]
    assert rsu.participant_row(p, 1, None)["amount_paid"] == Decimal("55.00")


def test_paging_to_the_last_page_and_cursor_merge():
    req = rsu.participants_request(CREDS, 555, 12890, per_page=2)
    p1 = rsu.parse_participants(req, array_form([person(1, 50), person(2, 70)]))
    assert p1.next is not None and p1.next.params["page"] == "2"
    assert p1.next.params["api_key"] == "KEY-abc123"  # the next page keeps its credentials
    p2 = rsu.parse_participants(p1.next, array_form([person(3, 70)]))
    assert p2.next is None  # a short page is the last one
    assert rsu.merge_cursors(p1.cursor, p2.cursor) == "70:2,3"


def test_full_page_then_empty_page():
    req = rsu.participants_request(CREDS, 555, 12890, per_page=1)
    p1 = rsu.parse_participants(req, array_form([person(1, 50)]))
    p2 = rsu.parse_participants(p1.next, array_form([]))
    assert p2.rows == [] and p2.next is None and p2.cursor is None


def test_cursor_steps_past_the_inclusive_timestamp():
    cursor = "70:2,3"
    req = rsu.participants_request(CREDS, 555, 12890, cursor)
    assert req.params["modified_after_timestamp"] == "70"  # inclusive: ask from that second
    # RunSignUp answers the two already taken again, plus one changed in the same second.
    page = rsu.parse_participants(
        req, array_form([person(2, 70), person(3, 70), person(9, 70)]), cursor=cursor
    )
    assert [r["registration_id"] for r in page.rows] == [9]
    assert page.cursor == "70:2,3,9"
    # Nothing new: same cursor, no rows.
    again = rsu.parse_participants(req, array_form([person(2, 70)]), cursor=cursor)
    assert again.rows == [] and again.cursor == cursor


def test_later_modification_of_a_taken_id_is_kept():
    page = rsu.parse_participants(
        rsu.participants_request(CREDS, 1, 2, "70:2"), array_form([person(2, 71)]), cursor="70:2"
    )
    assert [r["registration_id"] for r in page.rows] == [2] and page.cursor == "71:2"


def test_cursor_with_too_many_ids_steps_one_second(monkeypatch):
    monkeypatch.setattr(rsu, "MAX_CURSOR_IDS", 2)
    assert rsu.merge_cursors("70:1,2") == "70:1,2"
    assert rsu.merge_cursors("70:1,2", "70:3") == "71:"
    assert rsu.participants_request(CREDS, 1, 2, "71:").params["modified_after_timestamp"] == "71"


def test_removed_participants():
    req = rsu.removed_request(CREDS, 555, 12890)
    assert req.path == "/race/555/removed-participants"
    body = {
        "event": {
            "event_id": 12890,
            "participants": [
                {
                    "registration_id": 2645629,
                    "last_modified": "2021-09-23 09:54:37",
                    "last_modified_ts": 1632405277,
                    "removed_reason": "removed",
                }
            ],
        }
    }
    page = rsu.parse_removed(req, ok(body))
    assert page.removed == ["2645629"] and page.rows == []
    assert page.cursor == "1632405277:2645629"


def test_bib_chip():
    req = rsu.bib_chip_request(CREDS, 555, 12890)
    assert req.path == "/race/555/get-bib-chip" and req.params["event_id"] == "12890"
    page = rsu.parse_bib_chip(
        req, ok({"bib_chip_nums": [{"registration_id": 5, "bib_num": 101, "chip_num": "A1"}]})
    )
    assert page.rows == [{"registration_id": 5, "bib": "101", "chip": "A1"}]


RACE = {
    "race": {
        "race_id": 555,
        "name": "Turkey Trot",
        "next_date": "11/26/2026",
        "timezone": "America/Los_Angeles",
        "address": {"city": "Moorestown", "state": "NJ"},
        "events": [
            {
                "event_id": 12890,
                "name": "5K",
                "start_time": "11/26/2026 08:30",
                "distance": "5K",
                "participant_cap": 3000,
                "registration_periods": [
                    {
                        "registration_opens": "6/1/2026 00:00",
                        "registration_closes": "11/25/2026 23:59",
                        "race_fee": "$55.00",
                    }
                ],
            },
            {"event_id": 12891, "name": "Half", "distance": "13.1 Miles"},
        ],
    }
}


def test_race_and_events():
    req = rsu.race_request(CREDS, 555)
    events = rsu_race.parse_race(req, ok(RACE), partner_id=3)
    races = rsu_race.parse_race_events(req, ok(RACE), partner_id=3)
    assert events.table == "runsignup_events" and races.table == "runsignup_races"
    assert events.rows == [
        {
            "id": 555,
            "timing_partner_id": 3,
            "name": "Turkey Trot",
            "event_date": date(2026, 11, 26),
            "city": "Moorestown",
            "state": "NJ",
            "registration_opens": date(2026, 6, 1),
            "registration_closes": date(2026, 11, 25),
        }
    ]
    five, half = races.rows
    assert five["id"] == 12890 and five["runsignup_event_id"] == 555
    # Event start times are in the race's own timezone, not Eastern.
    assert five["start_time"] == datetime(2026, 11, 26, 16, 30, tzinfo=UTC)
    assert five["distance_km"] == Decimal("5.000") and five["registration_fee"] == Decimal("55.00")
    assert five["participant_cap"] == 3000
    assert half["distance_km"] == Decimal("21.082") and half["start_time"] is None


def _no_secret(exc: ProviderError) -> None:
    for s in SECRETS:
        assert s not in str(exc)


@pytest.mark.parametrize("status", [200, 401, 403])
def test_bad_credentials_clear_and_secret_free(status):
    req = rsu.participants_request(CREDS, 555, 12890)
    body = {"error": {"error_code": 6, "error_msg": "Key authentication failed SECRET-xyz789"}}
    resp = Response(status, {}, json.dumps(body).encode())
    with pytest.raises(ProviderError, match="credentials rejected") as exc:
        rsu.parse_participants(req, resp)
    assert exc.value.retry_after is None
    _no_secret(exc.value)
    assert "/race/555/participants" in str(exc.value)


def test_other_error_codes():
    req = rsu.race_request(CREDS, 9)
    with pytest.raises(ProviderError, match="error 201") as exc:
        rsu_race.parse_race(req, ok({"error": {"error_code": 201, "error_msg": "Race not found."}}))
    _no_secret(exc.value)
    with pytest.raises(ProviderError) as exc:
        rsu_race.parse_race(
            req, ok({"error": {"error_code": 14, "error_msg": "Request throttled."}})
        )
    assert exc.value.retry_after == rsu.DEFAULT_RETRY_AFTER


@pytest.mark.parametrize(
    ("status", "headers", "wait"),
    [(429, {"retry-after": "12"}, 12.0), (503, {}, 60.0), (500, {"retry-after": "x"}, 60.0)],
)
def test_retryable_statuses(status, headers, wait):
    req = rsu.participants_request(CREDS, 555, 12890)
    with pytest.raises(ProviderError) as exc:
        rsu.parse_participants(req, Response(status, headers, b"busy"))
    assert exc.value.retry_after == wait
    _no_secret(exc.value)


def test_other_4xx_not_retried():
    req = rsu.participants_request(CREDS, 555, 12890)
    with pytest.raises(ProviderError, match="HTTP 404") as exc:
        rsu.parse_participants(req, Response(404, {}, b"{}"))
    assert exc.value.retry_after is None


@pytest.mark.parametrize("body", [b'[{"event": ', b"<html>", b"\xff\xfe"])
def test_malformed_json_is_retried_soon(body):
    req = rsu.participants_request(CREDS, 555, 12890)
    with pytest.raises(ProviderError, match="malformed JSON") as exc:
        rsu.parse_participants(req, Response(200, {}, body))
    assert exc.value.retry_after == rsu.MALFORMED_RETRY_AFTER
    _no_secret(exc.value)


@pytest.mark.parametrize("body", [b'"text"', b"[1]"])
def test_wrong_shape_is_not_retried(body):
    req = rsu.participants_request(CREDS, 555, 12890)
    with pytest.raises(ProviderError) as exc:
        rsu.parse_participants(req, Response(200, {}, body))
    assert exc.value.retry_after is None
    _no_secret(exc.value)


def test_header_secret_not_in_messages():
    creds = rsu.Credentials("K-hdr-1", "S-hdr-2", header_secret=True)
    req = rsu.participants_request(creds, 555, 12890)
    body = {"error": {"error_code": 6, "error_msg": "bad S-hdr-2 K-hdr-1"}}
    with pytest.raises(ProviderError) as exc:
        rsu.parse_participants(req, ok(body))
    assert "S-hdr-2" not in str(exc.value) and "K-hdr-1" not in str(exc.value)

"""The ChronoTrack Live adapter against hand-written answers in the documented shapes."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from daemons.provider_sync.adapters import chronotrack as ct
from daemons.provider_sync.adapters import chronotrack_values as ctv
from daemons.provider_sync.adapters.base import ProviderError, Response

CREDS = {"client_id": "abc123", "user_id": "timer@example.org", "password": "s3cret-Pass!"}
SHA1 = hashlib.sha1(b"s3cret-Pass!").hexdigest()


def answer(body, *, status=200, page=1, pages=1, rows=None, **headers):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    hdrs = {
        "x-ctlive-page-count": str(pages),
        "x-ctlive-current-page": str(page),
        "x-ctlive-row-count": str(rows if rows is not None else 0),
    }
    hdrs.update({k.replace("_", "-").lower(): v for k, v in headers.items()})
    return Response(status, hdrs, raw)


def entry(entry_id, bib, **fields):
    return {
        "entry_id": str(entry_id),
        "athlete_id": "77",
        "entry_bib": bib,
        "athlete_first_name": "Des",
        "athlete_last_name": "Linden",
        "entry_race_age": "40",
        "athlete_sex": "F",
        "location_city": "Charlevoix",
        "location_region": "MI",
        "location_country": "US",
        "bracket_name": "Overall",
        "race_name": "Marathon",
        "team_name": "",
        "entry_status": "confirmed",
    } | fields


# --- requests ---------------------------------------------------------------


def test_request_carries_the_sha1_of_the_password_never_the_password():
    req = ct.entries_request(CREDS, 123, page=2, size=500)
    assert req.method == "GET"
    assert req.path == "/event/123/entry"
    assert req.params["user_pass"] == SHA1
    assert req.params["client_id"] == "abc123"
    assert req.params["user_id"] == "timer@example.org"
    assert req.params["format"] == "json"
    assert (req.params["page"], req.params["size"]) == ("2", "500")
    assert "s3cret-Pass!" not in repr(req)
    assert {"user_pass", "client_id", "user_id"} <= set(req.secret_params)


def test_resource_paths_are_relative_to_the_api_base():
    assert ct.DEFAULT_BASE_URL.endswith("/api")
    assert ct.events_request(CREDS).path == "/event"
    assert ct.races_request(CREDS, 9).path == "/event/9/race"
    assert ct.race_entries_request(CREDS, 5).path == "/race/5/entry"
    assert ct.results_request(CREDS, 9).path == "/event/9/results"
    assert ct.intervals_request(CREDS, 9).path == "/event/9/interval"


def test_missing_credential_is_named_without_values():
    with pytest.raises(ProviderError, match="password") as err:
        ct.events_request({"client_id": "abc123", "user_id": "u"})
    assert "abc123" not in str(err.value)


# --- paging -----------------------------------------------------------------


def test_next_follows_the_page_headers_to_the_last_page():
    req = ct.entries_request(CREDS, 1, size=2)
    pages = []
    for n in (1, 2, 3):
        page = ct.parse_entries(
            req,
            answer({"event_entry": [entry(n, str(n))]}, page=n, pages=3, rows=5),
            race_ids_by_name={"Marathon": 7},
        )
        pages.append(page)
        if page.next is None:
            break
        assert page.next.params["page"] == str(n + 1)
        assert page.next.params["user_pass"] == SHA1
        assert page.next.secret_params == req.secret_params
        req = page.next
    assert len(pages) == 3 and pages[-1].next is None


def test_without_page_headers_a_full_page_asks_for_more_and_an_empty_one_stops():
    req = ct.events_request(CREDS, size=1)
    event = {"event_id": "1", "event_name": "A", "event_start_time": "1713182400"}
    full = ct.parse_events(req, Response(200, {}, json.dumps({"event": [event]}).encode()))
    assert full.next is not None and full.next.params["page"] == "2"
    empty = ct.parse_events(full.next, Response(200, {}, b'{"event": []}'))
    assert empty.next is None


def test_bad_paging_header_is_an_error():
    req = ct.events_request(CREDS)
    with pytest.raises(ProviderError, match="paging"):
        ct.parse_events(req, answer({"event": []}, pages="many"))


# --- field mapping ----------------------------------------------------------


def test_events_map_to_ct_events():
    body = {
        "event": [
            {
                "event_id": "32804",
                "event_name": "Boston Marathon",
                "event_start_time": "1713182400",  # 2024-04-15 12:00 UTC
                "event_end_time": "1713204000",
                "location_city": "Boston",
                "location_region": "MA",
                "location_country": "US",
            }
        ]
    }
    page = ct.parse_events(ct.events_request(CREDS), answer(body))
    assert page.table == "ct_events"
    assert page.rows == [
        {
            "id": 32804,
            "name": "Boston Marathon",
            "event_date": date(2024, 4, 15),
            "end_date": date(2024, 4, 15),
            "city": "Boston",
            "state": "MA",
            "country": "US",
            "website": None,
        }
    ]


def test_races_map_to_ct_races_with_km():
    body = {
        "event_race": [
            {
                "race_id": "81829",
                "race_name": "Marathon",
                "race_course_distance": "42195",
                "race_planned_start_time": "1713182400",
            }
        ]
    }
    page = ct.parse_races(ct.races_request(CREDS, 32804), answer(body))
    assert page.table == "ct_races"
    (row,) = page.rows
    assert row["id"] == 81829 and row["event_id"] == 32804
    assert row["distance_km"] == Decimal("42.195")
    assert row["start_time"] == datetime(2024, 4, 15, 12, 0, tzinfo=UTC)


def test_race_without_distance_is_an_error():
    body = {"event_race": [{"race_id": "1", "race_name": "Fun run"}]}
    with pytest.raises(ProviderError, match="distance"):
        ct.parse_races(ct.races_request(CREDS, 1), answer(body))


def test_entries_map_to_ct_participants():
    body = {
        "event_entry": [
            entry(501, "1001"),
            entry(502, "1002", athlete_sex="", entry_race_age="0", race_name="5K"),
        ]
    }
    page = ct.parse_entries(
        ct.entries_request(CREDS, 32804), answer(body), race_ids_by_name={"Marathon": 7, "5K": 8}
    )
    assert page.table == "ct_participants"
    assert page.rows[0] == {
        "entry_id": 501,
        "athlete_id": 77,
        "race_id": 7,
        "event_id": 32804,
        "bib": "1001",
        "first_name": "Des",
        "last_name": "Linden",
        "sex": "F",
        "age": 40,
        "city": "Charlevoix",
        "state": "MI",
        "country": "US",
    }
    assert page.rows[1]["race_id"] == 8
    assert page.rows[1]["sex"] == "X" and page.rows[1]["age"] is None


def test_withdrawn_entries_are_removals_and_unbibbed_ones_are_skipped():
    body = {
        "event_entry": [
            entry(1, "1"),
            entry(2, "2", entry_status="Withdrawn"),
            entry(3, ""),
        ]
    }
    page = ct.parse_entries(
        ct.entries_request(CREDS, 4), answer(body), race_ids_by_name={"Marathon": 7}
    )
    assert [r["entry_id"] for r in page.rows] == [1]
    assert page.removed == ["2"]


def test_race_entries_take_the_race_from_the_path():
    body = {"race_entry": [entry(9, "9", race_name="unknown")]}
    page = ct.parse_entries(ct.race_entries_request(CREDS, 81829), answer(body), event_id=32804)
    assert page.rows[0]["race_id"] == 81829 and page.rows[0]["event_id"] == 32804


def test_entry_of_an_unknown_race_is_an_error():
    body = {"event_entry": [entry(9, "9", race_name="Ultra")]}
    with pytest.raises(ProviderError, match="no known race"):
        ct.parse_entries(ct.entries_request(CREDS, 1), answer(body), race_ids_by_name={})


def test_results_map_to_ct_results_finish_rows():
    body = {
        "event_results": [
            {
                "results_bib": "1001",
                "results_time": "2:27:42.3",
                "results_gun_time": "2:27:45",
                "results_pace": "5:38",
                "results_rank": "12",
                "results_primary_bracket_name": "F 40-44",
                "last_modified": "1713200000",
            },
            {"results_bib": "1002", "results_time": "", "last_modified": "1713300000"},
            {"results_bib": "9999", "results_time": "3:00:00", "last_modified": "1713100000"},
        ]
    }
    page = ct.parse_results(
        ct.results_request(CREDS, 32804),
        answer(body),
        entries_by_bib={"1001": (501, 7), "1002": (502, 7)},
    )
    assert page.table == "ct_results"
    assert page.rows[0] == {
        "entry_id": 501,
        "race_id": 7,
        "event_id": 32804,
        "timing_point": "Finish",
        "status": "finished",
        "chip_time": timedelta(hours=2, minutes=27, seconds=42.3),
        "gun_time": timedelta(hours=2, minutes=27, seconds=45),
        "pace_per_mile": timedelta(minutes=5, seconds=38),
        "overall_place": 12,
        "division": "F 40-44",
        "last_modified": "1713200000",
    }
    assert page.rows[1]["status"] == "dnf" and page.rows[1]["chip_time"] is None
    assert len(page.rows) == 2  # bib 9999 is not an entry (yet)
    assert page.cursor == "1713300000"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1:23:45.6", timedelta(hours=1, minutes=23, seconds=45.6)),
        ("23:45", timedelta(minutes=23, seconds=45)),
        ("0:59:59", timedelta(minutes=59, seconds=59)),
        ("12:03:04.25", timedelta(hours=12, minutes=3, seconds=4.25)),
        ("7:32/mi", timedelta(minutes=7, seconds=32)),
        ("", None),
        (None, None),
        ("DNF", None),
        ("1:2:3:4", None),
    ],
)
def test_parse_duration(text, expected):
    assert ctv.parse_duration(text) == expected


def test_pace_per_km_is_converted_to_per_mile():
    assert ctv.parse_pace("5:00/km") == timedelta(seconds=482.803)


# --- errors -----------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_bad_credentials(status):
    req = ct.events_request(CREDS)
    body = {"error": f"bad user_pass {SHA1} for {CREDS['user_id']}"}
    with pytest.raises(ProviderError, match="credentials rejected") as err:
        ct.parse_events(req, answer(body, status=status))
    assert err.value.retry_after is None
    for secret in (SHA1, CREDS["password"], CREDS["user_id"], CREDS["client_id"]):
        assert secret not in str(err.value)


def test_429_carries_retry_after():
    req = ct.events_request(CREDS)
    with pytest.raises(ProviderError, match="429") as err:
        ct.parse_events(req, answer({"error": "slow down"}, status=429, retry_after="120"))
    assert err.value.retry_after == 120.0


def test_429_with_an_http_date_gets_the_default_wait():
    req = ct.events_request(CREDS)
    response = answer({}, status=429, retry_after="Wed, 21 Oct 2026 07:28:00 GMT")
    with pytest.raises(ProviderError) as err:
        ct.parse_events(req, response)
    assert err.value.retry_after == ct.DEFAULT_RETRY_429


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_retryable(status):
    with pytest.raises(ProviderError, match="server error") as err:
        ct.parse_events(ct.events_request(CREDS), answer(b"<html>oops</html>", status=status))
    assert err.value.retry_after == ct.DEFAULT_RETRY_5XX


def test_other_4xx_is_not_retryable():
    with pytest.raises(ProviderError, match="404") as err:
        ct.parse_races(ct.races_request(CREDS, 1), answer({"error": "nope"}, status=404))
    assert err.value.retry_after is None


@pytest.mark.parametrize(
    ("body", "retried"),
    [(b'{"event_entry": [', True), (b"", True), (b"\xff\xfe", True), (b"null", False),
     (b'{"x": []}', False)],
)  # fmt: skip
def test_malformed_bodies(body, retried):
    # A body that is not JSON was most likely cut short: tried again. JSON of the
    # wrong shape would come back the same: not.
    req = ct.entries_request(CREDS, 1)
    with pytest.raises(ProviderError) as err:
        ct.parse_entries(req, answer(body), race_ids_by_name={})
    assert (err.value.retry_after is not None) is retried
    for secret in (SHA1, CREDS["password"], CREDS["user_id"], CREDS["client_id"]):
        assert secret not in str(err.value)
